/* Waitable timers: CreateWaitableTimer(Ex), OpenWaitableTimer, SetWaitableTimer(Ex),
 * CancelWaitableTimer, the completion routine, names across processes. No check depends on how
 * soon a timer fires; only on its state before and after its due time. */
#include "conformance.h"

#define MS(n) ((LONGLONG)(n)*10000) /* milliseconds in 100 ns units */

static ULONGLONG system_time(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

static BOOL set_relative(HANDLE t, LONGLONG ms, LONG period)
{
    LARGE_INTEGER due;
    due.QuadPart = -MS(ms);
    return SetWaitableTimer(t, &due, period, NULL, NULL, FALSE);
}

static volatile LONG apc_count;
static LPVOID apc_arg;
static ULONGLONG apc_fired;

static VOID CALLBACK on_timer(LPVOID arg, DWORD low, DWORD high)
{
    InterlockedIncrement(&apc_count);
    apc_arg = arg;
    apc_fired = (ULONGLONG)high << 32 | low;
}

static void reset_apcs(void)
{
    apc_count = 0;
    apc_arg = NULL;
    apc_fired = 0;
}

static int child_main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "wait") == 0) {
        HANDLE t = OpenWaitableTimerA(SYNCHRONIZE, FALSE, argv[1]);
        if (!t)
            return 3;
        return WaitForSingleObject(t, CF_LONG_MS) == WAIT_OBJECT_0 ? 0 : 2;
    }
    if (argc == 2 && strcmp(argv[0], "set") == 0) {
        HANDLE t = OpenWaitableTimerA(TIMER_MODIFY_STATE, FALSE, argv[1]);
        if (!t)
            return 3;
        return set_relative(t, 50, 0) ? 0 : 1; /* and end before it is due */
    }
    return 4;
}

