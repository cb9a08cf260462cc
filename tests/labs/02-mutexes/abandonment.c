/*
 * abandonment.c - lab 02 public tests: a mutex whose owner ends is abandoned.
 */
#include "mutex_helpers.h"

Test(mutexes, abandoned_when_the_owner_thread_returns, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(mutex);
    abandon_from_thread(mutex, 1);

    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED_0,
                 "the first wait after the owner thread ended must return WAIT_ABANDONED");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "WAIT_ABANDONED must give the waiter ownership, but another thread acquired it");
    cr_assert(ReleaseMutex(mutex),
              "the thread that got WAIT_ABANDONED owns the mutex and must be "
              "able to release it (error %u)",
              (unsigned)GetLastError());
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0,
                 "the abandoned state must be cleared by the acquire that reported it");
    cr_assert(ReleaseMutex(mutex));
    CloseHandle(mutex);
}

struct exiting_owner {
    const char *name;
    struct wst_pipe report;
};

/* Child: acquires the mutex, says so, and exits without releasing it. */
static int acquire_then_exit(void *param)
{
    die_with_parent();
    struct exiting_owner *job = param;
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, job->name);
    if (mutex == NULL)
        return 10;
    if (WaitForSingleObject(mutex, WST_LONG_MS) != WAIT_OBJECT_0)
        return 11;
    wst_send(&job->report, 'L');
    return 0; /* _exit(0) while owning the mutex */
}

Test(mutexes, abandoned_when_the_owner_process_exits, .timeout = MUTEX_TEST_TIMEOUT)
{
    struct exiting_owner job;
    char name[96];
    job.name = wst_name(name, sizeof name, "lab02-exiting-owner");
    cr_assert_eq(wst_pipe_open(&job.report), 0);
    HANDLE mutex = CreateMutexA(NULL, FALSE, name);
    cr_assert_not_null(mutex);

    pid_t child = wst_spawn(acquire_then_exit, &job);
    cr_assert_gt(child, 0);
    cr_assert_eq(wst_recv(&job.report, WST_LONG_MS), 'L', "the child did not acquire the mutex");
    cr_assert_eq(wst_reap(child, WST_LONG_MS), 0, "the child failed");

    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED_0,
                 "the owner process exited while owning the mutex: expected WAIT_ABANDONED");
    cr_assert(ReleaseMutex(mutex), "WAIT_ABANDONED must make the waiter the owner (error %u)",
              (unsigned)GetLastError());
    expect_release_fails(mutex, "the abandoned mutex was acquired only once");
    wst_pipe_close(&job.report);
    CloseHandle(mutex);
}

Test(mutexes, wait_any_reports_the_abandoned_index, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE objects[3];
    objects[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
    objects[1] = CreateEventA(NULL, TRUE, FALSE, NULL);
    objects[2] = CreateMutexA(NULL, FALSE, NULL);
    for (int i = 0; i < 3; i++)
        cr_assert_not_null(objects[i]);
    abandon_from_thread(objects[2], 1);

    DWORD result = WaitForMultipleObjects(3, objects, FALSE, WST_LONG_MS);
    cr_assert_eq(result, WAIT_ABANDONED_0 + 2,
                 "wait-any on [event, event, abandoned mutex]: got 0x%x, expected "
                 "WAIT_ABANDONED_0 + 2 (0x82)",
                 (unsigned)result);
    cr_assert(ReleaseMutex(objects[2]), "the wait-any made this thread the owner");
    cr_assert_eq(WaitForMultipleObjects(3, objects, FALSE, 0), WAIT_OBJECT_0 + 2,
                 "the second acquire must not report abandonment again");
    cr_assert(ReleaseMutex(objects[2]));
    for (int i = 0; i < 3; i++)
        CloseHandle(objects[i]);
}
