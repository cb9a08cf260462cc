/*
 * mutex_helpers.h - helpers shared by the lab 02 (mutexes) tests.
 *
 * Threads and forked children never assert: they record what they saw, and only the
 * test's own thread asserts (Criterion 2.4.1 requirement, see tests/support/wstest.h).
 */
#ifndef MUTEX_HELPERS_H
#define MUTEX_HELPERS_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <windows.h>

#include "wstest.h"

/* Per-test wall timeout in seconds (the grader may scale it). */
#define MUTEX_TEST_TIMEOUT 30

#define MUTEX_RIGHTS (SYNCHRONIZE | MUTEX_MODIFY_STATE)

/* Forked children call this first: when the test process ends (a failed assertion), they are
 * killed instead of lingering in a long wait. */
static inline void die_with_parent(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* One call made from another thread, and what it returned. */
struct attempt {
    HANDLE mutex;
    DWORD result; /* a wait result, or a BOOL for ReleaseMutex */
    DWORD error;  /* GetLastError() right after the call */
};

/* A wait result as one printable byte, so children can report it through a pipe. */
static inline char wait_code(DWORD result)
{
    switch (result) {
    case WAIT_OBJECT_0:
        return 'O';
    case WAIT_ABANDONED_0:
        return 'A';
    case WAIT_TIMEOUT:
        return 'T';
    case WAIT_FAILED:
        return 'F';
    default:
        return '?';
    }
}

static inline DWORD WINAPI try_acquire_thread(LPVOID param)
{
    struct attempt *a = param;
    a->result = WaitForSingleObject(a->mutex, 0);
    a->error = GetLastError();
    /* Give it back so this thread's end does not abandon it. */
    if (a->result == WAIT_OBJECT_0 || a->result == WAIT_ABANDONED_0)
        ReleaseMutex(a->mutex);
    return 0;
}

static inline DWORD WINAPI try_release_thread(LPVOID param)
{
    struct attempt *a = param;
    SetLastError(ERROR_SUCCESS);
    a->result = (DWORD)ReleaseMutex(a->mutex);
    a->error = GetLastError();
    return 0;
}

/* Runs fn(arg) on a new winsync thread and waits for it to end. */
static inline void run_on_other_thread(LPTHREAD_START_ROUTINE fn, void *arg)
{
    HANDLE thread = CreateThread(NULL, 0, fn, arg, 0, NULL);
    cr_assert_not_null(thread, "CreateThread failed (error %u)", (unsigned)GetLastError());
    cr_assert_eq(WaitForSingleObject(thread, WST_LONG_MS), WAIT_OBJECT_0,
                 "the helper thread did not finish within %d ms", WST_LONG_MS);
    CloseHandle(thread);
}

/* What WaitForSingleObject(mutex, 0) returns when another thread of this process calls it.
 * If that thread gets the mutex it releases it again before ending. */
static inline DWORD other_thread_try_acquire(HANDLE mutex)
{
    struct attempt a = {.mutex = mutex, .result = 0xDEADu};
    run_on_other_thread(try_acquire_thread, &a);
    return a.result;
}

/* A thread that takes a mutex `levels` times and ends while owning it. */
struct abandon_job {
    HANDLE mutex;
    DWORD levels;
    DWORD last_result; /* the last WaitForSingleObject result */
};

static inline DWORD WINAPI acquire_and_return_thread(LPVOID param)
{
    struct abandon_job *job = param;
    for (DWORD level = 0; level < job->levels; level++)
        job->last_result = WaitForSingleObject(job->mutex, 0);
    return 0; /* ends while owning the mutex */
}

/* Leaves `mutex` abandoned by a thread that acquired it `levels` times and returned. */
static inline void abandon_from_thread(HANDLE mutex, DWORD levels)
{
    struct abandon_job job = {.mutex = mutex, .levels = levels, .last_result = 0xDEADu};
    run_on_other_thread(acquire_and_return_thread, &job);
    cr_assert_eq(job.last_result, WAIT_OBJECT_0,
                 "the helper thread could not acquire the mutex (result 0x%x)",
                 (unsigned)job.last_result);
}

/* ReleaseMutex must fail with ERROR_NOT_OWNER. */
static inline void expect_release_fails(HANDLE mutex, const char *why)
{
    SetLastError(ERROR_SUCCESS);
    cr_assert_not(ReleaseMutex(mutex), "ReleaseMutex succeeded but %s", why);
    cr_assert_eq(GetLastError(), ERROR_NOT_OWNER, "ReleaseMutex failed with error %u, expected %u",
                 (unsigned)GetLastError(), (unsigned)ERROR_NOT_OWNER);
}

#endif /* MUTEX_HELPERS_H */
