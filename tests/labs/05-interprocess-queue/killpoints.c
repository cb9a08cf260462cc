/*
 * Lab 05, public tests: a process killed with SIGKILL at every step of a push, a pop, a
 * queue_initialize that creates the queue, and a queue_destroy (killpoint.h: every call into
 * winsync or memcpy/memmove, and every store into the ring, is a step).
 *
 * After each death the queue must hold what it held before, plus or minus the one message in
 * flight (a push may or may not have happened; a pop may or may not have taken the oldest),
 * every message intact and in order, and it must still take exactly `capacity` messages.
 */
#include <criterion/criterion.h>

#include "killpoint.h"
#include "queue_test.h"

TestSuite(killpoints, .timeout = 120);

#define KP_CAPACITY 4
#define KP_MESSAGE 32
#define KP_OLD 0    /* producer of the messages queued before the child runs */
#define KP_FLIGHT 1 /* producer of the child's message */

struct walk {
    const struct kp_scenario *s;
    char name[96];
    queue_t *q;            /* the parent's queue */
    queue_t *child;        /* the child's */
    uint32_t queued;       /* messages queued before the child runs: (KP_OLD, 0..queued-1) */
    const char *op;        /* what the child does, for the messages: "pop (from a full queue)" */
    HANDLE held[4];        /* creator walk: the objects the parent holds across the death */
    bool half_closed;      /* last-destroy walk: some objects open while the lock was free */
    int half_closed_count; /* how many of the three */
};

static void push_message(struct walk *w, uint32_t producer, uint32_t seq)
{
    uint8_t msg[KP_MESSAGE];
    uint32_t size = qt_make(msg, KP_MESSAGE, producer, seq);
    cr_assert_eq(queue_push_back(w->q, msg, size, 0), WAIT_OBJECT_0, "setting up: push failed");
}

