/*
 * abandonment_hidden.c - lab 02 hidden tests: abandonment by SIGKILL, wait-all, depth.
 */
#include "../mutex_helpers.h"

#define KILL_WAITERS 3

struct kill_scenario {
    const char *name;
    struct wst_pipe owner_ready; /* owner -> parent: 'L' once it owns the mutex */
    struct wst_pipe started;     /* waiters -> parent: 'w' before waiting */
    struct wst_pipe report;      /* the current owner -> parent: its wait result */
    struct wst_pipe released;    /* the last owner -> parent: 'r' released, 'x' release failed */
    struct wst_pipe go;          /* parent -> the current owner: release now */
};

/* Child: takes the mutex and sleeps until killed. */
static int own_until_killed(void *param)
{
    die_with_parent();
    struct kill_scenario *s = param;
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, s->name);
    if (mutex == NULL || WaitForSingleObject(mutex, WST_LONG_MS) != WAIT_OBJECT_0)
        return 10;
    wst_send(&s->owner_ready, 'L');
    for (;;)
        pause();
}

/* Child: waits for the mutex, reports how it got it, holds it until told, releases. */
static int wait_report_release(void *param)
{
    die_with_parent();
    struct kill_scenario *s = param;
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, s->name);
    if (mutex == NULL)
        return 10;
    wst_send(&s->started, 'w');
    DWORD result = WaitForSingleObject(mutex, 6 * WST_LONG_MS);
    wst_send(&s->report, wait_code(result));
    if (result != WAIT_OBJECT_0 && result != WAIT_ABANDONED_0)
        return 11;
    if (wst_recv(&s->go, 3 * WST_LONG_MS) != 'g')
        return 12;
    wst_send(&s->released, ReleaseMutex(mutex) ? 'r' : 'x');
    return 0;
}

Test(mutexes, abandoned_by_sigkill_goes_to_exactly_one_waiter, .timeout = 60)
{
    struct kill_scenario s;
    char name[96];
    s.name = wst_name(name, sizeof name, "lab02-sigkill");
    cr_assert_eq(wst_pipe_open(&s.owner_ready), 0);
    cr_assert_eq(wst_pipe_open(&s.started), 0);
    cr_assert_eq(wst_pipe_open(&s.report), 0);
    cr_assert_eq(wst_pipe_open(&s.go), 0);
    cr_assert_eq(wst_pipe_open(&s.released), 0);
    HANDLE mutex = CreateMutexA(NULL, FALSE, name);
    cr_assert_not_null(mutex);

    pid_t owner = wst_spawn(own_until_killed, &s);
    cr_assert_gt(owner, 0);
    cr_assert_eq(wst_recv(&s.owner_ready, WST_LONG_MS), 'L', "the owner child did not start");

    pid_t waiters[KILL_WAITERS];
    for (int i = 0; i < KILL_WAITERS; i++) {
        waiters[i] = wst_spawn(wait_report_release, &s);
        cr_assert_gt(waiters[i], 0);
        cr_assert_eq(wst_recv(&s.started, WST_LONG_MS), 'w', "waiter %d did not start", i);
    }
    int early = wst_recv(&s.report, WST_QUIET_MS);
    cr_assert_eq(early, -1, "a waiter got '%c' while the owner was alive", early);

    kill(owner, SIGKILL);
    cr_assert_eq(wst_reap(owner, WST_LONG_MS), 128 + SIGKILL);

    for (int turn = 0; turn < KILL_WAITERS; turn++) {
        int code = wst_recv(&s.report, WST_LONG_MS);
        if (turn == 0)
            cr_assert_eq(code, 'A',
                         "the first waiter after the owner was killed must get WAIT_ABANDONED, "
                         "got '%c' (O object, A abandoned, T timeout, F failed, -1 nothing)",
                         code);
        else
            cr_assert_eq(code, 'O',
                         "acquirer %d after the abandonment must get WAIT_OBJECT_0 (the flag is "
                         "cleared by the first), got '%c'",
                         turn + 1, code);
        int other = wst_recv(&s.report, WST_QUIET_MS);
        cr_assert_eq(other, -1,
                     "another waiter got the mutex ('%c') while acquirer %d still owned it", other,
                     turn + 1);
        wst_send(&s.go, 'g');
        int released = wst_recv(&s.released, WST_LONG_MS);
        cr_assert_eq(released, 'r',
                     "acquirer %d could not release the mutex it acquired ('%c': r released, x "
                     "ReleaseMutex failed, -1 nothing)",
                     turn + 1, released);
    }
    for (int i = 0; i < KILL_WAITERS; i++)
        cr_assert_eq(wst_reap(waiters[i], WST_LONG_MS), 0, "waiter %d failed", i);
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0, "the mutex must end up free");
    cr_assert(ReleaseMutex(mutex));
    CloseHandle(mutex);
}

