/* SuspendThread, ResumeThread, CreateThread(CREATE_SUSPENDED) and special user APCs
 * (QueueUserAPC2). Where a suspended thread stops: runtime/threads/suspend.c. */
#include "rt.h"

TestSuite(suspend, .timeout = RT_TIMEOUT);

/* What ran, in order, in this process (each Criterion test runs in its own process). */
static ULONG_PTR ran[16];
static DWORD ran_on[16];
static volatile LONG ran_count;

static void note(ULONG_PTR what)
{
    LONG i = InterlockedIncrement(&ran_count) - 1;
    if (i < 16) {
        ran[i] = what;
        ran_on[i] = GetCurrentThreadId();
    }
}

static VOID CALLBACK record(ULONG_PTR data)
{
    note(data);
}

static DWORD WINAPI note_and_return(LPVOID arg)
{
    note(100);
    return (DWORD)(ULONG_PTR)arg;
}

static DWORD WINAPI wait_in_thread(LPVOID arg)
{
    return (DWORD)rt_wait_body(arg);
}

Test(suspend, a_thread_created_suspended_runs_nothing_until_resumed)
{
    DWORD tid = 0;
    HANDLE t = CreateThread(NULL, 0, note_and_return, (LPVOID)7, CREATE_SUSPENDED, &tid);
    cr_assert_not_null(t, "CreateThread(CREATE_SUSPENDED): %u", (unsigned)GetLastError());
    cr_assert_neq(tid, 0);
    cr_assert_eq(GetThreadId(t), tid);
    cr_assert_eq(WaitForSingleObject(t, WST_QUIET_MS), WAIT_TIMEOUT);
    cr_assert_eq(ran_count, 0, "the start routine ran while suspended");
    DWORD code = 0;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, STILL_ACTIVE);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, 7);
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran_on[0], tid);
    CloseHandle(t);
}

Test(suspend, the_count_goes_up_and_down_and_calls_return_the_previous_count)
{
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    cr_assert_not_null(t);
    for (DWORD i = 1; i < MAXIMUM_SUSPEND_COUNT; i++)
        cr_assert_eq(SuspendThread(t), i);
    SetLastError(0);
    cr_assert_eq(SuspendThread(t), (DWORD)-1, "past MAXIMUM_SUSPEND_COUNT");
    assert_last_error(ERROR_SIGNAL_REFCOUNT_EXCEEDED);
    for (DWORD i = MAXIMUM_SUSPEND_COUNT; i > 1; i--)
        cr_assert_eq(ResumeThread(t), i, "the failed SuspendThread changed the count");
    cr_assert_eq(ran_count, 0);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(ran_count, 1);
    CloseHandle(t);
}

static DWORD WINAPI wait_for_event(LPVOID arg)
{
    return WaitForSingleObject((HANDLE)arg, INFINITE);
}

Test(suspend, resuming_a_thread_that_is_not_suspended_returns_0)
{
    cr_assert_eq(ResumeThread(GetCurrentThread()), 0);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, wait_for_event, ev, CREATE_SUSPENDED, NULL);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(ResumeThread(t), 0, "the count went below 0");
    cr_assert_eq(SuspendThread(t), 0);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert(SetEvent(ev));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(t);
    CloseHandle(ev);
}

Test(suspend, both_need_thread_suspend_resume_and_fail_on_an_ended_thread)
{
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, &tid);
    HANDLE weak = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
    cr_assert_not_null(weak);
    SetLastError(0);
    cr_assert_eq(SuspendThread(weak), (DWORD)-1);
    assert_last_error(ERROR_ACCESS_DENIED);
    SetLastError(0);
    cr_assert_eq(ResumeThread(weak), (DWORD)-1);
    assert_last_error(ERROR_ACCESS_DENIED);
    HANDLE strong = OpenThread(THREAD_SUSPEND_RESUME, FALSE, tid);
    cr_assert_not_null(strong);
    cr_assert_eq(SuspendThread(strong), 1);
    cr_assert_eq(ResumeThread(strong), 2);
    cr_assert_eq(ResumeThread(strong), 1);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    SetLastError(0);
    cr_assert_eq(SuspendThread(t), (DWORD)-1, "suspended an ended thread");
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert_eq(ResumeThread(t), 0, "resuming an ended thread is not an error");
    SetLastError(0);
    cr_assert_eq(SuspendThread(NULL), (DWORD)-1);
    assert_last_error(ERROR_INVALID_HANDLE);
    CloseHandle(weak);
    CloseHandle(strong);
    CloseHandle(t);
}

