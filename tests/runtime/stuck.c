/* The stuck-test guard (runtime/dispatcher/stuck.c, WINSYNC_GUARD=1): a test whose threads can
 * only wait out a timeout gets that timeout at once, and anything that might still act keeps
 * it off. Each test's waits are 10 minutes long: if the guard does not act, the test's own
 * timeout fails it; if it acts when it must not, the wait reports WAIT_TIMEOUT instead of the
 * signal that was on its way. */
#include "rt.h"

#include "kernel.h"

#include <spawn.h>
#include <time.h>

extern char **environ;

#define FOREVER_MS (10 * 60 * 1000)
#define DELAY_MS 1500 /* how long the thing that "might still act" takes to act */

static void guard_on(void)
{
    setenv("WINSYNC_GUARD", "1", 1); /* before this process's first winsync call */
}

TestSuite(stuck, .init = guard_on, .timeout = RT_TIMEOUT);

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Run wait_fn with stderr going to a file; returns its result and what it printed. */
static DWORD with_stderr_captured(DWORD (*wait_fn)(HANDLE), HANDLE h, char *out, size_t size)
{
    char path[] = "/tmp/stuck-stderr-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    DWORD result = wait_fn(h);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    return result;
}

static DWORD wait_forever(HANDLE h)
{
    return WaitForSingleObject(h, FOREVER_MS);
}

Test(stuck, a_wait_nothing_can_end_times_out_at_once_and_says_so)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    char said[1024];
    cr_assert_eq(with_stderr_captured(wait_forever, ev, said, sizeof said), WAIT_TIMEOUT);
    cr_assert(strstr(said, "every thread of the test is blocked"), "stderr: %s", said);
    cr_assert(strstr(said, "ms early (WINSYNC_GUARD=1)"), "stderr: %s", said);
    CloseHandle(ev);
}

Test(stuck, a_wait_shorter_than_a_second_runs_its_course)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    long long start = wst_now_ms();
    cr_assert_eq(WaitForSingleObject(ev, 600), WAIT_TIMEOUT);
    cr_assert_geq(wst_now_ms() - start, 590, "a short wait ended early");
    CloseHandle(ev);
}

/* A thread that acts after DELAY_MS, while the main thread waits for it forever. */
struct actor {
    HANDLE event, go;
    bool register_first; /* make a winsync call first, so that it is a registered thread */
    volatile pid_t tid;
};

static void *set_later(void *arg)
{
    struct actor *a = arg;
    a->tid = (pid_t)syscall(SYS_gettid);
    if (a->register_first) /* a wait the main thread ends: the thread is registered, not blocked */
        WaitForSingleObject(a->go, FOREVER_MS);
    sleep_ms(DELAY_MS);
    SetEvent(a->event);
    return NULL;
}

static void expect_the_signal(bool register_first)
{
    struct actor a = {CreateEventA(NULL, FALSE, FALSE, NULL),
                      CreateEventA(NULL, FALSE, FALSE, NULL), register_first, 0};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, set_later, &a), 0);
    if (register_first) {
        while (!a.tid)
            sleep_ms(1);
        cr_assert(wst_await_blocked(a.tid), "the thread never blocked");
        SetEvent(a.go);
    }
    /* Shorter than the thread's first wait: that one, over, must not count as asleep. */
    cr_assert_eq(WaitForSingleObject(a.event, FOREVER_MS / 2), WAIT_OBJECT_0,
                 "the guard ended a wait that a thread in sleep() was about to satisfy");
    pthread_join(t, NULL);
    CloseHandle(a.go);
    CloseHandle(a.event);
}

Test(stuck, a_thread_that_never_called_winsync_keeps_it_off)
{
    expect_the_signal(false);
}

Test(stuck, a_registered_thread_outside_a_wait_keeps_it_off)
{
    expect_the_signal(true);
}

Test(stuck, a_process_not_attached_yet_keeps_it_off)
{
    char name[96];
    wst_name(name, sizeof name, "stuck-late");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, name);
    /* A shell (no winsync) that sleeps, then becomes the helper program, which sets the event.
     * posix_spawn runs no fork handlers: the shell is not attached as a fork child would be. */
    char script[64];
    snprintf(script, sizeof script, "sleep %d.%d; exec \"$0\" set-event \"$1\"", DELAY_MS / 1000,
             DELAY_MS % 1000 / 100);
    char *argv[] = {"sh", "-c", script, RT_CHILD_PATH, name, NULL};
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ), 0);
    cr_assert_eq(WaitForSingleObject(ev, FOREVER_MS), WAIT_OBJECT_0,
                 "the guard ended a wait that a starting process was about to satisfy");
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0);
    CloseHandle(ev);
}

Test(stuck, a_timer_that_will_fire_keeps_it_off)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE timer = CreateWaitableTimerA(NULL, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)DELAY_MS * 10000};
    cr_assert(SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE));
    HANDLE both[2] = {ev, timer};
    cr_assert_eq(WaitForMultipleObjects(2, both, FALSE, FOREVER_MS), WAIT_OBJECT_0 + 1);
    CloseHandle(timer);
    CloseHandle(ev);
}

/* A forked child waits forever; the parent waits for it in the harness (wst_wait_exit). */
static int child_waits_forever(void *arg)
{
    return rt_code(WaitForSingleObject(*(HANDLE *)arg, FOREVER_MS));
}

