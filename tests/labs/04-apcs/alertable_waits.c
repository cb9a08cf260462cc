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

/* Set just before the alertable wait: an APC run anywhere else (inside QueueUserAPC, say)
 * records itself but queues nothing, so a broken lab cannot deadlock in it. */
static bool chain_armed;
static int chain_queue_failures;

/* APC: records its value and, for values 1 and 2, queues the next one to its own thread. */
static void CALLBACK record_and_queue_next(ULONG_PTR value)
{
    record_apc(value);
    if (value < 3 && __atomic_load_n(&chain_armed, __ATOMIC_SEQ_CST) &&
        QueueUserAPC(record_and_queue_next, this_thread(), value + 1) == 0)
        __atomic_add_fetch(&chain_queue_failures, 1, __ATOMIC_SEQ_CST);
}

Test(apcs, apc_queued_by_an_apc_runs_in_the_same_wait, .timeout = APC_TEST_TIMEOUT)
{
    cr_assert_neq(QueueUserAPC(record_and_queue_next, this_thread(), 1), 0,
                  "QueueUserAPC failed (error %u)", (unsigned)GetLastError());
    cr_assert_neq(QueueUserAPC(record_apc, this_thread(), 10), 0, "QueueUserAPC failed (error %u)",
                  (unsigned)GetLastError());
    cr_assert_eq(apcs_run(), 0, "an APC ran inside QueueUserAPC: it must only be queued");

    __atomic_store_n(&chain_armed, true, __ATOMIC_SEQ_CST);
    DWORD result = SleepEx(0, TRUE);
    __atomic_store_n(&chain_armed, false, __ATOMIC_SEQ_CST);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "SleepEx(0, TRUE) with APCs pending returned 0x%x, expected "
                 "WAIT_IO_COMPLETION (0xc0)",
                 (unsigned)result);
    cr_assert_eq(chain_queue_failures, 0, "QueueUserAPC from inside an APC failed");
    /* Queued first: 1, then 10. 1 queues 2 (behind 10), and 2 queues 3. */
    int ran = apcs_run();
    cr_assert_eq(ran, 4,
                 "%d APC(s) ran in the wait, expected 4: APCs queued while the queue is "
                 "delivered (here by an APC) must run in the same wait, until the queue is empty",
                 ran);
    static const ULONG_PTR order[4] = {1, 10, 2, 3};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(apc_log.values[i], order[i],
                     "APC number %d to run had value %lu, expected %lu (1 and 10 were queued "
                     "first; 1 queued 2, 2 queued 3)",
                     i + 1, (unsigned long)apc_log.values[i], (unsigned long)order[i]);
    cr_assert_eq(SleepEx(0, TRUE), 0, "the queue must be empty after the wait that delivered it");
}