static void new_timer_is_not_signalled(void)
{
    SetLastError(CF_SENTINEL);
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    CHECK_TRUE("created", t != NULL);
    CHECK_ERR("create_err", 0);
    CHECK_EQ("not_signalled", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    CHECK_EQ("unset_never_fires", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CloseHandle(t);
}

static void relative_due_time(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("set", set_relative(t, 50, 0));
    CHECK_ERR("set_keeps_last_error", CF_SENTINEL);
    CHECK_EQ("fires", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("manual_stays_signalled", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CHECK_TRUE("zero_due", set_relative(t, 0, 0));
    CHECK_EQ("zero_due_signalled", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CloseHandle(t);
}

static void absolute_due_time(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    LARGE_INTEGER due;
    due.QuadPart = (LONGLONG)system_time() + MS(3600 * 1000);
    CHECK_TRUE("set_future", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    CHECK_EQ("future_not_signalled", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    due.QuadPart = (LONGLONG)system_time() - MS(1000);
    CHECK_TRUE("set_past", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    CHECK_EQ("past_signalled_at_once", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    due.QuadPart = 0;
    CHECK_TRUE("set_1601", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    CHECK_EQ("1601_signalled_at_once", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CloseHandle(t);
}

static void auto_reset_releases_one_wait(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    CHECK_TRUE("set", set_relative(t, 0, 0));
    CHECK_EQ("first", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CHECK_EQ("second", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    HANDLE ex =
        CreateWaitableTimerExA(NULL, NULL, CREATE_WAITABLE_TIMER_MANUAL_RESET, TIMER_ALL_ACCESS);
    CHECK_TRUE("ex_set", set_relative(ex, 0, 0));
    CHECK_EQ("ex_manual_first", WAIT_OBJECT_0, WaitForSingleObject(ex, 0));
    CHECK_EQ("ex_manual_second", WAIT_OBJECT_0, WaitForSingleObject(ex, 0));
    CloseHandle(ex);
    CloseHandle(t);
}

static void periodic_timer(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    CHECK_TRUE("set", set_relative(t, 10, 20));
    CHECK_EQ("first", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("second", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("third", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_TRUE("cancel", CancelWaitableTimer(t));
    WaitForSingleObject(t, 0); /* an expiry just before the cancel */
    CHECK_EQ("cancelled", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CloseHandle(t);
}

static void cancel_keeps_the_state(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("cancel_unset", CancelWaitableTimer(t));
    CHECK_ERR("cancel_unset_err", CF_SENTINEL);
    CHECK_TRUE("set", set_relative(t, 3600 * 1000, 0));
    CHECK_TRUE("cancel_active", CancelWaitableTimer(t));
    CHECK_EQ("cancelled_unsignalled", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    CHECK_TRUE("set_now", set_relative(t, 0, 0));
    CHECK_TRUE("cancel_signalled", CancelWaitableTimer(t));
    CHECK_EQ("stays_signalled", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CHECK_TRUE("re_set", set_relative(t, 3600 * 1000, 0));
    CHECK_EQ("re_set_unsignals", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    CloseHandle(t);
}

static void re_set_releases_a_blocked_waiter_sooner(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    struct cf_waiter w;
    CHECK_TRUE("set_far", set_relative(t, 3600 * 1000, 0));
    HANDLE th = cf_start_waiter(&w, t, CF_LONG_MS, FALSE);
    Sleep(50); /* the waiter is most likely blocked by now; either way it must be released */
    CHECK_TRUE("set_near", set_relative(t, 20, 0));
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(th));
    CHECK_EQ("released", WAIT_OBJECT_0, w.result);
    CloseHandle(t);
}

static void wait_with_an_event(void)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    HANDLE both[2];
    both[0] = ev;
    both[1] = t;
    set_relative(t, 20, 0);
    CHECK_EQ("any_timer", WAIT_OBJECT_0 + 1, WaitForMultipleObjects(2, both, FALSE, CF_LONG_MS));
    SetEvent(ev);
    set_relative(t, 20, 0);
    CHECK_EQ("all", WAIT_OBJECT_0, WaitForMultipleObjects(2, both, TRUE, CF_LONG_MS));
    CHECK_EQ("all_consumed_event", WAIT_TIMEOUT, WaitForSingleObject(ev, 0));
    CHECK_EQ("all_consumed_timer", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    CloseHandle(ev);
    CloseHandle(t);
}

static void completion_routine(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
    LARGE_INTEGER due;
    ULONGLONG set_at = system_time();
    reset_apcs();
    due.QuadPart = -MS(50);
    CHECK_TRUE("set", SetWaitableTimer(t, &due, 0, on_timer, (LPVOID)0x1234, FALSE));
    CHECK_EQ("not_run_yet", 0, apc_count);
    CHECK_EQ("sleep_ex", WAIT_IO_COMPLETION, SleepEx(CF_LONG_MS, TRUE));
    CHECK_EQ("ran_once", 1, apc_count);
    CHECK_TRUE("argument", apc_arg == (LPVOID)0x1234);
    /* The system time of the expiry (1 ms for the clocks' rounding). */
    CHECK_TRUE("fire_time_not_before_due", apc_fired + MS(1) >= set_at + MS(50));
    CHECK_TRUE("fire_time_not_after_now", apc_fired <= system_time());
    CHECK_EQ("signalled_too", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CHECK_EQ("one_shot_one_apc", 0, SleepEx(0, TRUE));

    /* Not alertable: the routine waits. */
    reset_apcs();
    due.QuadPart = -MS(10);
    SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE);
    CHECK_EQ("plain_wait", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("not_run_in_plain_wait", 0, apc_count);
    CHECK_EQ("alertable_wait", WAIT_IO_COMPLETION, SleepEx(0, TRUE));
    CHECK_EQ("ran_later", 1, apc_count);

    /* Cancelling drops a queued routine. */
    reset_apcs();
    SetWaitableTimer(t, &due, 0, on_timer, NULL, FALSE);
    WaitForSingleObject(t, CF_LONG_MS);
    CHECK_TRUE("cancel", CancelWaitableTimer(t));
    CHECK_EQ("cancel_dropped_apc", 0, SleepEx(0, TRUE));
    CHECK_EQ("cancel_not_run", 0, apc_count);

    /* A periodic timer queues one at a time. */
    reset_apcs();
    SetWaitableTimer(t, &due, 10, on_timer, NULL, FALSE);
    WaitForSingleObject(t, CF_LONG_MS);
    WaitForSingleObject(t, CF_LONG_MS);
    WaitForSingleObject(t, CF_LONG_MS);
    CHECK_EQ("periodic_sleep_ex", WAIT_IO_COMPLETION, SleepEx(0, TRUE));
    CHECK_EQ("periodic_one_apc", 1, apc_count);
    CancelWaitableTimer(t);
    CloseHandle(t);
}

static HANDLE thread_timer;
static DWORD WINAPI set_and_exit(LPVOID arg)
{
    LARGE_INTEGER due;
    (void)arg;
    due.QuadPart = -MS(500);
    return SetWaitableTimer(thread_timer, &due, 0, on_timer, NULL, FALSE) ? 0 : 1;
}

static void setter_thread_end_cancels_a_timer_with_a_routine(void)
{
    reset_apcs();
    thread_timer = CreateWaitableTimerA(NULL, TRUE, NULL);
    HANDLE th = CreateThread(NULL, 0, set_and_exit, NULL, 0, NULL);
    CHECK_EQ("thread_ended", WAIT_OBJECT_0, cf_join(th));
    CHECK_EQ("cancelled", WAIT_TIMEOUT, WaitForSingleObject(thread_timer, 1000));
    CHECK_EQ("no_apc_here", 0, apc_count);
    CloseHandle(thread_timer);
}

static void named_timer_across_processes(void)
{
    char name[64], args[128];
    PROCESS_INFORMATION pi;
    DWORD code = 99;
    cf_name(name, sizeof name, "timer");
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, name);
    CHECK_TRUE("created", t != NULL);
    snprintf(args, sizeof args, "wait %s", name);
    CHECK_TRUE("spawn_waiter", cf_spawn_child(args, FALSE, &pi));
    CHECK_TRUE("set", set_relative(t, 100, 0));
    CHECK_EQ("waiter_ended", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("waiter_saw_it", 0, code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    set_relative(t, 3600 * 1000, 0);
    snprintf(args, sizeof args, "set %s", name);
    CHECK_TRUE("spawn_setter", cf_spawn_child(args, FALSE, &pi));
    CHECK_EQ("setter_ended", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    code = 99;
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("setter_ok", 0, code);
    CHECK_EQ("fires_after_setter_ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(t);
}

static void names_and_errors(void)
{
    char name[64], evname[64];
    WCHAR wide[64];
    LARGE_INTEGER due;
    due.QuadPart = -MS(10);
    cf_name(name, sizeof name, "timer-names");
    HANDLE t = CreateWaitableTimerW(NULL, FALSE, cf_wide(wide, 64, name));
    SetLastError(CF_SENTINEL);
    HANDLE again = CreateWaitableTimerA(NULL, TRUE, name);
    CHECK_TRUE("create_existing", again != NULL);
    CHECK_ERR("create_existing_err", ERROR_ALREADY_EXISTS);
    HANDLE opened = OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, name);
    CHECK_TRUE("open", opened != NULL);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_missing", OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, "cf-no-timer") == NULL);
    CHECK_ERR("open_missing_err", ERROR_FILE_NOT_FOUND);
    CHECK_TRUE("open_null", OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, NULL) == NULL);
    CHECK_ERR("open_null_err", ERROR_INVALID_PARAMETER);
    cf_name(evname, sizeof evname, "timer-ev");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, evname);
    CHECK_TRUE("open_event_name", OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, evname) == NULL);
    CHECK_ERR("open_event_name_err", ERROR_INVALID_HANDLE);
    CHECK_TRUE("create_on_event_name", CreateWaitableTimerA(NULL, FALSE, evname) == NULL);
    CHECK_ERR("create_on_event_name_err", ERROR_INVALID_HANDLE);

    CHECK_EQ("set_null_handle", FALSE, SetWaitableTimer(NULL, &due, 0, NULL, NULL, FALSE));
    CHECK_ERR("set_null_handle_err", ERROR_INVALID_HANDLE);
    CHECK_EQ("set_event", FALSE, SetWaitableTimer(ev, &due, 0, NULL, NULL, FALSE));
    CHECK_ERR("set_event_err", ERROR_INVALID_HANDLE);
    CHECK_EQ("cancel_null", FALSE, CancelWaitableTimer(NULL));
    CHECK_ERR("cancel_null_err", ERROR_INVALID_HANDLE);
    CHECK_EQ("cancel_event", FALSE, CancelWaitableTimer(ev));
    CHECK_ERR("cancel_event_err", ERROR_INVALID_HANDLE);
    CHECK_EQ("set_null_due", FALSE, SetWaitableTimer(t, NULL, 0, NULL, NULL, FALSE));
    CHECK_ERR("set_null_due_err", ERROR_NOACCESS);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("set_ex", SetWaitableTimerEx(t, &due, 0, NULL, NULL, NULL, 0));
    CHECK_ERR("set_ex_err", CF_SENTINEL);
    CloseHandle(ev);
    CloseHandle(opened);
    CloseHandle(again);
    CloseHandle(t);
}

static void negative_period_fails(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set", FALSE, set_relative(t, 3600 * 1000, -1));
    CHECK_ERR("set_err", ERROR_INVALID_PARAMETER);
    CancelWaitableTimer(t);
    CloseHandle(t);
}

static void resume_is_ignored(void)
{
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
    LARGE_INTEGER due;
    due.QuadPart = -MS(3600 * 1000);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("set", SetWaitableTimer(t, &due, 0, NULL, NULL, TRUE));
    CHECK_ERR("set_err", ERROR_NOT_SUPPORTED);
    CancelWaitableTimer(t);
    CloseHandle(t);
}

static void access_rights(void)
{
    char name[64];
    LARGE_INTEGER due;
    due.QuadPart = -MS(10);
    cf_name(name, sizeof name, "timer-rights");
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, name);
    HANDLE sync = OpenWaitableTimerA(SYNCHRONIZE, FALSE, name);
    HANDLE modify = OpenWaitableTimerA(TIMER_MODIFY_STATE, FALSE, name);
    CHECK_TRUE("opened", sync != NULL && modify != NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set_without_modify", FALSE, SetWaitableTimer(sync, &due, 0, NULL, NULL, FALSE));
    CHECK_ERR("set_without_modify_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("cancel_without_modify", FALSE, CancelWaitableTimer(sync));
    CHECK_ERR("cancel_without_modify_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("wait_without_synchronize", WAIT_FAILED, WaitForSingleObject(modify, 0));
    CHECK_ERR("wait_without_synchronize_err", ERROR_ACCESS_DENIED);
    CHECK_TRUE("set_with_modify", SetWaitableTimer(modify, &due, 0, NULL, NULL, FALSE));
    CHECK_EQ("wait_with_synchronize", WAIT_OBJECT_0, WaitForSingleObject(sync, CF_LONG_MS));
    CloseHandle(modify);
    CloseHandle(sync);
    CloseHandle(t);
}

CF_MAIN("timers", child_main, CF_TEST(new_timer_is_not_signalled), CF_TEST(relative_due_time),
        CF_TEST(absolute_due_time), CF_TEST(auto_reset_releases_one_wait), CF_TEST(periodic_timer),
        CF_TEST(cancel_keeps_the_state), CF_TEST(re_set_releases_a_blocked_waiter_sooner),
        CF_TEST(wait_with_an_event), CF_TEST(completion_routine),
        CF_TEST(setter_thread_end_cancels_a_timer_with_a_routine),
        CF_TEST(named_timer_across_processes), CF_TEST(names_and_errors),
        CF_TEST(negative_period_fails), CF_TEST(resume_is_ignored), CF_TEST(access_rights))
