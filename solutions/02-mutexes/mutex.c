/*
 * mutex.c - Lab 02: mutex (mutant) objects.
 *
 * A mutex is owned by a THREAD. As in NT, the dispatcher header's signal_state is
 * 1 - recursion depth: 1 when free, 0 when owned once, -1 when owned twice, ... The
 * owner may wait on it again (recursion) and must release it once per wait. When the
 * owner ends while owning it, the mutex is abandoned: freed and flagged, and the next
 * thread to acquire it learns that (WAIT_ABANDONED) because the data it protects may
 * be half updated.
 *
 * Every function runs with the dispatcher lock held (see runtime/kernel.h).
 */
#include "kernel.h"

void mutex_initialize(struct ws_object *mutex, struct ws_thread *initial_owner)
{
    /* BEGIN SOLUTION
     * TODO(step 1): Start free, or owned once by initial_owner when it is not NULL.
     * See README.md, "Step 1: Create the mutex".
     * STUB: (void)mutex, (void)initial_owner;
     */
    mutex->u.mutex.abandoned = false;
    if (initial_owner) {
        mutex->u.mutex.owner = initial_owner->index;
        mutex->header.signal_state = 0;
    } else {
        mutex->u.mutex.owner = WS_NONE;
        mutex->header.signal_state = 1;
    }
    /* END SOLUTION */
}

bool mutex_is_signaled(const struct ws_object *mutex, const struct ws_thread *waiter)
{
    /* BEGIN SOLUTION
     * TODO(step 2): A mutex is signalled for a waiter when it is free, or when the
     * waiter already owns it (recursion).
     * See README.md, "Step 2: Is the mutex signalled for this waiter?".
     * STUB: (void)mutex, (void)waiter;
     * STUB: return false;
     */
    return mutex->header.signal_state > 0 || mutex->u.mutex.owner == waiter->index;
    /* END SOLUTION */
}

bool mutex_satisfy(struct ws_object *mutex, struct ws_thread *waiter)
{
    /* BEGIN SOLUTION
     * TODO(step 3): The waiter acquires the mutex (one more level). Report and clear
     * the abandoned flag. See README.md, "Step 3: Satisfy a wait".
     * STUB: (void)mutex, (void)waiter;
     * STUB: return false;
     */
    bool was_abandoned = mutex->u.mutex.abandoned;
    mutex->u.mutex.abandoned = false;
    mutex->u.mutex.owner = waiter->index;
    mutex->header.signal_state--;
    return was_abandoned;
    /* END SOLUTION */
}

DWORD mutex_release(struct ws_object *mutex, struct ws_thread *caller, LONG *previous_count)
{
    /* BEGIN SOLUTION
     * TODO(step 4): Only the owner may release, one level at a time; the last level
     * frees the mutex and must wake a waiter. See README.md, "Step 4: Release".
     * STUB: (void)mutex, (void)caller, (void)previous_count;
     * STUB: return ERROR_CALL_NOT_IMPLEMENTED;
     */
    if (mutex->u.mutex.owner != caller->index)
        return ERROR_NOT_OWNER;
    if (previous_count)
        *previous_count = mutex->header.signal_state;
    mutex->header.signal_state++;
    if (mutex->header.signal_state == 1) {
        mutex->u.mutex.owner = WS_NONE;
        ws_dispatch_signal(mutex);
    }
    return ERROR_SUCCESS;
    /* END SOLUTION */
}

void mutex_abandon(struct ws_object *mutex)
{
    /* BEGIN SOLUTION
     * TODO(step 5): The owner ended while owning the mutex: free it whatever its
     * depth, mark it abandoned and wake a waiter. See README.md, "Step 5: Abandon".
     * STUB: (void)mutex;
     */
    mutex->u.mutex.owner = WS_NONE;
    mutex->u.mutex.abandoned = true;
    mutex->header.signal_state = 1;
    ws_dispatch_signal(mutex);
    /* END SOLUTION */
}
