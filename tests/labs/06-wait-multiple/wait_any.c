/* Lab 06, step 1: wait-any reports and satisfies the lowest signalled index only. */
#include "wait_helpers.h"

Test(wait_any, lowest_index_wins, .timeout = 20)
{
    HANDLE e[3] = {new_event(FALSE, FALSE), new_event(FALSE, TRUE), new_event(FALSE, TRUE)};
    cr_expect_eq(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_OBJECT_0 + 1,
                 "with objects 1 and 2 signalled, wait-any must report index 1");
    cr_expect_eq(WaitForSingleObject(e[1], 0), WAIT_TIMEOUT,
                 "the auto-reset event at index 1 must have been consumed");
    cr_expect_eq(WaitForSingleObject(e[2], 0), WAIT_OBJECT_0,
                 "the event at index 2 must NOT have been consumed by the wait-any");
    for (int i = 0; i < 3; i++)
        CloseHandle(e[i]);
}

Test(wait_any, single_object_waits, .timeout = 20)
{
    HANDLE sem = new_semaphore(2);
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    cr_expect_eq(WaitForSingleObject(sem, 0), WAIT_TIMEOUT,
                 "a semaphore at zero must not satisfy a wait");
    CloseHandle(sem);
}

Test(wait_any, blocked_waiter_gets_the_signalled_index, .timeout = 30)
{
    HANDLE e[3] = {new_event(FALSE, FALSE), new_event(FALSE, FALSE), new_event(FALSE, FALSE)};
    struct blocked_wait b;
    start_blocked_wait(&b, e, 3, FALSE);
    cr_expect_eq(blocked_wait_result(&b, WST_QUIET_MS), -1,
                 "a wait-any with nothing signalled must block");
    SetEvent(e[2]);
    cr_expect_eq(blocked_wait_result(&b, WST_LONG_MS), (int)(WAIT_OBJECT_0 + 2),
                 "the waiter must be released with the index of the object signalled");
    cr_expect_eq(WaitForSingleObject(e[2], 0), WAIT_TIMEOUT,
                 "the released waiter must have consumed the auto-reset event");
    finish_blocked_wait(&b);
    for (int i = 0; i < 3; i++)
        CloseHandle(e[i]);
}

Test(wait_any, abandoned_mutex_reports_its_index, .timeout = 20)
{
    HANDLE objs[3] = {new_event(TRUE, FALSE), new_semaphore(0), new_abandoned_mutex()};
    cr_expect_eq(WaitForMultipleObjects(3, objs, FALSE, 0), WAIT_ABANDONED_0 + 2,
                 "an abandoned mutex at index 2 must give WAIT_ABANDONED_0 + 2");
    cr_expect(ReleaseMutex(objs[2]), "the waiter must own the abandoned mutex it acquired");
    cr_expect_eq(WaitForMultipleObjects(3, objs, FALSE, 0), WAIT_OBJECT_0 + 2,
                 "the abandoned flag must be reported once only");
    ReleaseMutex(objs[2]);
    for (int i = 0; i < 3; i++)
        CloseHandle(objs[i]);
}
