/* APCs: QueueUserAPC, alertable waits (SleepEx, Wait*Ex), FIFO order, WAIT_IO_COMPLETION. */
#include "conformance.h"

static int apc_log[16];
static int apc_count;

static VOID CALLBACK record_apc(ULONG_PTR data)
{
    if (apc_count < 16)
        apc_log[apc_count] = (int)data;
    apc_count++;
}

static VOID CALLBACK set_event_apc(ULONG_PTR data)
{
    SetEvent((HANDLE)data);
    apc_count++;
}

/* A real handle to the calling thread (QueueUserAPC is given real handles in these tests). */
static HANDLE current_thread_handle(void)
{
    HANDLE h = NULL;
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &h, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    return h;
}

static void reset_log(void)
{
    apc_count = 0;
    memset(apc_log, 0, sizeof apc_log);
}

static void apcs_run_only_in_alertable_waits_in_fifo_order(void)
{
    HANDLE self = current_thread_handle();
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    reset_log();
    CHECK_TRUE("queue1", QueueUserAPC(record_apc, self, 1) != 0);
    CHECK_TRUE("queue2", QueueUserAPC(record_apc, self, 2) != 0);
    CHECK_TRUE("queue3", QueueUserAPC(record_apc, self, 3) != 0);
    CHECK_EQ("not_run_at_queue_time", 0, apc_count);
    CHECK_EQ("sleep_not_alertable", 0, SleepEx(0, FALSE));
    CHECK_EQ("wait_not_alertable", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CHECK_EQ("still_not_run", 0, apc_count);
    CHECK_EQ("sleep_alertable", WAIT_IO_COMPLETION, SleepEx(0, TRUE));
    CHECK_EQ("all_ran", 3, apc_count);
    CHECK_TRUE("fifo", apc_log[0] == 1 && apc_log[1] == 2 && apc_log[2] == 3);
    CHECK_EQ("none_left", 0, SleepEx(0, TRUE));
    CloseHandle(e);
    CloseHandle(self);
}

static void alertable_waits_return_io_completion(void)
{
    HANDLE self = current_thread_handle();
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    reset_log();
    QueueUserAPC(record_apc, self, 1);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("single_ex", WAIT_IO_COMPLETION, WaitForSingleObjectEx(e, 0, TRUE));
    CHECK_ERR("single_ex_err", CF_SENTINEL);
    QueueUserAPC(record_apc, self, 2);
    CHECK_EQ("multiple_ex", WAIT_IO_COMPLETION, WaitForMultipleObjectsEx(1, &e, FALSE, 0, TRUE));
    QueueUserAPC(record_apc, self, 3);
    CHECK_EQ("multiple_all_ex", WAIT_IO_COMPLETION,
             WaitForMultipleObjectsEx(1, &e, TRUE, CF_LONG_MS, TRUE));
    QueueUserAPC(record_apc, self, 4);
    CHECK_EQ("sleep_ex_long", WAIT_IO_COMPLETION, SleepEx(CF_LONG_MS, TRUE));
    CHECK_EQ("ran", 4, apc_count);
    CloseHandle(e);
    CloseHandle(self);
}

static void object_signalled_by_apc_is_left_for_next_wait(void)
{
    HANDLE self = current_thread_handle();
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    reset_log();
    QueueUserAPC(set_event_apc, self, (ULONG_PTR)e);
    CHECK_EQ("apc_wait", WAIT_IO_COMPLETION, WaitForSingleObjectEx(e, CF_LONG_MS, TRUE));
    CHECK_EQ("apc_ran", 1, apc_count);
    CHECK_EQ("event_left_signalled", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CloseHandle(e);
    CloseHandle(self);
}

static void signalled_object_and_pending_apc(void)
{
    HANDLE self = current_thread_handle();
    HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
    reset_log();
    QueueUserAPC(record_apc, self, 1);
    /* NT and Wine satisfy the object; the .NET PAL expects the APC: accept either. */
    DWORD r = WaitForSingleObjectEx(e, 0, TRUE);
    CHECK_TRUE("object_or_apc", r == WAIT_OBJECT_0 || r == WAIT_IO_COMPLETION);
    SleepEx(0, TRUE);
    CHECK_EQ("apc_ran_once", 1, apc_count);
    CloseHandle(e);
    CloseHandle(self);
}

struct sleeper {
    HANDLE ready;
    DWORD result;
};

static DWORD WINAPI alertable_sleeper(LPVOID arg)
{
    struct sleeper *s = arg;
    SetEvent(s->ready);
    s->result = SleepEx(CF_LONG_MS, TRUE);
    return 0;
}

static void apc_wakes_a_blocked_alertable_thread(void)
{
    struct sleeper s = {CreateEventA(NULL, FALSE, FALSE, NULL), CF_SENTINEL};
    reset_log();
    HANDLE t = CreateThread(NULL, 0, alertable_sleeper, &s, 0, NULL);
    CHECK_EQ("ready", WAIT_OBJECT_0, WaitForSingleObject(s.ready, CF_LONG_MS));
    /* Queued before or during the sleep: either way the sleep returns WAIT_IO_COMPLETION. */
    CHECK_TRUE("queued", QueueUserAPC(record_apc, t, 7) != 0);
    CHECK_EQ("thread_ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("result", WAIT_IO_COMPLETION, s.result);
    CHECK_TRUE("ran_on_that_thread", apc_count == 1 && apc_log[0] == 7);
    CloseHandle(t);
    CloseHandle(s.ready);
}

static DWORD WINAPI quick_thread(LPVOID arg)
{
    (void)arg;
    return 5;
}

static void queue_to_ended_thread_fails(void)
{
    HANDLE t = CreateThread(NULL, 0, quick_thread, NULL, 0, NULL);
    WaitForSingleObject(t, CF_LONG_MS);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("queue", 0, QueueUserAPC(record_apc, t, 1));
    CHECK_ERR("queue_err", ERROR_GEN_FAILURE);
    CloseHandle(t);
}

static void queue_with_invalid_handle_fails(void)
{
    SetLastError(CF_SENTINEL);
    CHECK_EQ("queue_null", 0, QueueUserAPC(record_apc, NULL, 1));
    CHECK_ERR("queue_null_err", ERROR_INVALID_HANDLE);
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("queue_event", 0, QueueUserAPC(record_apc, e, 1));
    CHECK_ERR("queue_event_err", ERROR_INVALID_HANDLE);
    CloseHandle(e);
}

CF_MAIN("apcs", NULL, CF_TEST(apcs_run_only_in_alertable_waits_in_fifo_order),
        CF_TEST(alertable_waits_return_io_completion),
        CF_TEST(object_signalled_by_apc_is_left_for_next_wait),
        CF_TEST(signalled_object_and_pending_apc), CF_TEST(apc_wakes_a_blocked_alertable_thread),
        CF_TEST(queue_to_ended_thread_fails), CF_TEST(queue_with_invalid_handle_fails))
