/* Lab 03 (hidden): a semaphore of maximum 1 used as a lock by several processes keeps a
 * shared counter exact; every process's every wait succeeds. */
#include <sched.h>
#include <sys/mman.h>

#include "../semaphore_waiters.h"

#define WORKERS 3
#define ITERATIONS 200

struct worker {
    HANDLE lock;
    HANDLE go;
    volatile long *counter; /* in MAP_SHARED memory */
};

static int worker_main(void *arg)
{
    const struct worker *w = arg;
    if (WaitForSingleObject(w->go, WST_LONG_MS) != WAIT_OBJECT_0)
        return 2;
    for (int i = 0; i < ITERATIONS; i++) {
        if (WaitForSingleObject(w->lock, WST_LONG_MS) != WAIT_OBJECT_0)
            return 1;
        long seen = *w->counter;
        sched_yield(); /* invite another process into the critical section */
        *w->counter = seen + 1;
        if (!ReleaseSemaphore(w->lock, 1, NULL))
            return 3;
    }
    return 0;
}

Test(semaphores, counter_exact_under_contention, .timeout = 60)
{
    volatile long *counter =
        mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq((void *)counter, MAP_FAILED);
    *counter = 0;
    struct worker w = {.lock = CreateSemaphoreA(NULL, 1, 1, NULL),
                       .go = CreateEventA(NULL, TRUE, FALSE, NULL),
                       .counter = counter};
    cr_assert(w.lock && w.go, "create failed: %u", GetLastError());
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        pids[i] = wst_spawn(worker_main, &w);
        cr_assert_gt(pids[i], 0);
    }
    cr_assert(SetEvent(w.go));
    for (int i = 0; i < WORKERS; i++)
        cr_expect_eq(wst_reap(pids[i], WST_LONG_MS * 4), 0,
                     "worker %d failed (1: a wait failed, 3: a release failed)", i);
    cr_expect_eq(*counter, (long)WORKERS * ITERATIONS,
                 "the counter is %ld, not %d: two processes held the semaphore at once", *counter,
                 WORKERS * ITERATIONS);
    expect_units(w.lock, 1, "the semaphore must end with its one unit");
    munmap((void *)counter, sizeof *counter);
}
