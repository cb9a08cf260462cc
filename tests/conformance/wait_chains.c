/* Wait Chain Traversal: GetThreadWaitChain for a thread blocked on a mutex this thread owns, and
 * bad arguments. (Wine 8 implements none of it: see known-differences.toml.) */
#include "conformance.h"

#include <wct.h>

#ifndef WCT_MAX_NODE_COUNT /* in the Windows SDK's wct.h, not in mingw-w64's */
#define WCT_MAX_NODE_COUNT 16
#endif

/* Polls the chain of thread tid until it has `want` nodes (the waiter has blocked) or
 * CF_LONG_MS passes. Returns GetThreadWaitChain's result. */
static BOOL chain_of(HWCT s, DWORD tid, DWORD want, WAITCHAIN_NODE_INFO *nodes, DWORD *count,
                     BOOL *cycle)
{
    BOOL ok = FALSE;
    for (DWORD waited = 0; waited <= CF_LONG_MS; waited += 10) {
        *count = WCT_MAX_NODE_COUNT;
        ok = GetThreadWaitChain(s, 0, 0, tid, count, nodes, cycle);
        if (!ok || *count == want)
            break;
        Sleep(10);
    }
    return ok;
}

static void mutex_chain(void)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    struct cf_waiter w;
    DWORD tid = 0;
    w.object = m;
    w.timeout = CF_LONG_MS;
    w.alertable = FALSE;
    w.result = CF_SENTINEL;
    HANDLE t = CreateThread(NULL, 0, cf_wait_thread, &w, 0, &tid);
    HWCT s = OpenThreadWaitChainSession(0, NULL);
    CHECK_TRUE("open", s != NULL);
    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT] = {0};
    DWORD count = 0;
    BOOL cycle = TRUE;
    CHECK_EQ("get", TRUE, chain_of(s, tid, 3, nodes, &count, &cycle));
    CHECK_EQ("count", 3, count);
    CHECK_EQ("no_cycle", FALSE, cycle);
    CHECK_EQ("waiter_type", WctThreadType, nodes[0].ObjectType);
    CHECK_EQ("waiter_blocked", WctStatusBlocked, nodes[0].ObjectStatus);
    CHECK_TRUE("waiter_tid", nodes[0].ThreadObject.ThreadId == tid); /* no id in REPORT.md */
    CHECK_EQ("mutex_type", WctMutexType, nodes[1].ObjectType);
    CHECK_EQ("mutex_owned", WctStatusOwned, nodes[1].ObjectStatus);
    CHECK_EQ("owner_type", WctThreadType, nodes[2].ObjectType);
    CHECK_TRUE("owner_tid", nodes[2].ThreadObject.ThreadId == GetCurrentThreadId());
    count = 1;
    CHECK_EQ("small_array", FALSE, GetThreadWaitChain(s, 0, 0, tid, &count, nodes, &cycle));
    CHECK_ERR("small_array_err", ERROR_MORE_DATA);
    if (s) /* Wine 8 has no CloseThreadWaitChainSession: calling it ends the program */
        CloseThreadWaitChainSession(s);
    ReleaseMutex(m);
    cf_join(t);
    CHECK_EQ("waiter_released", WAIT_OBJECT_0, w.result);
    CloseHandle(m);
}

static void bad_arguments(void)
{
    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT] = {0};
    DWORD count = WCT_MAX_NODE_COUNT;
    BOOL cycle;
    CHECK_EQ("null_session", FALSE,
             GetThreadWaitChain(NULL, 0, 0, GetCurrentThreadId(), &count, nodes, &cycle));
}

CF_MAIN("wait_chains", NULL, CF_TEST(mutex_chain), CF_TEST(bad_arguments))