Test(suspend, apcs_queued_before_the_start_run_first_special_ones_before_normal_ones)
{
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    cr_assert_neq(QueueUserAPC(record, t, 1), 0);
    cr_assert(QueueUserAPC2(record, t, 2, QUEUE_USER_APC_FLAGS_NONE));
    cr_assert(QueueUserAPC2(record, t, 3, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    cr_assert_eq(WaitForSingleObject(t, WST_QUIET_MS), WAIT_TIMEOUT);
    cr_assert_eq(ran_count, 0, "an APC ran on a suspended thread");
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(ran_count, 4);
    cr_assert_eq(ran[0], 3, "the special APC did not run first");
    cr_assert_eq(ran[1], 1);
    cr_assert_eq(ran[2], 2);
    cr_assert_eq(ran[3], 100, "the start routine did not run last");
    CloseHandle(t);
}

Test(suspend, terminating_a_thread_created_suspended_ends_it_without_running_it)
{
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    cr_assert(TerminateThread(t, 9));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, 9);
    cr_assert_eq(ran_count, 0);
    CloseHandle(t);
}

Test(suspend, a_suspended_waiter_takes_no_signal_until_resumed)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ev, INFINITE, &report, &ready);
    HANDLE t = CreateThread(NULL, 0, wait_in_thread, &w, 0, NULL);
    rt_assert_blocked(&w, rt_await_ready(&w));
    cr_assert_eq(SuspendThread(t), 0);
    cr_assert(SetEvent(ev));
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "the suspended waiter took the set");
    cr_assert(SetEvent(ev));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "a suspended waiter returned");
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_OBJECT_0));
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "the resumed waiter left the set");
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(t);
    CloseHandle(ev);
}

Test(suspend, an_apc_for_a_suspended_alertable_waiter_ends_its_wait_only_when_resumed)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ev, INFINITE, &report, &ready);
    w.alertable = TRUE;
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, wait_in_thread, &w, 0, &tid);
    rt_assert_blocked(&w, rt_await_ready(&w));
    cr_assert_eq(SuspendThread(t), 0);
    cr_assert_neq(QueueUserAPC(record, t, 5), 0);
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "a suspended waiter was alerted");
    cr_assert_eq(ran_count, 0);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_IO_COMPLETION));
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran_on[0], tid);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(t);
    CloseHandle(ev);
}

struct spinner {
    volatile LONG count;
    volatile LONG stop;
};

static DWORD WINAPI spin(LPVOID arg)
{
    struct spinner *s = arg;
    while (!s->stop)
        InterlockedIncrement(&s->count);
    return 0;
}

/* Wait until the spinner has counted past `at` (a running thread), up to WST_LONG_MS. */
static bool counts_past(struct spinner *s, LONG at)
{
    long long deadline = wst_now_ms() + WST_LONG_MS;
    while (s->count <= at)
        if (wst_now_ms() > deadline)
            return false;
    return true;
}

Test(suspend, a_thread_running_its_own_code_is_stopped_and_resumed)
{
    struct spinner s = {0, 0};
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, spin, &s, 0, &tid);
    cr_assert(counts_past(&s, 0));
    cr_assert_eq(SuspendThread(t), 0);
    cr_assert(wst_await_blocked((pid_t)tid), "the suspended thread never stopped");
    LONG stopped_at = s.count;
    cr_assert(wst_await_blocked((pid_t)tid));
    cr_assert_eq(s.count, stopped_at, "a suspended thread ran");
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert(counts_past(&s, stopped_at), "the resumed thread does not run");
    s.stop = 1;
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(t);
}

static struct spinner *apc_spinner;

static VOID CALLBACK stop_spinner(ULONG_PTR data)
{
    note(data);
    apc_spinner->stop = 1;
}

Test(suspend, a_special_apc_interrupts_a_thread_running_its_own_code)
{
    struct spinner s = {0, 0};
    apc_spinner = &s;
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, spin, &s, 0, &tid);
    cr_assert(counts_past(&s, 0));
    cr_assert(QueueUserAPC2(stop_spinner, t, 8, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0, "the APC never ran");
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran[0], 8);
    cr_assert_eq(ran_on[0], tid);
    CloseHandle(t);
}

struct after_wait {
    HANDLE ev;
    BOOL alertable;
    struct wst_pipe *ready;
    volatile pid_t tid;
    LONG ran_when_returned;
};