/* A fresh queue whose counters are not at 0 (so the ring wraps), holding w->queued messages. */
static void setup_queue(void *arg)
{
    struct walk *w = arg;
    wst_name(w->name, sizeof w->name, "q05-kp");
    w->q = queue_initialize(w->name, KP_CAPACITY, KP_MESSAGE);
    cr_assert_not_null(w->q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    for (uint32_t i = 0; i < KP_CAPACITY - 1; i++)
        push_message(w, 9, i);
    uint8_t buf[KP_MESSAGE];
    uint32_t size;
    for (uint32_t i = 0; i < KP_CAPACITY - 1; i++)
        cr_assert_eq(queue_pop_front(w->q, buf, sizeof buf, &size, 0), WAIT_OBJECT_0);
    for (uint32_t i = 0; i < w->queued; i++)
        push_message(w, KP_OLD, i);
}

static int open_queue(void *arg)
{
    struct walk *w = arg;
    w->child = queue_initialize(w->name, KP_CAPACITY, KP_MESSAGE);
    return w->child != NULL ? 0 : 1;
}

static int push_one(void *arg)
{
    struct walk *w = arg;
    uint8_t msg[KP_MESSAGE];
    uint32_t size = qt_make(msg, KP_MESSAGE, KP_FLIGHT, 0);
    return queue_push_back(w->child, msg, size, WST_LONG_MS) == WAIT_OBJECT_0 ? 0 : 2;
}

static int pop_one(void *arg)
{
    struct walk *w = arg;
    uint8_t buf[KP_MESSAGE];
    uint32_t size = 0, producer, seq;
    if (queue_pop_front(w->child, buf, sizeof buf, &size, WST_LONG_MS) != WAIT_OBJECT_0)
        return 2;
    return qt_valid(buf, size, KP_MESSAGE, &producer, &seq) && producer == KP_OLD && seq == 0 ? 0
                                                                                              : 3;
}

static int destroy_queue(void *arg)
{
    struct walk *w = arg;
    queue_destroy(w->child);
    return 0;
}

/* The queue after the death: drain it, check what came out, then check it takes exactly
 * KP_CAPACITY messages. The old messages first..queued-1 must come out in order; `oldest_may_go`:
 * the first of them may be missing (the dead child popped it). `flight`: the child's pushed
 * message may (1) or must (2) come out last, or must not be there (0). */
static void check_queue(struct walk *w, const struct kp_outcome *o, uint32_t first,
                        bool oldest_may_go, int flight)
{
    const char *how = o->stopped ? "killed at" : "finished before";
    const char *replay = kp_replay(w->s, o);
    uint32_t last = w->queued, next_old = first, flights = 0, popped = 0;
    uint8_t buf[KP_MESSAGE];
    uint32_t size, producer, seq;
    DWORD r;
    while ((r = queue_pop_front(w->q, buf, sizeof buf, &size, 0)) == WAIT_OBJECT_0) {
        cr_assert_leq(++popped, KP_CAPACITY,
                      "a %s %s event %u (%s): more than %u messages came "
                      "out of a queue of capacity %u; %s",
                      w->op, how, o->event, o->what, KP_CAPACITY, KP_CAPACITY, replay);
        cr_assert(qt_valid(buf, size, KP_MESSAGE, &producer, &seq),
                  "a %s %s event %u (%s): message %u came out torn (size %u); %s", w->op, how,
                  o->event, o->what, popped, size, replay);
        if (producer == KP_OLD && seq < last &&
            (seq == next_old || (oldest_may_go && popped == 1 && seq == first + 1))) {
            next_old = seq + 1;
            continue;
        }
        cr_assert(producer == KP_FLIGHT && seq == 0 && flights == 0 && next_old == last &&
                      flight > 0,
                  "a %s %s event %u (%s): message %u came out as (%u, %u), which is %s; %s", w->op,
                  how, o->event, o->what, popped, producer, seq,
                  producer == KP_OLD && seq < next_old ? "a duplicate" : "out of order or unknown",
                  replay);
        flights++;
    }
    if (oldest_may_go && popped == 0 && last == first + 1)
        next_old = last; /* the only message went with the child */
    cr_assert_eq(r, WAIT_TIMEOUT,
                 "a %s %s event %u (%s): draining the queue, pop returned %u "
                 "(error %u); %s",
                 w->op, how, o->event, o->what, r, (unsigned)GetLastError(), replay);
    cr_assert_eq(next_old, last,
                 "a %s %s event %u (%s): messages queued before were lost "
                 "(%u of %u came out); %s",
                 w->op, how, o->event, o->what, popped - flights, last - first, replay);
    cr_assert(flight != 2 || flights == 1,
              "a %s %s event %u (%s): the pushed message is not "
              "there; %s",
              w->op, how, o->event, o->what, replay);
    for (uint32_t i = 0; i < KP_CAPACITY; i++)
        cr_assert_eq(qt_push_u32(w->q, i, 0), WAIT_OBJECT_0,
                     "a %s %s event %u (%s): afterwards "
                     "only %u of %u messages fit into the empty queue; %s",
                     w->op, how, o->event, o->what, i, KP_CAPACITY, replay);
    cr_assert_eq(qt_push_u32(w->q, 99, 0), WAIT_TIMEOUT,
                 "a %s %s event %u (%s): afterwards "
                 "capacity + 1 messages fit; %s",
                 w->op, how, o->event, o->what, replay);
    for (uint32_t i = 0; i < KP_CAPACITY; i++) {
        uint32_t value = 99;
        cr_assert_eq(qt_pop_u32(w->q, &value, 0), WAIT_OBJECT_0,
                     "a %s %s event %u (%s): "
                     "afterwards message %u of %u could not be popped; %s",
                     w->op, how, o->event, o->what, i, KP_CAPACITY, replay);
        cr_assert_eq(value, i, "a %s %s event %u (%s): afterwards FIFO order is broken; %s", w->op,
                     how, o->event, o->what, replay);
    }
}

/* Every kill point: the child was stopped there, not hung; when it finished, it succeeded. */
static void check_child(struct walk *w, const struct kp_outcome *o)
{
    cr_assert(!o->hung,
              "a %s armed for event %u neither reached it nor returned within %d ms "
              "(deadlocked after an earlier step?); %s",
              w->op, o->event, WST_LONG_MS, kp_replay(w->s, o));
    cr_assert(o->stopped || o->status == 0,
              "the %s failed (status %d: %s) when nothing killed "
              "it; %s",
              w->op, o->status, o->what[0] ? o->what : "see the test", kp_replay(w->s, o));
}

static void check_push(void *arg, const struct kp_outcome *o)
{
    struct walk *w = arg;
    check_child(w, o);
    check_queue(w, o, 0, false, o->stopped ? 1 : 2);
    queue_destroy(w->q);
}

static void check_pop(void *arg, const struct kp_outcome *o)
{
    struct walk *w = arg;
    check_child(w, o);
    check_queue(w, o, o->stopped ? 0 : 1, o->stopped, 0);
    queue_destroy(w->q);
}

static void check_destroy(void *arg, const struct kp_outcome *o)
{
    struct walk *w = arg;
    check_child(w, o);
    check_queue(w, o, 0, false, 0);
    queue_destroy(w->q);
}

static void walk(struct kp_scenario *s, struct walk *w)
{
    s->arg = w;
    w->s = s;
    cr_assert_gt(kp_walk(s), 0u, "%s: the operation made no event at all", s->test);
}

Test(killpoints, push_killed_at_every_step)
{
    struct kp_scenario s = {.test = "killpoints/push_killed_at_every_step",
                            .setup = setup_queue,
                            .prepare = open_queue,
                            .operate = push_one,
                            .check = check_push};
    /* Into an empty queue (after a death the first lock comes from a pop that times out) and
     * into a queue with one free slot. */
    struct walk empty = {.queued = 0, .op = "push (into an empty queue)"},
                full = {.queued = KP_CAPACITY - 1, .op = "push (into the last free slot)"};
    walk(&s, &empty);
    walk(&s, &full);
}

Test(killpoints, pop_killed_at_every_step)
{
    struct kp_scenario s = {.test = "killpoints/pop_killed_at_every_step",
                            .setup = setup_queue,
                            .prepare = open_queue,
                            .operate = pop_one,
                            .check = check_pop};
    struct walk one = {.queued = 1, .op = "pop (of the only message)"},
                full = {.queued = KP_CAPACITY, .op = "pop (from a full queue)"};
    walk(&s, &one);
    walk(&s, &full);
}

/* The last process to close the queue: whenever the lock is free, its objects must all be there
 * or all be gone, so that a process creating the queue anew never finds half of the old one. */
static void fresh_queue_name(void *arg)
{
    struct walk *w = arg;
    wst_name(w->name, sizeof w->name, "q05-kp-last");
    w->half_closed = false;
}

static void objects_all_or_none(void *arg)
{
    struct walk *w = arg;
    char object[160];
    snprintf(object, sizeof object, "%s:lock", w->name);
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, object);
    DWORD r = lock != NULL ? WaitForSingleObject(lock, 0) : WAIT_TIMEOUT;
    if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED) {
        static const char *const suffixes[] = {":ring", ":free", ":filled"};
        int exist = 0;
        for (int i = 0; i < 3; i++) {
            snprintf(object, sizeof object, "%s%s", w->name, suffixes[i]);
            HANDLE h = i == 0 ? OpenFileMappingA(FILE_MAP_READ, FALSE, object)
                              : OpenSemaphoreA(SYNCHRONIZE, FALSE, object);
            exist += h != NULL;
            if (h != NULL)
                CloseHandle(h);
        }
        w->half_closed = exist != 0 && exist != 3;
        w->half_closed_count = exist;
        ReleaseMutex(lock);
    }
    if (lock != NULL)
        CloseHandle(lock);
}

