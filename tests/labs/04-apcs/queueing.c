/*
 * queueing.c - lab 04 public tests: what QueueUserAPC does, and does not do, at once.
 */
#include "apc_helpers.h"

Test(apcs, apcs_never_run_at_queue_time, .timeout = APC_TEST_TIMEOUT)
{
    queue_apcs(this_thread(), 1, 3);
    cr_assert_eq(apcs_run(), 0, "an APC ran inside QueueUserAPC: it must only be queued");

    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION,
                 "SleepEx(0, TRUE) with APCs pending must run them and return "
                 "WAIT_IO_COMPLETION");
    expect_log_fifo(1, 3, GetCurrentThreadId());
}

static DWORD WINAPI return_at_once(LPVOID param)
{
    (void)param;
    return 0;
}

Test(apcs, queue_to_an_ended_thread_fails, .timeout = APC_TEST_TIMEOUT)
{
    HANDLE thread = CreateThread(NULL, 0, return_at_once, NULL, 0, NULL);
    cr_assert_not_null(thread);
    cr_assert_eq(WaitForSingleObject(thread, WST_LONG_MS), WAIT_OBJECT_0);

    SetLastError(ERROR_SUCCESS);
    cr_assert_eq(QueueUserAPC(record_apc, thread, 7), 0,
                 "QueueUserAPC to a thread that has ended must fail");
    cr_assert_eq(GetLastError(), ERROR_GEN_FAILURE,
                 "QueueUserAPC to an ended thread: error %u, expected ERROR_GEN_FAILURE (31)",
                 (unsigned)GetLastError());
    cr_assert_eq(SleepEx(0, TRUE), 0, "no APC is pending for this thread");
    cr_assert_eq(apcs_run(), 0, "the APC for the ended thread ran somewhere");
    CloseHandle(thread);
}

Test(apcs, sleepex_returns_zero_when_no_apc_ran, .timeout = APC_TEST_TIMEOUT)
{
    cr_assert_eq(SleepEx(0, TRUE), 0, "SleepEx(0, TRUE) with no APC pending must return 0");
    cr_assert_eq(SleepEx(20, TRUE), 0,
                 "SleepEx(20, TRUE) that times out with no APC must return 0");

    /* Once the queue has been emptied, an alertable wait is a normal wait again. */
    queue_apcs(this_thread(), 5, 1);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION, "one APC was pending");
    cr_assert_eq(SleepEx(0, TRUE), 0, "the APC already ran: nothing is pending any more");
    cr_assert_eq(SleepEx(20, TRUE), 0);
    expect_log_fifo(5, 1, GetCurrentThreadId());
}
