/* Lab 03, steps 3-4: waiters in other processes block at zero; a release of n wakes up to
 * n of them and keeps the rest of the count. */
#include "semaphore_waiters.h"

Test(semaphores, blocks_at_zero_until_released, .timeout = 30)
{
    HANDLE sem = CreateSemaphoreA(NULL, 0, 5, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    struct waiters g;
    start_waiters(&g, 1, sem, NULL);
    cr_assert_eq(count_wakes(&g, 0), 0, "a wait on a semaphore at count 0 must block");

    LONG prev = UNTOUCHED;
    cr_assert(ReleaseSemaphore(sem, 1, &prev), "ReleaseSemaphore failed: %u", GetLastError());
    cr_expect_eq(prev, 0, "previous count %d, expected 0", prev);
    cr_assert_eq(count_wakes(&g, 1), 1, "releasing 1 must wake the blocked waiter");
    reap_waiters(&g);
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_TIMEOUT,
                 "the woken waiter must have taken the unit released");
    CloseHandle(sem);
}

Test(semaphores, release_wakes_as_many_as_count, .timeout = 30)
{
    HANDLE sem = CreateSemaphoreA(NULL, 0, 10, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    struct waiters g;
    start_waiters(&g, 4, sem, NULL);
    cr_assert_eq(count_wakes(&g, 0), 0, "waits on a semaphore at count 0 must block");

    cr_assert(ReleaseSemaphore(sem, 2, NULL), "ReleaseSemaphore failed: %u", GetLastError());
    cr_assert_eq(count_wakes(&g, 2), 2, "releasing 2 with 4 waiters must wake exactly 2");
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_TIMEOUT,
                 "both units must have gone to the woken waiters");

    LONG prev = UNTOUCHED;
    cr_assert(ReleaseSemaphore(sem, 3, &prev), "ReleaseSemaphore failed: %u", GetLastError());
    cr_expect_eq(prev, 0, "previous count %d, expected 0", prev);
    cr_assert_eq(count_wakes(&g, 2), 2, "releasing 3 with 2 waiters left must wake both");
    reap_waiters(&g);
    expect_units(sem, 1, "the unit nobody took must stay in the count");
    CloseHandle(sem);
}
