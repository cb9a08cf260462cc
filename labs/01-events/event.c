/*
 * event.c - Lab 01: event objects.
 *
 * An event is the simplest dispatcher object: its whole state is one bit in the
 * dispatcher header (signal_state 0 or 1) and one flag saying what a satisfied wait
 * does to it. A manual-reset (notification) event stays signalled until ResetEvent;
 * an auto-reset (synchronization) event is reset by the wait it satisfies, so it
 * releases exactly one waiter per SetEvent.
 *
 * Every function runs with the dispatcher lock held (see runtime/kernel.h).
 */
#include "kernel.h"

void event_initialize(struct ws_object *event, bool manual_reset, bool initial_state)
{
    /* TODO(step 1): Record whether the event is manual-reset, and set its initial
     * state in the dispatcher header. See README.md, "Step 1: Initial state and the
     * signalled test". */
    ws_not_implemented(__func__);
    (void)event, (void)manual_reset, (void)initial_state;
}

bool event_is_signaled(const struct ws_object *event, const struct ws_thread *waiter)
{
    (void)waiter; /* an event is signalled for every waiter alike */
    /* TODO(step 1): Say whether the event is signalled, without changing it.
     * See README.md, "Step 1: Initial state and the signalled test". */
    ws_not_implemented(__func__);
    (void)event;
    return false;
}

void event_satisfy(struct ws_object *event, struct ws_thread *waiter)
{
    (void)waiter;
    /* TODO(step 2): A wait on this event succeeded. An auto-reset event is consumed
     * by it; a manual-reset event is not. See README.md, "Step 2: Satisfying a wait". */
    ws_not_implemented(__func__);
    (void)event;
}

LONG event_set(struct ws_object *event)
{
    /* TODO(step 3): Signal the event, then run the wait test so that waiters are
     * released, and return the previous state. See README.md, "Step 3: SetEvent". */
    ws_not_implemented(__func__);
    (void)event;
    return 0;
}

LONG event_reset(struct ws_object *event)
{
    /* TODO(step 4): Make the event non-signalled and return the previous state.
     * See README.md, "Step 4: ResetEvent". */
    ws_not_implemented(__func__);
    (void)event;
    return 0;
}

LONG event_pulse(struct ws_object *event)
{
    /* TODO(step 5): Release the threads waiting at this instant (one for auto-reset,
     * all for manual-reset) and leave the event reset, all under the lock you are
     * already holding. Return the previous state. See README.md, "Step 5: PulseEvent". */
    ws_not_implemented(__func__);
    (void)event;
    return 0;
}
