/*
 * Lab 05, public tests: every call a queue operation makes that can fail, made to fail in turn
 * (killpoint.h, "Faults": creating or opening an object, mapping the view, a wait, a semaphore
 * release). The handout's contract for each failure: the operation fails (NULL, or WAIT_FAILED)
 * with the error of the call that failed, leaves no handle or view open, gives back the lock
 * (not abandoned: the process lives on) and leaves the queue as it was. None of these failures
 * can be retried into a success: an object that could not be created, a wait on a handle that
 * is not valid, a release beyond the semaphore's maximum.
 *
 * In this test binary a successful call also sets GetLastError() to 0, as Windows allows
 * (killpoint.h): an error read one call too late shows.
 */
#include <criterion/criterion.h>

#include "killpoint.h"
#include "queue_test.h"

TestSuite(faults, .timeout = 120);

#define F_CAPACITY 4
#define F_MESSAGE 32
#define F_OLD 0   /* producer of the messages the parent queued */
#define F_CHILD 1 /* producer of the child's message */

/* What the child's operation ended with (kp_outcome.status). */
enum { DONE_OK, DONE_FAILED, DONE_TIMEOUT, DONE_LEFT_OPEN, DONE_ODD_RESULT, DONE_WRONG_MESSAGE };

static const char *const status_names[] = {
    "succeeded",
    "failed",
    "timed out",
    "failed, leaving handles or views open",
    "returned neither WAIT_OBJECT_0, WAIT_TIMEOUT nor WAIT_FAILED",
    "returned a wrong message"};

struct fault_case {
    const struct kp_scenario *s;
    const char *op;  /* "queue_initialize (opening a queue holding 2 messages)" */
    bool create;     /* the child creates the queue: the parent has none */
    uint32_t queued; /* messages the parent queued before the child runs */
    bool abandon;    /* the lock's last owner died: the child's first lock repairs */
    int ok;          /* the child's status when nothing fails */
    char name[96];
    queue_t *q;     /* the parent's queue */
    queue_t *child; /* the child's */
};

static int abandon_lock(void *arg)
{
    const struct fault_case *f = arg;
    char object[160];
    snprintf(object, sizeof object, "%s:lock", f->name);
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, object);
    if (lock == NULL || WaitForSingleObject(lock, WST_LONG_MS) != WAIT_OBJECT_0)
        return 1;
    return 0; /* exits owning it */
}

static void setup(void *arg)
{
    struct fault_case *f = arg;
    wst_name(f->name, sizeof f->name, "q05-fault");
    f->q = f->child = NULL;
    if (f->create)
        return;
    f->q = queue_initialize(f->name, F_CAPACITY, F_MESSAGE);
    cr_assert_not_null(f->q, "setting up: queue_initialize failed with error %u",
                       (unsigned)GetLastError());
    for (uint32_t i = 0; i < f->queued; i++) {
        uint8_t msg[F_MESSAGE];
        uint32_t size = qt_make(msg, F_MESSAGE, F_OLD, i);
        cr_assert_eq(queue_push_back(f->q, msg, size, 0), WAIT_OBJECT_0, "setting up: push");
    }
    if (f->abandon) {
        pid_t pid = wst_spawn(abandon_lock, f);
        cr_assert_gt(pid, 0, "fork failed");
        cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0, "setting up: could not abandon the lock");
    }
}

static int open_child_queue(void *arg)
{
    struct fault_case *f = arg;
    f->child = queue_initialize(f->name, F_CAPACITY, F_MESSAGE);
    return f->child != NULL ? 0 : 1;
}

static int as_status(DWORD result)
{
    return result == WAIT_OBJECT_0  ? DONE_OK
           : result == WAIT_TIMEOUT ? DONE_TIMEOUT
           : result == WAIT_FAILED  ? DONE_FAILED
                                    : DONE_ODD_RESULT;
}

static int initialize(void *arg)
{
    struct fault_case *f = arg;
    kp_track_begin();
    queue_t *q = queue_initialize(f->name, F_CAPACITY, F_MESSAGE);
    DWORD error = GetLastError();
    char left[KP_WHAT];
    int open = kp_track_end(left, sizeof left);
    if (q == NULL && open > 0) {
        kp_note(left);
        return DONE_LEFT_OPEN;
    }
    if (q == NULL) {
        SetLastError(error);
        return DONE_FAILED;
    }
    return DONE_OK;
}