Test(mutexes, wait_all_reports_abandoned_0, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE objects[2];
    objects[0] = CreateEventA(NULL, TRUE, TRUE, NULL);
    objects[1] = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(objects[0]);
    cr_assert_not_null(objects[1]);
    abandon_from_thread(objects[1], 1);

    DWORD result = WaitForMultipleObjects(2, objects, TRUE, WST_LONG_MS);
    cr_assert_eq(result, WAIT_ABANDONED_0,
                 "wait-all on [set event, abandoned mutex]: got 0x%x, expected "
                 "WAIT_ABANDONED_0 (0x80)",
                 (unsigned)result);
    cr_assert_eq(other_thread_try_acquire(objects[1]), WAIT_TIMEOUT,
                 "the wait-all must have made this thread the owner");
    cr_assert(ReleaseMutex(objects[1]));
    cr_assert_eq(WaitForMultipleObjects(2, objects, TRUE, 0), WAIT_OBJECT_0,
                 "the abandoned state must be cleared by the wait-all that reported it");
    cr_assert(ReleaseMutex(objects[1]));
    CloseHandle(objects[0]);
    CloseHandle(objects[1]);
}

Test(mutexes, abandoned_recursive_mutex_is_acquired_at_depth_one, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(mutex);
    abandon_from_thread(mutex, 3);

    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED_0,
                 "the owner ended while holding 3 levels: expected WAIT_ABANDONED");
    cr_assert(ReleaseMutex(mutex), "the new owner could not release (error %u)",
              (unsigned)GetLastError());
    expect_release_fails(mutex, "the new owner acquired it once: the dead owner's levels must "
                                "not carry over");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_OBJECT_0,
                 "one release must free an abandoned mutex acquired once");
    CloseHandle(mutex);
}

struct next_process {
    const char *name;
    struct wst_pipe report;
};

/* Child: polls the mutex (must be owned by the parent), then waits for it. */
static int poll_then_acquire(void *param)
{
    die_with_parent();
    struct next_process *job = param;
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, job->name);
    if (mutex == NULL)
        return 10;
    wst_send(&job->report, wait_code(WaitForSingleObject(mutex, 0)));
    DWORD result = WaitForSingleObject(mutex, WST_LONG_MS);
    wst_send(&job->report, wait_code(result));
    if (result == WAIT_OBJECT_0 || result == WAIT_ABANDONED_0)
        ReleaseMutex(mutex);
    return 0;
}

Test(mutexes, abandoned_flag_is_cleared_for_the_next_process, .timeout = MUTEX_TEST_TIMEOUT)
{
    struct next_process job;
    char name[96];
    job.name = wst_name(name, sizeof name, "lab02-next-process");
    cr_assert_eq(wst_pipe_open(&job.report), 0);
    HANDLE mutex = CreateMutexA(NULL, FALSE, name);
    cr_assert_not_null(mutex);
    abandon_from_thread(mutex, 1);

    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED_0);
    pid_t child = wst_spawn(poll_then_acquire, &job);
    cr_assert_gt(child, 0);
    int polled = wst_recv(&job.report, WST_LONG_MS);
    cr_assert_eq(polled, 'T',
                 "another process acquired ('%c') the mutex this thread got with "
                 "WAIT_ABANDONED",
                 polled);
    int early = wst_recv(&job.report, WST_QUIET_MS);
    cr_assert_eq(early, -1, "the other process's wait returned '%c' while this thread owned it",
                 early);

    cr_assert(ReleaseMutex(mutex));
    int code = wst_recv(&job.report, WST_LONG_MS);
    cr_assert_eq(code, 'O',
                 "the acquirer after the one that saw WAIT_ABANDONED must get "
                 "WAIT_OBJECT_0, got '%c'",
                 code);
    cr_assert_eq(wst_reap(child, WST_LONG_MS), 0);
    wst_pipe_close(&job.report);
    CloseHandle(mutex);
}

struct thread_scenario {
    HANDLE mutex;
    HANDLE finish;          /* manual-reset event: the owner thread returns once it is set */
    struct wst_pipe owner;  /* owner thread -> test: 'L' once it owns the mutex */
    struct wst_pipe waiter; /* waiter thread -> test: 'w' before waiting, 'd' after */
    DWORD waiter_result;
};

