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
    /* TODO(step 1): Start free, or owned once by initial_owner when it is not NULL.
     * See README.md, "Step 1: Create the mutex". */
    ws_not_implemented(__func__);
    (void)mutex, (void)initial_owner;
}

bool mutex_is_signaled(const struct ws_object *mutex, const struct ws_thread *waiter)
{
    /* TODO(step 2): A mutex is signalled for a waiter when it is free, or when the
     * waiter already owns it (recursion).
     * See README.md, "Step 2: Is the mutex signalled for this waiter?". */
    ws_not_implemented(__func__);
    (void)mutex, (void)waiter;
    return false;
}

bool mutex_satisfy(struct ws_object *mutex, struct ws_thread *waiter)
{
    /* TODO(step 3): The waiter acquires the mutex (one more level). Report and clear
     * the abandoned flag. See README.md, "Step 3: Satisfy a wait". */
    ws_not_implemented(__func__);
    (void)mutex, (void)waiter;
    return false;
}

DWORD mutex_release(struct ws_object *mutex, struct ws_thread *caller, LONG *previous_count)
{
    /* TODO(step 4): Only the owner may release, one level at a time; the last level
     * frees the mutex and must wake a waiter. See README.md, "Step 4: Release". */
    ws_not_implemented(__func__);
    (void)mutex, (void)caller, (void)previous_count;
    return ERROR_CALL_NOT_IMPLEMENTED;
}

void mutex_abandon(struct ws_object *mutex)
{
    /* TODO(step 5): The owner ended while owning the mutex: free it whatever its
     * depth, mark it abandoned and wake a waiter. See README.md, "Step 5: Abandon". */
    ws_not_implemented(__func__);
    (void)mutex;
}
