/*
 * A standalone ThreadSanitizer driver for the intra-process primitives (Criterion cannot run
 * under TSan): threads share plain, non-atomic data guarded only by a critical section, an
 * SRW lock, a condition variable, WaitOnAddress turns or an INIT_ONCE, and check the results.
 * TSan reports a data race if a primitive fails to order the accesses (tsan_driver.h sets
 * halt_on_error).
 */
#include <pthread.h>
#include <stdio.h>
#include <windows.h>

#include "tsan_driver.h"

#define THREADS 4
#define ROUNDS 5000

static void run_threads(void *(*body)(void *), int count)
{
    pthread_t t[THREADS];
    for (intptr_t i = 0; i < count; i++)
        pthread_create(&t[i], NULL, body, (void *)i);
    for (int i = 0; i < count; i++)
        pthread_join(t[i], NULL);
}

/* ---- a counter under a (recursively entered) critical section ---- */
static CRITICAL_SECTION cs;
static long cs_counter;

static void *count_in_section(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        EnterCriticalSection(&cs);
        if (TryEnterCriticalSection(&cs)) {
            cs_counter++;
            LeaveCriticalSection(&cs);
        }
        LeaveCriticalSection(&cs);
    }
    return NULL;
}

/* ---- a pair written by writers, read by readers, under an SRW lock ---- */
static SRWLOCK srw = SRWLOCK_INIT;
static long pair[2];

static void *read_or_write(void *arg)
{
    intptr_t id = (intptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if ((i + id) % 4 == 0) {
            AcquireSRWLockExclusive(&srw);
            pair[0]++;
            pair[1]++;
            ReleaseSRWLockExclusive(&srw);
        } else {
            AcquireSRWLockShared(&srw);
            CHECK(pair[0] == pair[1]);
            ReleaseSRWLockShared(&srw);
        }
    }
    return NULL;
}

/* ---- a one-slot mailbox: condition variables with a critical section ---- */
static CONDITION_VARIABLE filled = CONDITION_VARIABLE_INIT, emptied = CONDITION_VARIABLE_INIT;
static CRITICAL_SECTION box_cs;
static int box_full;
static long box_value, box_sum;

static void *mailbox(void *arg)
{
    if ((intptr_t)arg == 0) {
        for (long i = 1; i <= ROUNDS; i++) {
            EnterCriticalSection(&box_cs);
            while (box_full)
                SleepConditionVariableCS(&emptied, &box_cs, INFINITE);
            box_value = i;
            box_full = 1;
            LeaveCriticalSection(&box_cs);
            WakeConditionVariable(&filled);
        }
    } else {
        for (long i = 1; i <= ROUNDS; i++) {
            EnterCriticalSection(&box_cs);
            while (!box_full)
                SleepConditionVariableCS(&filled, &box_cs, INFINITE);
            box_sum += box_value;
            box_full = 0;
            LeaveCriticalSection(&box_cs);
            WakeConditionVariable(&emptied);
        }
    }
    return NULL;
}

/* ---- turns passed with WaitOnAddress; each side writes the plain payload in its turn ---- */
static volatile LONG turn;
static long payload;

static void *take_turns(void *arg)
{
    LONG mine = (LONG)(intptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        LONG seen;
        while ((seen = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != mine)
            WaitOnAddress(&turn, &seen, sizeof seen, INFINITE);
        payload++;
        __atomic_store_n(&turn, 1 - mine, __ATOMIC_RELEASE);
        WakeByAddressSingle((PVOID)&turn);
    }
    return NULL;
}

/* ---- a table built once, read by everyone ---- */
static INIT_ONCE table_once = INIT_ONCE_STATIC_INIT;
static int table[64];
static volatile LONG builds;

static BOOL CALLBACK build_table(PINIT_ONCE once, PVOID parameter, PVOID *context)
{
    (void)once;
    (void)parameter;
    for (int i = 0; i < 64; i++)
        table[i] = i * i;
    InterlockedIncrement(&builds);
    *context = table;
    return TRUE;
}

static void *use_table(void *arg)
{
    (void)arg;
    PVOID context = NULL;
    CHECK(InitOnceExecuteOnce(&table_once, build_table, NULL, &context));
    CHECK(context == table);
    CHECK(table[63] == 63 * 63);
    return NULL;
}

int main(void)
{
    InitializeCriticalSectionAndSpinCount(&cs, 100);
    run_threads(count_in_section, THREADS);
    CHECK(cs_counter == (long)THREADS * ROUNDS);

    run_threads(read_or_write, THREADS);
    CHECK(pair[0] == (long)THREADS * ROUNDS / 4);

    InitializeCriticalSection(&box_cs);
    run_threads(mailbox, 2);
    CHECK(box_sum == (long)ROUNDS * (ROUNDS + 1) / 2);

    run_threads(take_turns, 2);
    CHECK(payload == 2L * ROUNDS);

    run_threads(use_table, THREADS);
    CHECK(builds == 1);

    DeleteCriticalSection(&cs);
    DeleteCriticalSection(&box_cs);
    printf("intra_tsan: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