static int push(void *arg)
{
    struct fault_case *f = arg;
    uint8_t msg[F_MESSAGE];
    uint32_t size = qt_make(msg, F_MESSAGE, F_CHILD, 0);
    return as_status(queue_push_back(f->child, msg, size, 0));
}

static int pop(void *arg)
{
    struct fault_case *f = arg;
    uint8_t buf[F_MESSAGE];
    uint32_t size = 0, producer, seq;
    int status = as_status(queue_pop_front(f->child, buf, sizeof buf, &size, 0));
    if (status == DONE_OK &&
        !(qt_valid(buf, size, F_MESSAGE, &producer, &seq) && producer == F_OLD && seq == 0))
        return DONE_WRONG_MESSAGE;
    return status;
}

/* The parent's queue after the child: the old messages first..queued-1 in order, then the
 * child's if `pushed`, nothing else; then it takes exactly F_CAPACITY messages. */
static void check_contents(struct fault_case *f, const struct kp_outcome *o, uint32_t first,
                           bool pushed)
{
    uint8_t buf[F_MESSAGE];
    uint32_t size, producer, seq, next = first;
    bool child_seen = false;
    DWORD r;
    while ((r = queue_pop_front(f->q, buf, sizeof buf, &size, 0)) == WAIT_OBJECT_0) {
        cr_assert(qt_valid(buf, size, F_MESSAGE, &producer, &seq),
                  "a %s with fallible call %u failing (%s): a torn message came out; %s", f->op,
                  o->event, o->what, kp_replay(f->s, o));
        bool in_order = producer == F_OLD
                            ? seq == next && !child_seen
                            : producer == F_CHILD && pushed && !child_seen && next == f->queued;
        cr_assert(in_order,
                  "a %s with fallible call %u failing (%s): message (%u, %u) came out of "
                  "order, twice or from nowhere; %s",
                  f->op, o->event, o->what, producer, seq, kp_replay(f->s, o));
        if (producer == F_OLD)
            next++;
        else
            child_seen = true;
    }
    cr_assert_eq(r, WAIT_TIMEOUT,
                 "a %s with fallible call %u failing (%s): draining the queue afterwards, pop "
                 "returned %u (error %u); %s",
                 f->op, o->event, o->what, r, (unsigned)GetLastError(), kp_replay(f->s, o));
    cr_assert(next == f->queued && child_seen == pushed,
              "a %s with fallible call %u failing (%s): afterwards the queue held %u of the %u "
              "messages queued before%s; %s",
              f->op, o->event, o->what, next - first, f->queued - first,
              child_seen == pushed ? ""
              : pushed             ? ", without the one the child pushed"
                                   : ", and the one whose push failed",
              kp_replay(f->s, o));
    for (uint32_t i = 0; i < F_CAPACITY; i++)
        cr_assert_eq(qt_push_u32(f->q, i, 0), WAIT_OBJECT_0,
                     "a %s with fallible call %u failing (%s): afterwards only %u of %u "
                     "messages fit into the empty queue; %s",
                     f->op, o->event, o->what, i, F_CAPACITY, kp_replay(f->s, o));
    cr_assert_eq(qt_push_u32(f->q, 99, 0), WAIT_TIMEOUT,
                 "a %s with fallible call %u failing (%s): afterwards capacity + 1 messages "
                 "fit; %s",
                 f->op, o->event, o->what, kp_replay(f->s, o));
}

/* The lock after the child ended: free, and not abandoned (the child lived on after the failure
 * and must have given it back), unless the child may never have taken an abandoned one. */
static void check_lock(struct fault_case *f, const struct kp_outcome *o)
{
    char object[160];
    snprintf(object, sizeof object, "%s:lock", f->name);
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, object);
    cr_assert_not_null(lock,
                       "%s does not exist: the queue must use the objects named in the "
                       "handout",
                       object);
    DWORD r = WaitForSingleObject(lock, 0);
    cr_assert(r == WAIT_OBJECT_0 || (f->abandon && r == WAIT_ABANDONED),
              "a %s with fallible call %u failing (%s): afterwards the lock was %s; a failed "
              "operation must release it; %s",
              f->op, o->event, o->what,
              r == WAIT_ABANDONED ? "abandoned: the child ended while still owning it"
                                  : "owned by someone else",
              kp_replay(f->s, o));
    ReleaseMutex(lock);
    CloseHandle(lock);
}