static DWORD WINAPI wait_then_count(LPVOID arg)
{
    struct after_wait *a = arg;
    a->tid = (pid_t)syscall(SYS_gettid);
    wst_send(a->ready, 'r');
    DWORD r = WaitForSingleObjectEx(a->ev, INFINITE, a->alertable);
    a->ran_when_returned = ran_count;
    return r;
}

Test(suspend, a_special_apc_runs_after_a_non_alertable_wait_without_ending_it)
{
    struct wst_pipe ready;
    rt_pipe(&ready);
    struct after_wait a = {CreateEventA(NULL, FALSE, FALSE, NULL), FALSE, &ready, 0, -1};
    HANDLE t = CreateThread(NULL, 0, wait_then_count, &a, 0, NULL);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(a.tid));
    cr_assert(QueueUserAPC2(record, t, 9, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    cr_assert_eq(WaitForSingleObject(t, WST_QUIET_MS), WAIT_TIMEOUT, "the APC ended the wait");
    cr_assert_eq(ran_count, 0, "the APC ran inside a non-alertable wait");
    cr_assert(SetEvent(a.ev));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, WAIT_OBJECT_0, "the wait did not get its event");
    cr_assert_eq(a.ran_when_returned, 1, "the APC had not run when the wait returned");
    CloseHandle(t);
    CloseHandle(a.ev);
}

Test(suspend, a_special_apc_ends_an_alertable_wait)
{
    struct wst_pipe ready;
    rt_pipe(&ready);
    struct after_wait a = {CreateEventA(NULL, FALSE, FALSE, NULL), TRUE, &ready, 0, -1};
    HANDLE t = CreateThread(NULL, 0, wait_then_count, &a, 0, NULL);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(a.tid));
    cr_assert(QueueUserAPC2(record, t, 10, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, WAIT_IO_COMPLETION);
    cr_assert_eq(a.ran_when_returned, 1);
    cr_assert_eq(WaitForSingleObject(a.ev, 0), WAIT_TIMEOUT);
    CloseHandle(t);
    CloseHandle(a.ev);
}

Test(suspend, a_special_apc_to_the_calling_thread_runs_before_the_call_returns)
{
    cr_assert(QueueUserAPC2(record, GetCurrentThread(), 11, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran[0], 11);
    cr_assert_eq(SleepEx(0, TRUE), 0, "the special APC was delivered twice");
}

Test(suspend, queue_user_apc2_checks_its_arguments)
{
    SetLastError(0);
    cr_assert_not(QueueUserAPC2(record, GetCurrentThread(), 0, (QUEUE_USER_APC_FLAGS)2));
    assert_last_error(ERROR_INVALID_PARAMETER);
    SetLastError(0);
    cr_assert_not(QueueUserAPC2(record, GetCurrentThread(), 0,
                                QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC |
                                    QUEUE_USER_APC_CALLBACK_DATA_CONTEXT));
    assert_last_error(ERROR_NOT_SUPPORTED);
    SetLastError(0);
    cr_assert_not(
        QueueUserAPC2(NULL, GetCurrentThread(), 0, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    assert_last_error(ERROR_INVALID_PARAMETER);
    SetLastError(0);
    cr_assert_not(QueueUserAPC2(record, NULL, 0, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    assert_last_error(ERROR_INVALID_HANDLE);
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, &tid);
    HANDLE weak = OpenThread(SYNCHRONIZE, FALSE, tid);
    SetLastError(0);
    cr_assert_not(QueueUserAPC2(record, weak, 0, QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC));
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    CloseHandle(weak);
    CloseHandle(t);
    cr_assert_eq(ran_count, 1, "an APC was queued by a failed call");
}

/* Across processes: a forked child's thread blocks on an auto-reset event; the parent suspends
 * it through OpenThread, and the child takes nothing until resumed. */
Test(suspend, a_waiter_in_another_process_is_suspended_and_resumed)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ev, INFINITE, &report, &ready);
    pid_t child = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, child);
    HANDLE t = OpenThread(THREAD_SUSPEND_RESUME, FALSE, (DWORD)child);
    cr_assert_not_null(t, "OpenThread: %u", (unsigned)GetLastError());
    cr_assert_eq(SuspendThread(t), 0);
    cr_assert(SetEvent(ev));
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "the suspended child took the set");
    cr_assert(SetEvent(ev));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1);
    cr_assert_eq(ResumeThread(t), 1);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_OBJECT_0));
    assert_child_ok(child);
    CloseHandle(t);
    CloseHandle(ev);
}
