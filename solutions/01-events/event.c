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
    /* BEGIN SOLUTION
     * TODO(step 1): Record whether the event is manual-reset, and set its initial
     * state in the dispatcher header. See README.md, "Step 1: Initial state and the
     * signalled test".
     * STUB: (void)event, (void)manual_reset, (void)initial_state;
     */
    event->u.event.manual_reset = manual_reset;
    event->header.signal_state = initial_state ? 1 : 0;
    /* END SOLUTION */
}

bool event_is_signaled(const struct ws_object *event, const struct ws_thread *waiter)
{
    (void)waiter; /* an event is signalled for every waiter alike */
    /* BEGIN SOLUTION
     * TODO(step 1): Say whether the event is signalled, without changing it.
     * See README.md, "Step 1: Initial state and the signalled test".
     * STUB: (void)event;
     * STUB: return false;
     */
    return event->header.signal_state > 0;
    /* END SOLUTION */
}

void event_satisfy(struct ws_object *event, struct ws_thread *waiter)
{
    (void)waiter;
    /* BEGIN SOLUTION
     * TODO(step 2): A wait on this event succeeded. An auto-reset event is consumed
     * by it; a manual-reset event is not. See README.md, "Step 2: Satisfying a wait".
     * STUB: (void)event;
     */
    if (!event->u.event.manual_reset)
        event->header.signal_state = 0;
    /* END SOLUTION */
}

LONG event_set(struct ws_object *event)
{
    /* BEGIN SOLUTION
     * TODO(step 3): Signal the event, then run the wait test so that waiters are
     * released, and return the previous state. See README.md, "Step 3: SetEvent".
     * STUB: (void)event;
     * STUB: return 0;
     */
    LONG previous = event->header.signal_state;
    event->header.signal_state = 1;
    ws_dispatch_signal(event);
    return previous;
    /* END SOLUTION */
}

LONG event_reset(struct ws_object *event)
{
    /* BEGIN SOLUTION
     * TODO(step 4): Make the event non-signalled and return the previous state.
     * See README.md, "Step 4: ResetEvent".
     * STUB: (void)event;
     * STUB: return 0;
     */
    LONG previous = event->header.signal_state;
    event->header.signal_state = 0;
    return previous;
    /* END SOLUTION */
}

LONG event_pulse(struct ws_object *event)
{
    /* BEGIN SOLUTION
     * TODO(step 5): Release the threads waiting at this instant (one for auto-reset,
     * all for manual-reset) and leave the event reset, all under the lock you are
     * already holding. Return the previous state. See README.md, "Step 5: PulseEvent".
     * STUB: (void)event;
     * STUB: return 0;
     */
    LONG previous = event->header.signal_state;
    event->header.signal_state = 1;
    ws_dispatch_signal(event); /* satisfies the current waiters on the spot */
    event->header.signal_state = 0;
    return previous;
    /* END SOLUTION */
}
