/* Lab 01 (hidden): PulseEvent under contention. Waiters in several processes wait again
 * as soon as they are released; no pulse may lose a wake-up nor leave the event set. */
#include "../event_waiters.h"

#define WAITERS 3
#define ROUNDS 40

Test(events, pulse_manual_contention_no_lost_wakeup, .timeout = 60)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = ROUNDS, .report = &report};
    pid_t pids[WAITERS];
    start_waiters(&w, WAITERS, pids);

    for (int round = 1; round <= ROUNDS; round++) {
        if (round > 1)
            await_waiting(w.ready, WAITERS);
        cr_assert(PulseEvent(event), "PulseEvent failed: %u", GetLastError());
        expect_wakes(&report, WAITERS, "a manual-reset PulseEvent under contention");
        cr_assert_not(try_wait(event), "round %d: PulseEvent left the event set", round);
    }
    reap_all(pids, WAITERS);
    wst_pipe_close(&report);
}

/* Pulses an auto-reset event while released waiters are already coming back: each pulse
 * is issued only when at least one wait is known to be blocked, so each must release one. */
Test(events, pulse_auto_contention_no_lost_wakeup, .timeout = 60)
{
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct waiter w = {
        .ready = new_ready_semaphore(), .event = event, .rounds = ROUNDS, .report = &report};
    pid_t pids[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
        pids[i] = wst_spawn(waiter_main, &w);
        cr_assert_gt(pids[i], 0);
    }

    int blocked = 0; /* waits known to be on the event's wait list */
    for (int pulse = 1; pulse <= WAITERS * ROUNDS; pulse++) {
        if (blocked == 0) {
            await_waiting(w.ready, 1);
            blocked++;
        }
        while (WaitForSingleObject(w.ready, 0) == WAIT_OBJECT_0)
            blocked++;
        cr_assert(PulseEvent(event), "PulseEvent failed: %u", GetLastError());
        blocked--;
        expect_wakes(&report, 1, "an auto-reset PulseEvent with a waiter blocked");
    }
    reap_all(pids, WAITERS);
    cr_assert_eq(count_wakes(&report, 0), 0, "more wakes than pulses");
    cr_assert_not(try_wait(event), "PulseEvent left the event set");
    wst_pipe_close(&report);
}