static void check(void *arg, const struct kp_outcome *o)
{
    struct fault_case *f = arg;
    const char *replay = kp_replay(f->s, o);
    cr_assert(!o->hung,
              "a %s with fallible call %u failing neither returned nor ended within %d ms; %s",
              f->op, o->event, WST_LONG_MS, replay);
    cr_assert(o->status >= DONE_OK && o->status <= DONE_WRONG_MESSAGE,
              "a %s: the child could not open the queue (status %d)", f->op, o->status);
    const char *status = status_names[o->status];
    if (!o->injected) {
        cr_assert_eq(o->status, f->ok, "a %s %s where it should have %s (%s)", f->op, status,
                     status_names[f->ok], o->what);
    } else {
        cr_assert(o->status == DONE_FAILED && o->last_error == o->error,
                  "a %s with fallible call %u failing (%s): it %s%s, with GetLastError() %u; "
                  "a failed call must fail the operation with that call's error (%u), kept "
                  "across the calls after it (Steps 2 and 3); %s",
                  f->op, o->event, o->what, status,
                  o->status == DONE_FAILED ? "" : " instead of failing", (unsigned)o->last_error,
                  (unsigned)o->error, replay);
    }
    if (!f->create) {
        check_lock(f, o);
        /* A failed release after the commit, or a repair that failed half way, leaves the
         * semaphores out of step with the ring: Windows gives no way back from that. */
        bool consistent = !f->abandon && !(o->injected && o->error == ERROR_TOO_MANY_POSTS);
        bool ok = o->status == DONE_OK;
        if (consistent)
            check_contents(f, o, ok && f->s->operate == pop ? 1 : 0, ok && f->s->operate == push);
        queue_destroy(f->q);
    }
}

static void walk(struct kp_scenario *s, struct fault_case *f)
{
    s->arg = f;
    f->s = s;
    cr_assert_gt(kp_fault_walk(s), 0u, "%s: the operation made no fallible call at all", f->op);
}

Test(faults, initialize_fails_cleanly)
{
    struct kp_scenario s = {.test = "faults/initialize_fails_cleanly",
                            .setup = setup,
                            .operate = initialize,
                            .check = check};
    struct fault_case create = {.op = "queue_initialize (creating the queue)", .create = true},
                      open = {.op = "queue_initialize (opening a queue holding 2 messages)",
                              .queued = 2},
                      repair = {.op = "queue_initialize (opening a queue whose lock was "
                                      "abandoned)",
                                .queued = 2,
                                .abandon = true};
    walk(&s, &create);
    walk(&s, &open);
    walk(&s, &repair);
}

Test(faults, push_fails_cleanly)
{
    struct kp_scenario s = {.test = "faults/push_fails_cleanly",
                            .setup = setup,
                            .prepare = open_child_queue,
                            .operate = push,
                            .check = check};
    struct fault_case one = {.op = "push (into a queue holding 1 message)", .queued = 1},
                      repair = {.op = "push (after the lock was abandoned)",
                                .queued = 1,
                                .abandon = true},
                      full = {.op = "push (into a full queue, timeout 0)",
                              .queued = F_CAPACITY,
                              .ok = DONE_TIMEOUT};
    walk(&s, &one);
    walk(&s, &repair);
    walk(&s, &full);
}

Test(faults, pop_fails_cleanly)
{
    struct kp_scenario s = {.test = "faults/pop_fails_cleanly",
                            .setup = setup,
                            .prepare = open_child_queue,
                            .operate = pop,
                            .check = check};
    struct fault_case two = {.op = "pop (from a queue holding 2 messages)", .queued = 2},
                      repair = {.op = "pop (after the lock was abandoned)",
                                .queued = 2,
                                .abandon = true},
                      empty = {.op = "pop (from an empty queue, timeout 0)", .ok = DONE_TIMEOUT};
    walk(&s, &two);
    walk(&s, &repair);
    walk(&s, &empty);
}
