/* Threads as waitable objects: CreateThread, exit codes, ids, OpenThread. */
#include "rt.h"

TestSuite(threads, .timeout = RT_TIMEOUT);

struct gate {
    HANDLE go;
    DWORD code;
    volatile DWORD seen_id;
};

static DWORD WINAPI wait_for_gate(LPVOID arg)
{
    struct gate *g = arg;
    g->seen_id = GetCurrentThreadId();
    if (WaitForSingleObject(g->go, INFINITE) != WAIT_OBJECT_0)
        return 1000;
    return g->code;
}

static DWORD WINAPI exit_thread_with_code(LPVOID arg)
{
    struct gate *g = arg;
    WaitForSingleObject(g->go, INFINITE);
    ExitThread(g->code);
}

Test(threads, a_thread_handle_is_signalled_when_the_thread_ends_with_its_exit_code)
{
    LPTHREAD_START_ROUTINE bodies[] = {wait_for_gate, exit_thread_with_code};
    for (int i = 0; i < 2; i++) {
        struct gate g = {CreateEventA(NULL, TRUE, FALSE, NULL), 40 + (DWORD)i, 0};
        DWORD tid = 0;
        HANDLE t = CreateThread(NULL, 0, bodies[i], &g, 0, &tid);
        cr_assert_not_null(t);
        cr_assert_neq(tid, 0);
        cr_assert_eq(GetThreadId(t), tid);
        DWORD code = 0;
        cr_assert(GetExitCodeThread(t, &code));
        cr_assert_eq(code, STILL_ACTIVE);
        cr_assert_eq(WaitForSingleObject(t, 20), WAIT_TIMEOUT);
        cr_assert(SetEvent(g.go));
        cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
        cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0, "a thread handle stays signalled");
        cr_assert(GetExitCodeThread(t, &code));
        cr_assert_eq(code, 40 + (DWORD)i);
        if (i == 0)
            cr_assert_eq(g.seen_id, tid);
        cr_assert(CloseHandle(t));
    }
}

static void *pthread_body(void *arg)
{
    *(DWORD *)arg = GetCurrentThreadId();
    return NULL;
}

Test(threads, thread_ids_are_linux_tids_and_unique)
{
    cr_assert_eq(GetCurrentThreadId(), (DWORD)syscall(SYS_gettid));
    DWORD other = 0;
    pthread_t t;
    pthread_create(&t, NULL, pthread_body, &other);
    pthread_join(t, NULL);
    cr_assert_neq(other, 0);
    cr_assert_neq(other, GetCurrentThreadId());
}

static int wait_on_thread_by_id(void *arg)
{
    DWORD tid = *(DWORD *)arg;
    HANDLE t = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
    CHILD_CHECK(t != NULL);
    CHILD_CHECK(GetThreadId(t) == tid);
    CHILD_CHECK(WaitForSingleObject(t, WST_LONG_MS) == WAIT_OBJECT_0);
    DWORD code = 0;
    CHILD_CHECK(GetExitCodeThread(t, &code));
    CHILD_CHECK(code == 55);
    return 0;
}

