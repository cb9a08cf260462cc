/* User APCs and alertable waits. */
#include "rt.h"

TestSuite(apc, .timeout = RT_TIMEOUT);

/* What the APCs did, in this process (each Criterion test runs in its own process). */
static ULONG_PTR ran[16];
static DWORD ran_on[16];
static volatile LONG ran_count;

static VOID CALLBACK record(ULONG_PTR data)
{
    LONG i = InterlockedIncrement(&ran_count) - 1;
    if (i < 16) {
        ran[i] = data;
        ran_on[i] = GetCurrentThreadId();
    }
}

static VOID CALLBACK set_event_apc(ULONG_PTR data)
{
    record(data);
    SetEvent((HANDLE)data);
}

static DWORD WINAPI wait_in_thread(LPVOID arg)
{
    return (DWORD)rt_wait_body(arg);
}

Test(apc, never_runs_at_queue_time_nor_in_non_alertable_waits)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_neq(QueueUserAPC(record, GetCurrentThread(), 1), 0);
    cr_assert_eq(ran_count, 0);
    cr_assert_eq(WaitForSingleObject(ev, 20), WAIT_TIMEOUT);
    cr_assert_eq(WaitForMultipleObjectsEx(1, &ev, FALSE, 10, FALSE), WAIT_TIMEOUT);
    Sleep(5);
    cr_assert_eq(SleepEx(5, FALSE), 0);
    cr_assert_eq(ran_count, 0, "a non-alertable wait ran an APC");
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran_on[0], GetCurrentThreadId());
    cr_assert_eq(SleepEx(0, TRUE), 0, "SleepEx returns 0 when no APC ran");
}

Test(apc, an_alertable_wait_runs_all_pending_apcs_in_fifo_order)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    for (ULONG_PTR i = 1; i <= 5; i++)
        cr_assert_neq(QueueUserAPC(record, GetCurrentThread(), i), 0);
    cr_assert_eq(WaitForSingleObjectEx(ev, INFINITE, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(ran_count, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ran[i], (ULONG_PTR)(i + 1), "APC %d ran out of order", i);
}

Test(apc, an_apc_queued_during_an_alertable_wait_ends_it_on_the_waiting_thread)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ev, INFINITE, &report, &ready);
    w.alertable = TRUE;
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, wait_in_thread, &w, 0, &tid);
    cr_assert_not_null(t);
    rt_assert_blocked(&w, rt_await_ready(&w));
    cr_assert_eq(ran_count, 0);
    cr_assert_neq(QueueUserAPC(record, t, 42), 0);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_IO_COMPLETION));
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran[0], 42);
    cr_assert_eq(ran_on[0], tid, "the APC ran on the wrong thread");
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "the event changed");
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
}

struct non_alertable {
    HANDLE ev;
    struct wst_pipe *ready;
    volatile pid_t tid;
    LONG ran_after_wait;
    DWORD sleep_result;
};

static DWORD WINAPI non_alertable_then_alertable(LPVOID arg)
{
    struct non_alertable *a = arg;
    a->tid = (pid_t)syscall(SYS_gettid);
    wst_send(a->ready, 'r');
    DWORD r = WaitForSingleObject(a->ev, INFINITE);
    a->ran_after_wait = ran_count;
    a->sleep_result = SleepEx(0, TRUE);
    return r;
}

Test(apc, an_apc_does_not_end_a_non_alertable_wait)
{
    struct wst_pipe ready;
    rt_pipe(&ready);
    struct non_alertable a = {CreateEventA(NULL, FALSE, FALSE, NULL), &ready, 0, -1, 0};
    HANDLE t = CreateThread(NULL, 0, non_alertable_then_alertable, &a, 0, NULL);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(a.tid));
    cr_assert_neq(QueueUserAPC(record, t, 7), 0);
    cr_assert_eq(WaitForSingleObject(t, WST_QUIET_MS), WAIT_TIMEOUT, "the APC ended the wait");
    cr_assert(SetEvent(a.ev));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, WAIT_OBJECT_0);
    cr_assert_eq(a.ran_after_wait, 0, "the APC ran in a non-alertable wait");
    cr_assert_eq(a.sleep_result, WAIT_IO_COMPLETION);
    cr_assert_eq(ran_count, 1);
}

