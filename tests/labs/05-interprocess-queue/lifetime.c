/*
 * Lab 05, public tests: what queue_initialize opens, queue_destroy closes, under the lock; and
 * a queue whose objects are found out of step is repaired.
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "killpoint.h"
#include "queue_test.h"
#include "wschain.h"

TestSuite(lifetime, .timeout = 30);

static void object_name(char *out, size_t size, const char *name, const char *suffix)
{
    snprintf(out, size, "%s%s", name, suffix);
}

/* Every object of the queue is gone (nobody else has it open). */
static void assert_gone(const char *name, const char *after)
{
    char object[160];
    const char *suffixes[] = {":lock", ":ring", ":free", ":filled"};
    for (int i = 0; i < 4; i++) {
        object_name(object, sizeof object, name, suffixes[i]);
        HANDLE h = i == 0   ? OpenMutexA(SYNCHRONIZE, FALSE, object)
                   : i == 1 ? OpenFileMappingA(FILE_MAP_READ, FALSE, object)
                            : OpenSemaphoreA(SYNCHRONIZE, FALSE, object);
        if (h != NULL)
            CloseHandle(h);
        cr_assert_null(h, "%s still exists %s, although no process has the queue open", object,
                       after);
    }
}

Test(lifetime, destroy_releases_every_handle_and_view)
{
    char name[96], left[512];
    wst_name(name, sizeof name, "q05-release");
    kp_track_begin();
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    uint32_t value = 0;
    cr_assert_eq(qt_push_u32(q, 5, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
    queue_destroy(q);
    int open = kp_track_end(left, sizeof left);
    cr_assert_eq(open, 0,
                 "queue_destroy left open %d of what the queue opened in this process: %s "
                 "(Step 7: close every handle and unmap the view, or a process that opens and "
                 "closes queues runs out of handles)",
                 open, left);
    assert_gone(name, "after queue_destroy");

    /* A failed open (another geometry) keeps nothing either. */
    queue_t *first = queue_initialize(name, 4, 8);
    cr_assert_not_null(first);
    kp_track_begin();
    cr_assert_null(queue_initialize(name, 8, 8), "opening with another capacity must fail");
    open = kp_track_end(left, sizeof left);
    cr_assert_eq(open, 0, "a queue_initialize that failed left %d things open: %s", open, left);
    queue_destroy(first);
}

struct closer {
    char name[96];
    struct wst_pipe report, go;
};

/* Open the queue; when told, close it and say so. */
static int open_then_close(void *arg)
{
    struct closer *c = arg;
    queue_t *q = queue_initialize(c->name, 4, 8);
    wst_send(&c->report, q != NULL ? 'o' : 'f');
    if (q == NULL || wst_recv(&c->go, WST_LONG_MS) != 'g')
        return 1;
    queue_destroy(q);
    wst_send(&c->report, 'd');
    return 0;
}

/* The test owns `<name>:lock`, so a queue_destroy that takes the lock (Step 7) sleeps in that
 * wait with its objects still open; one that does not closes them at once. */
Test(lifetime, close_holds_the_lock)
{
    struct closer c;
    wst_name(c.name, sizeof c.name, "q05-closelock");
    cr_assert(wst_pipe_open(&c.report) == 0 && wst_pipe_open(&c.go) == 0);
    pid_t child = wst_spawn(open_then_close, &c);
    cr_assert_gt(child, 0, "fork failed");
    cr_assert_eq(wst_recv(&c.report, WST_LONG_MS), 'o', "the child could not open the queue");
    char lock_name[160], ring_name[160];
    object_name(lock_name, sizeof lock_name, c.name, ":lock");
    object_name(ring_name, sizeof ring_name, c.name, ":ring");
    HANDLE lock = OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, lock_name);
    cr_assert_not_null(lock,
                       "%s does not exist: the queue must use the objects named in the "
                       "handout",
                       lock_name);
    cr_assert_eq(WaitForSingleObject(lock, WST_LONG_MS), WAIT_OBJECT_0);
    wst_send(&c.go, 'g');

    bool asleep = false;
    int report = -1;
    long long deadline = wst_now_ms() + WST_LONG_MS;
    for (int streak = 0; !asleep && report == -1 && wst_now_ms() < deadline;) {
        report = wst_recv(&c.report, 2);
        streak = wst_task_in_futex(child) ? streak + 1 : 0;
        asleep = streak >= 5;
    }
    cr_assert_eq(report, -1,
                 "queue_destroy finished while another process owned %s: close under the lock, "
                 "so that a process creating the queue meanwhile sees all of its objects or none "
                 "(handout, Step 7)",
                 lock_name);
    cr_assert(asleep, "queue_destroy neither finished nor slept within %d ms", WST_LONG_MS);
    HANDLE ring = OpenFileMappingA(FILE_MAP_READ, FALSE, ring_name);
    cr_assert_not_null(ring, "%s was closed before queue_destroy had the lock", ring_name);
    CloseHandle(ring);

    cr_assert(ReleaseMutex(lock));
    cr_assert_eq(wst_recv(&c.report, WST_LONG_MS), 'd',
                 "queue_destroy did not finish once the lock was free");
    WST_EXPECT_CHILD_EXIT(child, "the child that opened and closed the queue");
    CloseHandle(lock);
    assert_gone(c.name, "after its only user closed the queue");
    wst_pipe_close(&c.report);
    wst_pipe_close(&c.go);
}

/* The queue must take exactly 4 messages, FIFO, and hold nothing else. */
static void assert_four_fit(queue_t *q, const char *after)
{
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0, "%s: only %u of 4 messages fit", after,
                     i);
    cr_assert_eq(qt_push_u32(q, 99, 0), WAIT_TIMEOUT, "%s: 5 messages fit into 4 slots", after);
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t value = 99;
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0, "%s: pop %u of 4 failed", after, i);
        cr_assert_eq(value, i, "%s: FIFO order broken", after);
    }
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT, "%s: a message nobody pushed", after);
}

