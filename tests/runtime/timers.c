/* Waitable timers: due times, periods, manual and auto reset, cancel and re-set, waits with
 * other objects, the completion APC, other processes, bad arguments. Times are asserted only
 * as "not before the due time" and as an order of events, never as "within X ms". */
#include <time.h>

#include "rt.h"

TestSuite(timers, .timeout = RT_TIMEOUT);

#define MS(n) ((LONGLONG)(n)*10000) /* milliseconds in 100 ns units */

static LONGLONG monotonic_100ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

static ULONGLONG system_time(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

static BOOL set_relative(HANDLE t, LONGLONG ms, LONG period)
{
    LARGE_INTEGER due = {.QuadPart = -MS(ms)};
    return SetWaitableTimer(t, &due, period, NULL, NULL, FALSE);
}

/* What completion routines did, in this process (each test runs in its own process). */
static volatile LONG apc_count;
static LPVOID apc_arg;
static ULONGLONG apc_fired;
static DWORD apc_thread;
static int order[8];
static volatile LONG order_count;

static VOID CALLBACK on_timer(LPVOID arg, DWORD low, DWORD high)
{
    InterlockedIncrement(&apc_count);
    apc_arg = arg;
    apc_fired = (ULONGLONG)high << 32 | low;
    apc_thread = GetCurrentThreadId();
    LONG i = InterlockedIncrement(&order_count) - 1;
    if (i < 8)
        order[i] = 1;
}

static VOID CALLBACK on_user_apc(ULONG_PTR data)
{
    LONG i = InterlockedIncrement(&order_count) - 1;
    if (i < 8)
        order[i] = (int)data;
}

Test(timers, a_new_timer_is_not_signalled_and_system_time_is_after_1601)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    cr_assert_not_null(t);
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(t, 50), WAIT_TIMEOUT, "an unset timer fired");
    /* 2020-01-01 is 132223104000000000 in FILETIME units. */
    cr_assert_gt(system_time(), 132223104000000000ULL);
    CloseHandle(t);
}

Test(timers, relative_due_time_signals_not_before_it)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    LONGLONG before = monotonic_100ns();
    cr_assert(set_relative(t, 100, 0));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_geq(monotonic_100ns() - before, MS(100), "signalled before its due time");
    CloseHandle(t);
}

Test(timers, absolute_due_time_signals_not_before_it_and_a_past_one_at_once)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    LARGE_INTEGER due = {.QuadPart = (LONGLONG)system_time() + MS(100)};
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_geq(system_time(), (ULONGLONG)due.QuadPart, "signalled before its due time");

    due.QuadPart = (LONGLONG)system_time() - MS(1000); /* in the past */
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0);
    due.QuadPart = 0; /* 1601 */
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0);
    due.QuadPart = (LONGLONG)system_time() + MS(3600 * 1000); /* in an hour */
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_TIMEOUT, "re-setting left it signalled");
    CloseHandle(t);
}

Test(timers, manual_reset_stays_signalled_auto_reset_releases_one_wait)
{
    HANDLE manual = CreateWaitableTimerA(NULL, TRUE, NULL);
    HANDLE autor = CreateWaitableTimerA(NULL, FALSE, NULL);
    cr_assert(set_relative(manual, 0, 0));
    cr_assert(set_relative(autor, 0, 0));
    cr_assert_eq(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(manual, 0), WAIT_OBJECT_0, "a manual-reset timer reset");
    cr_assert_eq(WaitForSingleObject(autor, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(autor, 0), WAIT_TIMEOUT, "an auto-reset timer stayed set");
    CloseHandle(manual);
    CloseHandle(autor);
}

Test(timers, auto_reset_expiry_releases_one_blocked_waiter_manual_all)
{
    for (int manual = 0; manual <= 1; manual++) {
        HANDLE t = CreateWaitableTimerA(NULL, manual, NULL);
        struct wst_pipe report[2], ready[2];
        struct rt_wait w[2];
        pthread_t th[2];
        for (int i = 0; i < 2; i++) {
            rt_pipe(&report[i]);
            rt_pipe(&ready[i]);
            w[i] = rt_wait_one(t, INFINITE, &report[i], &ready[i]);
            th[i] = rt_start_waiter_thread(&w[i]);
            rt_assert_blocked(&w[i], rt_await_ready(&w[i]));
        }
        cr_assert(set_relative(t, 20, 0));
        int first = -1;
        for (int i = 0; first < 0; i = (i + 1) % 2)
            if (wst_recv(&report[i], 10) == 0)
                first = i;
        int other = 1 - first;
        if (manual) {
            cr_assert_eq(wst_recv(&report[other], WST_LONG_MS), 0, "manual: one waiter left");
        } else {
            cr_assert_eq(wst_recv(&report[other], WST_QUIET_MS), -1, "auto: released two");
            cr_assert(set_relative(t, 0, 0));
            cr_assert_eq(wst_recv(&report[other], WST_LONG_MS), 0);
        }
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        CloseHandle(t);
    }
}

Test(timers, periodic_auto_reset_timer_fires_every_period)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    LONGLONG before = monotonic_100ns();
    cr_assert(set_relative(t, 10, 20));
    for (int i = 0; i < 4; i++)
        cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0, "expiry %d", i);
    cr_assert_geq(monotonic_100ns() - before, MS(10 + 3 * 20), "four expiries came too soon");
    cr_assert(CancelWaitableTimer(t));
    cr_assert_eq(WaitForSingleObject(t, 100), WAIT_TIMEOUT, "a cancelled periodic timer fired");
    CloseHandle(t);
}