Test(apc, an_object_signalled_by_an_apc_is_left_for_the_next_wait)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_neq(QueueUserAPC(set_event_apc, GetCurrentThread(), (ULONG_PTR)ev), 0);
    cr_assert_eq(WaitForSingleObjectEx(ev, INFINITE, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
}

Test(apc, signalled_object_with_a_pending_apc_gives_either_result_consistently)
{
    HANDLE ev = CreateEventA(NULL, FALSE, TRUE, NULL);
    cr_assert_neq(QueueUserAPC(record, GetCurrentThread(), 1), 0);
    DWORD r = WaitForSingleObjectEx(ev, INFINITE, TRUE);
    if (r == WAIT_OBJECT_0) { /* the NT kernel's and Wine's choice: the APC is still queued */
        cr_assert_eq(ran_count, 0);
        cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    } else { /* the .NET PAL's expectation: the object is left alone */
        cr_assert_eq(r, WAIT_IO_COMPLETION);
        cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    }
    cr_assert_eq(ran_count, 1);
}

Test(apc, every_alertable_wait_function_delivers)
{
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE other = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE both[2] = {never, other};

    QueueUserAPC(record, GetCurrentThread(), 1);
    cr_assert_eq(SleepEx(INFINITE, TRUE), WAIT_IO_COMPLETION);
    QueueUserAPC(record, GetCurrentThread(), 2);
    cr_assert_eq(WaitForMultipleObjectsEx(2, both, FALSE, INFINITE, TRUE), WAIT_IO_COMPLETION);
    QueueUserAPC(record, GetCurrentThread(), 3);
    cr_assert_eq(WaitForMultipleObjectsEx(2, both, TRUE, INFINITE, TRUE), WAIT_IO_COMPLETION);
    QueueUserAPC(record, GetCurrentThread(), 4);
    cr_assert_eq(SignalObjectAndWait(other, never, INFINITE, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(WaitForSingleObject(other, 0), WAIT_OBJECT_0,
                 "SignalObjectAndWait did not signal");
    cr_assert_eq(ran_count, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ran[i], (ULONG_PTR)(i + 1));
}

static DWORD WINAPI quick_exit_thread(LPVOID arg)
{
    (void)arg;
    return 0;
}

Test(apc, queue_to_an_ended_thread_fails_gen_failure)
{
    HANDLE t = CreateThread(NULL, 0, quick_exit_thread, NULL, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    SetLastError(0);
    cr_assert_eq(QueueUserAPC(record, t, 1), 0);
    assert_last_error(ERROR_GEN_FAILURE);
    cr_assert_eq(ran_count, 0);
}

struct remote_queue {
    DWORD tid;
};

/* From another process: open our thread by id and queue an APC to it. The routine's
 * address is valid in the target because the child is a fork of it. */
static int queue_from_child(void *arg)
{
    struct remote_queue *q = arg;
    HANDLE t = OpenThread(THREAD_SET_CONTEXT, FALSE, q->tid);
    CHILD_CHECK(t != NULL);
    CHILD_CHECK(QueueUserAPC(record, t, 99) != 0);
    return 0;
}

Test(apc, an_apc_queued_from_another_process_runs_in_the_target)
{
    /* Our first winsync call registers this thread, so the child can find it by id. */
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct remote_queue q = {GetCurrentThreadId()};
    pid_t pid = wst_spawn(queue_from_child, &q);
    cr_assert_eq(WaitForSingleObjectEx(never, WST_LONG_MS, TRUE), WAIT_IO_COMPLETION);
    assert_child_ok(pid);
    cr_assert_eq(ran_count, 1);
    cr_assert_eq(ran[0], 99);
}
