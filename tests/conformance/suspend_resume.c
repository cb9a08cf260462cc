/* CreateThread(CREATE_SUSPENDED), SuspendThread, ResumeThread, and QueueUserAPC2 with
 * QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC (Wine 8 has no QueueUserAPC2: its checks are a known
 * difference). */
#include "conformance.h"

#define NO_MORE_ITEMS 259 /* ERROR_NO_MORE_ITEMS: older Windows for a suspended ended thread */
#ifndef ERROR_SIGNAL_REFCOUNT_EXCEEDED /* not in mingw-w64's winerror.h */
#define ERROR_SIGNAL_REFCOUNT_EXCEEDED 156L
#endif

/* QueueUserAPC2's flags (mingw declares them only for new NTDDI_VERSIONs). */
#define APC_NONE 0u
#define APC_SPECIAL 1u /* QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC */

/* QueueUserAPC2 looked up at run time under Windows/Wine (a missing export would stop the whole
 * program from loading); winsync declares it. */
#ifdef _WIN32
typedef BOOL(WINAPI *queue_apc2_fn)(PAPCFUNC, HANDLE, ULONG_PTR, DWORD);
static BOOL queue_apc2(PAPCFUNC routine, HANDLE thread, ULONG_PTR data, DWORD flags)
{
    static queue_apc2_fn fn;
    static int looked;
    if (!looked) {
        looked = 1;
        fn = (queue_apc2_fn)(void (*)(void))GetProcAddress(GetModuleHandleA("kernel32.dll"),
                                                           "QueueUserAPC2");
    }
    if (!fn) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return FALSE;
    }
    return fn(routine, thread, data, flags);
}
#else
static BOOL queue_apc2(PAPCFUNC routine, HANDLE thread, ULONG_PTR data, DWORD flags)
{
    return QueueUserAPC2(routine, thread, data, (QUEUE_USER_APC_FLAGS)flags);
}
#endif

static volatile LONG log_count;
static ULONG_PTR log_what[16];

static void note(ULONG_PTR what)
{
    LONG i = InterlockedIncrement(&log_count) - 1;
    if (i < 16)
        log_what[i] = what;
}

static void reset_log(void)
{
    log_count = 0;
    memset(log_what, 0, sizeof log_what);
}

static VOID CALLBACK record_apc(ULONG_PTR data)
{
    note(data);
}

static DWORD WINAPI note_and_return(LPVOID arg)
{
    note(100);
    return (DWORD)(ULONG_PTR)arg;
}

static DWORD WINAPI wait_for_event(LPVOID arg)
{
    return WaitForSingleObject((HANDLE)arg, INFINITE);
}

static HANDLE current_thread_handle(void)
{
    HANDLE h = NULL;
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &h, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    return h;
}

static void create_suspended_runs_nothing_until_resumed(void)
{
    reset_log();
    DWORD tid = 0, code = 0;
    HANDLE t = CreateThread(NULL, 0, note_and_return, (LPVOID)7, CREATE_SUSPENDED, &tid);
    CHECK_TRUE("created", t != NULL && tid != 0);
    CHECK_EQ("not_started", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("routine_not_run", 0, log_count);
    CHECK_TRUE("still_active", GetExitCodeThread(t, &code) && code == STILL_ACTIVE);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_TRUE("exit_code", GetExitCodeThread(t, &code) && code == 7);
    CHECK_EQ("routine_ran", 1, log_count);
    CloseHandle(t);
}

static void suspend_count_and_its_maximum(void)
{
    reset_log();
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    int counts_ok = 1;
    for (DWORD i = 1; i < MAXIMUM_SUSPEND_COUNT; i++)
        counts_ok &= SuspendThread(t) == i;
    CHECK_TRUE("suspend_returns_previous", counts_ok);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("past_maximum", (DWORD)-1, SuspendThread(t));
    CHECK_ERR("past_maximum_err", ERROR_SIGNAL_REFCOUNT_EXCEEDED);
    counts_ok = 1;
    for (DWORD i = MAXIMUM_SUSPEND_COUNT; i > 1; i--)
        counts_ok &= ResumeThread(t) == i;
    CHECK_TRUE("resume_returns_previous", counts_ok);
    CHECK_EQ("still_not_run", 0, log_count);
    CHECK_EQ("last_resume", 1, ResumeThread(t));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CloseHandle(t);
}

static void resume_of_a_running_thread_returns_0(void)
{
    HANDLE self = current_thread_handle();
    CHECK_EQ("self", 0, ResumeThread(self));
    CloseHandle(self);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, wait_for_event, ev, CREATE_SUSPENDED, NULL);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("resume_again", 0, ResumeThread(t));
    CHECK_EQ("suspend", 0, SuspendThread(t));
    CHECK_EQ("resume_after_suspend", 1, ResumeThread(t));
    SetEvent(ev);
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CloseHandle(t);
    CloseHandle(ev);
}

