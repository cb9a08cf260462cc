/* Lab 06, hidden tests: abandonment in wait-all, duplicates, timeouts, processes. */
#include "../wait_helpers.h"

Test(wait_all, abandoned_mutex_reports_abandoned_0, .timeout = 20)
{
    /* The mutex sits in the middle: neither the first nor the last object decides. */
    HANDLE objs[3] = {new_event(TRUE, TRUE), new_abandoned_mutex(), new_semaphore(1)};
    cr_expect_eq(WaitForMultipleObjects(3, objs, TRUE, 0), WAIT_ABANDONED_0,
                 "a wait-all including an abandoned mutex must give WAIT_ABANDONED_0 "
                 "(not + its index)");
    cr_expect(ReleaseMutex(objs[1]), "the wait-all must own the mutex");
    cr_expect_eq(semaphore_count(objs[2]), 0, "the wait-all must have taken the unit");
    for (int i = 0; i < 3; i++)
        CloseHandle(objs[i]);
}

Test(wait_all, abandoned_mutex_first_still_checks_the_rest, .timeout = 20)
{
    HANDLE objs[2] = {new_abandoned_mutex(), new_semaphore(0)};
    cr_expect_eq(WaitForMultipleObjects(2, objs, TRUE, 0), WAIT_TIMEOUT,
                 "wait-all must not succeed while the semaphore is at zero");
    cr_expect_eq(WaitForSingleObject(objs[0], 0), WAIT_ABANDONED,
                 "the failed wait-all must not have acquired the abandoned mutex");
    ReleaseMutex(objs[0]);
    CloseHandle(objs[0]);
    CloseHandle(objs[1]);
}

Test(wait_any, same_object_twice_reports_first_index, .timeout = 20)
{
    HANDLE e = new_event(TRUE, TRUE);
    HANDLE other = new_event(TRUE, FALSE);
    HANDLE objs[3] = {other, e, e};
    cr_expect_eq(WaitForMultipleObjects(3, objs, FALSE, 0), WAIT_OBJECT_0 + 1);
    CloseHandle(e);
    CloseHandle(other);
}

Test(wait_all, timed_out_wait_changes_nothing, .timeout = 20)
{
    HANDLE objs[3] = {new_semaphore(3), new_event(FALSE, TRUE), new_event(TRUE, FALSE)};
    cr_expect_eq(WaitForMultipleObjects(3, objs, TRUE, 100), WAIT_TIMEOUT);
    cr_expect_eq(semaphore_count(objs[0]), 3, "a timed-out wait-all must not take units");
    cr_expect_eq(WaitForSingleObject(objs[1], 0), WAIT_OBJECT_0,
                 "a timed-out wait-all must not consume the auto-reset event");
    for (int i = 0; i < 3; i++)
        CloseHandle(objs[i]);
}

Test(wait_all, mutex_from_another_process, .timeout = 30)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL); /* we own it */
    HANDLE go = new_event(TRUE, FALSE);
    HANDLE objs[2] = {m, go};
    cr_assert_not_null(m);
    struct blocked_wait b;
    start_blocked_wait(&b, objs, 2, TRUE);
    SetEvent(go);
    cr_expect_eq(blocked_wait_result(&b, WST_QUIET_MS), -1,
                 "the child's wait-all must block while we own the mutex");
    ReleaseMutex(m);
    cr_expect_eq(blocked_wait_result(&b, WST_LONG_MS), (int)WAIT_OBJECT_0,
                 "releasing the mutex must complete the child's wait-all");
    finish_blocked_wait(&b);
    cr_expect_eq(WaitForSingleObject(m, WST_LONG_MS), WAIT_ABANDONED,
                 "the child exited owning the mutex it got from the wait-all");
    ReleaseMutex(m);
    CloseHandle(m);
    CloseHandle(go);
}

Test(wait_any, semaphores_release_exactly_one_waiter_each, .timeout = 30)
{
    HANDLE sems[2] = {new_semaphore(0), new_semaphore(0)};
    struct blocked_wait b;
    start_blocked_wait(&b, sems, 2, FALSE);
    ReleaseSemaphore(sems[1], 2, NULL);
    cr_expect_eq(blocked_wait_result(&b, WST_LONG_MS), (int)(WAIT_OBJECT_0 + 1));
    cr_expect_eq(semaphore_count(sems[1]), 1, "the waiter must take one unit, not all");
    cr_expect_eq(semaphore_count(sems[0]), 0);
    finish_blocked_wait(&b);
    CloseHandle(sems[0]);
    CloseHandle(sems[1]);
}
