/* Condition variables: timeouts, wakes with a predicate loop, CS and SRW (both modes). */
#include "conformance.h"

static CRITICAL_SECTION cs;
static SRWLOCK srw = SRWLOCK_INIT;
static CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
static LONG ready;

static void timeouts(void)
{
    CONDITION_VARIABLE local = CONDITION_VARIABLE_INIT;
    CHECK_EQ("size", sizeof(void *), sizeof(CONDITION_VARIABLE));
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("cs_timeout", FALSE, SleepConditionVariableCS(&local, &cs, 10));
    CHECK_ERR("cs_timeout_err", ERROR_TIMEOUT);
    CHECK_TRUE("cs_held_again", cs.OwningThread == (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    CHECK_EQ("cs_recursion", 1, cs.RecursionCount);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("cs_zero", FALSE, SleepConditionVariableCS(&local, &cs, 0));
    CHECK_ERR("cs_zero_err", ERROR_TIMEOUT);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);

    AcquireSRWLockExclusive(&srw);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("srw_timeout", FALSE, SleepConditionVariableSRW(&local, &srw, 10, 0));
    CHECK_ERR("srw_timeout_err", ERROR_TIMEOUT);
    CHECK_EQ("srw_held_exclusive", 0, TryAcquireSRWLockShared(&srw));
    ReleaseSRWLockExclusive(&srw);
    AcquireSRWLockShared(&srw);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("srw_shared_timeout", FALSE,
             SleepConditionVariableSRW(&local, &srw, 10, CONDITION_VARIABLE_LOCKMODE_SHARED));
    CHECK_ERR("srw_shared_timeout_err", ERROR_TIMEOUT);
    CHECK_EQ("srw_held_shared", 0, TryAcquireSRWLockExclusive(&srw));
    ReleaseSRWLockShared(&srw);
}

static void wake_before_sleep_is_lost(void)
{
    CONDITION_VARIABLE local = CONDITION_VARIABLE_INIT;
    InitializeCriticalSection(&cs);
    WakeConditionVariable(&local);
    WakeAllConditionVariable(&local);
    EnterCriticalSection(&cs);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("sleep_after_wakes", FALSE, SleepConditionVariableCS(&local, &cs, 10));
    CHECK_ERR("sleep_after_wakes_err", ERROR_TIMEOUT);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
}

/* A consumer: announces itself while holding the lock, then sleeps until `ready`. */
struct consumer {
    HANDLE about_to_sleep; /* a semaphore: one release per consumer */
    BOOL use_srw, shared;
    BOOL failed;
};

static DWORD WINAPI consume(LPVOID arg)
{
    struct consumer *c = arg;
    if (c->use_srw) {
        if (c->shared)
            AcquireSRWLockShared(&srw);
        else
            AcquireSRWLockExclusive(&srw);
    } else {
        EnterCriticalSection(&cs);
    }
    ReleaseSemaphore(c->about_to_sleep, 1, NULL);
    while (!InterlockedCompareExchange(&ready, 0, 0)) {
        BOOL ok =
            c->use_srw
                ? SleepConditionVariableSRW(&cv, &srw, CF_LONG_MS,
                                            c->shared ? CONDITION_VARIABLE_LOCKMODE_SHARED : 0)
                : SleepConditionVariableCS(&cv, &cs, CF_LONG_MS);
        if (!ok) {
            c->failed = TRUE;
            break;
        }
    }
    if (c->use_srw) {
        if (c->shared)
            ReleaseSRWLockShared(&srw);
        else
            ReleaseSRWLockExclusive(&srw);
    } else {
        LeaveCriticalSection(&cs);
    }
    return 0;
}

#define CONSUMERS 3

/* Starts `n` consumers, waits until all sleep (taking the lock proves they released it),
 * sets the predicate under the lock and wakes them. Returns how many ended without a timeout. */
static int wake_consumers(int n, BOOL use_srw, BOOL shared, BOOL wake_all)
{
    struct consumer c[CONSUMERS];
    HANDLE threads[CONSUMERS];
    HANDLE about_to_sleep = CreateSemaphoreA(NULL, 0, CONSUMERS, NULL);
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&cv);
    ready = 0;
    for (int i = 0; i < n; i++) {
        c[i] = (struct consumer){about_to_sleep, use_srw, shared, FALSE};
        threads[i] = CreateThread(NULL, 0, consume, &c[i], 0, NULL);
    }
    for (int i = 0; i < n; i++)
        WaitForSingleObject(about_to_sleep, CF_LONG_MS);
    if (use_srw)
        AcquireSRWLockExclusive(&srw);
    else
        EnterCriticalSection(&cs);
    InterlockedExchange(&ready, 1);
    if (use_srw)
        ReleaseSRWLockExclusive(&srw);
    else
        LeaveCriticalSection(&cs);
    if (wake_all)
        WakeAllConditionVariable(&cv);
    else
        for (int i = 0; i < n; i++)
            WakeConditionVariable(&cv);
    int finished = 0;
    for (int i = 0; i < n; i++)
        finished += cf_join(threads[i]) == WAIT_OBJECT_0 && !c[i].failed;
    CloseHandle(about_to_sleep);
    DeleteCriticalSection(&cs);
    return finished;
}

static void wakes_reach_sleepers(void)
{
    CHECK_EQ("cs_wake_one", 1, wake_consumers(1, FALSE, FALSE, FALSE));
    CHECK_EQ("cs_wake_all", CONSUMERS, wake_consumers(CONSUMERS, FALSE, FALSE, TRUE));
    CHECK_EQ("cs_wake_each", CONSUMERS, wake_consumers(CONSUMERS, FALSE, FALSE, FALSE));
    CHECK_EQ("srw_exclusive_wake_all", CONSUMERS, wake_consumers(CONSUMERS, TRUE, FALSE, TRUE));
    CHECK_EQ("srw_shared_wake_all", CONSUMERS, wake_consumers(CONSUMERS, TRUE, TRUE, TRUE));
    CHECK_EQ("srw_shared_wake_one", 1, wake_consumers(1, TRUE, TRUE, FALSE));
}

CF_MAIN("condition_variables", NULL, CF_TEST(timeouts), CF_TEST(wake_before_sleep_is_lost),
        CF_TEST(wakes_reach_sleepers))