static void access_rights_and_ended_threads(void)
{
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, &tid);
    HANDLE weak = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("suspend_weak", (DWORD)-1, SuspendThread(weak));
    CHECK_ERR("suspend_weak_err", ERROR_ACCESS_DENIED);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("resume_weak", (DWORD)-1, ResumeThread(weak));
    CHECK_ERR("resume_weak_err", ERROR_ACCESS_DENIED);
    HANDLE strong = OpenThread(THREAD_SUSPEND_RESUME, FALSE, tid);
    CHECK_EQ("suspend_strong", 1, SuspendThread(strong));
    CHECK_EQ("resume_strong", 2, ResumeThread(strong));
    CHECK_EQ("resume_strong_again", 1, ResumeThread(strong));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("suspend_ended", (DWORD)-1, SuspendThread(t));
    DWORD err = GetLastError();
    CHECK_TRUE("suspend_ended_err", err == ERROR_ACCESS_DENIED || err == NO_MORE_ITEMS);
    CHECK_EQ("resume_ended", 0, ResumeThread(t));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("suspend_null", (DWORD)-1, SuspendThread(NULL));
    CHECK_ERR("suspend_null_err", ERROR_INVALID_HANDLE);
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("resume_event", (DWORD)-1, ResumeThread(ev));
    CHECK_ERR("resume_event_err", ERROR_INVALID_HANDLE);
    CloseHandle(ev);
    CloseHandle(weak);
    CloseHandle(strong);
    CloseHandle(t);
}

static void apcs_queued_before_the_start_run_before_the_routine(void)
{
    reset_log();
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    CHECK_TRUE("queue1", QueueUserAPC(record_apc, t, 1) != 0);
    CHECK_TRUE("queue2", QueueUserAPC(record_apc, t, 2) != 0);
    CHECK_EQ("not_run_while_suspended", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("nothing_ran", 0, log_count);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("all_ran", 3, log_count);
    CHECK_TRUE("apcs_then_routine", log_what[0] == 1 && log_what[1] == 2 && log_what[2] == 100);
    CloseHandle(t);
}

static void terminate_a_thread_created_suspended(void)
{
    reset_log();
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    CHECK_TRUE("terminate", TerminateThread(t, 9));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    DWORD code = 0;
    CHECK_TRUE("exit_code", GetExitCodeThread(t, &code) && code == 9);
    CHECK_EQ("routine_not_run", 0, log_count);
    CloseHandle(t);
}

static void a_suspended_waiter_takes_no_signal(void)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, ev, INFINITE, FALSE);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("suspend", 0, SuspendThread(t));
    SetEvent(ev);
    CHECK_EQ("set_left_for_others", WAIT_OBJECT_0, WaitForSingleObject(ev, 0));
    SetEvent(ev);
    CHECK_EQ("still_waiting", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("result", WAIT_OBJECT_0, w.result);
    CHECK_EQ("set_taken", WAIT_TIMEOUT, WaitForSingleObject(ev, 0));
    CloseHandle(ev);
}

static void an_apc_for_a_suspended_alertable_waiter_waits_for_resume(void)
{
    reset_log();
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, ev, INFINITE, TRUE);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("suspend", 0, SuspendThread(t));
    CHECK_TRUE("queue", QueueUserAPC(record_apc, t, 5) != 0);
    CHECK_EQ("still_waiting", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("not_run", 0, log_count);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("result", WAIT_IO_COMPLETION, w.result);
    CHECK_EQ("ran", 1, log_count);
    CloseHandle(ev);
}

struct spinner {
    volatile LONG count;
    volatile LONG stop;
};
static struct spinner spin_state;

static DWORD WINAPI spin(LPVOID arg)
{
    (void)arg;
    while (!spin_state.stop)
        InterlockedIncrement(&spin_state.count);
    return 0;
}

/* Has the spinner counted past `at` within CF_LONG_MS? */
static int counts_past(LONG at)
{
    for (int i = 0; i < CF_LONG_MS && spin_state.count <= at; i++)
        Sleep(1);
    return spin_state.count > at;
}

