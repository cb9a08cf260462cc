/* One-time initialization: InitOnceExecuteOnce, Begin/Complete (synchronous and async). */
#include "conformance.h"

static LONG calls;
static BOOL callback_result;
static PVOID callback_context;

static BOOL CALLBACK count_call(PINIT_ONCE once, PVOID parameter, PVOID *context)
{
    (void)once;
    (void)parameter;
    InterlockedIncrement(&calls);
    if (callback_result && context)
        *context = callback_context;
    return callback_result;
}

static void execute_once(void)
{
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    PVOID context = NULL;
    calls = 0;
    callback_result = TRUE;
    callback_context = (PVOID)0x1230;
    CHECK_EQ("size", sizeof(void *), sizeof(INIT_ONCE));
    CHECK_EQ("first", TRUE, InitOnceExecuteOnce(&once, count_call, NULL, &context));
    CHECK_EQ("called", 1, calls);
    CHECK_TRUE("stored", once.Ptr == (PVOID)0x1232);
    context = NULL;
    CHECK_EQ("second", TRUE, InitOnceExecuteOnce(&once, count_call, NULL, &context));
    CHECK_EQ("not_called_again", 1, calls);
    CHECK_TRUE("context_returned", context == (PVOID)0x1230);
    CHECK_EQ("no_context_pointer", TRUE, InitOnceExecuteOnce(&once, count_call, NULL, NULL));
    InitOnceInitialize(&once);
    CHECK_TRUE("initialize_resets", once.Ptr == NULL);
}

static void failed_callback_runs_again(void)
{
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    calls = 0;
    callback_result = FALSE;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("failed", FALSE, InitOnceExecuteOnce(&once, count_call, NULL, NULL));
    CHECK_ERR("failed_err_is_callbacks", CF_SENTINEL);
    CHECK_TRUE("back_to_start", once.Ptr == NULL);
    callback_result = TRUE;
    callback_context = NULL;
    CHECK_EQ("retry", TRUE, InitOnceExecuteOnce(&once, count_call, NULL, NULL));
    CHECK_EQ("called_twice", 2, calls);
    CHECK_TRUE("done", once.Ptr == (PVOID)2);
}

