/*
 * deliver_calls.c - lab 04 public test: apc_queue and apc_deliver_all called directly
 * (runtime/kernel.h), on a thread record made up by the test, as the runtime calls them:
 * apc_queue under the dispatcher lock, apc_deliver_all without it. The runtime itself does not
 * look at what apc_deliver_all returns, so only a direct call can check it.
 */
#include <string.h>

#include "apc_helpers.h"
#include "kernel.h"

Test(apcs, deliver_all_returns_how_many_ran, .timeout = APC_TEST_TIMEOUT)
{
    HANDLE h = CreateEventA(NULL, FALSE, FALSE, NULL); /* maps the segment */
    cr_assert_not_null(h, "CreateEventA failed (error %u)", (unsigned)GetLastError());
    CloseHandle(h);
    static struct ws_thread record; /* not blocked in a wait: apc_queue alerts nobody */
    memset(&record, 0, sizeof record);
    record.index = WS_NONE;

    DWORD on_empty = apc_deliver_all(&record);
    DWORD queued[3];
    ws_dispatcher_lock();
    for (int i = 0; i < 3; i++)
        queued[i] = apc_queue(&record, record_apc, (ULONG_PTR)(500 + i));
    ws_dispatcher_unlock();
    DWORD ran = apc_deliver_all(&record);
    DWORD again = apc_deliver_all(&record);

    cr_expect_eq(on_empty, 0, "apc_deliver_all on an empty queue returned %u, not 0",
                 (unsigned)on_empty);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(queued[i], ERROR_SUCCESS, "apc_queue number %d returned %u", i + 1,
                     (unsigned)queued[i]);
    cr_expect_eq(ran, 3,
                 "apc_deliver_all ran 3 queued APCs but returned %u: it returns how many ran",
                 (unsigned)ran);
    cr_expect_eq(again, 0, "apc_deliver_all right after delivering everything returned %u, not 0",
                 (unsigned)again);
    expect_log_fifo(500, 3, GetCurrentThreadId());
}
