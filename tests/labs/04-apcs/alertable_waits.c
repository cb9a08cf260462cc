/*
 * alertable_waits.c - lab 04 public tests: which waits run pending APCs, and how.
 */
#include "apc_helpers.h"

Test(apcs, apcs_never_run_in_non_alertable_waits, .timeout = APC_TEST_TIMEOUT)
{
    HANDLE unset = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE set = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE other = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert(unset && set && other);
    queue_apcs(this_thread(), 1, 2);

    cr_assert_eq(WaitForSingleObject(unset, 20), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObjectEx(unset, 20, FALSE), WAIT_TIMEOUT);
    cr_assert_eq(WaitForMultipleObjectsEx(1, &unset, FALSE, 20, FALSE), WAIT_TIMEOUT);
    cr_assert_eq(WaitForMultipleObjects(1, &unset, TRUE, 20), WAIT_TIMEOUT);
    cr_assert_eq(SleepEx(20, FALSE), 0);
    Sleep(0);
    cr_assert_eq(WaitForSingleObject(set, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(SignalObjectAndWait(other, unset, 20, FALSE), WAIT_TIMEOUT);
    cr_assert_eq(apcs_run(), 0, "an APC ran in a non-alertable wait");

    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION,
                 "the APCs were still pending: the first alertable wait must run them");
    expect_log_fifo(1, 2, GetCurrentThreadId());
    CloseHandle(unset);
    CloseHandle(set);
    CloseHandle(other);
}

Test(apcs, sleepex_runs_every_pending_apc_oldest_first, .timeout = APC_TEST_TIMEOUT)
{
    queue_apcs(this_thread(), 100, 5);
    DWORD result = SleepEx(WST_LONG_MS, TRUE);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "SleepEx(.., TRUE) with APCs pending returned 0x%x, expected "
                 "WAIT_IO_COMPLETION (0xc0)",
                 (unsigned)result);
    expect_log_fifo(100, 5, GetCurrentThreadId());
}

Test(apcs, wait_for_single_object_ex_runs_pending_apcs, .timeout = APC_TEST_TIMEOUT)
{
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event);
    queue_apcs(this_thread(), 10, 3);

    DWORD result = WaitForSingleObjectEx(event, WST_LONG_MS, TRUE);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "WaitForSingleObjectEx(.., TRUE) with APCs pending returned 0x%x, expected "
                 "WAIT_IO_COMPLETION (0xc0)",
                 (unsigned)result);
    expect_log_fifo(10, 3, GetCurrentThreadId());
    cr_assert_eq(WaitForSingleObject(event, 0), WAIT_TIMEOUT,
                 "the interrupted wait must not have changed the event");
    CloseHandle(event);
}