Test(timers, cancel_stops_the_timer_and_keeps_its_state)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    cr_assert(CancelWaitableTimer(t), "cancelling an unset timer succeeds");
    cr_assert(set_relative(t, 50, 0));
    cr_assert(CancelWaitableTimer(t));
    cr_assert_eq(WaitForSingleObject(t, 200), WAIT_TIMEOUT, "a cancelled timer fired");
    cr_assert(set_relative(t, 0, 0));
    cr_assert(CancelWaitableTimer(t));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0, "cancel reset a signalled timer");
    CloseHandle(t);
}

Test(timers, an_expiry_nobody_saw_counts_before_cancel)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    HANDLE other = CreateWaitableTimerA(NULL, TRUE, NULL);
    cr_assert(set_relative(t, 10, 0));
    cr_assert(set_relative(other, 30, 0));
    /* Time passes (the other timer's wait) while nobody looks at t. */
    cr_assert_eq(WaitForSingleObject(other, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(CancelWaitableTimer(t));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0, "its expiry was lost");
    CloseHandle(t);
    CloseHandle(other);
}

Test(timers, re_setting_resets_the_state_and_moves_a_blocked_waiter_deadline)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    cr_assert(set_relative(t, 0, 0));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0);
    cr_assert(set_relative(t, 3600 * 1000, 0));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_TIMEOUT, "re-setting left it signalled");

    /* A waiter asleep until the hour is up learns of the new, earlier due time. */
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(t, INFINITE, &report, &ready);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);
    cr_assert(set_relative(t, 20, 0));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid);
    CloseHandle(t);
}

Test(timers, wait_any_and_wait_all_with_an_event)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    HANDLE both[2] = {ev, t};
    cr_assert(set_relative(t, 20, 0));
    cr_assert_eq(WaitForMultipleObjects(2, both, FALSE, WST_LONG_MS), WAIT_OBJECT_0 + 1);
    cr_assert(set_relative(t, 3600 * 1000, 0));
    cr_assert(SetEvent(ev));
    cr_assert_eq(WaitForMultipleObjects(2, both, FALSE, WST_LONG_MS), WAIT_OBJECT_0);

    /* Wait-all: the event is set, the timer expires later; both are consumed together. */
    cr_assert(SetEvent(ev));
    cr_assert(set_relative(t, 20, 0));
    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
    CloseHandle(ev);
    CloseHandle(t);
}

Test(timers, completion_routine_runs_in_an_alertable_sleep_with_the_expiry_time)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    ULONGLONG set_at = system_time();
    LARGE_INTEGER due = {.QuadPart = -MS(50)};
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, (LPVOID)0x1234, FALSE));
    cr_assert_eq(SleepEx(WST_LONG_MS, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(apc_count, 1);
    cr_assert_eq(apc_arg, (LPVOID)0x1234);
    cr_assert_eq(apc_thread, GetCurrentThreadId());
    /* The expiry's system time: not before the due time (1 ms for the clocks' rounding). */
    cr_assert_geq(apc_fired + MS(1), set_at + MS(50), "fired %llu, set at %llu",
                  (unsigned long long)apc_fired, (unsigned long long)set_at);
    cr_assert_leq(apc_fired, system_time());
    cr_assert_eq(SleepEx(0, TRUE), 0, "a one-shot timer queued a second APC");
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0, "the APC did not leave it signalled");
    CloseHandle(t);
}

