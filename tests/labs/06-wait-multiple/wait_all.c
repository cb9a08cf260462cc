/* Lab 06, step 2: wait-all changes nothing until every object is signalled at once. */
#include "wait_helpers.h"

Test(wait_all, nothing_changes_until_all_signalled, .timeout = 20)
{
    HANDLE objs[3] = {new_event(FALSE, TRUE), new_semaphore(1), new_semaphore(0)};
    cr_expect_eq(WaitForMultipleObjects(3, objs, TRUE, 0), WAIT_TIMEOUT,
                 "wait-all must time out while one object is not signalled");
    cr_expect_eq(WaitForSingleObject(objs[0], 0), WAIT_OBJECT_0,
                 "a wait-all that did not complete must not consume the auto-reset event");
    cr_expect_eq(semaphore_count(objs[1]), 1,
                 "a wait-all that did not complete must not take a semaphore unit");
    for (int i = 0; i < 3; i++)
        CloseHandle(objs[i]);
}

Test(wait_all, satisfies_every_object_at_once, .timeout = 20)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    HANDLE objs[3] = {new_event(FALSE, TRUE), new_semaphore(2), m};
    cr_assert_not_null(m);
    cr_expect_eq(WaitForMultipleObjects(3, objs, TRUE, 0), WAIT_OBJECT_0,
                 "wait-all must succeed when every object is signalled");
    cr_expect_eq(WaitForSingleObject(objs[0], 0), WAIT_TIMEOUT,
                 "wait-all must consume the auto-reset event");
    cr_expect_eq(semaphore_count(objs[1]), 1, "wait-all must take exactly one unit");
    cr_expect(ReleaseMutex(m), "wait-all must have acquired the mutex");
    for (int i = 0; i < 3; i++)
        CloseHandle(objs[i]);
}

Test(wait_all, blocked_until_the_last_object, .timeout = 30)
{
    HANDLE e[2] = {new_event(FALSE, FALSE), new_event(FALSE, FALSE)};
    struct blocked_wait b;
    start_blocked_wait(&b, e, 2, TRUE);
    SetEvent(e[0]);
    cr_expect_eq(blocked_wait_result(&b, WST_QUIET_MS), -1,
                 "a wait-all must stay blocked while one object is not signalled");
    cr_expect_eq(WaitForSingleObject(e[0], 0), WAIT_OBJECT_0,
                 "a blocked wait-all must not have consumed the event that was signalled");
    SetEvent(e[0]);
    SetEvent(e[1]);
    cr_expect_eq(blocked_wait_result(&b, WST_LONG_MS), (int)WAIT_OBJECT_0,
                 "the wait-all must complete once both events are signalled");
    cr_expect_eq(WaitForSingleObject(e[0], 0), WAIT_TIMEOUT, "both events must be consumed");
    cr_expect_eq(WaitForSingleObject(e[1], 0), WAIT_TIMEOUT, "both events must be consumed");
    finish_blocked_wait(&b);
    CloseHandle(e[0]);
    CloseHandle(e[1]);
}
