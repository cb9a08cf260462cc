/*
 * semaphore.c - Lab 03: semaphore objects.
 *
 * A semaphore's signal_state is its count: signalled while the count is above zero,
 * and every satisfied wait takes one unit. ReleaseSemaphore adds units, never past
 * the maximum; a release that would pass it changes nothing at all.
 *
 * Every function runs with the dispatcher lock held (see runtime/kernel.h).
 */
#include "kernel.h"

DWORD semaphore_initialize(struct ws_object *semaphore, LONG initial_count, LONG maximum_count)
{
    /* TODO(step 1): Check the counts (maximum > 0, 0 <= initial <= maximum) and store
     * them. See README.md, "Step 1: Creating a semaphore". */
    ws_not_implemented(__func__);
    (void)semaphore, (void)initial_count, (void)maximum_count;
    return ERROR_CALL_NOT_IMPLEMENTED;
}

bool semaphore_is_signaled(const struct ws_object *semaphore, const struct ws_thread *waiter)
{
    (void)waiter;
    /* TODO(step 2): Signalled while the count is above zero; change nothing here.
     * See README.md, "Step 2: The signalled test and satisfying a wait". */
    ws_not_implemented(__func__);
    (void)semaphore;
    return false;
}

void semaphore_satisfy(struct ws_object *semaphore, struct ws_thread *waiter)
{
    (void)waiter;
    /* TODO(step 2): A satisfied wait takes one unit. See README.md, "Step 2: The
     * signalled test and satisfying a wait". */
    ws_not_implemented(__func__);
    (void)semaphore;
}

DWORD semaphore_release(struct ws_object *semaphore, LONG count, LONG *previous_count)
{
    /* TODO(steps 3-4): Add count units unless that would pass the maximum (beware of
     * overflow), report the previous count, and wake waiters. On any failure change
     * nothing, not even *previous_count. See README.md, "Step 3: Releasing" and
     * "Step 4: The maximum and ERROR_TOO_MANY_POSTS". */
    ws_not_implemented(__func__);
    (void)semaphore, (void)count, (void)previous_count;
    return ERROR_CALL_NOT_IMPLEMENTED;
}