static void a_running_thread_is_stopped_and_resumed(void)
{
    spin_state.count = spin_state.stop = 0;
    HANDLE t = CreateThread(NULL, 0, spin, NULL, 0, NULL);
    CHECK_TRUE("running", counts_past(0));
    CHECK_EQ("suspend", 0, SuspendThread(t));
    Sleep(CF_QUIET_MS);
    LONG at = spin_state.count;
    Sleep(CF_QUIET_MS);
    CHECK_TRUE("stopped", spin_state.count == at);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_TRUE("runs_again", counts_past(at));
    spin_state.stop = 1;
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
}

/* ---- Special user APCs ---------------------------------------------------------------- */

static VOID CALLBACK stop_spinner(ULONG_PTR data)
{
    note(data);
    spin_state.stop = 1;
}

static void special_apc_to_the_calling_thread(void)
{
    reset_log();
    HANDLE self = current_thread_handle();
    CHECK_TRUE("queue", queue_apc2(record_apc, self, 11, APC_SPECIAL));
    CHECK_EQ("ran_before_return", 1, log_count);
    CHECK_EQ("not_again", 0, SleepEx(0, TRUE));
    CloseHandle(self);
}

static void flags_none_is_a_normal_apc(void)
{
    reset_log();
    HANDLE self = current_thread_handle();
    CHECK_TRUE("queue", queue_apc2(record_apc, self, 12, APC_NONE));
    CHECK_EQ("not_run_at_queue_time", 0, log_count);
    CHECK_EQ("alertable_wait", WAIT_IO_COMPLETION, SleepEx(0, TRUE));
    CHECK_EQ("ran", 1, log_count);
    CloseHandle(self);
}

static void special_apc_interrupts_running_code(void)
{
    reset_log();
    spin_state.count = spin_state.stop = 0;
    HANDLE t = CreateThread(NULL, 0, spin, NULL, 0, NULL);
    CHECK_TRUE("running", counts_past(0));
    BOOL queued = queue_apc2(stop_spinner, t, 13, APC_SPECIAL);
    CHECK_TRUE("queue", queued);
    if (!queued)
        spin_state.stop = 1; /* no QueueUserAPC2 (Wine 8): end the thread anyway */
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_TRUE("ran", log_count == 1 && log_what[0] == 13);
}

static void special_apc_and_a_non_alertable_wait(void)
{
    reset_log();
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, ev, INFINITE, FALSE);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_TRUE("queue", queue_apc2(record_apc, t, 14, APC_SPECIAL));
    CHECK_EQ("wait_not_ended", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("not_run_during_wait", 0, log_count);
    SetEvent(ev);
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("result", WAIT_OBJECT_0, w.result);
    CHECK_EQ("ran_after_wait", 1, log_count);
    CloseHandle(ev);
}

static void special_apc_ends_an_alertable_wait(void)
{
    reset_log();
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, ev, INFINITE, TRUE);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    BOOL queued = queue_apc2(record_apc, t, 15, APC_SPECIAL);
    CHECK_TRUE("queue", queued);
    if (!queued)
        SetEvent(ev); /* no QueueUserAPC2 (Wine 8): end the wait anyway */
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("result", WAIT_IO_COMPLETION, w.result);
    CHECK_EQ("ran", 1, log_count);
    CloseHandle(ev);
}

static void special_apc_waits_for_a_suspended_thread(void)
{
    reset_log();
    HANDLE t = CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, NULL);
    CHECK_TRUE("queue", queue_apc2(record_apc, t, 16, APC_SPECIAL));
    CHECK_EQ("not_started", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    CHECK_EQ("not_run_while_suspended", 0, log_count);
    CHECK_EQ("resume", 1, ResumeThread(t));
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_TRUE("apc_then_routine", log_count == 2 && log_what[0] == 16 && log_what[1] == 100);
    CloseHandle(t);
}

CF_MAIN("suspend_resume", NULL, CF_TEST(create_suspended_runs_nothing_until_resumed),
        CF_TEST(suspend_count_and_its_maximum), CF_TEST(resume_of_a_running_thread_returns_0),
        CF_TEST(access_rights_and_ended_threads),
        CF_TEST(apcs_queued_before_the_start_run_before_the_routine),
        CF_TEST(terminate_a_thread_created_suspended), CF_TEST(a_suspended_waiter_takes_no_signal),
        CF_TEST(an_apc_for_a_suspended_alertable_waiter_waits_for_resume),
        CF_TEST(a_running_thread_is_stopped_and_resumed),
        CF_TEST(special_apc_to_the_calling_thread), CF_TEST(flags_none_is_a_normal_apc),
        CF_TEST(special_apc_interrupts_running_code), CF_TEST(special_apc_and_a_non_alertable_wait),
        CF_TEST(special_apc_ends_an_alertable_wait),
        CF_TEST(special_apc_waits_for_a_suspended_thread))
