/* Semaphores: counts, limits, ERROR_TOO_MANY_POSTS, releasing several waiters. */
#include <stdint.h>

#include "rt.h"

TestSuite(semaphores, .timeout = RT_TIMEOUT);

Test(semaphores, invalid_creation_arguments_fail_with_invalid_parameter)
{
    LONG cases[][2] = {{0, 0}, {0, -1}, {-1, 1}, {2, 1}, {INT32_MIN, INT32_MAX}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SetLastError(0);
        HANDLE h = CreateSemaphoreA(NULL, cases[i][0], cases[i][1], NULL);
        cr_assert_null(h, "CreateSemaphore(%d, %d)", (int)cases[i][0], (int)cases[i][1]);
        assert_last_error(ERROR_INVALID_PARAMETER);
        SetLastError(0);
        h = CreateSemaphoreExW(NULL, cases[i][0], cases[i][1], NULL, 0, SEMAPHORE_ALL_ACCESS);
        cr_assert_null(h);
        assert_last_error(ERROR_INVALID_PARAMETER);
    }
}

Test(semaphores, each_wait_takes_one_unit)
{
    HANDLE s = CreateSemaphoreA(NULL, 3, 5, NULL);
    cr_assert_not_null(s);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    LONG previous = -1;
    cr_assert(ReleaseSemaphore(s, 2, &previous));
    cr_assert_eq(previous, 0);
    cr_assert(ReleaseSemaphore(s, 1, &previous));
    cr_assert_eq(previous, 2);
    cr_assert(ReleaseSemaphore(s, 1, NULL), "a NULL previous count is allowed");
    cr_assert_eq(rt_semaphore_count(s), 4);
}

Test(semaphores, too_many_posts_changes_neither_count_nor_previous)
{
    HANDLE s = CreateSemaphoreA(NULL, 1, 3, NULL);
    LONG previous = 12345;
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(s, 3, &previous));
    assert_last_error(ERROR_TOO_MANY_POSTS);
    cr_assert_eq(previous, 12345);
    cr_assert_eq(rt_semaphore_count(s), 1);
    cr_assert(ReleaseSemaphore(s, 2, &previous));
    cr_assert_eq(previous, 1);
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(s, 1, &previous));
    assert_last_error(ERROR_TOO_MANY_POSTS);
    cr_assert_eq(previous, 1);
}

Test(semaphores, release_overflow_is_too_many_posts)
{
    HANDLE s = CreateSemaphoreA(NULL, 5, INT32_MAX, NULL);
    LONG previous = 777;
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(s, INT32_MAX, &previous));
    assert_last_error(ERROR_TOO_MANY_POSTS);
    cr_assert_eq(previous, 777);
    cr_assert(ReleaseSemaphore(s, INT32_MAX - 5, &previous));
    cr_assert_eq(previous, 5);
}

Test(semaphores, release_count_must_be_positive)
{
    HANDLE s = CreateSemaphoreA(NULL, 1, 10, NULL);
    LONG counts[] = {0, -1, INT32_MIN};
    for (size_t i = 0; i < 3; i++) {
        LONG previous = 55;
        SetLastError(0);
        cr_assert_not(ReleaseSemaphore(s, counts[i], &previous), "count %d", (int)counts[i]);
        assert_last_error(ERROR_INVALID_PARAMETER);
        cr_assert_eq(previous, 55);
    }
    cr_assert_eq(rt_semaphore_count(s), 1);
}

Test(semaphores, release_n_wakes_n_waiters_across_processes)
{
    HANDLE s = CreateSemaphoreA(NULL, 0, 10, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(s, INFINITE, &report, &ready);
    pid_t pid[4];
    for (int i = 0; i < 4; i++) {
        pid[i] = rt_spawn_waiter(&w);
        cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
        cr_assert(wst_await_blocked(pid[i]));
    }
    LONG previous = -1;
    cr_assert(ReleaseSemaphore(s, 3, &previous));
    cr_assert_eq(previous, 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "a fourth waiter was released");
    cr_assert_eq(WaitForSingleObject(s, 0), WAIT_TIMEOUT, "released units were not all taken");
    cr_assert(ReleaseSemaphore(s, 2, &previous));
    cr_assert_eq(previous, 0);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    for (int i = 0; i < 4; i++)
        assert_child_ok(pid[i]);
    cr_assert_eq(rt_semaphore_count(s), 1, "one unit should be left");
}

Test(semaphores, named_semaphore_released_by_another_program)
{
    char name[96];
    wst_name(name, sizeof name, "sem");
    HANDLE s = CreateSemaphoreA(NULL, 0, 4, name);
    cr_assert_eq(GetLastError(), 0);
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "release-sem", name, "3", NULL});
    assert_child_ok(pid);
    cr_assert_eq(rt_semaphore_count(s), 3);
    /* The helper's release would pass the maximum now. */
    pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "release-sem", name, "2", NULL});
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), RT_CHILD_FAILED);
    cr_assert_eq(rt_semaphore_count(s), 3);

    /* Create of the existing name ignores the new counts. */
    HANDLE again = CreateSemaphoreA(NULL, 0, 1, name);
    assert_last_error(ERROR_ALREADY_EXISTS);
    cr_assert_eq(rt_semaphore_count(again), 3);
    HANDLE opened = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name);
    cr_assert_not_null(opened);
    cr_assert_eq(WaitForSingleObject(opened, 0), WAIT_OBJECT_0);
    cr_assert_eq(rt_semaphore_count(s), 2);
}
