/*
 * waits_hidden.c - lab 04 hidden tests: every alertable wait, pending and blocked.
 */
#include "../apc_helpers.h"

Test(apcs, wait_for_multiple_any_runs_pending_apcs, .timeout = APC_TEST_TIMEOUT)
{
    struct wait_objects o;
    wait_objects_create(&o);
    queue_apcs(this_thread(), 20, 4);

    DWORD result = wait_of_kind(KIND_MULTIPLE_ANY_EX, &o, WST_LONG_MS);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "WaitForMultipleObjectsEx(any, alertable) with APCs pending returned 0x%x",
                 (unsigned)result);
    expect_log_fifo(20, 4, GetCurrentThreadId());
    wait_objects_close(&o);
}

Test(apcs, wait_for_multiple_all_runs_pending_apcs_and_consumes_nothing,
     .timeout = APC_TEST_TIMEOUT)
{
    struct wait_objects o;
    wait_objects_create(&o);
    SetEvent(o.events[0]); /* one of the two is signalled: wait-all still cannot be satisfied */
    queue_apcs(this_thread(), 30, 3);

    DWORD result = wait_of_kind(KIND_MULTIPLE_ALL_EX, &o, WST_LONG_MS);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "WaitForMultipleObjectsEx(all, alertable) with APCs pending returned 0x%x",
                 (unsigned)result);
    expect_log_fifo(30, 3, GetCurrentThreadId());
    cr_assert_eq(WaitForSingleObject(o.events[0], 0), WAIT_OBJECT_0,
                 "the wait-all that returned WAIT_IO_COMPLETION consumed the signalled event");
    wait_objects_close(&o);
}

Test(apcs, signal_object_and_wait_runs_pending_apcs, .timeout = APC_TEST_TIMEOUT)
{
    struct wait_objects o;
    wait_objects_create(&o);
    queue_apcs(this_thread(), 40, 2);

    DWORD result = wait_of_kind(KIND_SIGNAL_AND_WAIT, &o, WST_LONG_MS);
    cr_assert_eq(result, WAIT_IO_COMPLETION,
                 "SignalObjectAndWait(.., TRUE) with APCs pending returned 0x%x", (unsigned)result);
    expect_log_fifo(40, 2, GetCurrentThreadId());
    cr_assert_eq(WaitForSingleObject(o.to_signal, 0), WAIT_OBJECT_0,
                 "SignalObjectAndWait must still have signalled its first object");
    cr_assert_eq(WaitForSingleObject(o.events[0], 0), WAIT_TIMEOUT);
    wait_objects_close(&o);
}

Test(apcs, every_alertable_wait_is_interrupted_by_a_new_apc, .timeout = 60)
{
    const enum wait_kind kinds[] = {KIND_SLEEP_EX, KIND_MULTIPLE_ANY_EX, KIND_MULTIPLE_ALL_EX,
                                    KIND_SIGNAL_AND_WAIT};
    ULONG_PTR value = 50;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++, value++) {
        struct waiter w;
        apc_log.count = 0;
        waiter_start(&w, kinds[k]);
        expect_still_waiting(&w, "before any APC was queued");
        queue_apcs(w.thread, value, 1);
        expect_wait_ended(&w, "when an APC was queued to the blocked thread");
        cr_assert_eq(w.result, WAIT_IO_COMPLETION, "%s interrupted by an APC returned 0x%x",
                     wait_kind_name(kinds[k]), (unsigned)w.result);
        cr_assert_eq(w.apcs_seen, 1, "%s: the APC must have run before the wait returned",
                     wait_kind_name(kinds[k]));
        expect_log_fifo(value, 1, w.tid);
        waiter_close(&w);
    }
}

Test(apcs, blocked_non_alertable_wait_is_not_interrupted, .timeout = APC_TEST_TIMEOUT)
{
    struct waiter w;
    waiter_start(&w, KIND_SINGLE_NOT_ALERTABLE);
    queue_apcs(w.thread, 60, 1);
    expect_still_waiting(&w, "after an APC was queued: a non-alertable wait ignores APCs");
    cr_assert_eq(apcs_run(), 0, "the APC ran while its thread was in a non-alertable wait");

    SetEvent(w.objects.events[0]);
    expect_wait_ended(&w, "when its event was set");
    cr_assert_eq(w.result, WAIT_OBJECT_0, "the non-alertable wait returned 0x%x",
                 (unsigned)w.result);
    cr_assert_eq(w.apcs_seen, 0, "the APC ran in a non-alertable wait");
    waiter_close(&w);
}
