/*
 * interruption.c - lab 04 public test: an APC wakes a thread blocked in an alertable wait.
 */
#include "apc_helpers.h"

Test(apcs, apc_interrupts_a_blocked_alertable_wait, .timeout = APC_TEST_TIMEOUT)
{
    struct waiter w;
    waiter_start(&w, KIND_SINGLE_EX);
    expect_still_waiting(&w, "with nothing signalled and no APC queued");

    queue_apcs(w.thread, 42, 1);
    expect_wait_ended(&w, "when an APC was queued to the blocked thread");
    cr_assert_eq(w.result, WAIT_IO_COMPLETION,
                 "the wait interrupted by an APC returned 0x%x, expected WAIT_IO_COMPLETION",
                 (unsigned)w.result);
    cr_assert_eq(w.apcs_seen, 1, "the APC must have run before the wait returned");
    expect_log_fifo(42, 1, w.tid);
    cr_assert_eq(WaitForSingleObject(w.objects.events[0], 0), WAIT_TIMEOUT,
                 "the interrupted wait must not have changed the event");
    waiter_close(&w);
}
