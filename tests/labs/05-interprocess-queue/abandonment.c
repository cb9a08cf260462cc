/*
 * Lab 05, public tests: a process killed inside push or pop, made to happen on purpose.
 *
 * A child does what a push (or a pop) does first, by the protocol in the handout: it
 * takes `<name>:lock` and one unit of `<name>:free` (or `<name>:filled`) in one wait-all.
 * Then it is killed, holding both. The next owner of the lock must see WAIT_ABANDONED and
 * repair the queue: the unit the dead process took must come back, and nothing it did not
 * commit may change the queue. Last, a small version of the hidden kill -9 test: random
 * producers and consumers killed while they work (survival.h).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>

#include "survival.h"

TestSuite(abandonment, .timeout = 30);

struct half_done {
    const char *name;
    const char *unit; /* ":free" for a push, ":filled" for a pop */
    struct wst_pipe ready;
};

/* Child: start the operation, say so, and wait to be killed. */
static int start_and_wait_for_death(void *arg)
{
    struct half_done *h = arg;
    char lock[160], unit[160];
    snprintf(lock, sizeof lock, "%s:lock", h->name);
    snprintf(unit, sizeof unit, "%s%s", h->name, h->unit);
    HANDLE objects[2] = {OpenMutexA(SYNCHRONIZE, FALSE, lock),
                         OpenSemaphoreA(SYNCHRONIZE, FALSE, unit)};
    if (!objects[0] || !objects[1] ||
        WaitForMultipleObjects(2, objects, TRUE, WST_LONG_MS) != WAIT_OBJECT_0) {
        wst_send(&h->ready, 'f');
        return 1;
    }
    wst_send(&h->ready, 'r');
    for (;;)
        pause();
}

/* Run the child and kill it once it holds the lock and a unit. */
static void kill_half_done(const char *name, const char *unit)
{
    struct half_done h = {name, unit, {0, 0}};
    cr_assert_eq(wst_pipe_open(&h.ready), 0);
    pid_t pid = wst_spawn(start_and_wait_for_death, &h);
    cr_assert_gt(pid, 0, "fork failed");
    cr_assert_eq(wst_recv(&h.ready, WST_LONG_MS), 'r',
                 "the child could not take %s:lock and a unit of %s%s: the queue must use "
                 "the objects named in the handout (\"The objects\" table)",
                 name, name, unit);
    kill(pid, SIGKILL);
    wst_reap(pid, WST_LONG_MS);
    wst_pipe_close(&h.ready);
}

Test(abandonment, push_killed_holding_the_lock_is_repaired)
{
    char name[96];
    wst_name(name, sizeof name, "q05-dead-push");
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    kill_half_done(name, ":free");
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0,
                     "push %u of 4 after a producer died inside push: the free slot it took "
                     "never came back (was WAIT_ABANDONED repaired?)",
                     i + 1);
    cr_assert_eq(qt_push_u32(q, 99, 0), WAIT_TIMEOUT, "the queue must still hold exactly 4");
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t value = 99;
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
        cr_assert_eq(value, i, "the dead push must not have left a message behind");
    }
    queue_destroy(q);
}

Test(abandonment, opener_repairs_an_abandoned_lock)
{
    /* The first to own the lock after the death is a process opening the queue: its
     * queue_initialize receives the abandonment, so it must repair (nobody else will). */
    char name[96];
    wst_name(name, sizeof name, "q05-dead-open");
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    kill_half_done(name, ":free");
    queue_t *opener = queue_initialize(name, 4, 8);
    cr_assert_not_null(opener,
                       "opening the queue after a producer died inside push failed "
                       "with error %u",
                       (unsigned)GetLastError());
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(opener, i, 0), WAIT_OBJECT_0,
                     "push %u of 4 after a producer died inside push: queue_initialize took the "
                     "abandoned lock and must repair the queue (Step 6)",
                     i + 1);
    cr_assert_eq(qt_push_u32(opener, 99, 0), WAIT_TIMEOUT, "the queue must still hold exactly 4");
    queue_destroy(opener);
    queue_destroy(q);
}

