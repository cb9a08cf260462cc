/*
 * Lab 01, steps 3-5: the previous state returned by event_set, event_reset and
 * event_pulse (the NT-level calls; SetEvent and friends only return TRUE or FALSE).
 *
 * These tests call the slot functions directly, under the dispatcher lock as the runtime
 * does, on a private event that is in no object table and has no waiters.
 */
#include <string.h>

#include "event_waiters.h"
#include "kernel.h"

/* Values observed under the lock, asserted after it is released. */
struct observed {
    LONG previous[4];
    bool signaled[4];
};

static void attach_runtime(void)
{
    HANDLE h = CreateEventA(NULL, FALSE, FALSE, NULL); /* maps the segment */
    cr_assert_not_null(h, "CreateEventA failed: %u", GetLastError());
    CloseHandle(h);
}

static void private_event(struct ws_object *event, bool manual_reset, bool initial_state)
{
    memset(event, 0, sizeof *event);
    event->header.type = WS_TYPE_EVENT;
    event->header.wait_list.head = WS_NONE;
    event->header.wait_list.tail = WS_NONE;
    event->index = WS_NONE;
    event->refs = 1; /* ws_dispatch_signal takes and drops a reference: never let it free */
    event_initialize(event, manual_reset, initial_state);
}

Test(events, set_returns_previous_state, .timeout = 20)
{
    attach_runtime();
    struct observed seen[2];
    for (int manual = 0; manual < 2; manual++) {
        struct ws_object event;
        ws_dispatcher_lock();
        private_event(&event, manual, false);
        seen[manual].previous[0] = event_set(&event);
        seen[manual].signaled[0] = event_is_signaled(&event, NULL);
        seen[manual].previous[1] = event_set(&event);
        seen[manual].signaled[1] = event_is_signaled(&event, NULL);
        ws_dispatcher_unlock();
    }
    for (int manual = 0; manual < 2; manual++) {
        const char *kind = manual ? "manual-reset" : "auto-reset";
        cr_expect_eq(seen[manual].previous[0], 0,
                     "event_set on a reset %s event returned %d, not 0", kind,
                     seen[manual].previous[0]);
        cr_expect(seen[manual].signaled[0], "event_set left a %s event without waiters reset",
                  kind);
        cr_expect_eq(seen[manual].previous[1], 1, "event_set on a set %s event returned %d, not 1",
                     kind, seen[manual].previous[1]);
        cr_expect(seen[manual].signaled[1], "a second event_set reset the %s event", kind);
    }
}

Test(events, reset_returns_previous_state, .timeout = 20)
{
    attach_runtime();
    struct observed seen[2];
    for (int manual = 0; manual < 2; manual++) {
        struct ws_object event;
        ws_dispatcher_lock();
        private_event(&event, manual, true);
        seen[manual].previous[0] = event_reset(&event);
        seen[manual].signaled[0] = event_is_signaled(&event, NULL);
        seen[manual].previous[1] = event_reset(&event);
        seen[manual].signaled[1] = event_is_signaled(&event, NULL);
        ws_dispatcher_unlock();
    }
    for (int manual = 0; manual < 2; manual++) {
        const char *kind = manual ? "manual-reset" : "auto-reset";
        cr_expect_eq(seen[manual].previous[0], 1,
                     "event_reset on a set %s event returned %d, not 1", kind,
                     seen[manual].previous[0]);
        cr_expect_not(seen[manual].signaled[0], "event_reset left the %s event signalled", kind);
        cr_expect_eq(seen[manual].previous[1], 0,
                     "event_reset on a reset %s event returned %d, not 0", kind,
                     seen[manual].previous[1]);
        cr_expect_not(seen[manual].signaled[1], "a second event_reset set the %s event", kind);
    }
}

Test(events, pulse_returns_previous_state, .timeout = 20)
{
    attach_runtime();
    struct observed seen[2];
    for (int manual = 0; manual < 2; manual++) {
        struct ws_object event;
        ws_dispatcher_lock();
        private_event(&event, manual, false);
        seen[manual].previous[0] = event_pulse(&event);
        seen[manual].signaled[0] = event_is_signaled(&event, NULL);
        event_set(&event);
        seen[manual].previous[1] = event_pulse(&event);
        seen[manual].signaled[1] = event_is_signaled(&event, NULL);
        ws_dispatcher_unlock();
    }
    for (int manual = 0; manual < 2; manual++) {
        const char *kind = manual ? "manual-reset" : "auto-reset";
        cr_expect_eq(seen[manual].previous[0], 0,
                     "event_pulse on a reset %s event returned %d, not 0", kind,
                     seen[manual].previous[0]);
        cr_expect_not(seen[manual].signaled[0], "event_pulse left a %s event signalled", kind);
        cr_expect_eq(seen[manual].previous[1], 1,
                     "event_pulse on a set %s event returned %d, not 1", kind,
                     seen[manual].previous[1]);
        cr_expect_not(seen[manual].signaled[1], "event_pulse left a set %s event signalled", kind);
    }
}