Test(timers, completion_routine_interrupts_an_alertable_wait_on_something_else)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(30)};
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObjectEx(ev, WST_LONG_MS, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(apc_count, 1);
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0, "the expiry did not signal it");

    /* Another thread waits on the timer too: whoever expires it, both learn of it. */
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(t, INFINITE, &report, &ready);
    pthread_t th = rt_start_waiter_thread(&w);
    rt_assert_blocked(&w, rt_await_ready(&w));
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObjectEx(ev, WST_LONG_MS, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(apc_count, 2);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    pthread_join(th, NULL);
    CloseHandle(ev);
    CloseHandle(t);
}

static HANDLE shared_timer;
static DWORD WINAPI take_expiries(LPVOID n)
{
    for (intptr_t i = 0; i < (intptr_t)n; i++)
        if (WaitForSingleObject(shared_timer, WST_LONG_MS) != WAIT_OBJECT_0)
            return 1;
    return 0;
}

static int take_expiries_child(void *n)
{
    return (int)take_expiries(n);
}

/* A periodic auto-reset timer feeds waiters in two processes: every wait ends (no expiry is
 * lost between the waiters who take turns expiring it). */
Test(timers, a_periodic_timer_feeds_waiters_in_two_processes, .timeout = 60)
{
    shared_timer = CreateWaitableTimerA(NULL, FALSE, NULL);
    cr_assert(set_relative(shared_timer, 1, 1));
    pid_t pid = wst_spawn(take_expiries_child, (void *)(intptr_t)40);
    cr_assert_gt(pid, 0);
    HANDLE th[3];
    for (int i = 0; i < 3; i++)
        th[i] = CreateThread(NULL, 0, take_expiries, (LPVOID)(intptr_t)40, 0, NULL);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(WaitForSingleObject(th[i], 4 * WST_LONG_MS), WAIT_OBJECT_0);
        DWORD code = 1;
        cr_assert(GetExitCodeThread(th[i], &code));
        cr_assert_eq(code, 0, "thread %d missed an expiry", i);
        CloseHandle(th[i]);
    }
    assert_child_ok(pid);
    cr_assert(CancelWaitableTimer(shared_timer));
    CloseHandle(shared_timer);
}

Test(timers, completion_routine_waits_for_an_alertable_wait)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(10)};
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(SleepEx(0, FALSE), 0);
    cr_assert_eq(apc_count, 0, "the routine ran outside an alertable wait");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_eq(WaitForSingleObjectEx(ev, WST_LONG_MS, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(apc_count, 1);
    CloseHandle(ev);
    CloseHandle(t);
}

Test(timers, a_periodic_timer_queues_one_apc_at_a_time)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(10)};
    cr_assert(SetWaitableTimer(t, &due, 10, on_timer, NULL, FALSE));
    for (int i = 0; i < 3; i++)
        cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(apc_count, 1, "three expiries queued %ld APCs", (long)apc_count);
    cr_assert(CancelWaitableTimer(t));
    CloseHandle(t);
}

Test(timers, cancel_and_re_set_drop_a_queued_apc_close_does_not)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(10)};
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(CancelWaitableTimer(t));
    cr_assert_eq(SleepEx(0, TRUE), 0, "cancel left the APC queued");

    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(set_relative(t, 3600 * 1000, 0));
    cr_assert_eq(SleepEx(0, TRUE), 0, "re-setting left the APC queued");
    cr_assert_eq(apc_count, 0);

    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(CloseHandle(t));
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION, "closing dropped the queued APC");
    cr_assert_eq(apc_count, 1);
}

Test(timers, a_due_timer_apc_goes_before_a_later_queued_user_apc)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    HANDLE later = CreateWaitableTimerA(NULL, TRUE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(10)};
    cr_assert(SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE));
    cr_assert(set_relative(later, 30, 0));
    cr_assert_eq(WaitForSingleObject(later, WST_LONG_MS), WAIT_OBJECT_0); /* not alertable */
    HANDLE self = NULL;
    cr_assert(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &self,
                              0, FALSE, DUPLICATE_SAME_ACCESS));
    cr_assert_neq(QueueUserAPC(on_user_apc, self, 2), 0);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    cr_assert_eq(order_count, 2);
    cr_assert(order[0] == 1 && order[1] == 2, "order %d %d", order[0], order[1]);
    CloseHandle(self);
    CloseHandle(later);
    CloseHandle(t);
}

