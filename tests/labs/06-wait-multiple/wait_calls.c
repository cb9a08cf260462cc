/*
 * wait_calls.c - lab 06 public tests: wait_test called directly (runtime/kernel.h), under the
 * dispatcher lock as the runtime calls it, on private events (in no object table, with no
 * waiters) and a thread record made up by the test. Through Win32, a wait-all on zero objects
 * never reaches wait_test (WaitForMultipleObjects refuses count 0), and a wait on one object
 * is a wait-any, so only a direct call shows these cases.
 * Values are observed under the lock and asserted after it is released.
 */
#include <string.h>

#include "kernel.h"
#include "wait_helpers.h"

#define UNTOUCHED 0xdeadu /* what *result holds when wait_test must not write it */

static void attach_runtime(void)
{
    CloseHandle(new_event(FALSE, FALSE)); /* maps the segment */
}

static struct ws_object *private_event(struct ws_object *event, bool set)
{
    memset(event, 0, sizeof *event);
    event->header.type = WS_TYPE_EVENT;
    event->header.wait_list.head = WS_NONE;
    event->header.wait_list.tail = WS_NONE;
    event->index = WS_NONE;
    event->refs = 1;
    event_initialize(event, false, set); /* auto-reset: a satisfied wait resets it */
    return event;
}

/* Zero objects are never satisfied (kernel.h), and one signalled object is satisfied at once. */
Test(wait_all, zero_and_one_object_waits, .timeout = 20)
{
    static struct ws_thread record;
    memset(&record, 0, sizeof record);
    struct ws_object set_event, reset_event;
    DWORD result = UNTOUCHED, blocked_result = UNTOUCHED;
    DWORD all_result = UNTOUCHED, any_result = UNTOUCHED;
    attach_runtime();
    ws_dispatcher_lock();
    bool all = wait_test(&record, NULL, 0, true, &all_result);
    bool any = wait_test(&record, NULL, 0, false, &any_result);
    struct ws_object *set = private_event(&set_event, true);
    struct ws_object *reset = private_event(&reset_event, false);
    bool satisfied = wait_test(&record, &set, 1, true, &result);
    bool consumed = !event_is_signaled(set, &record);
    bool blocked = !wait_test(&record, &reset, 1, true, &blocked_result);
    ws_dispatcher_unlock();
    cr_expect_not(all,
                  "a wait-all on 0 objects was satisfied (result 0x%x): count 0 is never "
                  "satisfied",
                  (unsigned)all_result);
    cr_expect_eq(all_result, UNTOUCHED, "a wait-all on 0 objects wrote *result");
    cr_expect_not(any, "a wait-any on 0 objects (an alertable SleepEx) was satisfied");
    cr_expect_eq(any_result, UNTOUCHED, "a wait-any on 0 objects wrote *result");
    cr_expect(satisfied, "a wait-all on one signalled event was not satisfied");
    cr_expect_eq(result, WAIT_OBJECT_0,
                 "a wait-all on one signalled event reported 0x%x, not "
                 "WAIT_OBJECT_0",
                 (unsigned)result);
    cr_expect(consumed, "a satisfied wait-all on one auto-reset event did not consume it");
    cr_expect(blocked, "a wait-all on one reset event was satisfied");
    cr_expect_eq(blocked_result, UNTOUCHED, "a wait-all that must go on wrote *result");
}