static void check_last_destroy(void *arg, const struct kp_outcome *o)
{
    struct walk *w = arg;
    check_child(w, o);
    cr_assert(!w->half_closed,
              "the last queue_destroy stopped at event %u (%s): the lock was free while %d of "
              "the ring and its two semaphores were still open: close them while you own the "
              "lock (Step 7); %s",
              o->event, o->what, w->half_closed_count, kp_replay(w->s, o));
}

Test(killpoints, destroy_killed_at_every_step)
{
    struct kp_scenario s = {.test = "killpoints/destroy_killed_at_every_step",
                            .setup = setup_queue,
                            .prepare = open_queue,
                            .operate = destroy_queue,
                            .check = check_destroy};
    struct walk w = {.queued = 2, .op = "queue_destroy"};
    walk(&s, &w);
    struct kp_scenario last = {.test = "killpoints/destroy_killed_at_every_step",
                               .setup = fresh_queue_name,
                               .prepare = open_queue,
                               .operate = destroy_queue,
                               .at_stop = objects_all_or_none,
                               .check = check_last_destroy};
    struct walk only = {.op = "queue_destroy (of the last process with the queue open)"};
    walk(&last, &only);
}

/* ---- A creator killed at every step --------------------------------------------------- */

static void fresh_name(void *arg)
{
    struct walk *w = arg;
    wst_name(w->name, sizeof w->name, "q05-kp-create");
}

static int create_queue(void *arg)
{
    return open_queue(arg) == 0 ? 0 : 2;
}

/* While the creator is stopped: open whatever of its objects exists, so that they outlive it
 * (on Windows a dead process's handles may be closed after its mutex was abandoned). */
static void hold_objects(void *arg)
{
    struct walk *w = arg;
    static const char *const suffixes[] = {":lock", ":ring", ":free", ":filled"};
    for (int i = 0; i < 4; i++) {
        char object[160];
        snprintf(object, sizeof object, "%s%s", w->name, suffixes[i]);
        if (i == 0)
            w->held[i] = OpenMutexA(SYNCHRONIZE, FALSE, object);
        else if (i == 1)
            w->held[i] = OpenFileMappingA(FILE_MAP_READ, FALSE, object);
        else
            w->held[i] = OpenSemaphoreA(SYNCHRONIZE, FALSE, object);
    }
}

static void check_create(void *arg, const struct kp_outcome *o)
{
    struct walk *w = arg;
    check_child(w, o);
    if (o->stopped) {
        SetLastError(0);
        w->q = queue_initialize(w->name, KP_CAPACITY, KP_MESSAGE);
        cr_assert_not_null(w->q,
                           "a creator killed at event %u (%s): queue_initialize afterwards "
                           "failed with error %u; %s",
                           o->event, o->what, (unsigned)GetLastError(), kp_replay(w->s, o));
        check_queue(w, o, 0, false, 0);
        queue_destroy(w->q);
    }
    for (int i = 0; i < 4; i++) {
        if (w->held[i] != NULL)
            CloseHandle(w->held[i]);
        w->held[i] = NULL;
    }
}

Test(killpoints, creator_killed_at_every_step)
{
    struct kp_scenario s = {.test = "killpoints/creator_killed_at_every_step",
                            .setup = fresh_name,
                            .operate = create_queue,
                            .at_stop = hold_objects,
                            .check = check_create};
    struct walk w = {.op = "queue_initialize"};
    walk(&s, &w);
}
