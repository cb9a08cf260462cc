/* Wait Chain Traversal: GetThreadWaitChain's nodes, cycles across processes, ERROR_MORE_DATA,
 * bad arguments, and winsync's nodes for events (beyond Windows). */
#include "rt.h"

#include <wct.h>

TestSuite(wait_chains, .timeout = RT_TIMEOUT);

static DWORD chain(DWORD tid, DWORD flags, WAITCHAIN_NODE_INFO *nodes, DWORD *count, BOOL *cycle)
{
    HWCT s = OpenThreadWaitChainSession(0, NULL);
    cr_assert_not_null(s);
    *count = WCT_MAX_NODE_COUNT;
    BOOL ok = GetThreadWaitChain(s, 0, flags, tid, count, nodes, cycle);
    DWORD error = ok ? ERROR_SUCCESS : GetLastError();
    CloseThreadWaitChainSession(s);
    return error;
}

static void assert_thread_node(const WAITCHAIN_NODE_INFO *n, DWORD tid, WCT_OBJECT_STATUS status)
{
    cr_assert_eq(n->ObjectType, WctThreadType);
    cr_assert_eq(n->ThreadObject.ThreadId, tid);
    cr_assert_eq(n->ObjectStatus, status, "thread %u: status %d", (unsigned)tid, n->ObjectStatus);
}

static void assert_mutex_node(const WAITCHAIN_NODE_INFO *n, const char *name)
{
    char narrow[WCT_OBJNAME_LENGTH];
    size_t i = 0;
    for (; n->LockObject.ObjectName[i]; i++)
        narrow[i] = (char)n->LockObject.ObjectName[i];
    narrow[i] = 0;
    cr_assert_eq(n->ObjectType, WctMutexType);
    cr_assert_eq(n->ObjectStatus, WctStatusOwned);
    cr_assert_str_eq(narrow, name);
}

Test(wait_chains, thread_mutex_owner)
{
    char name[64];
    wst_name(name, sizeof name, "wct-mutex");
    HANDLE m = CreateMutexA(NULL, TRUE, name);
    cr_assert_not_null(m);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(m, WST_LONG_MS * 3, &report, &ready);
    pthread_t t = rt_start_waiter_thread(&w);
    pid_t tid = rt_await_ready(&w);
    cr_assert(wst_await_blocked(tid));

    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT];
    DWORD count;
    BOOL cycle = TRUE;
    cr_assert_eq(chain((DWORD)tid, 0, nodes, &count, &cycle), ERROR_SUCCESS);
    cr_assert_eq(count, 3);
    cr_assert_not(cycle);
    assert_thread_node(&nodes[0], (DWORD)tid, WctStatusBlocked);
    cr_assert_eq(nodes[0].ThreadObject.ProcessId, (DWORD)getpid());
    assert_mutex_node(&nodes[1], name);
    assert_thread_node(&nodes[2], GetCurrentThreadId(), WctStatusRunning);

    /* Too small an array: as much as fits, the length needed and ERROR_MORE_DATA. */
    HWCT s = OpenThreadWaitChainSession(0, NULL);
    count = 1;
    cr_assert_not(GetThreadWaitChain(s, 0, 0, (DWORD)tid, &count, nodes, &cycle));
    assert_last_error(ERROR_MORE_DATA);
    cr_assert_eq(count, 3);
    assert_thread_node(&nodes[0], (DWORD)tid, WctStatusBlocked);
    CloseThreadWaitChainSession(s);

    cr_assert(ReleaseMutex(m));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_OBJECT_0));
    pthread_join(t, NULL);
    CloseHandle(m);
}

struct deadlock {
    HANDLE first, second;
    struct wst_pipe *ready, *report;
    struct wst_pipe *go; /* optional: wait for a byte on it before waiting for `second` */
    volatile pid_t tid;
};

/* Take `first`, say so, then wait for `second`. */
static int take_then_wait(void *arg)
{
    struct deadlock *d = arg;
    d->tid = (pid_t)syscall(SYS_gettid);
    CHILD_CHECK(WaitForSingleObject(d->first, 0) == WAIT_OBJECT_0);
    wst_send(d->ready, 'r');
    CHILD_CHECK(!d->go || wst_recv(d->go, WST_LONG_MS) == 'g');
    DWORD r = WaitForSingleObject(d->second, WST_LONG_MS * 3);
    wst_send(d->report, (char)rt_code(r));
    return 0;
}

static void *take_then_wait_thread(void *arg)
{
    take_then_wait(arg);
    return NULL;
}