static HANDLE thread_timer;
static DWORD WINAPI set_and_exit(LPVOID with_apc)
{
    LARGE_INTEGER due = {.QuadPart = -MS(with_apc ? 1000 : 20)};
    return SetWaitableTimer(thread_timer, &due, 0, with_apc ? on_timer : NULL, NULL, FALSE) ? 0 : 1;
}

Test(timers, the_setters_end_cancels_a_timer_with_a_routine_only)
{
    for (int with_apc = 0; with_apc <= 1; with_apc++) {
        thread_timer = CreateWaitableTimerA(NULL, TRUE, NULL);
        HANDLE th = CreateThread(NULL, 0, set_and_exit, (LPVOID)(intptr_t)with_apc, 0, NULL);
        cr_assert_eq(WaitForSingleObject(th, WST_LONG_MS), WAIT_OBJECT_0);
        DWORD code = 1;
        cr_assert(GetExitCodeThread(th, &code));
        cr_assert_eq(code, 0);
        if (with_apc)
            cr_assert_eq(WaitForSingleObject(thread_timer, 1500), WAIT_TIMEOUT,
                         "the timer outlived its setter with a routine");
        else
            cr_assert_eq(WaitForSingleObject(thread_timer, WST_LONG_MS), WAIT_OBJECT_0);
        CloseHandle(th);
        CloseHandle(thread_timer);
    }
    cr_assert_eq(apc_count, 0);
}

Test(timers, a_named_timer_is_waited_and_set_by_other_programs)
{
    char name[96];
    wst_name(name, sizeof name, "timer");
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, name);
    cr_assert_not_null(t);
    cr_assert_eq(GetLastError(), 0);
    HANDLE again = CreateWaitableTimerA(NULL, FALSE, name);
    cr_assert_not_null(again);
    assert_last_error(ERROR_ALREADY_EXISTS);
    CloseHandle(again);

    /* Another program waits; this one sets the timer. */
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "wait-timer", name, "10000", NULL});
    cr_assert(wst_await_blocked(pid));
    cr_assert(set_relative(t, 20, 0));
    assert_child_ok(pid);

    /* Another program sets it (no routine) and ends before it is due: it still fires. */
    cr_assert(set_relative(t, 3600 * 1000, 0));
    pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "set-timer", name, "50", "0", NULL});
    assert_child_ok(pid);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);

    /* With a routine, the setter's end cancels it, unsignalled. */
    pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "set-timer", name, "1000", "1", NULL});
    assert_child_ok(pid);
    cr_assert_eq(WaitForSingleObject(t, 1500), WAIT_TIMEOUT);
    CloseHandle(t);
}

/* kill -9 of the setter: nobody reaps it (this process creates nothing after the kill), yet its
 * timer with a routine does not expire: the expiry sees the setter dead. */
Test(timers, a_killed_setter_with_a_routine_leaves_its_timer_unsignalled)
{
    char name[96], evname[96];
    wst_name(name, sizeof name, "timer-kill");
    wst_name(evname, sizeof evname, "timer-kill-ev");
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, name);
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, evname);
    pid_t pid = rt_exec_child(
        (const char *[]){RT_CHILD_PATH, "set-timer-block", name, "1000", evname, NULL});
    cr_assert_eq(WaitForSingleObject(ev, WST_LONG_MS), WAIT_OBJECT_0, "the child never set it");
    cr_assert_eq(kill(pid, SIGKILL), 0);
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 128 + SIGKILL);
    cr_assert_eq(WaitForSingleObject(t, 2000), WAIT_TIMEOUT, "a killed setter's timer expired");
    CloseHandle(ev);
    CloseHandle(t);
}

Test(timers, a_forked_child_waits_on_an_inherited_timer)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(t, INFINITE, &report, &ready);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);
    cr_assert(set_relative(t, 20, 0));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid);
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_TIMEOUT, "the child's wait did not consume it");
    CloseHandle(t);
}

