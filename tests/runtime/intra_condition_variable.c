/* CONDITION_VARIABLE: wake one / all with predicate loops, timeouts, SRW modes, no APCs. */
#include "intra_threads.h"

TestSuite(intra_condition_variable, .timeout = RT_TIMEOUT);

static CRITICAL_SECTION cs;
static SRWLOCK srw = SRWLOCK_INIT;
static CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
static int ready; /* the predicate, guarded by cs */

struct sleeper {
    struct wst_pipe done; /* 'w' after the predicate held, 'f' if a sleep failed */
};

/* One sleep, reported as is: these sleepers are woken only by wakes (no signals here). */
static void *sleep_once(void *arg)
{
    struct sleeper *s = arg;
    EnterCriticalSection(&cs);
    BOOL ok = SleepConditionVariableCS(&cv, &cs, INFINITE);
    LeaveCriticalSection(&cs);
    wst_send(&s->done, ok ? 'w' : 'f');
    return NULL;
}

Test(intra_condition_variable, wake_one_wakes_exactly_one_sleeper)
{
    enum { SLEEPERS = 3 };
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&cv);
    struct sleeper s;
    rt_pipe(&s.done);
    struct intra_thread t[SLEEPERS];
    for (int i = 0; i < SLEEPERS; i++) {
        intra_start(&t[i], sleep_once, &s);
        intra_assert_blocked(&t[i]);
    }
    for (int woken = 1; woken <= SLEEPERS; woken++) {
        WakeConditionVariable(&cv);
        cr_assert_eq(wst_recv(&s.done, WST_LONG_MS), 'w', "wake %d reached nobody", woken);
        cr_assert_eq(wst_recv(&s.done, WST_QUIET_MS), -1, "wake %d woke two", woken);
    }
    for (int i = 0; i < SLEEPERS; i++)
        intra_join(&t[i]);
    wst_pipe_close(&s.done);
    DeleteCriticalSection(&cs);
}

Test(intra_condition_variable, wake_all_wakes_every_sleeper)
{
    enum { SLEEPERS = 4 };
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&cv);
    struct sleeper s;
    rt_pipe(&s.done);
    struct intra_thread t[SLEEPERS];
    for (int i = 0; i < SLEEPERS; i++) {
        intra_start(&t[i], sleep_once, &s);
        intra_assert_blocked(&t[i]);
    }
    WakeAllConditionVariable(&cv);
    for (int i = 0; i < SLEEPERS; i++)
        cr_assert_eq(wst_recv(&s.done, WST_LONG_MS), 'w', "sleeper %d not woken", i);
    for (int i = 0; i < SLEEPERS; i++)
        intra_join(&t[i]);
    wst_pipe_close(&s.done);
    DeleteCriticalSection(&cs);
}