Test(events, set_on_a_set_event_leaves_it_at_one, .timeout = 20)
{
    /* An event is not a counter: however many times event_set runs with nobody waiting,
     * the state stays 1, so every later call reports 1 as the previous state. */
    attach_runtime();
    struct observed seen[2];
    for (int manual = 0; manual < 2; manual++) {
        struct ws_object event;
        ws_dispatcher_lock();
        private_event(&event, manual, false);
        event_set(&event);
        event_set(&event);
        seen[manual].previous[0] = event_set(&event);
        seen[manual].previous[1] = event_reset(&event);
        seen[manual].signaled[1] = event_is_signaled(&event, NULL);
        event_set(&event);
        event_set(&event);
        seen[manual].previous[2] = event_pulse(&event);
        seen[manual].signaled[2] = event_is_signaled(&event, NULL);
        ws_dispatcher_unlock();
    }
    for (int manual = 0; manual < 2; manual++) {
        const char *kind = manual ? "manual-reset" : "auto-reset";
        cr_expect_eq(seen[manual].previous[0], 1,
                     "the third event_set on a %s event without waiters returned %d, not 1: "
                     "SetEvent on a set event leaves its state at 1",
                     kind, seen[manual].previous[0]);
        cr_expect_eq(seen[manual].previous[1], 1,
                     "event_reset after three event_set calls on a %s event returned %d, not 1",
                     kind, seen[manual].previous[1]);
        cr_expect_not(seen[manual].signaled[1], "event_reset left the %s event signalled", kind);
        cr_expect_eq(seen[manual].previous[2], 1,
                     "event_pulse after two event_set calls on a %s event returned %d, not 1", kind,
                     seen[manual].previous[2]);
        cr_expect_not(seen[manual].signaled[2], "event_pulse left the %s event signalled", kind);
    }
}

Test(events, wait_leaves_an_auto_reset_event_at_zero, .timeout = 20)
{
    /* A satisfied wait resets an auto-reset event to 0, not below: the next event_set and
     * event_reset report 0 as the previous state. */
    attach_runtime();
    struct observed seen;
    struct ws_object event;
    ws_dispatcher_lock();
    private_event(&event, false, true);
    event_satisfy(&event, NULL);
    seen.signaled[0] = event_is_signaled(&event, NULL);
    seen.previous[0] = event_set(&event);
    event_satisfy(&event, NULL);
    seen.previous[1] = event_reset(&event);
    ws_dispatcher_unlock();
    cr_expect_not(seen.signaled[0], "a satisfied wait left the auto-reset event signalled");
    cr_expect_eq(seen.previous[0], 0,
                 "event_set after a wait consumed the auto-reset event returned %d, not 0",
                 seen.previous[0]);
    cr_expect_eq(seen.previous[1], 0,
                 "event_reset after a wait consumed the auto-reset event returned %d, not 0",
                 seen.previous[1]);
}

Test(events, pulse_leaves_the_event_at_zero, .timeout = 20)
{
    /* PulseEvent leaves the event reset, at 0: the next event_set reports 0. */
    attach_runtime();
    struct observed seen[2];
    for (int manual = 0; manual < 2; manual++) {
        struct ws_object event;
        ws_dispatcher_lock();
        private_event(&event, manual, true);
        event_pulse(&event);
        seen[manual].previous[0] = event_set(&event);
        event_pulse(&event);
        seen[manual].previous[1] = event_reset(&event);
        ws_dispatcher_unlock();
    }
    for (int manual = 0; manual < 2; manual++) {
        const char *kind = manual ? "manual-reset" : "auto-reset";
        cr_expect_eq(seen[manual].previous[0], 0,
                     "event_set after event_pulse on a %s event returned %d, not 0", kind,
                     seen[manual].previous[0]);
        cr_expect_eq(seen[manual].previous[1], 0,
                     "event_reset after event_pulse on a %s event returned %d, not 0", kind,
                     seen[manual].previous[1]);
    }
}
