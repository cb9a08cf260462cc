/*
 * Lab 05, public tests: one queue shared by several processes; blocking and waking; racing
 * creators (a small version of the hidden race, survival.h).
 * "Blocked" is shown by the absence of a report within WST_QUIET_MS, then released.
 */
#include <criterion/criterion.h>

#include "survival.h"
#include "wschain.h"

TestSuite(processes, .timeout = 30);

struct peer {
    char name[96];
    struct wst_pipe report; /* child -> parent: 'r' ready, then 'd' done */
    struct wst_pipe hold;   /* push_and_hold: keeps the queue open until the parent closes it */
    uint32_t value;         /* what the child pushes or expects */
};

/* Child: open the queue by name, push one value, keep the queue open until told to go. */
static int push_and_hold(void *arg)
{
    struct peer *p = arg;
    close(p->hold.wr); /* so that the parent's close is the last one */
    queue_t *q = queue_initialize(p->name, 4, 8);
    if (q == NULL || qt_push_u32(q, p->value, 0) != WAIT_OBJECT_0)
        return 1;
    wst_send(&p->report, 'r');
    qt_wait_closed(p->hold.rd);
    queue_destroy(q);
    return 0;
}

Test(processes, shared_between_processes)
{
    struct peer p = {.value = 0xC0FFEE};
    wst_name(p.name, sizeof p.name, "q05-shared");
    cr_assert_eq(wst_pipe_open(&p.report), 0);
    cr_assert_eq(wst_pipe_open(&p.hold), 0);
    pid_t child = wst_spawn(push_and_hold, &p);
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'r', "the child could not create and push");
    queue_t *q = queue_initialize(p.name, 4, 8);
    cr_assert_not_null(q, "opening the child's queue failed (error %u)", (unsigned)GetLastError());
    uint32_t value = 0;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0, "the child's message is not there");
    cr_assert_eq(value, p.value);
    close(p.hold.wr);
    WST_EXPECT_CHILD_EXIT(child, "the child that pushed and held the queue");
    queue_destroy(q);
}

static int pop_one(void *arg)
{
    struct peer *p = arg;
    queue_t *q = queue_initialize(p->name, 2, 8);
    if (q == NULL)
        return 1;
    wst_send(&p->report, 'r');
    uint32_t value = 0;
    DWORD r = qt_pop_u32(q, &value, INFINITE);
    wst_send(&p->report, 'd');
    queue_destroy(q);
    return r == WAIT_OBJECT_0 && value == p->value ? 0 : 2;
}

Test(processes, pop_blocks_until_push)
{
    struct peer p = {.value = 42};
    wst_name(p.name, sizeof p.name, "q05-popblock");
    cr_assert_eq(wst_pipe_open(&p.report), 0);
    queue_t *q = queue_initialize(p.name, 2, 8);
    cr_assert_not_null(q);
    pid_t child = wst_spawn(pop_one, &p);
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'r');
    cr_assert_eq(wst_recv(&p.report, WST_QUIET_MS), -1,
                 "pop(INFINITE) on an empty queue returned instead of blocking");
    cr_assert_eq(qt_push_u32(q, p.value, 0), WAIT_OBJECT_0);
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'd', "the push did not release the pop");
    WST_EXPECT_CHILD_EXIT(child, "the released pop in the child");
    queue_destroy(q);
}

static int push_one(void *arg)
{
    struct peer *p = arg;
    queue_t *q = queue_initialize(p->name, 2, 8);
    if (q == NULL)
        return 1;
    wst_send(&p->report, 'r');
    DWORD r = qt_push_u32(q, p->value, INFINITE);
    wst_send(&p->report, 'd');
    queue_destroy(q);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

Test(processes, push_blocks_until_pop)
{
    struct peer p = {.value = 3};
    wst_name(p.name, sizeof p.name, "q05-pushblock");
    cr_assert_eq(wst_pipe_open(&p.report), 0);
    queue_t *q = queue_initialize(p.name, 2, 8);
    cr_assert_not_null(q);
    cr_assert_eq(qt_push_u32(q, 1, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 2, 0), WAIT_OBJECT_0);
    pid_t child = wst_spawn(push_one, &p);
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'r');
    cr_assert_eq(wst_recv(&p.report, WST_QUIET_MS), -1,
                 "push(INFINITE) into a full queue returned instead of blocking");
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 1u);
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'd', "the pop did not release the push");
    WST_EXPECT_CHILD_EXIT(child, "the child whose push was released");
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 2u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 3u, "the released push's message comes last");
    queue_destroy(q);
}

/* A push waiting for room in a full queue must wait without the lock: a pop from another
 * process gets in, takes a message and so releases the push. One that takes the lock, then waits
 * for a free slot while holding it, deadlocks with every pop: the failure shows the wait chain. */