Test(timers, bad_handles_arguments_and_rights)
{
    HANDLE t =
        CreateWaitableTimerExA(NULL, NULL, CREATE_WAITABLE_TIMER_MANUAL_RESET, TIMER_ALL_ACCESS);
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    LARGE_INTEGER due = {.QuadPart = -MS(10)};
    SetLastError(0xDEADBEEF);
    cr_assert_eq(SetWaitableTimer(NULL, &due, 0, NULL, NULL, FALSE), FALSE);
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_eq(SetWaitableTimer(ev, &due, 0, NULL, NULL, FALSE), FALSE);
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_eq(CancelWaitableTimer(ev), FALSE);
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_eq(SetWaitableTimer(t, NULL, 0, NULL, NULL, FALSE), FALSE);
    assert_last_error(ERROR_NOACCESS);
    cr_assert_eq(SetWaitableTimer(t, &due, -1, NULL, NULL, FALSE), FALSE);
    assert_last_error(ERROR_INVALID_PARAMETER);
    cr_assert_eq(WaitForSingleObject(t, 50), WAIT_TIMEOUT, "a failed set armed the timer");

    SetLastError(0xDEADBEEF);
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    assert_last_error(0xDEADBEEF);
    cr_assert(SetWaitableTimerEx(t, &due, 0, NULL, NULL, NULL, 0));
    assert_last_error(0xDEADBEEF);
    cr_assert(SetWaitableTimer(t, &due, 0, NULL, NULL, TRUE), "fResume is ignored, not refused");
    assert_last_error(ERROR_NOT_SUPPORTED);

    /* Rights: SYNCHRONIZE to wait, TIMER_MODIFY_STATE to set and cancel. */
    char name[96];
    wst_name(name, sizeof name, "timer-rights");
    HANDLE named = CreateWaitableTimerExA(NULL, name, 0, SYNCHRONIZE);
    cr_assert_not_null(named);
    cr_assert_eq(SetWaitableTimer(named, &due, 0, NULL, NULL, FALSE), FALSE);
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert_eq(CancelWaitableTimer(named), FALSE);
    assert_last_error(ERROR_ACCESS_DENIED);
    HANDLE modify = OpenWaitableTimerA(TIMER_MODIFY_STATE, FALSE, name);
    cr_assert_not_null(modify);
    cr_assert_eq(WaitForSingleObject(modify, 0), WAIT_FAILED);
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert(SetWaitableTimer(modify, &due, 0, NULL, NULL, FALSE));
    cr_assert_eq(WaitForSingleObject(named, WST_LONG_MS), WAIT_OBJECT_0);

    /* Names: missing, NULL, another type's. */
    cr_assert_null(OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, "no-such-timer-here"));
    assert_last_error(ERROR_FILE_NOT_FOUND);
    cr_assert_null(OpenWaitableTimerW(TIMER_ALL_ACCESS, FALSE, NULL));
    assert_last_error(ERROR_INVALID_PARAMETER);
    char evname[96];
    wst_name(evname, sizeof evname, "timer-ev");
    HANDLE named_ev = CreateEventA(NULL, FALSE, FALSE, evname);
    cr_assert_null(OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, evname));
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_null(CreateWaitableTimerA(NULL, FALSE, evname));
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_null(OpenEventA(EVENT_ALL_ACCESS, FALSE, name));
    assert_last_error(ERROR_INVALID_HANDLE);
    CloseHandle(named_ev);
    CloseHandle(modify);
    CloseHandle(named);
    CloseHandle(ev);
    CloseHandle(t);
}

Test(timers, wide_names_meet_ansi_names)
{
    char name[96];
    WCHAR wide[96];
    wst_name(name, sizeof name, "timer-w");
    for (size_t i = 0; i <= strlen(name); i++)
        wide[i] = (WCHAR)name[i];
    HANDLE t = CreateWaitableTimerW(NULL, TRUE, wide);
    cr_assert_not_null(t);
    HANDLE a = OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, name);
    cr_assert_not_null(a);
    HANDLE ex = CreateWaitableTimerExW(NULL, wide, 0, TIMER_ALL_ACCESS);
    cr_assert_not_null(ex);
    assert_last_error(ERROR_ALREADY_EXISTS);
    cr_assert(set_relative(a, 0, 0));
    cr_assert_eq(WaitForSingleObject(t, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ex, 0), WAIT_OBJECT_0, "manual reset was not kept");
    CloseHandle(ex);
    CloseHandle(a);
    CloseHandle(t);
}
