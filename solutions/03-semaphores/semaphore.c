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
    /* BEGIN SOLUTION
     * TODO(step 1): Check the counts (maximum > 0, 0 <= initial <= maximum) and store
     * them. See README.md, "Step 1: Creating a semaphore".
     * STUB: (void)semaphore, (void)initial_count, (void)maximum_count;
     * STUB: return ERROR_CALL_NOT_IMPLEMENTED;
     */
    if (maximum_count <= 0 || initial_count < 0 || initial_count > maximum_count)
        return ERROR_INVALID_PARAMETER;
    semaphore->header.signal_state = initial_count;
    semaphore->u.semaphore.maximum = maximum_count;
    return ERROR_SUCCESS;
    /* END SOLUTION */
}

bool semaphore_is_signaled(const struct ws_object *semaphore, const struct ws_thread *waiter)
{
    (void)waiter;
    /* BEGIN SOLUTION
     * TODO(step 2): Signalled while the count is above zero; change nothing here.
     * See README.md, "Step 2: The signalled test and satisfying a wait".
     * STUB: (void)semaphore;
     * STUB: return false;
     */
    return semaphore->header.signal_state > 0;
    /* END SOLUTION */
}

void semaphore_satisfy(struct ws_object *semaphore, struct ws_thread *waiter)
{
    (void)waiter;
    /* BEGIN SOLUTION
     * TODO(step 2): A satisfied wait takes one unit. See README.md, "Step 2: The
     * signalled test and satisfying a wait".
     * STUB: (void)semaphore;
     */
    semaphore->header.signal_state--;
    /* END SOLUTION */
}

DWORD semaphore_release(struct ws_object *semaphore, LONG count, LONG *previous_count)
{
    /* BEGIN SOLUTION
     * TODO(steps 3-4): Add count units unless that would pass the maximum (beware of
     * overflow), report the previous count, and wake waiters. On any failure change
     * nothing, not even *previous_count. See README.md, "Step 3: Releasing" and
     * "Step 4: The maximum and ERROR_TOO_MANY_POSTS".
     * STUB: (void)semaphore, (void)count, (void)previous_count;
     * STUB: return ERROR_CALL_NOT_IMPLEMENTED;
     */
    if (count <= 0)
        return ERROR_INVALID_PARAMETER;
    LONG current = semaphore->header.signal_state;
    /* maximum - current never overflows (0 <= current <= maximum); current + count could. */
    if (count > semaphore->u.semaphore.maximum - current)
        return ERROR_TOO_MANY_POSTS;
    if (previous_count)
        *previous_count = current;
    semaphore->header.signal_state = current + count;
    ws_dispatch_signal(semaphore);
    return ERROR_SUCCESS;
    /* END SOLUTION */
}