static DWORD WINAPI own_until_finish_thread(LPVOID param)
{
    struct thread_scenario *s = param;
    if (WaitForSingleObject(s->mutex, 0) != WAIT_OBJECT_0)
        return 1;
    wst_send(&s->owner, 'L');
    WaitForSingleObject(s->finish, 3 * WST_LONG_MS);
    return 0; /* ends while owning the mutex */
}

static DWORD WINAPI wait_for_mutex_thread(LPVOID param)
{
    struct thread_scenario *s = param;
    wst_send(&s->waiter, 'w');
    s->waiter_result = WaitForSingleObject(s->mutex, 3 * WST_LONG_MS);
    wst_send(&s->waiter, 'd');
    return 0; /* ends owning the mutex if it got it: the test checks that too */
}

Test(mutexes, blocked_waiter_wakes_with_abandoned_when_the_owner_thread_ends,
     .timeout = MUTEX_TEST_TIMEOUT)
{
    struct thread_scenario s = {.waiter_result = 0xDEADu};
    s.mutex = CreateMutexA(NULL, FALSE, NULL);
    s.finish = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(s.mutex);
    cr_assert_not_null(s.finish);
    cr_assert_eq(wst_pipe_open(&s.owner), 0);
    cr_assert_eq(wst_pipe_open(&s.waiter), 0);

    HANDLE owner = CreateThread(NULL, 0, own_until_finish_thread, &s, 0, NULL);
    cr_assert_not_null(owner);
    cr_assert_eq(wst_recv(&s.owner, WST_LONG_MS), 'L', "the owner thread did not take the mutex");
    HANDLE waiter = CreateThread(NULL, 0, wait_for_mutex_thread, &s, 0, NULL);
    cr_assert_not_null(waiter);
    cr_assert_eq(wst_recv(&s.waiter, WST_LONG_MS), 'w');
    cr_assert_eq(wst_recv(&s.waiter, WST_QUIET_MS), -1,
                 "the waiter returned while another thread owned the mutex");

    SetEvent(s.finish);
    cr_assert_eq(wst_recv(&s.waiter, WST_LONG_MS), 'd',
                 "the blocked waiter was not woken when the owner thread ended");
    cr_assert_eq(s.waiter_result, WAIT_ABANDONED_0,
                 "the blocked waiter must get WAIT_ABANDONED, got 0x%x", (unsigned)s.waiter_result);
    cr_assert_eq(WaitForSingleObject(waiter, WST_LONG_MS), WAIT_OBJECT_0);
    /* The waiter thread ended owning the mutex, so it is abandoned again. */
    cr_assert_eq(WaitForSingleObject(s.mutex, WST_LONG_MS), WAIT_ABANDONED_0,
                 "the waiter thread ended owning the mutex: it was the owner");
    cr_assert(ReleaseMutex(s.mutex));
    cr_assert_eq(WaitForSingleObject(owner, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(owner);
    CloseHandle(waiter);
    CloseHandle(s.finish);
    CloseHandle(s.mutex);
    wst_pipe_close(&s.owner);
    wst_pipe_close(&s.waiter);
}

Test(mutexes, abandoned_is_reported_once_to_a_recursive_owner, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE objects[2];
    objects[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
    objects[1] = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(objects[0]);
    cr_assert_not_null(objects[1]);
    HANDLE mutex = objects[1];
    abandon_from_thread(mutex, 1);

    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED_0,
                 "the first wait after the owner thread ended must return WAIT_ABANDONED");
    DWORD again = WaitForSingleObject(mutex, 0);
    cr_assert_eq(again, WAIT_OBJECT_0,
                 "the new owner's second (recursive) wait returned 0x%x: the acquire that "
                 "reported WAIT_ABANDONED cleared the flag, so it must get WAIT_OBJECT_0",
                 (unsigned)again);
    DWORD any = WaitForMultipleObjects(2, objects, FALSE, 0);
    cr_assert_eq(any, WAIT_OBJECT_0 + 1,
                 "a recursive wait-any by the new owner returned 0x%x, expected "
                 "WAIT_OBJECT_0 + 1 (the abandonment is reported once)",
                 (unsigned)any);
    for (int level = 3; level > 0; level--)
        cr_assert(ReleaseMutex(mutex), "release at depth %d failed (error %u)", level,
                  (unsigned)GetLastError());
    expect_release_fails(mutex, "the mutex was acquired 3 times and released 3 times");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_OBJECT_0,
                 "the next thread to acquire the mutex must get WAIT_OBJECT_0");
    CloseHandle(objects[0]);
    CloseHandle(objects[1]);
}