Test(wait_chains, cycle_across_processes)
{
    HANDLE a = CreateMutexA(NULL, FALSE, NULL), b = CreateMutexA(NULL, FALSE, NULL);
    cr_assert(a && b);
    struct wst_pipe ready, report, go, child_ready, child_report;
    rt_pipe(&ready);
    rt_pipe(&report);
    rt_pipe(&go);
    rt_pipe(&child_ready);
    rt_pipe(&child_report);
    /* This process's thread takes a, the child takes b; then each waits for the other's. */
    struct deadlock here = {a, b, &ready, &report, &go, 0};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, take_then_wait_thread, &here), 0);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    struct deadlock child = {b, a, &child_ready, &child_report, NULL, 0};
    pid_t pid = wst_spawn(take_then_wait, &child);
    cr_assert_gt(pid, 0);
    cr_assert_eq(wst_recv(&child_ready, WST_LONG_MS), 'r');
    wst_send(&go, 'g');
    cr_assert(wst_await_blocked(here.tid));
    cr_assert(wst_await_blocked(pid));

    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT];
    DWORD count;
    BOOL cycle = FALSE;
    cr_assert_eq(chain((DWORD)here.tid, WCT_OUT_OF_PROC_FLAG, nodes, &count, &cycle),
                 ERROR_SUCCESS);
    cr_assert_eq(count, 5);
    cr_assert(cycle);
    assert_thread_node(&nodes[0], (DWORD)here.tid, WctStatusBlocked);
    cr_assert_eq(nodes[1].ObjectType, WctMutexType);
    assert_thread_node(&nodes[2], (DWORD)pid, WctStatusBlocked);
    cr_assert_eq(nodes[2].ThreadObject.ProcessId, (DWORD)pid);
    cr_assert_eq(nodes[3].ObjectType, WctMutexType);
    assert_thread_node(&nodes[4], (DWORD)here.tid, WctStatusBlocked);

    /* Without WCT_OUT_OF_PROC_FLAG the chain ends at the other process's thread. */
    cr_assert_eq(chain((DWORD)here.tid, 0, nodes, &count, &cycle), ERROR_SUCCESS);
    cr_assert_eq(count, 3);
    cr_assert_not(cycle);
    assert_thread_node(&nodes[2], (DWORD)pid, WctStatusPidOnly);

    /* Killing the child abandons b and ends the deadlock. */
    kill(pid, SIGKILL);
    wst_reap(pid, WST_LONG_MS);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_ABANDONED_0));
    pthread_join(t, NULL);
    CloseHandle(a);
    CloseHandle(b);
}

/* Beyond Windows: an event is a node whose name says its kind, name and state. */
Test(wait_chains, event_node)
{
    char name[64], expected[WCT_OBJNAME_LENGTH];
    wst_name(name, sizeof name, "wct-event");
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, name);
    cr_assert_not_null(e);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(e, WST_LONG_MS * 3, &report, &ready);
    pthread_t t = rt_start_waiter_thread(&w);
    pid_t tid = rt_await_ready(&w);
    cr_assert(wst_await_blocked(tid));
    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT];
    DWORD count;
    BOOL cycle;
    cr_assert_eq(chain((DWORD)tid, 0, nodes, &count, &cycle), ERROR_SUCCESS);
    cr_assert_eq(count, 2);
    cr_assert_eq(nodes[1].ObjectType, WctUnknownType);
    snprintf(expected, sizeof expected, "Event \"%s\" (auto-reset, nonsignaled)", name);
    size_t i = 0;
    for (; expected[i]; i++)
        cr_assert_eq(nodes[1].LockObject.ObjectName[i], (WCHAR)expected[i], "at %zu", i);
    cr_assert_eq(nodes[1].LockObject.ObjectName[i], 0);
    cr_assert(SetEvent(e));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_OBJECT_0));
    pthread_join(t, NULL);
    CloseHandle(e);
}

Test(wait_chains, bad_arguments)
{
    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT];
    DWORD count = WCT_MAX_NODE_COUNT;
    BOOL cycle;
    cr_assert_null(OpenThreadWaitChainSession(WCT_ASYNC_OPEN_FLAG, NULL));
    assert_last_error(ERROR_NOT_SUPPORTED);
    cr_assert_null(OpenThreadWaitChainSession(0x100, NULL));
    assert_last_error(ERROR_INVALID_PARAMETER);
    cr_assert_not(GetThreadWaitChain(NULL, 0, 0, GetCurrentThreadId(), &count, nodes, &cycle));
    assert_last_error(ERROR_INVALID_HANDLE);
    HWCT s = OpenThreadWaitChainSession(0, NULL);
    cr_assert_not_null(s);
    cr_assert_not(GetThreadWaitChain(s, 0, 0, GetCurrentThreadId(), NULL, nodes, &cycle));
    assert_last_error(ERROR_INVALID_PARAMETER);
    cr_assert_not(GetThreadWaitChain(s, 0, 0, GetCurrentThreadId(), &count, NULL, &cycle));
    assert_last_error(ERROR_INVALID_PARAMETER);
    cr_assert_not(GetThreadWaitChain(s, 0, 0, GetCurrentThreadId(), &count, nodes, NULL));
    assert_last_error(ERROR_INVALID_PARAMETER);
    /* A running thread: one node. */
    cr_assert(GetThreadWaitChain(s, 0, 0, GetCurrentThreadId(), &count, nodes, &cycle));
    cr_assert_eq(count, 1);
    assert_thread_node(&nodes[0], GetCurrentThreadId(), WctStatusRunning);
    CloseThreadWaitChainSession(s);
}