Test(abandonment, repair_refuses_a_corrupt_header)
{
    /* A repair trusts the header to rebuild the semaphores: one that cannot be true must be
     * refused with ERROR_INVALID_DATA, not turned into semaphore counts. */
    static const struct {
        const char *what;
        bool pop; /* the repair is made by a pop (holding a filled unit), else by a push */
    } cases[] = {
        {"the magic number cleared", false},
        {"the capacity changed to 5", false},
        {"the message size changed to 9", false},
        {"the slot size changed to 24", false},
        {"popped one above pushed", false},
        {"pushed 5 above popped in a queue of 4", false},
        {"a pop holding a filled unit while the header says the queue is empty", true},
        {"a push holding a free unit while the header says the queue is full", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char name[96];
        wst_name(name, sizeof name, "q05-corrupt");
        queue_t *q = queue_initialize(name, 4, 8);
        cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
        cr_assert(qt_push_u32(q, 1, 0) == WAIT_OBJECT_0 && qt_push_u32(q, 2, 0) == WAIT_OBJECT_0);
        HANDLE ring;
        struct qt_ring_header *h = qt_map_ring(name, FILE_MAP_ALL_ACCESS, &ring);
        cr_assert_not_null(h,
                           "%s:ring does not exist: the queue must use the objects named in "
                           "the handout",
                           name);
        switch (i) {
        case 0:
            h->magic = 0;
            break;
        case 1:
            h->capacity = 5;
            break;
        case 2:
            h->message_size = 9;
            break;
        case 3:
            h->slot_size = 24;
            break;
        case 4:
            h->popped = h->pushed + 1;
            break;
        case 5:
            h->pushed = h->popped + 5;
            break;
        case 6:
            h->popped = h->pushed;
            break;
        default:
            h->pushed = h->popped + 4;
            break;
        }
        kill_half_done(name, ":free"); /* the lock is abandoned: the next owner repairs */
        SetLastError(0);
        uint32_t value;
        DWORD r = cases[i].pop ? qt_pop_u32(q, &value, 0) : qt_push_u32(q, 3, 0);
        DWORD error = GetLastError();
        cr_assert(r == WAIT_FAILED && error == ERROR_INVALID_DATA,
                  "a %s after a death, with %s: returned %u (error %u); expected WAIT_FAILED "
                  "with ERROR_INVALID_DATA: the repair must check the header (Step 6)",
                  cases[i].pop ? "pop" : "push", cases[i].what, r, (unsigned)error);
        UnmapViewOfFile(h);
        CloseHandle(ring);
        queue_destroy(q);
    }
}

Test(abandonment, pop_killed_before_copying_loses_nothing)
{
    char name[96];
    wst_name(name, sizeof name, "q05-dead-pop");
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    cr_assert_eq(qt_push_u32(q, 7, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 8, 0), WAIT_OBJECT_0);
    kill_half_done(name, ":filled");
    uint32_t value = 0;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0,
                 "a consumer died before copying a message: the message must still be there");
    cr_assert_eq(value, 7u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0,
                 "the filled unit the dead consumer took never came back (was WAIT_ABANDONED "
                 "repaired?)");
    cr_assert_eq(value, 8u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0, "all 4 slots must be free again");
    queue_destroy(q);
}

struct blocked_op {
    const char *name;
    bool push; /* push one value, or pop one */
    struct wst_pipe ready, go;
};

/* Child: open the queue, say so; when told, push (or pop) with INFINITE: the test holds the
 * lock by then. */
static int operate_and_block(void *arg)
{
    struct blocked_op *b = arg;
    queue_t *q = queue_initialize(b->name, 4, 8);
    wst_send(&b->ready, q != NULL ? 'r' : 'f');
    if (q == NULL || wst_recv(&b->go, WST_LONG_MS) != 'g')
        return 1;
    uint32_t value = 5;
    DWORD r = b->push ? qt_push_u32(q, value, INFINITE) : qt_pop_u32(q, &value, INFINITE);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

/* Start a push (or pop) in a child while this thread owns `<name>:lock`, wait until the child
 * sleeps in its wait, kill it, release the lock. A wait-all takes nothing until it takes
 * everything, so the dead child must have taken no unit. */
static void kill_while_waiting_for_the_lock(const char *name, bool push)
{
    char lock_name[160];
    snprintf(lock_name, sizeof lock_name, "%s:lock", name);
    HANDLE lock = OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, lock_name);
    cr_assert_not_null(lock,
                       "%s does not exist: the queue must use the objects named in the "
                       "handout (\"The objects\" table)",
                       lock_name);
    struct blocked_op b = {name, push, {0, 0}, {0, 0}};
    cr_assert(wst_pipe_open(&b.ready) == 0 && wst_pipe_open(&b.go) == 0);
    pid_t pid = wst_spawn(operate_and_block, &b);
    cr_assert_gt(pid, 0, "fork failed");
    cr_assert_eq(wst_recv(&b.ready, WST_LONG_MS), 'r', "the child could not open the queue");
    cr_assert_eq(WaitForSingleObject(lock, WST_LONG_MS), WAIT_OBJECT_0);
    wst_send(&b.go, 'g');
    cr_assert(wst_await_blocked(pid),
              "the child's %s neither returned nor slept while the lock was held",
              push ? "push" : "pop");
    kill(pid, SIGKILL);
    wst_reap(pid, WST_LONG_MS);
    wst_pipe_close(&b.ready);
    wst_pipe_close(&b.go);
    cr_assert(ReleaseMutex(lock));
    CloseHandle(lock);
}

Test(abandonment, killed_while_waiting_for_the_lock_takes_nothing)
{
    char name[96];
    wst_name(name, sizeof name, "q05-dead-waiter");
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    kill_while_waiting_for_the_lock(name, true);
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0,
                     "push %u of 4 into an empty queue failed after a producer was killed while "
                     "it waited for the lock: it took a free unit before the lock (take both in "
                     "one wait-all, Step 3)",
                     i + 1);
    kill_while_waiting_for_the_lock(name, false);
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t value = 99;
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0,
                     "pop %u of 4 from a full queue failed after a consumer was killed while it "
                     "waited for the lock: it took a filled unit before the lock (take both in "
                     "one wait-all, Step 3)",
                     i + 1);
        cr_assert_eq(value, i);
    }
    queue_destroy(q);
}

/* The hidden kill -9 test in small: 10 random producers and consumers killed, not 40. */
Test(abandonment, kill9_churn_small, .timeout = 60, .init = qt_use_private_namespace,
     .fini = qt_remove_private_namespace)
{
    qt_kill9_churn(10);
}
