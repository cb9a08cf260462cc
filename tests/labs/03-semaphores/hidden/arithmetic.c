/* Lab 03 (hidden): overflow-safe counting and waits on several semaphores. */
#include "../semaphore_waiters.h"

static void expect_too_many_posts(HANDLE sem, LONG n, const char *what)
{
    LONG prev = UNTOUCHED;
    SetLastError(0);
    cr_expect_not(ReleaseSemaphore(sem, n, &prev), "%s: the release must fail", what);
    cr_expect_eq(GetLastError(), ERROR_TOO_MANY_POSTS, "%s: error %u", what, GetLastError());
    cr_expect_eq(prev, UNTOUCHED, "%s: a failed release wrote *lpPreviousCount", what);
}

Test(semaphores, overflow_rejected_without_side_effects, .timeout = 20)
{
    HANDLE one = CreateSemaphoreA(NULL, 1, WIN_LONG_MAX, NULL);
    cr_assert_not_null(one, "CreateSemaphoreA failed: %u", GetLastError());
    expect_too_many_posts(one, WIN_LONG_MAX, "count 1 + LONG_MAX overflows");
    cr_expect_eq(WaitForSingleObject(one, 0), WAIT_OBJECT_0, "the count 1 must be intact");
    cr_expect_eq(WaitForSingleObject(one, 0), WAIT_TIMEOUT, "the count must have been exactly 1");

    HANDLE almost = CreateSemaphoreA(NULL, WIN_LONG_MAX - 1, WIN_LONG_MAX, NULL);
    cr_assert_not_null(almost, "CreateSemaphoreA failed: %u", GetLastError());
    expect_too_many_posts(almost, 2, "count LONG_MAX - 1 + 2 overflows");
    expect_too_many_posts(almost, WIN_LONG_MAX, "count LONG_MAX - 1 + LONG_MAX overflows");
    LONG prev = UNTOUCHED;
    cr_expect(ReleaseSemaphore(almost, 1, &prev), "count LONG_MAX - 1 + 1 fits");
    cr_expect_eq(prev, WIN_LONG_MAX - 1);

    HANDLE small = CreateSemaphoreA(NULL, 5, 10, NULL);
    cr_assert_not_null(small, "CreateSemaphoreA failed: %u", GetLastError());
    expect_too_many_posts(small, WIN_LONG_MAX, "count 5 + LONG_MAX overflows");
    expect_units(small, 5, "a failed release must not change the count");
    CloseHandle(one);
    CloseHandle(almost);
    CloseHandle(small);
}

Test(semaphores, wait_all_takes_nothing_until_all_signaled, .timeout = 20)
{
    HANDLE sem = CreateSemaphoreA(NULL, 1, 1, NULL);
    HANDLE other = CreateSemaphoreA(NULL, 0, 1, NULL);
    cr_assert(sem && other, "CreateSemaphoreA failed: %u", GetLastError());
    HANDLE both[2] = {sem, other};

    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_TIMEOUT);
    expect_units(sem, 1,
                 "a wait-all that did not complete took a unit (is the signalled test "
                 "changing the count?)");

    cr_assert(ReleaseSemaphore(other, 1, NULL));
    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    expect_units(sem, 0, "the wait-all must take one unit of each");
    expect_units(other, 0, "the wait-all must take one unit of each");

    cr_assert(ReleaseSemaphore(other, 1, NULL));
    cr_assert_eq(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0 + 1);
    expect_units(other, 0, "the wait-any must take its unit");
    CloseHandle(sem);
    CloseHandle(other);
}
