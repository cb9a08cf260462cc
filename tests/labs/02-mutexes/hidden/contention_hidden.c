/*
 * contention_hidden.c - lab 02 hidden test: mutual exclusion and progress across processes.
 */
#include <sched.h>

#include "../mutex_helpers.h"

#define WORKERS 4
#define ROUNDS 250

struct counter_job {
    HANDLE mutex;
    HANDLE mapping;
    HANDLE start; /* manual-reset event: every worker starts at once */
};

/* Child: increments the shared counter ROUNDS times, each time under the mutex, with a yield
 * between the read and the write so that a broken mutex loses updates. */
static int increment_under_mutex(void *param)
{
    die_with_parent();
    struct counter_job *job = param;
    volatile LONG *counter = MapViewOfFile(job->mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(LONG));
    if (counter == NULL)
        return 10;
    if (WaitForSingleObject(job->start, WST_LONG_MS) != WAIT_OBJECT_0)
        return 11;
    for (int round = 0; round < ROUNDS; round++) {
        if (WaitForSingleObject(job->mutex, 2 * WST_LONG_MS) != WAIT_OBJECT_0)
            return 12;
        LONG seen = *counter;
        sched_yield();
        *counter = seen + 1;
        if (!ReleaseMutex(job->mutex))
            return 13;
    }
    UnmapViewOfFile((LPCVOID)counter);
    return 0;
}

Test(mutexes, shared_counter_is_exact_under_contention_from_processes, .timeout = 60)
{
    struct counter_job job;
    job.mutex = CreateMutexA(NULL, FALSE, NULL);
    job.mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    job.start = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(job.mutex);
    cr_assert_not_null(job.mapping, "CreateFileMappingA failed (error %u)",
                       (unsigned)GetLastError());
    cr_assert_not_null(job.start);
    volatile LONG *counter = MapViewOfFile(job.mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(LONG));
    cr_assert_not_null(counter);

    pid_t workers[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        workers[i] = wst_spawn(increment_under_mutex, &job);
        cr_assert_gt(workers[i], 0);
    }
    SetEvent(job.start);
    for (int i = 0; i < WORKERS; i++) {
        int status = wst_reap(workers[i], 4 * WST_LONG_MS);
        cr_assert_neq(status, 12, "worker %d waited too long for the mutex: starved or lost", i);
        cr_assert_neq(status, 13, "worker %d could not release the mutex it acquired", i);
        cr_assert_eq(status, 0, "worker %d failed (status %d)", i, status);
    }
    cr_assert_eq(*counter, WORKERS * ROUNDS,
                 "the counter is %d, expected %d: two processes were inside the mutex at once",
                 (int)*counter, WORKERS * ROUNDS);
    cr_assert_eq(WaitForSingleObject(job.mutex, 0), WAIT_OBJECT_0, "the mutex must end up free");
    UnmapViewOfFile((LPCVOID)counter);
    CloseHandle(job.start);
    CloseHandle(job.mapping);
    CloseHandle(job.mutex);
}
