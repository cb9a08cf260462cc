/* Lab 03, steps 4-5: ReleaseSemaphore, its checks and its previous count. */
#include "semaphore_waiters.h"

Test(semaphores, release_returns_previous_count, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 1, 10, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    LONG prev = UNTOUCHED;
    cr_assert(ReleaseSemaphore(sem, 3, &prev), "ReleaseSemaphore failed: %u", GetLastError());
    cr_expect_eq(prev, 1, "count 1, release 3: previous count %d, expected 1", prev);
    cr_assert(ReleaseSemaphore(sem, 1, &prev), "ReleaseSemaphore failed: %u", GetLastError());
    cr_expect_eq(prev, 4, "count 4, release 1: previous count %d, expected 4", prev);
    cr_assert(ReleaseSemaphore(sem, 2, NULL), "a NULL previous-count pointer is allowed");
    cr_assert(ReleaseSemaphore(sem, 1, &prev), "ReleaseSemaphore failed: %u", GetLastError());
    cr_expect_eq(prev, 7, "count 7, release 1: previous count %d, expected 7", prev);
    expect_units(sem, 8, "the count must now be 8");
    CloseHandle(sem);
}

Test(semaphores, too_many_posts_changes_nothing, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 2, 3, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    LONG prev = UNTOUCHED;
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(sem, 2, &prev),
                  "count 2 + 2 > maximum 3: the release must fail");
    cr_expect_eq(GetLastError(), ERROR_TOO_MANY_POSTS, "error %u, expected ERROR_TOO_MANY_POSTS",
                 GetLastError());
    cr_expect_eq(prev, UNTOUCHED, "a failed release must not write *lpPreviousCount (it wrote %d)",
                 prev);
    expect_units(sem, 2, "a failed release must not change the count");

    cr_assert(ReleaseSemaphore(sem, 1, &prev), "count 2 + 1 == maximum 3 must be allowed");
    cr_expect_eq(prev, 2);
    prev = UNTOUCHED;
    cr_assert_not(ReleaseSemaphore(sem, 1, &prev), "a full semaphore must refuse a release");
    cr_expect_eq(GetLastError(), ERROR_TOO_MANY_POSTS);
    cr_expect_eq(prev, UNTOUCHED, "a failed release must not write *lpPreviousCount");
    expect_units(sem, 3, "the count must stay at its maximum");
    CloseHandle(sem);
}

Test(semaphores, release_count_must_be_positive, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 1, 5, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    const LONG bad[] = {0, -1, WIN_LONG_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        LONG prev = UNTOUCHED;
        SetLastError(0);
        cr_expect_not(ReleaseSemaphore(sem, bad[i], &prev), "releasing %d must fail", bad[i]);
        cr_expect_eq(GetLastError(), ERROR_INVALID_PARAMETER,
                     "releasing %d: error %u, expected ERROR_INVALID_PARAMETER", bad[i],
                     GetLastError());
        cr_expect_eq(prev, UNTOUCHED, "releasing %d wrote *lpPreviousCount", bad[i]);
    }
    expect_units(sem, 1, "failed releases must not change the count");
    CloseHandle(sem);
}

Test(semaphores, maximum_can_be_long_max, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 0, WIN_LONG_MAX, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    LONG prev = UNTOUCHED;
    cr_assert(ReleaseSemaphore(sem, WIN_LONG_MAX, &prev),
              "count 0 + WIN_LONG_MAX fits a WIN_LONG_MAX maximum");
    cr_expect_eq(prev, 0);
    prev = UNTOUCHED;
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(sem, 1, &prev), "count WIN_LONG_MAX + 1 passes the maximum");
    cr_expect_eq(GetLastError(), ERROR_TOO_MANY_POSTS);
    cr_expect_eq(prev, UNTOUCHED);
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0,
                 "the count must still be WIN_LONG_MAX");
    cr_assert(ReleaseSemaphore(sem, 1, &prev), "count WIN_LONG_MAX - 1 + 1 fits");
    cr_expect_eq(prev, WIN_LONG_MAX - 1);
    CloseHandle(sem);
}
