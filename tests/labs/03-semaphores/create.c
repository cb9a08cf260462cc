/* Lab 03, steps 1-3: creating a semaphore, the signalled test and what a wait takes. */
#include "semaphore_waiters.h"

static void expect_rejected(LONG initial, LONG maximum)
{
    SetLastError(0);
    HANDLE h = CreateSemaphoreA(NULL, initial, maximum, NULL);
    cr_expect_null(h, "CreateSemaphore(%d, %d) must fail", initial, maximum);
    cr_expect_eq(GetLastError(), ERROR_INVALID_PARAMETER,
                 "CreateSemaphore(%d, %d): error %u, expected ERROR_INVALID_PARAMETER", initial,
                 maximum, GetLastError());
    if (h != NULL)
        CloseHandle(h);
}

static void expect_accepted(LONG initial, LONG maximum)
{
    HANDLE h = CreateSemaphoreA(NULL, initial, maximum, NULL);
    cr_expect_not_null(h, "CreateSemaphore(%d, %d) must succeed (error %u)", initial, maximum,
                       GetLastError());
    if (h != NULL)
        CloseHandle(h);
}

Test(semaphores, create_rejects_invalid_counts, .timeout = 20)
{
    expect_rejected(0, 0); /* maximum must be positive */
    expect_rejected(0, -1);
    expect_rejected(0, WIN_LONG_MIN);
    expect_rejected(-1, 5); /* initial must not be negative */
    expect_rejected(WIN_LONG_MIN, 5);
    expect_rejected(6, 5); /* initial must not exceed maximum */
    expect_rejected(2, 1);

    expect_accepted(0, 1);
    expect_accepted(5, 5);
    expect_accepted(0, WIN_LONG_MAX);
    expect_accepted(WIN_LONG_MAX, WIN_LONG_MAX);
}

Test(semaphores, initial_count_is_available, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 2, 5, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0, "count 2: the first wait must pass");
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0, "count 1: the second wait must pass");
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_TIMEOUT,
                 "count 0: a third wait must time out (each wait takes one unit)");

    HANDLE empty = CreateSemaphoreA(NULL, 0, 3, NULL);
    cr_assert_not_null(empty, "CreateSemaphoreA failed: %u", GetLastError());
    cr_assert_eq(WaitForSingleObject(empty, 0), WAIT_TIMEOUT, "count 0 must not be signalled");
    CloseHandle(sem);
    CloseHandle(empty);
}
