/*
 * ownership.c - lab 02 public tests: acquiring, recursion, and who may release a mutex.
 */
#include "mutex_helpers.h"

#define RECURSION_LEVELS 32

Test(mutexes, unowned_mutex_is_acquired_and_released, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(mutex, "CreateMutexA failed (error %u)", (unsigned)GetLastError());

    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0,
                 "a new unowned mutex must be signalled: the first wait acquires it");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "another thread acquired a mutex this thread owns");
    cr_assert(ReleaseMutex(mutex), "the owner could not release (error %u)",
              (unsigned)GetLastError());
    expect_release_fails(mutex, "the mutex was already released");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_OBJECT_0,
                 "after the release another thread must be able to acquire the mutex");
    CloseHandle(mutex);
}

Test(mutexes, initial_owner_owns_the_new_mutex, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, TRUE, NULL);
    cr_assert_not_null(mutex, "CreateMutexA failed (error %u)", (unsigned)GetLastError());

    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "CreateMutex(bInitialOwner = TRUE): another thread acquired it");
    cr_assert(ReleaseMutex(mutex), "the initial owner could not release (error %u)",
              (unsigned)GetLastError());
    expect_release_fails(mutex, "the initial owner held only one level");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_OBJECT_0,
                 "after the initial owner's release another thread must acquire it");
    CloseHandle(mutex);
}

Test(mutexes, recursive_acquisition_needs_one_release_per_level, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(mutex);

    for (int level = 1; level <= RECURSION_LEVELS; level++)
        cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0,
                     "the owner's wait number %d on its own mutex must succeed at once", level);
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "another thread acquired a mutex owned %d times", RECURSION_LEVELS);

    for (int level = RECURSION_LEVELS; level > 1; level--)
        cr_assert(ReleaseMutex(mutex), "release at depth %d failed (error %u)", level,
                  (unsigned)GetLastError());
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "the mutex was free after %d of %d releases", RECURSION_LEVELS - 1,
                 RECURSION_LEVELS);

    cr_assert(ReleaseMutex(mutex), "the last release failed (error %u)", (unsigned)GetLastError());
    expect_release_fails(mutex, "it was release number 33 of a mutex acquired 32 times");
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_OBJECT_0,
                 "after the last release another thread must acquire the mutex");
    CloseHandle(mutex);
}

Test(mutexes, release_by_another_thread_fails, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(mutex);
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);

    struct attempt release = {.mutex = mutex, .result = 0xDEADu};
    run_on_other_thread(try_release_thread, &release);
    cr_assert_not(release.result, "a thread that does not own the mutex released it");
    cr_assert_eq(release.error, ERROR_NOT_OWNER, "non-owner release: error %u, expected %u",
                 (unsigned)release.error, (unsigned)ERROR_NOT_OWNER);

    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "the failed release by a non-owner freed the mutex");
    cr_assert(ReleaseMutex(mutex), "the owner could not release after a non-owner tried");
    CloseHandle(mutex);
}

/* Child: a process that never acquired the mutex tries to release it, then to take it. */
static int release_from_child(void *param)
{
    die_with_parent();
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, param);
    if (mutex == NULL)
        return 10;
    SetLastError(ERROR_SUCCESS);
    if (ReleaseMutex(mutex))
        return 11;
    if (GetLastError() != ERROR_NOT_OWNER)
        return 12;
    if (WaitForSingleObject(mutex, 0) != WAIT_TIMEOUT)
        return 13;
    return 0;
}

Test(mutexes, release_by_another_process_fails, .timeout = MUTEX_TEST_TIMEOUT)
{
    char name[96];
    wst_name(name, sizeof name, "lab02-release-other-process");
    HANDLE mutex = CreateMutexA(NULL, TRUE, name);
    cr_assert_not_null(mutex);

    pid_t child = wst_spawn(release_from_child, name);
    cr_assert_gt(child, 0, "fork failed");
    int status = wst_reap(child, WST_LONG_MS);
    cr_assert_neq(status, 11, "another process released a mutex it did not own");
    cr_assert_neq(status, 12, "another process's failed ReleaseMutex did not set ERROR_NOT_OWNER");
    cr_assert_neq(status, 13,
                  "another process acquired a mutex this thread owns (or the "
                  "failed release freed it)");
    cr_assert_eq(status, 0, "the child process failed (status %d)", status);

    cr_assert(ReleaseMutex(mutex), "the owner could not release after another process tried");
    CloseHandle(mutex);
}

struct blocked_waiter {
    const char *name;
    struct wst_pipe report;
};

/* Child: reports 'w', then blocks on the mutex and reports the wait result. */
static int wait_in_child(void *param)
{
    die_with_parent();
    struct blocked_waiter *job = param;
    HANDLE mutex = OpenMutexA(MUTEX_RIGHTS, FALSE, job->name);
    if (mutex == NULL)
        return 10;
    wst_send(&job->report, 'w');
    DWORD result = WaitForSingleObject(mutex, 3 * WST_LONG_MS);
    wst_send(&job->report, wait_code(result));
    if (result == WAIT_OBJECT_0 && !ReleaseMutex(mutex))
        return 11;
    return 0;
}

Test(mutexes, waiter_in_another_process_blocks_until_the_last_release,
     .timeout = MUTEX_TEST_TIMEOUT)
{
    struct blocked_waiter job;
    char name[96];
    job.name = wst_name(name, sizeof name, "lab02-blocked-waiter");
    cr_assert_eq(wst_pipe_open(&job.report), 0);
    HANDLE mutex = CreateMutexA(NULL, FALSE, name);
    cr_assert_not_null(mutex);
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0, "second level");

    pid_t child = wst_spawn(wait_in_child, &job);
    cr_assert_gt(child, 0);
    cr_assert_eq(wst_recv(&job.report, WST_LONG_MS), 'w', "the child did not start");
    int early = wst_recv(&job.report, WST_QUIET_MS);
    cr_assert_eq(early, -1, "the waiter returned '%c' while the mutex was owned", early);

    cr_assert(ReleaseMutex(mutex));
    early = wst_recv(&job.report, WST_QUIET_MS);
    cr_assert_eq(early, -1, "the waiter returned '%c' while the owner still held one level", early);

    cr_assert(ReleaseMutex(mutex));
    int code = wst_recv(&job.report, WST_LONG_MS);
    cr_assert_eq(code, 'O',
                 "after the last release the waiter must get WAIT_OBJECT_0, got '%c' "
                 "(O object, A abandoned, T timeout, F failed, -1 nothing)",
                 code);
    cr_assert_eq(wst_reap(child, WST_LONG_MS), 0, "the waiter could not release the mutex it got");
    wst_pipe_close(&job.report);
    CloseHandle(mutex);
}
