/* SignalObjectAndWait: signal one object and wait on another as one step. */
#include "conformance.h"

static void signals_then_waits(void)
{
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, NULL), b = CreateEventA(NULL, TRUE, TRUE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("wait_signalled", WAIT_OBJECT_0, SignalObjectAndWait(a, b, 0, FALSE));
    CHECK_ERR("wait_signalled_err", CF_SENTINEL);
    CHECK_EQ("first_was_set", WAIT_OBJECT_0, WaitForSingleObject(a, 0));
    ResetEvent(b);
    CHECK_EQ("timeout", WAIT_TIMEOUT, SignalObjectAndWait(a, b, 0, FALSE));
    CHECK_ERR("timeout_err", CF_SENTINEL);
    /* The signal is not undone when the wait times out. */
    CHECK_EQ("signal_kept", WAIT_OBJECT_0, WaitForSingleObject(a, 0));
    CloseHandle(a);
    CloseHandle(b);
}

static void same_auto_event(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHECK_EQ("signal_and_consume", WAIT_OBJECT_0, SignalObjectAndWait(e, e, 0, FALSE));
    CHECK_EQ("left_reset", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void semaphore_and_mutex_signals(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 0, 1, NULL), m = CreateMutexA(NULL, TRUE, NULL);
    HANDLE ready = CreateEventA(NULL, TRUE, TRUE, NULL);
    CHECK_EQ("release_semaphore", WAIT_OBJECT_0, SignalObjectAndWait(s, ready, 0, FALSE));
    LONG prev = -1;
    CHECK_EQ("semaphore_count_1", FALSE, ReleaseSemaphore(s, 1, &prev));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("full_semaphore", WAIT_FAILED, SignalObjectAndWait(s, ready, 0, FALSE));
    CHECK_ERR("full_semaphore_err", ERROR_TOO_MANY_POSTS);
    CHECK_EQ("release_mutex", WAIT_OBJECT_0, SignalObjectAndWait(m, ready, 0, FALSE));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("mutex_not_owned", WAIT_FAILED, SignalObjectAndWait(m, ready, 0, FALSE));
    CHECK_ERR("mutex_not_owned_err", ERROR_NOT_OWNER);
    CloseHandle(s);
    CloseHandle(m);
    CloseHandle(ready);
}

static void failed_signal_does_not_wait(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 1, 1, NULL), e = CreateEventA(NULL, FALSE, TRUE, NULL);
    CHECK_EQ("full", WAIT_FAILED, SignalObjectAndWait(s, e, 0, FALSE));
    CHECK_EQ("event_not_consumed", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CloseHandle(s);
    CloseHandle(e);
}

static void invalid_handles(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("both_null", WAIT_FAILED, SignalObjectAndWait(NULL, NULL, 0, FALSE));
    CHECK_ERR("both_null_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("null_signal", WAIT_FAILED, SignalObjectAndWait(NULL, e, 0, FALSE));
    CHECK_ERR("null_signal_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("null_wait", WAIT_FAILED, SignalObjectAndWait(e, NULL, 0, FALSE));
    CHECK_ERR("null_wait_err", ERROR_INVALID_HANDLE);
    CloseHandle(e);
}

/* NtSignalAndWaitForSingleObject checks the rights each step needs: EVENT_MODIFY_STATE to set
 * an event, SEMAPHORE_MODIFY_STATE to release a semaphore, SYNCHRONIZE to release a mutex,
 * SYNCHRONIZE on the object waited on; and the signal handle before the wait handle. */
static void access_rights_are_checked(void)
{
    char ev_name[64], mx_name[64], sem_name[64];
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, cf_name(ev_name, sizeof ev_name, "soaw-ev"));
    HANDLE mx = CreateMutexA(NULL, TRUE, cf_name(mx_name, sizeof mx_name, "soaw-mx"));
    HANDLE sem = CreateSemaphoreA(NULL, 0, 1, cf_name(sem_name, sizeof sem_name, "soaw-sem"));
    HANDLE ready = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE ev_sync = OpenEventA(SYNCHRONIZE, FALSE, ev_name);
    HANDLE ev_modify = OpenEventA(EVENT_MODIFY_STATE, FALSE, ev_name);
    HANDLE mx_modify = OpenMutexA(MUTEX_MODIFY_STATE, FALSE, mx_name);
    HANDLE sem_sync = OpenSemaphoreA(SYNCHRONIZE, FALSE, sem_name);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("event_without_modify", WAIT_FAILED, SignalObjectAndWait(ev_sync, ready, 0, FALSE));
    CHECK_ERR("event_without_modify_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("event_not_set", WAIT_TIMEOUT, WaitForSingleObject(ev, 0));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("mutex_without_synchronize", WAIT_FAILED,
             SignalObjectAndWait(mx_modify, ready, 0, FALSE));
    CHECK_ERR("mutex_without_synchronize_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("mutex_still_owned", TRUE, ReleaseMutex(mx));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("semaphore_without_modify", WAIT_FAILED,
             SignalObjectAndWait(sem_sync, ready, 0, FALSE));
    CHECK_ERR("semaphore_without_modify_err", ERROR_ACCESS_DENIED);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("wait_without_synchronize", WAIT_FAILED, SignalObjectAndWait(ev, ev_modify, 0, FALSE));
    CHECK_ERR("wait_without_synchronize_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("event_not_set_by_failed_call", WAIT_TIMEOUT, WaitForSingleObject(ev, 0));
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("null_signal_checked_first", WAIT_FAILED,
             SignalObjectAndWait(NULL, mapping, 0, FALSE));
    CHECK_ERR("null_signal_checked_first_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("wait_on_mapping", WAIT_FAILED, SignalObjectAndWait(ev, mapping, 0, FALSE));
    CHECK_ERR("wait_on_mapping_err", ERROR_ACCESS_DENIED);
    HANDLE all[] = {ev, mx, sem, ready, ev_sync, ev_modify, mx_modify, sem_sync, mapping};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CloseHandle(all[i]);
}

static VOID CALLBACK count_apc(ULONG_PTR data)
{
    (*(int *)data)++;
}

static void alertable_runs_apcs(void)
{
    HANDLE self = NULL;
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &self, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, NULL), b = CreateEventA(NULL, FALSE, FALSE, NULL);
    int ran = 0;
    QueueUserAPC(count_apc, self, (ULONG_PTR)&ran);
    CHECK_EQ("io_completion", WAIT_IO_COMPLETION, SignalObjectAndWait(a, b, CF_LONG_MS, TRUE));
    CHECK_EQ("apc_ran", 1, ran);
    CHECK_EQ("signal_done", WAIT_OBJECT_0, WaitForSingleObject(a, 0));
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(self);
}

struct handoff {
    HANDLE ping, pong;
    DWORD result;
};

static DWORD WINAPI pong_thread(LPVOID arg)
{
    struct handoff *h = arg;
    h->result = WaitForSingleObject(h->ping, CF_LONG_MS);
    SetEvent(h->pong);
    return 0;
}

static void wakes_a_waiter_and_waits_for_its_answer(void)
{
    struct handoff h = {CreateEventA(NULL, FALSE, FALSE, NULL),
                        CreateEventA(NULL, FALSE, FALSE, NULL), CF_SENTINEL};
    HANDLE t = CreateThread(NULL, 0, pong_thread, &h, 0, NULL);
    CHECK_EQ("answered", WAIT_OBJECT_0, SignalObjectAndWait(h.ping, h.pong, CF_LONG_MS, FALSE));
    CHECK_EQ("thread_result", WAIT_OBJECT_0, cf_join(t) == WAIT_OBJECT_0 ? h.result : 1);
    CloseHandle(h.ping);
    CloseHandle(h.pong);
}

CF_MAIN("signal_and_wait", NULL, CF_TEST(signals_then_waits), CF_TEST(same_auto_event),
        CF_TEST(semaphore_and_mutex_signals), CF_TEST(failed_signal_does_not_wait),
        CF_TEST(invalid_handles), CF_TEST(access_rights_are_checked), CF_TEST(alertable_runs_apcs),
        CF_TEST(wakes_a_waiter_and_waits_for_its_answer))
