/* Lab 01, step 5: PulseEvent releases the current waiters and always leaves the event reset. */
#include "event_waiters.h"

Test(events, pulse_manual_releases_all_current_waiters, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = 1, .report = &report};
    pid_t pids[3];
    start_waiters(&w, 3, pids);

    cr_assert(PulseEvent(event), "PulseEvent failed: %u", GetLastError());
    cr_assert_eq(count_wakes(&report, 3), 3,
                 "PulseEvent on a manual-reset event must release every current waiter");
    reap_all(pids, 3);
    cr_assert_not(try_wait(event), "PulseEvent must leave the event reset");

    /* A waiter arriving after the pulse is not released by it. */
    pid_t late;
    start_waiters(&w, 1, &late);
    cr_assert_eq(count_wakes(&report, 0), 0, "a waiter arriving after PulseEvent got through");
    cr_assert(SetEvent(event));
    cr_assert_eq(count_wakes(&report, 1), 1);
    reap_all(&late, 1);
    wst_pipe_close(&report);
}

Test(events, pulse_auto_releases_one_current_waiter, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = 1, .report = &report};
    pid_t pids[3];
    start_waiters(&w, 3, pids);

    for (int round = 1; round <= 3; round++) {
        cr_assert(PulseEvent(event), "PulseEvent failed: %u", GetLastError());
        cr_assert_eq(count_wakes(&report, 1), 1,
                     "PulseEvent #%d on an auto-reset event must release exactly one waiter",
                     round);
        cr_assert_not(try_wait(event), "PulseEvent #%d must leave the event reset", round);
    }
    reap_all(pids, 3);
    wst_pipe_close(&report);
}

Test(events, pulse_without_waiters_leaves_event_reset, .timeout = 30)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE manual = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE autoev = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE clear = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert(manual && autoev && clear, "CreateEventA failed: %u", GetLastError());

    cr_assert(PulseEvent(manual), "PulseEvent failed: %u", GetLastError());
    cr_expect_not(try_wait(manual), "PulseEvent on a signalled manual-reset event must reset it");
    cr_assert(PulseEvent(autoev), "PulseEvent failed: %u", GetLastError());
    cr_expect_not(try_wait(autoev), "PulseEvent on a signalled auto-reset event must reset it");
    cr_assert(PulseEvent(clear), "PulseEvent failed: %u", GetLastError());
    cr_expect_not(try_wait(clear), "PulseEvent with no waiter must leave the event reset");

    /* The pulse is not remembered: the next waiter blocks. */
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = clear, .rounds = 1, .report = &report};
    pid_t pid;
    start_waiters(&w, 1, &pid);
    cr_assert_eq(count_wakes(&report, 0), 0, "a waiter arriving after PulseEvent got through");
    cr_assert(SetEvent(clear));
    cr_assert_eq(count_wakes(&report, 1), 1);
    reap_all(&pid, 1);
    wst_pipe_close(&report);
}
