/*
 * wait_test.c - Lab 06 (optional): the dispatcher's wait test.
 *
 * The dispatcher calls wait_test() in two places: when a thread starts waiting (can
 * it go on at once?) and whenever an object it waits for may have become signalled
 * (can this waiter be released now?). Both are the same question, asked under the
 * dispatcher lock, so the answer and its side effects happen as one atomic step.
 *
 * Wait-any (WaitForMultipleObjects(.., FALSE, ..), and every single-object wait):
 * the LOWEST signalled index wins and only that object is satisfied.
 * Wait-all: nothing changes until every object is signalled at the same moment;
 * then all of them are satisfied together.
 */
#include "kernel.h"

bool wait_test(struct ws_thread *thread, struct ws_object *const *objects, uint32_t count,
               bool wait_all, DWORD *result)
{
    /* TODO(step 1): Wait-any: find the lowest index whose object is signalled for this
     * thread (ws_object_is_signaled), satisfy only that one (ws_object_satisfy) and
     * report WAIT_OBJECT_0 + i, or WAIT_ABANDONED_0 + i when it says the mutex was
     * abandoned. See README.md, "Step 1". */
    /* TODO(step 2): Wait-all: check every object first; only if all are signalled,
     * satisfy all of them and report WAIT_OBJECT_0, or WAIT_ABANDONED_0 if any was an
     * abandoned mutex. Never satisfy part of a wait-all. See README.md, "Step 2". */
    ws_not_implemented(__func__);
    (void)thread, (void)objects, (void)count, (void)wait_all, (void)result;
    return false;
}
