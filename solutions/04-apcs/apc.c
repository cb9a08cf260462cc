/*
 * apc.c - Lab 04: user-mode asynchronous procedure calls (APCs).
 *
 * Each thread has a FIFO queue of user APCs. QueueUserAPC adds one; it runs only
 * when its thread enters an alertable wait (SleepEx, WaitFor...Ex, SignalObjectAndWait
 * with bAlertable = TRUE). Such a wait, finding APCs queued, runs all of them in
 * order on the waiting thread and returns WAIT_IO_COMPLETION. A thread already
 * blocked in an alertable wait is interrupted when an APC arrives.
 *
 * apc_queue and apc_should_interrupt run with the dispatcher lock held;
 * apc_deliver_all runs without it (see runtime/kernel.h).
 */
#include "kernel.h"

DWORD apc_queue(struct ws_thread *target, PAPCFUNC routine, ULONG_PTR argument)
{
    /* BEGIN SOLUTION
     * TODO(step 1): Append (routine, argument) to the target's ring buffer; a NULL
     * target is a thread that has ended. See README.md, "Step 1: Queue an APC".
     * TODO(step 4): If the target is blocked in an ALERTABLE wait, interrupt it with
     * ws_thread_alert().
     * See README.md, "Step 4: Wake a thread already blocked in an alertable wait".
     * STUB: (void)target, (void)routine, (void)argument;
     * STUB: return ERROR_CALL_NOT_IMPLEMENTED;
     */
    if (!target)
        return ERROR_GEN_FAILURE;
    struct ws_apc_queue *q = &target->apc;
    if (q->count == WS_APC_CAPACITY)
        return ERROR_NOT_ENOUGH_MEMORY;
    struct ws_apc *slot = &q->entries[(q->head + q->count) % WS_APC_CAPACITY];
    slot->routine = (uint64_t)(uintptr_t)routine;
    slot->argument = argument;
    q->count++;
    if (target->wait.blocked && target->wait.alertable)
        ws_thread_alert(target);
    return ERROR_SUCCESS;
    /* END SOLUTION */
}

bool apc_should_interrupt(const struct ws_thread *thread, bool alertable)
{
    /* BEGIN SOLUTION
     * TODO(step 2): A wait returns WAIT_IO_COMPLETION instead of blocking when it is
     * alertable and APCs are queued.
     * See README.md, "Step 2: Decide when a wait is interrupted".
     * STUB: (void)thread, (void)alertable;
     * STUB: return false;
     */
    return alertable && thread->apc.count > 0;
    /* END SOLUTION */
}

DWORD apc_deliver_all(struct ws_thread *self)
{
    /* BEGIN SOLUTION
     * TODO(step 3): Run every queued APC, oldest first, taking each out of the queue
     * under the dispatcher lock and calling it WITHOUT the lock held (an APC may call
     * any Win32 function). Return how many ran.
     * See README.md, "Step 3: Deliver every pending APC, oldest first".
     * STUB: (void)self;
     * STUB: return 0;
     */
    DWORD ran = 0;
    for (;;) {
        ws_dispatcher_lock();
        struct ws_apc_queue *q = &self->apc;
        if (q->count == 0) {
            ws_dispatcher_unlock();
            return ran;
        }
        struct ws_apc apc = q->entries[q->head];
        q->head = (q->head + 1) % WS_APC_CAPACITY;
        q->count--;
        ws_dispatcher_unlock();
        ((PAPCFUNC)(uintptr_t)apc.routine)((ULONG_PTR)apc.argument);
        ran++;
    }
    /* END SOLUTION */
}
