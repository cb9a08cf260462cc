/* Lab 01, steps 3-4: SetEvent and ResetEvent, with waiters in other processes. */
#include "event_waiters.h"

Test(events, auto_reset_releases_exactly_one, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = 1, .report = &report};
    pid_t pids[3];
    start_waiters(&w, 3, pids);
    cr_assert_eq(count_wakes(&report, 0), 0, "a non-signalled event released a waiter");

    for (int round = 1; round <= 3; round++) {
        cr_assert(SetEvent(event), "SetEvent failed: %u", GetLastError());
        cr_assert_eq(count_wakes(&report, 1), 1,
                     "SetEvent #%d on an auto-reset event with waiters must release exactly one",
                     round);
        cr_assert_not(try_wait(event),
                      "SetEvent #%d: releasing a waiter must leave the auto-reset event reset",
                      round);
    }
    reap_all(pids, 3);
    wst_pipe_close(&report);
}

Test(events, auto_reset_stays_set_without_waiters, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());

    cr_assert(SetEvent(event), "SetEvent failed: %u", GetLastError());
    cr_assert(SetEvent(event), "SetEvent failed: %u", GetLastError());
    cr_assert(try_wait(event), "with no waiter, SetEvent must leave an auto-reset event signalled");
    cr_assert_not(try_wait(event), "an auto-reset event is not a counter: two SetEvent calls "
                                   "must satisfy only one wait");

    /* A waiter that arrives after SetEvent gets through at once. */
    cr_assert(SetEvent(event));
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = 1, .report = &report};
    pid_t pid = wst_spawn(waiter_main, &w);
    cr_assert_gt(pid, 0);
    cr_assert_eq(count_wakes(&report, 1), 1, "a waiter arriving after SetEvent was not released");
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0);
    cr_assert_not(try_wait(event), "the late waiter must have consumed the auto-reset event");
    wst_pipe_close(&report);
}

Test(events, manual_reset_releases_all_and_stays_set, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = 1, .report = &report};
    pid_t pids[4];
    start_waiters(&w, 4, pids);
    cr_assert_eq(count_wakes(&report, 0), 0, "a non-signalled event released a waiter");

    cr_assert(SetEvent(event), "SetEvent failed: %u", GetLastError());
    cr_assert_eq(count_wakes(&report, 4), 4,
                 "SetEvent on a manual-reset event must release every waiter");
    reap_all(pids, 4);
    cr_assert(try_wait(event), "a manual-reset event must stay signalled after SetEvent");
    cr_assert(try_wait(event), "waits must not reset a manual-reset event");

    /* Waiters arriving while it is set go straight through. */
    pid_t late[2];
    start_waiters(&w, 2, late);
    cr_assert_eq(count_wakes(&report, 2), 2, "a set manual-reset event blocked a new waiter");
    reap_all(late, 2);
    wst_pipe_close(&report);
}

Test(events, reset_event_blocks_new_waiters, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE manual = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE autoev = CreateEventA(NULL, FALSE, TRUE, NULL);
    cr_assert(manual && autoev, "CreateEventA failed: %u", GetLastError());

    cr_assert(ResetEvent(manual), "ResetEvent failed: %u", GetLastError());
    cr_assert_not(try_wait(manual), "ResetEvent must leave a manual-reset event non-signalled");
    cr_assert(ResetEvent(manual), "ResetEvent on a reset event must succeed too");
    cr_assert_not(try_wait(manual), "ResetEvent twice must leave the event non-signalled");
    cr_assert(ResetEvent(autoev), "ResetEvent failed: %u", GetLastError());
    cr_assert_not(try_wait(autoev), "ResetEvent must leave an auto-reset event non-signalled");

    struct waiter w = {
        .ready = new_ready_semaphore(), .event = manual, .rounds = 1, .report = &report};
    pid_t pid;
    start_waiters(&w, 1, &pid);
    cr_assert_eq(count_wakes(&report, 0), 0, "a waiter got through a reset event");
    cr_assert(SetEvent(manual));
    cr_assert_eq(count_wakes(&report, 1), 1, "SetEvent did not release the waiter");
    reap_all(&pid, 1);
    wst_pipe_close(&report);
}