Test(processes, push_waits_for_room_without_the_lock)
{
    struct peer pusher = {.value = 3}, popper = {.value = 1};
    wst_name(pusher.name, sizeof pusher.name, "q05-roomwait");
    memcpy(popper.name, pusher.name, sizeof popper.name);
    cr_assert_eq(wst_pipe_open(&pusher.report), 0);
    cr_assert_eq(wst_pipe_open(&popper.report), 0);
    queue_t *q = queue_initialize(pusher.name, 2, 8);
    cr_assert_not_null(q);
    cr_assert_eq(qt_push_u32(q, 1, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 2, 0), WAIT_OBJECT_0);
    pid_t push_pid = wst_spawn(push_one, &pusher);
    cr_assert_gt(push_pid, 0, "fork failed");
    cr_assert_eq(wst_recv(&pusher.report, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(push_pid), "push(INFINITE) into a full queue did not block");
    cr_assert_eq(wst_recv(&pusher.report, 0), -1,
                 "push(INFINITE) into a full queue returned instead of blocking");

    pid_t pop_pid = wst_spawn(pop_one, &popper);
    cr_assert_gt(pop_pid, 0, "fork failed");
    int opened = wst_recv(&popper.report, WST_LONG_MS);
    int popped = opened == 'r' ? wst_recv(&popper.report, WST_LONG_MS) : opened;
    struct wst_chain chain;
    cr_assert_eq(popped, 'd',
                 "another process %s while a push waited for room in the full queue: the push "
                 "must not hold the lock while it waits (handout, Step 3)\n%s",
                 opened == 'r' ? "did not return from its pop" : "could not open the queue",
                 popped == 'd' ? "" : wst_wait_chain(&chain));
    WST_EXPECT_CHILD_EXIT(pop_pid, "the pop in the child (a nonzero status: the wrong message)");
    cr_assert_eq(wst_recv(&pusher.report, WST_LONG_MS), 'd', "the pop did not release the push");
    WST_EXPECT_CHILD_EXIT(push_pid, "the push in the child");
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 2u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 3u, "the released push's message comes last");
    queue_destroy(q);
}

Test(processes, transfer_2x2_processes, .timeout = 60)
{
    char name[96];
    struct qt_transfer t = {.name = wst_name(name, sizeof name, "q05-2x2"),
                            .capacity = 8,
                            .message_size = 48,
                            .producers = 2,
                            .consumers = 2,
                            .per_producer = 5000};
    cr_assert(qt_run_transfer(&t, 45000), "setting up the transfer failed");
    qt_assert_transfer_ok(&t);
}

/* The race the hidden create_race test hopes to hit, made certain: the test owns
 * `<name>:lock`, so a queue_initialize that takes the lock first must go to sleep in that
 * wait before it touches the ring; one that does not will report, or leave a ring behind. */
Test(processes, initialization_holds_the_lock)
{
    struct peer p = {.value = 77};
    wst_name(p.name, sizeof p.name, "q05-initlock");
    cr_assert_eq(wst_pipe_open(&p.report), 0);
    cr_assert_eq(wst_pipe_open(&p.hold), 0);
    char lock_name[160], ring_name[160];
    snprintf(lock_name, sizeof lock_name, "%s:lock", p.name);
    snprintf(ring_name, sizeof ring_name, "%s:ring", p.name);
    HANDLE lock = CreateMutexA(NULL, TRUE, lock_name);
    cr_assert_not_null(lock);

    pid_t child = wst_spawn(push_and_hold, &p);
    cr_assert_gt(child, 0, "fork failed");
    bool asleep = false;
    int report = -1;
    long long deadline = wst_now_ms() + WST_LONG_MS;
    for (int streak = 0; !asleep && report == -1 && wst_now_ms() < deadline;) {
        report = wst_recv(&p.report, 2);
        streak = wst_task_in_futex(child) ? streak + 1 : 0;
        asleep = streak >= 5;
    }
    cr_assert_eq(report, -1,
                 "queue_initialize finished while another process owned %s: it must own the "
                 "lock while it creates and fills in the ring (handout, Step 2)",
                 lock_name);
    cr_assert(asleep, "queue_initialize neither finished nor slept within %d ms", WST_LONG_MS);
    HANDLE ring = OpenFileMappingA(FILE_MAP_READ, FALSE, ring_name);
    cr_assert_null(ring,
                   "%s already exists while %s is held by someone else: queue_initialize must "
                   "take the lock before it creates the ring (handout, Step 2)",
                   ring_name, lock_name);

    cr_assert(ReleaseMutex(lock));
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'r',
                 "queue_initialize did not finish (or the push failed) once the lock was free");
    queue_t *q = queue_initialize(p.name, 4, 8);
    cr_assert_not_null(q);
    uint32_t value = 0;
    cr_assert_eq(qt_pop_u32(q, &value, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(value, p.value);
    close(p.hold.wr);
    WST_EXPECT_CHILD_EXIT(child, "the child that created the queue once the lock was free");
    queue_destroy(q);
    CloseHandle(lock);
}

/* The hidden creation race in small: 8 processes create the same queue at once, 3 times. */
Test(processes, create_race_8_processes)
{
    qt_create_race(3);
}