struct pusher {
    char name[96];
    struct wst_pipe report;
};

/* Create the queue, push 7 and 8, say so, and wait to be killed. */
static int push_two_and_wait(void *arg)
{
    struct pusher *p = arg;
    queue_t *q = queue_initialize(p->name, 4, 8);
    if (q == NULL || qt_push_u32(q, 7, 0) != WAIT_OBJECT_0 ||
        qt_push_u32(q, 8, 0) != WAIT_OBJECT_0) {
        wst_send(&p->report, 'f');
        return 1;
    }
    wst_send(&p->report, 'r');
    for (;;)
        pause();
}

/* A child creates the queue and pushes 7 and 8; the test holds its ring (and the semaphore
 * `also_kept`, if any) and kills it, so the other objects are new to the next queue_initialize. */
static void ring_outlives_its_creator(const char *also_kept)
{
    struct pusher p;
    char object[160];
    wst_name(p.name, sizeof p.name, "q05-stale-ring");
    cr_assert_eq(wst_pipe_open(&p.report), 0);
    pid_t child = wst_spawn(push_two_and_wait, &p);
    cr_assert_gt(child, 0, "fork failed");
    cr_assert_eq(wst_recv(&p.report, WST_LONG_MS), 'r', "the child could not create and push");
    object_name(object, sizeof object, p.name, ":ring");
    HANDLE ring = OpenFileMappingA(FILE_MAP_READ, FALSE, object), kept = NULL;
    cr_assert_not_null(ring,
                       "%s does not exist: the queue must use the objects named in the "
                       "handout",
                       object);
    if (also_kept != NULL) {
        object_name(object, sizeof object, p.name, also_kept);
        kept = OpenSemaphoreA(SYNCHRONIZE, FALSE, object);
        cr_assert_not_null(kept,
                           "%s does not exist: the queue must use the objects named in "
                           "the handout",
                           object);
    }
    kill(child, SIGKILL);
    wst_reap(child, WST_LONG_MS);
    char story[160];
    snprintf(story, sizeof story, "the ring (holding 7 and 8)%s%s existed, the %s new",
             also_kept ? " and " : "", also_kept ? also_kept : "",
             also_kept == NULL ? "semaphores were" : "other semaphore was");
    queue_t *q = queue_initialize(p.name, 4, 8);
    cr_assert_not_null(q, "%s: queue_initialize failed with error %u", story,
                       (unsigned)GetLastError());
    uint32_t value;
    for (uint32_t expected = 7; expected <= 8; expected++) {
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0,
                     "%s: queue_initialize must make the semaphores agree with the ring (Step 2)",
                     story);
        cr_assert_eq(value, expected);
    }
    assert_four_fit(q, story);
    queue_destroy(q);
    CloseHandle(ring);
    if (kept != NULL)
        CloseHandle(kept);
    wst_pipe_close(&p.report);
}

Test(lifetime, initialize_repairs_objects_out_of_step)
{
    /* Semaphores that outlived their ring: a new ring holds nothing, whatever they count. */
    char name[96], object[160];
    wst_name(name, sizeof name, "q05-stale-units");
    object_name(object, sizeof object, name, ":free");
    HANDLE free_units = CreateSemaphoreA(NULL, 1, 4, object);
    object_name(object, sizeof object, name, ":filled");
    HANDLE filled_units = CreateSemaphoreA(NULL, 3, 4, object);
    cr_assert(free_units != NULL && filled_units != NULL);
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT,
                 "%s:free (1 unit) and %s:filled (3 units) existed, the ring was new: "
                 "queue_initialize must make the semaphores agree with the ring when some objects "
                 "existed and some were new (Step 2)",
                 name, name);
    assert_four_fit(q, "a new ring with semaphores left over");
    queue_destroy(q);
    CloseHandle(free_units);
    CloseHandle(filled_units);

    /* A ring that outlived its semaphores, or one of them: its 2 messages must still be
     * popped, and exactly 4 must fit afterwards. */
    ring_outlives_its_creator(NULL);
    ring_outlives_its_creator(":free");
    ring_outlives_its_creator(":filled");
}