Test(threads, open_thread_from_another_process_waits_for_its_end)
{
    struct gate g = {CreateEventA(NULL, TRUE, FALSE, NULL), 55, 0};
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, wait_for_gate, &g, 0, &tid);
    HANDLE same = OpenThread(THREAD_ALL_ACCESS, FALSE, tid);
    cr_assert_not_null(same);
    cr_assert_eq(GetThreadId(same), tid);
    pid_t pid = wst_spawn(wait_on_thread_by_id, &tid);
    cr_assert(wst_await_blocked(pid));
    cr_assert(SetEvent(g.go));
    assert_child_ok(pid);
    cr_assert_eq(WaitForSingleObject(same, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(t);
    CloseHandle(same);
}

static DWORD WINAPI start_grandchild_thread(LPVOID arg)
{
    struct gate *g = arg;
    HANDLE inner = CreateThread(NULL, 0, wait_for_gate, g, 0, NULL);
    if (!inner)
        return 1;
    DWORD r = WaitForSingleObject(inner, INFINITE);
    CloseHandle(inner);
    return r == WAIT_OBJECT_0 ? 2 : 3;
}

Test(threads, threads_can_create_and_wait_for_threads)
{
    struct gate g = {CreateEventA(NULL, TRUE, TRUE, NULL), 0, 0};
    HANDLE t = CreateThread(NULL, 0, start_grandchild_thread, &g, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, 2);
}

static int report_ready_then_exit(void *arg)
{
    struct wst_pipe *p = arg;
    /* A winsync call makes this process known before the parent looks it up. */
    CHILD_CHECK(GetCurrentProcessId() == (DWORD)getpid());
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHILD_CHECK(ev != NULL);
    wst_send(p, 'r');
    CHILD_CHECK(wst_recv(p, WST_LONG_MS) == 'g');
    ExitProcess(9);
}

Test(threads, a_forked_child_is_a_process_object_signalled_at_exit)
{
    struct wst_pipe to_parent, to_child;
    rt_pipe(&to_parent);
    rt_pipe(&to_child);
    /* The child reads from to_child and writes to to_parent: one pipe struct per side. */
    struct wst_pipe child_side = {to_child.rd, to_parent.wr};
    pid_t pid = wst_spawn(report_ready_then_exit, &child_side);
    cr_assert_eq(wst_recv(&to_parent, WST_LONG_MS), 'r');
    HANDLE p = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    cr_assert_not_null(p, "OpenProcess: %u", (unsigned)GetLastError());
    cr_assert_eq(GetProcessId(p), (DWORD)pid);
    DWORD code = 0;
    cr_assert(GetExitCodeProcess(p, &code));
    cr_assert_eq(code, STILL_ACTIVE);
    cr_assert_eq(WaitForSingleObject(p, 20), WAIT_TIMEOUT);
    wst_send(&to_child, 'g');
    cr_assert_eq(WaitForSingleObject(p, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(GetExitCodeProcess(p, &code));
    cr_assert_eq(code, 9);
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 9);
}

Test(threads, query_information_access_includes_limited_query)
{
    /* Microsoft: a handle with PROCESS_QUERY_INFORMATION (THREAD_QUERY_INFORMATION) is
     * automatically granted PROCESS_QUERY_LIMITED_INFORMATION (THREAD_...) too. */
    HANDLE p = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, GetCurrentProcessId());
    cr_assert_not_null(p);
    DWORD code = 0;
    cr_assert(GetExitCodeProcess(p, &code), "GetExitCodeProcess: %u", (unsigned)GetLastError());
    cr_assert_eq(code, STILL_ACTIVE);
    cr_assert_eq(GetProcessId(p), GetCurrentProcessId());
    HANDLE t = OpenThread(THREAD_QUERY_INFORMATION, FALSE, GetCurrentThreadId());
    cr_assert_not_null(t);
    cr_assert(GetExitCodeThread(t, &code), "GetExitCodeThread: %u", (unsigned)GetLastError());
    cr_assert_eq(code, STILL_ACTIVE);
    cr_assert_eq(GetThreadId(t), GetCurrentThreadId());
}

/* TerminateThread (issue 12): the thread ends with the code, off its wait at once, its mutexes
 * abandoned, its object signalled. */
struct victim {
    HANDLE mutex, gate, ready;
    volatile LONG spins;
};

static DWORD WINAPI own_then_wait(LPVOID arg)
{
    struct victim *v = arg;
    WaitForSingleObject(v->mutex, INFINITE);
    SetEvent(v->ready);
    WaitForSingleObject(v->gate, INFINITE); /* never set while it lives */
    return 1;
}

Test(threads, terminate_thread_ends_a_waiting_thread_and_abandons_its_mutex)
{
    struct victim v = {CreateMutexA(NULL, FALSE, NULL), CreateEventA(NULL, FALSE, FALSE, NULL),
                       CreateEventA(NULL, TRUE, FALSE, NULL), 0};
    DWORD tid = 0;
    HANDLE t = CreateThread(NULL, 0, own_then_wait, &v, 0, &tid);
    cr_assert_not_null(t);
    cr_assert_eq(WaitForSingleObject(v.ready, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(wst_await_blocked((pid_t)tid), "the thread never blocked");
    cr_assert(TerminateThread(t, 77), "TerminateThread: %u", (unsigned)GetLastError());
    cr_assert(SetEvent(v.gate));
    cr_assert_eq(WaitForSingleObject(v.gate, 0), WAIT_OBJECT_0, "the terminated thread took it");
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code = 0;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, 77);
    cr_assert_eq(WaitForSingleObject(v.mutex, WST_LONG_MS), WAIT_ABANDONED);
    cr_assert(ReleaseMutex(v.mutex));
    SetLastError(0);
    /* winsync's rule (windows-semantics.md, Threads and processes 5; Wine returns TRUE). */
    cr_assert_not(TerminateThread(t, 78), "an ended thread cannot be terminated again");
    assert_last_error(ERROR_ACCESS_DENIED);
}

/* A thread that spends its time inside the dispatcher lock: the termination is deferred to the
 * moment it leaves the lock, and nothing hangs (run 50 times). */
static DWORD WINAPI churn(LPVOID arg)
{
    struct victim *v = arg;
    SetEvent(v->ready);
    for (;;) {
        SetEvent(v->gate);
        ResetEvent(v->gate);
        InterlockedIncrement(&v->spins);
    }
    return 1;
}

Test(threads, terminate_thread_of_a_thread_busy_in_the_dispatcher)
{
    for (int round = 0; round < 20; round++) {
        struct victim v = {NULL, CreateEventA(NULL, TRUE, FALSE, NULL),
                           CreateEventA(NULL, TRUE, FALSE, NULL), 0};
        HANDLE t = CreateThread(NULL, 0, churn, &v, 0, NULL);
        cr_assert_not_null(t);
        cr_assert_eq(WaitForSingleObject(v.ready, WST_LONG_MS), WAIT_OBJECT_0);
        while (v.spins < 10 * (round + 1))
            ;
        cr_assert(TerminateThread(t, 5));
        cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0, "round %d", round);
        DWORD code = 0;
        cr_assert(GetExitCodeThread(t, &code));
        cr_assert_eq(code, 5);
        CloseHandle(t);
        CloseHandle(v.gate);
        CloseHandle(v.ready);
    }
}

Test(threads, terminate_thread_needs_thread_terminate_access)
{
    HANDLE t;
    cr_assert(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &t,
                              SYNCHRONIZE, FALSE, 0));
    SetLastError(0);
    cr_assert_not(TerminateThread(t, 1));
    assert_last_error(ERROR_ACCESS_DENIED);
    SetLastError(0);
    cr_assert_not(TerminateThread(NULL, 1));
    assert_last_error(ERROR_INVALID_HANDLE);
}