Test(intra_condition_variable, a_timeout_returns_false_with_error_timeout_and_the_lock_held)
{
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    SetLastError(0);
    cr_assert_not(SleepConditionVariableCS(&cv, &cs, 20));
    assert_last_error(ERROR_TIMEOUT);
    cr_assert_eq(cs.OwningThread, (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    cr_assert_eq(cs.RecursionCount, 1);
    LeaveCriticalSection(&cs);
    AcquireSRWLockShared(&srw);
    SetLastError(0);
    cr_assert_not(SleepConditionVariableSRW(&cv, &srw, 0, CONDITION_VARIABLE_LOCKMODE_SHARED));
    assert_last_error(ERROR_TIMEOUT);
    cr_assert_not(TryAcquireSRWLockExclusive(&srw), "the shared hold came back");
    ReleaseSRWLockShared(&srw);
    DeleteCriticalSection(&cs);
}

/* ---- a bounded queue: producers and consumers, each with a predicate loop ---- */
#define SLOTS 4
#define ITEMS 5000
static CONDITION_VARIABLE not_full = CONDITION_VARIABLE_INIT, not_empty = CONDITION_VARIABLE_INIT;
static long queue[SLOTS];
static int queued, head;
static long consumed_sum;

static void *produce(void *arg)
{
    long base = (long)(intptr_t)arg * ITEMS;
    for (long i = 1; i <= ITEMS; i++) {
        AcquireSRWLockExclusive(&srw);
        while (queued == SLOTS)
            SleepConditionVariableSRW(&not_full, &srw, INFINITE, 0);
        queue[(head + queued++) % SLOTS] = base + i;
        ReleaseSRWLockExclusive(&srw);
        WakeConditionVariable(&not_empty);
    }
    return NULL;
}

static void *consume(void *arg)
{
    (void)arg;
    long sum = 0;
    for (int i = 0; i < ITEMS; i++) {
        AcquireSRWLockExclusive(&srw);
        while (queued == 0)
            SleepConditionVariableSRW(&not_empty, &srw, INFINITE, 0);
        sum += queue[head];
        head = (head + 1) % SLOTS;
        queued--;
        ReleaseSRWLockExclusive(&srw);
        WakeConditionVariable(&not_full);
    }
    __atomic_add_fetch(&consumed_sum, sum, __ATOMIC_RELAXED);
    return NULL;
}

Test(intra_condition_variable, producers_and_consumers_lose_and_duplicate_nothing)
{
    enum { PAIRS = 2 };
    struct intra_thread p[PAIRS], c[PAIRS];
    queued = head = 0;
    consumed_sum = 0;
    for (int i = 0; i < PAIRS; i++) {
        intra_start(&c[i], consume, NULL);
        intra_start(&p[i], produce, (void *)(intptr_t)i);
    }
    for (int i = 0; i < PAIRS; i++) {
        intra_join(&p[i]);
        intra_join(&c[i]);
    }
    long expected = 0;
    for (int i = 0; i < PAIRS; i++)
        expected += (long)ITEMS * i * ITEMS + (long)ITEMS * (ITEMS + 1) / 2;
    cr_assert_eq(consumed_sum, expected);
    cr_assert_eq(queued, 0);
}

/* ---- shared mode: several readers sleep holding shared, a writer changes the predicate ---- */
static void *wait_ready_shared(void *arg)
{
    struct sleeper *s = arg;
    AcquireSRWLockShared(&srw);
    BOOL ok = TRUE;
    while (ok && !__atomic_load_n(&ready, __ATOMIC_RELAXED))
        ok = SleepConditionVariableSRW(&cv, &srw, WST_LONG_MS, CONDITION_VARIABLE_LOCKMODE_SHARED);
    wst_send(&s->done, ok ? 'w' : 'f');
    ReleaseSRWLockShared(&srw);
    return NULL;
}

Test(intra_condition_variable, shared_mode_sleepers_release_and_retake_a_shared_hold)
{
    enum { SLEEPERS = 3 };
    struct sleeper s;
    rt_pipe(&s.done);
    ready = 0;
    InitializeConditionVariable(&cv);
    struct intra_thread t[SLEEPERS];
    for (int i = 0; i < SLEEPERS; i++) {
        intra_start(&t[i], wait_ready_shared, &s);
        intra_assert_blocked(&t[i]);
    }
    /* All sleep with their shared holds released: a writer gets in. */
    cr_assert(TryAcquireSRWLockExclusive(&srw), "a sleeper kept its shared hold");
    __atomic_store_n(&ready, 1, __ATOMIC_RELAXED);
    ReleaseSRWLockExclusive(&srw);
    WakeAllConditionVariable(&cv);
    for (int i = 0; i < SLEEPERS; i++)
        cr_assert_eq(wst_recv(&s.done, WST_LONG_MS), 'w');
    for (int i = 0; i < SLEEPERS; i++)
        intra_join(&t[i]);
    wst_pipe_close(&s.done);
}

/* ---- not alertable: an APC queued to a sleeper waits for an alertable wait ---- */
static volatile LONG apc_runs;

static VOID CALLBACK count_apc(ULONG_PTR data)
{
    (void)data;
    InterlockedIncrement(&apc_runs);
}

struct apc_sleeper {
    struct wst_pipe about_to_sleep, report;
    LONG runs_during_sleep;
};

static DWORD WINAPI sleep_then_alert(LPVOID arg)
{
    struct apc_sleeper *s = arg;
    BOOL ok = TRUE;
    EnterCriticalSection(&cs);
    wst_send(&s->about_to_sleep, 's');
    while (ok && !ready)
        ok = SleepConditionVariableCS(&cv, &cs, INFINITE);
    LeaveCriticalSection(&cs);
    s->runs_during_sleep = apc_runs;
    wst_send(&s->report, ok ? 'w' : 'f');
    SleepEx(0, TRUE); /* now the APC runs */
    return 0;
}

Test(intra_condition_variable, sleeps_are_not_alertable)
{
    struct apc_sleeper s = {.runs_during_sleep = -1};
    rt_pipe(&s.about_to_sleep);
    rt_pipe(&s.report);
    apc_runs = 0;
    ready = 0;
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&cv);
    HANDLE thread = CreateThread(NULL, 0, sleep_then_alert, &s, 0, NULL);
    cr_assert_not_null(thread);
    cr_assert_eq(wst_recv(&s.about_to_sleep, WST_LONG_MS), 's');
    EnterCriticalSection(&cs); /* free only once the sleeper sleeps */
    LeaveCriticalSection(&cs);
    cr_assert(QueueUserAPC(count_apc, thread, 0));
    cr_assert_eq(wst_recv(&s.report, WST_QUIET_MS), -1, "the APC ended the sleep");
    EnterCriticalSection(&cs);
    ready = 1;
    LeaveCriticalSection(&cs);
    WakeConditionVariable(&cv);
    cr_assert_eq(wst_recv(&s.report, WST_LONG_MS), 'w');
    cr_assert_eq(WaitForSingleObject(thread, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(s.runs_during_sleep, 0, "the APC ran inside the sleep");
    cr_assert_eq(apc_runs, 1, "the APC never ran");
    CloseHandle(thread);
    wst_pipe_close(&s.about_to_sleep);
    wst_pipe_close(&s.report);
    DeleteCriticalSection(&cs);
}