Test(stuck, a_child_and_a_harness_wait_for_it_are_stuck_together)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    pid_t pid = wst_spawn(child_waits_forever, &ev);
    cr_assert_gt(pid, 0);
    /* The harness waits twice as long, so the child's wait times out first: the child ends,
     * reporting it. */
    cr_assert_eq(wst_wait_exit(pid, 2 * FOREVER_MS), 0xF0, "the child's wait did not time out");
    CloseHandle(ev);
}

static int end_at_once(void *arg)
{
    (void)arg;
    return 0;
}

Test(stuck, a_zombie_nobody_waits_for_changes_nothing)
{
    CreateEventA(NULL, FALSE, FALSE, NULL); /* attach before the fork */
    pid_t pid = wst_spawn(end_at_once, NULL);
    cr_assert_gt(pid, 0);
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0); /* a zombie now */
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_eq(WaitForSingleObject(ev, FOREVER_MS), WAIT_TIMEOUT);
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0);
    CloseHandle(ev);
}

/* The harness's own wait can be the first to time out: the parent gives up on a child. */
Test(stuck, a_harness_wait_that_times_out_first_gives_up_at_once)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe ready;
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ev, INFINITE, &ready, NULL);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert(wst_await_blocked(pid));
    cr_assert_eq(wst_recv(&ready, FOREVER_MS), -1, "the child's endless wait returned");
    cr_assert_eq(wst_wait_exit(pid, FOREVER_MS), -1, "the harness wait was not given up");
    wst_kill_and_reap(pid);
    wst_pipe_close(&ready);
    CloseHandle(ev);
}

/* A byte a child sent is on its way: the parent's harness wait for it must get it and act,
 * although the child sleeps in a wait that would time out first. */
struct report_then_wait {
    struct wst_pipe report;
    HANDLE go;
};

static int child_reports_then_waits(void *arg)
{
    struct report_then_wait *r = arg;
    wst_send(&r->report, 'k');
    return rt_code(WaitForSingleObject(r->go, FOREVER_MS));
}

Test(stuck, a_byte_on_its_way_is_received)
{
    struct report_then_wait r = {.go = CreateEventA(NULL, FALSE, FALSE, NULL)};
    rt_pipe(&r.report);
    pid_t pid = wst_spawn(child_reports_then_waits, &r);
    cr_assert_gt(pid, 0);
    sleep_ms(DELAY_MS); /* the byte is sent, and the child asleep, before the harness waits */
    cr_assert_eq(wst_recv(&r.report, FOREVER_MS), 'k');
    SetEvent(r.go);
    cr_assert_eq(wst_wait_exit(pid, 2 * FOREVER_MS), 0, "the child's wait ended without the event");
    wst_pipe_close(&r.report);
    CloseHandle(r.go);
}

/* A child that takes the dispatcher lock, as lab code runs, and never gives it back: the lock
 * guard (runtime/threads/lock_guard.c) aborts it within a few seconds, saying why. */
struct stuck_inside {
    bool busy; /* loop, or sleep */
    int log;   /* the child's stderr */
};

static int take_the_lock_and_stay(void *arg)
{
    struct stuck_inside *s = arg;
    dup2(s->log, STDERR_FILENO);
    ws_dispatcher_lock();
    for (volatile unsigned long spins = 0;; spins++)
        if (!s->busy)
            sleep_ms(100);
    return 0;
}

static void expect_the_lock_guard(bool busy, const char *why)
{
    char path[] = "/tmp/stuck-guard-XXXXXX";
    struct stuck_inside s = {busy, mkstemp(path)};
    cr_assert_geq(s.log, 0);
    unlink(path);
    CreateEventA(NULL, FALSE, FALSE, NULL); /* attach before the fork */
    pid_t pid = wst_spawn(take_the_lock_and_stay, &s);
    cr_assert_gt(pid, 0);
    cr_assert_eq(wst_wait_exit(pid, 60000), 128 + SIGABRT, "the guard did not end the child");
    char said[1024];
    ssize_t n = pread(s.log, said, sizeof said - 1, 0);
    said[n > 0 ? n : 0] = '\0';
    close(s.log);
    cr_assert(strstr(said, "inside the dispatcher lock") && strstr(said, why) &&
                  strstr(said, "ws_dispatcher_lock took it"),
              "stderr: %s", said);
}

Test(stuck, an_endless_loop_inside_the_lock_ends_the_process)
{
    expect_the_lock_guard(true, "busy all along");
}

Test(stuck, a_sleep_inside_the_lock_ends_the_process)
{
    expect_the_lock_guard(false, "mostly asleep");
}

/* A harness wait for a child of another session (the helper program, spawned with
 * POSIX_SPAWN_SETSID): that child may end whenever it likes, so the wait runs its course. */
Test(stuck, a_harness_wait_for_a_child_of_another_session_is_left_alone)
{
    char name[96], delay[16];
    wst_name(name, sizeof name, "stuck-other");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, name);
    snprintf(delay, sizeof delay, "%d", DELAY_MS);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    char *argv[] = {RT_CHILD_PATH, "wait-event", name, delay, NULL};
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, RT_CHILD_PATH, NULL, &attr, argv, environ), 0);
    posix_spawnattr_destroy(&attr);
    int code = wst_wait_exit(pid, FOREVER_MS);
    cr_assert_eq(code, 2, "the helper's wait should have timed out by itself (%d)", code);
    CloseHandle(ev);
}
