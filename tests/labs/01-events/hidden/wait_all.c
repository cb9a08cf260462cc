/* Lab 01 (hidden): events inside WaitForMultipleObjects. */
#include "../event_waiters.h"

struct all_waiter {
    HANDLE objects[2];
    struct wst_pipe *report;
};

/* Reports 'r' when about to wait, then WOKEN, TIMED_OUT or WAIT_ERROR. */
static int wait_all_main(void *arg)
{
    struct all_waiter *w = arg;
    wst_send(w->report, 'r');
    DWORD r = WaitForMultipleObjects(2, w->objects, TRUE, WST_WAITER_MS);
    wst_send(w->report, r == WAIT_OBJECT_0 ? WOKEN : r == WAIT_TIMEOUT ? TIMED_OUT : WAIT_ERROR);
    return r == WAIT_OBJECT_0 ? 0 : 1;
}

Test(events, pulse_skips_unsatisfied_wait_all_waiter, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE pulsed = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE other = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert(pulsed && other, "CreateEventA failed: %u", GetLastError());
    struct all_waiter w = {.objects = {pulsed, other}, .report = &report};
    pid_t pid = wst_spawn(wait_all_main, &w);
    cr_assert_gt(pid, 0);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 'r');
    cr_assert_eq(count_wakes(&report, 0), 0, "a wait-all with nothing signalled returned");

    cr_assert(PulseEvent(pulsed), "PulseEvent failed: %u", GetLastError());
    cr_assert_eq(count_wakes(&report, 0), 0,
                 "a pulse released a wait-all waiter whose other "
                 "object was not signalled");
    cr_assert(SetEvent(other));
    cr_assert_eq(count_wakes(&report, 0), 0,
                 "the pulse left its event signalled: a later "
                 "SetEvent on the other object completed the wait-all");
    cr_assert(SetEvent(pulsed));
    cr_assert_eq(count_wakes(&report, 1), 1, "both objects signalled: the wait-all must return");
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0);
    cr_assert_not(try_wait(other), "the wait-all must have consumed the auto-reset event");
    cr_assert(try_wait(pulsed), "the wait-all must not have reset the manual-reset event");
    wst_pipe_close(&report);
}

Test(events, waits_consume_auto_reset_events_only, .timeout = 20)
{
    HANDLE manual = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE autoev = CreateEventA(NULL, FALSE, TRUE, NULL);
    cr_assert(manual && autoev, "CreateEventA failed: %u", GetLastError());
    HANDLE both[2] = {manual, autoev};

    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    cr_expect(try_wait(manual), "a wait-all reset the manual-reset event");
    cr_expect_not(try_wait(autoev), "a wait-all did not reset the auto-reset event");

    HANDLE reversed[2] = {autoev, manual};
    cr_assert(SetEvent(autoev));
    cr_assert_eq(WaitForMultipleObjects(2, reversed, FALSE, 0), WAIT_OBJECT_0,
                 "wait-any must pick the lowest signalled index");
    cr_expect_not(try_wait(autoev), "a wait-any did not reset the auto-reset event it took");
    cr_assert_eq(WaitForMultipleObjects(2, reversed, FALSE, 0), WAIT_OBJECT_0 + 1);
    cr_expect(try_wait(manual), "a wait-any reset the manual-reset event");
}