static void begin_and_complete(void)
{
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    BOOL pending = 0xF;
    PVOID context = NULL;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("check_only_not_done", FALSE,
             InitOnceBeginInitialize(&once, INIT_ONCE_CHECK_ONLY, &pending, &context));
    CHECK_ERR("check_only_not_done_err", ERROR_GEN_FAILURE);
    CHECK_EQ("pending_untouched", 0xF, pending);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("fail_before_begin", FALSE, InitOnceComplete(&once, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_ERR("fail_before_begin_err", ERROR_GEN_FAILURE);
    CHECK_EQ("begin", TRUE, InitOnceBeginInitialize(&once, 0, &pending, &context));
    CHECK_EQ("pending", TRUE, pending);
    CHECK_TRUE("in_progress", once.Ptr == (PVOID)1);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("async_while_sync", FALSE,
             InitOnceBeginInitialize(&once, INIT_ONCE_ASYNC, &pending, &context));
    CHECK_ERR("async_while_sync_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("reserved_bits", FALSE, InitOnceComplete(&once, 0, (PVOID)0xdeadbeef));
    CHECK_ERR("reserved_bits_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("fail_with_context", FALSE,
             InitOnceComplete(&once, INIT_ONCE_INIT_FAILED, (PVOID)0xdeadbee0));
    CHECK_ERR("fail_with_context_err", ERROR_INVALID_PARAMETER);
    CHECK_EQ("complete", TRUE, InitOnceComplete(&once, 0, (PVOID)0xdeadbee0));
    CHECK_TRUE("completed", once.Ptr == (PVOID)0xdeadbee2);
    pending = TRUE;
    CHECK_EQ("check_only_done", TRUE,
             InitOnceBeginInitialize(&once, INIT_ONCE_CHECK_ONLY, &pending, &context));
    CHECK_EQ("not_pending", FALSE, pending);
    CHECK_TRUE("context", context == (PVOID)0xdeadbee0);
    SetLastError(CF_SENTINEL);
    CHECK_EQ(
        "check_only_async", FALSE,
        InitOnceBeginInitialize(&once, INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC, &pending, &context));
    CHECK_ERR("check_only_async_err", ERROR_INVALID_PARAMETER);

    InitOnceInitialize(&once);
    CHECK_EQ("begin_then_fail", TRUE, InitOnceBeginInitialize(&once, 0, &pending, &context));
    CHECK_EQ("fail", TRUE, InitOnceComplete(&once, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_TRUE("failed_resets", once.Ptr == NULL);
}

static void async_mode(void)
{
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    BOOL pending = FALSE;
    PVOID context = NULL;
    CHECK_EQ("begin", TRUE, InitOnceBeginInitialize(&once, INIT_ONCE_ASYNC, &pending, &context));
    CHECK_EQ("pending", TRUE, pending);
    CHECK_TRUE("async_state", once.Ptr == (PVOID)3);
    pending = FALSE;
    CHECK_EQ("begin_again", TRUE,
             InitOnceBeginInitialize(&once, INIT_ONCE_ASYNC, &pending, &context));
    CHECK_EQ("still_pending", TRUE, pending);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("sync_while_async", FALSE, InitOnceBeginInitialize(&once, 0, &pending, &context));
    CHECK_ERR("sync_while_async_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("sync_fail_while_async", FALSE, InitOnceComplete(&once, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_ERR("sync_fail_while_async_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("async_and_failed", FALSE,
             InitOnceComplete(&once, INIT_ONCE_INIT_FAILED | INIT_ONCE_ASYNC, NULL));
    CHECK_ERR("async_and_failed_err", ERROR_INVALID_PARAMETER);
    CHECK_EQ("complete", TRUE, InitOnceComplete(&once, INIT_ONCE_ASYNC, (PVOID)0xdeadbee0));
    CHECK_TRUE("completed", once.Ptr == (PVOID)0xdeadbee2);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("second_complete", FALSE, InitOnceComplete(&once, INIT_ONCE_ASYNC, (PVOID)0xdeadbee0));
    CHECK_ERR("second_complete_err", ERROR_GEN_FAILURE);
    CHECK_EQ("sync_begin_when_done", TRUE, InitOnceBeginInitialize(&once, 0, &pending, &context));
    CHECK_EQ("done_not_pending", FALSE, pending);
    CHECK_TRUE("done_context", context == (PVOID)0xdeadbee0);
}

#define RACERS 8
static INIT_ONCE race_once = INIT_ONCE_STATIC_INIT;
static HANDLE race_start;

static DWORD WINAPI race(LPVOID arg)
{
    (void)arg;
    PVOID context = NULL;
    WaitForSingleObject(race_start, CF_LONG_MS);
    if (!InitOnceExecuteOnce(&race_once, count_call, NULL, &context))
        return 2;
    return context == (PVOID)0x4440 ? 1 : 3;
}

static void racing_threads_run_it_once(void)
{
    HANDLE t[RACERS];
    calls = 0;
    callback_result = TRUE;
    callback_context = (PVOID)0x4440;
    race_start = CreateEventA(NULL, TRUE, FALSE, NULL);
    for (int i = 0; i < RACERS; i++)
        t[i] = CreateThread(NULL, 0, race, NULL, 0, NULL);
    SetEvent(race_start);
    int good = 0;
    for (int i = 0; i < RACERS; i++) {
        DWORD code = 0;
        if (WaitForSingleObject(t[i], CF_LONG_MS) == WAIT_OBJECT_0 &&
            GetExitCodeThread(t[i], &code))
            good += code == 1;
        CloseHandle(t[i]);
    }
    CloseHandle(race_start);
    CHECK_EQ("all_saw_the_context", RACERS, good);
    CHECK_EQ("called_once", 1, calls);
}

CF_MAIN("init_once", NULL, CF_TEST(execute_once), CF_TEST(failed_callback_runs_again),
        CF_TEST(begin_and_complete), CF_TEST(async_mode), CF_TEST(racing_threads_run_it_once))
