/*
 * A standalone driver for ThreadSanitizer (Criterion cannot run under TSan): threads of
 * one process hammer the dispatcher (mutex, semaphore, events, wait-all, APCs,
 * abandonment) and check the results. Exit status 0 on success; TSan's own report
 * fails the run (tsan_driver.h sets halt_on_error).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "tsan_driver.h"

#define THREADS 4
#define ROUNDS 2000

/* ---- a plain counter guarded by a winsync mutex (recursively taken) ---- */
static HANDLE counter_mutex;
static long counter; /* deliberately not atomic: the mutex must order the accesses */

static DWORD WINAPI count_under_mutex(LPVOID arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(WaitForSingleObject(counter_mutex, INFINITE) == WAIT_OBJECT_0);
        CHECK(WaitForSingleObject(counter_mutex, 0) == WAIT_OBJECT_0);
        counter++;
        CHECK(ReleaseMutex(counter_mutex));
        CHECK(ReleaseMutex(counter_mutex));
    }
    return 0;
}

/* ---- producers and consumers: a ring guarded by wait-all {items, lock} ---- */
#define RING 8
static HANDLE items, slots, ring_lock;
static long ring[RING];
static int ring_head, ring_tail;
static long consumed_sum;

static DWORD WINAPI produce(LPVOID arg)
{
    long base = (long)(intptr_t)arg * ROUNDS;
    HANDLE need[2] = {slots, ring_lock};
    for (long i = 1; i <= ROUNDS; i++) {
        CHECK(WaitForMultipleObjects(2, need, TRUE, INFINITE) == WAIT_OBJECT_0);
        ring[ring_tail] = base + i;
        ring_tail = (ring_tail + 1) % RING;
        CHECK(ReleaseMutex(ring_lock));
        CHECK(ReleaseSemaphore(items, 1, NULL));
    }
    return 0;
}

static DWORD WINAPI consume(LPVOID arg)
{
    (void)arg;
    HANDLE need[2] = {items, ring_lock};
    long sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(WaitForMultipleObjects(2, need, TRUE, INFINITE) == WAIT_OBJECT_0);
        sum += ring[ring_head];
        ring_head = (ring_head + 1) % RING;
        CHECK(ReleaseMutex(ring_lock));
        CHECK(ReleaseSemaphore(slots, 1, NULL));
    }
    __atomic_add_fetch(&consumed_sum, sum, __ATOMIC_RELAXED);
    return 0;
}

/* ---- ping-pong with auto-reset events and SignalObjectAndWait ---- */
static HANDLE ping, pong;
static long volley; /* written by each side in turn */

static DWORD WINAPI ping_side(LPVOID arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        volley++;
        CHECK(SignalObjectAndWait(ping, pong, INFINITE, FALSE) == WAIT_OBJECT_0);
    }
    CHECK(SetEvent(ping));
    return 0;
}

static DWORD WINAPI pong_side(LPVOID arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(WaitForSingleObject(ping, INFINITE) == WAIT_OBJECT_0);
        volley++;
        CHECK(SetEvent(pong));
    }
    CHECK(WaitForSingleObject(ping, INFINITE) == WAIT_OBJECT_0);
    return 0;
}

/* ---- APCs queued from several threads to one alertable thread ---- */
static volatile LONG apc_runs;
static long apc_plain; /* touched only by APCs, which all run on the target thread */
static HANDLE apc_done;

static VOID CALLBACK apc_body(ULONG_PTR data)
{
    apc_plain += (long)data;
    InterlockedIncrement(&apc_runs);
}

static DWORD WINAPI alertable_target(LPVOID arg)
{
    (void)arg;
    while (WaitForSingleObjectEx(apc_done, INFINITE, TRUE) == WAIT_IO_COMPLETION)
        ;
    SleepEx(0, TRUE);
    return 0;
}

static DWORD WINAPI queue_apcs(LPVOID target)
{
    for (int i = 0; i < ROUNDS / 4; i++) {
        while (QueueUserAPC(apc_body, target, 1) == 0) {
            CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY); /* queue full: retry */
            Sleep(0);
        }
    }
    return 0;
}

/* ---- abandonment by threads that end owning a mutex ---- */
static HANDLE handoff;
static volatile LONG abandoned_seen;

static DWORD WINAPI take_and_leave(LPVOID arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        DWORD r = WaitForSingleObject(handoff, INFINITE);
        CHECK(r == WAIT_OBJECT_0 || r == WAIT_ABANDONED);
        if (r == WAIT_ABANDONED)
            InterlockedIncrement(&abandoned_seen);
        CHECK(ReleaseMutex(handoff));
    }
    DWORD r = WaitForSingleObject(handoff, INFINITE);
    if (r == WAIT_ABANDONED)
        InterlockedIncrement(&abandoned_seen);
    return 0; /* ends owning it */
}

static void run_all(HANDLE *threads, int n)
{
    for (int i = 0; i < n; i++) {
        CHECK(threads[i] != NULL);
        CHECK(WaitForSingleObject(threads[i], INFINITE) == WAIT_OBJECT_0);
        CloseHandle(threads[i]);
    }
}

int main(void)
{
    counter_mutex = CreateMutexA(NULL, FALSE, NULL);
    HANDLE t[THREADS * 2];
    for (int i = 0; i < THREADS; i++)
        t[i] = CreateThread(NULL, 0, count_under_mutex, NULL, 0, NULL);
    run_all(t, THREADS);
    CHECK(counter == (long)THREADS * ROUNDS);

    items = CreateSemaphoreA(NULL, 0, RING, NULL);
    slots = CreateSemaphoreA(NULL, RING, RING, NULL);
    ring_lock = CreateMutexA(NULL, FALSE, NULL);
    for (int i = 0; i < 2; i++) {
        t[i] = CreateThread(NULL, 0, produce, (LPVOID)(intptr_t)i, 0, NULL);
        t[2 + i] = CreateThread(NULL, 0, consume, NULL, 0, NULL);
    }
    run_all(t, 4);
    long n = ROUNDS;
    CHECK(consumed_sum == n * (n + 1) / 2 + (n * n + n * (n + 1) / 2));

    ping = CreateEventA(NULL, FALSE, FALSE, NULL);
    pong = CreateEventA(NULL, FALSE, FALSE, NULL);
    t[0] = CreateThread(NULL, 0, ping_side, NULL, 0, NULL);
    t[1] = CreateThread(NULL, 0, pong_side, NULL, 0, NULL);
    run_all(t, 2);
    CHECK(volley == 2L * ROUNDS);

    apc_done = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE target = CreateThread(NULL, 0, alertable_target, NULL, 0, NULL);
    for (int i = 0; i < THREADS; i++)
        t[i] = CreateThread(NULL, 0, queue_apcs, target, 0, NULL);
    run_all(t, THREADS);
    CHECK(SetEvent(apc_done));
    run_all(&target, 1);
    CHECK(apc_runs == THREADS * (ROUNDS / 4));
    CHECK(apc_plain == THREADS * (ROUNDS / 4));

    handoff = CreateMutexA(NULL, FALSE, NULL);
    for (int i = 0; i < THREADS; i++)
        t[i] = CreateThread(NULL, 0, take_and_leave, NULL, 0, NULL);
    run_all(t, THREADS);
    CHECK(WaitForSingleObject(handoff, 0) == WAIT_ABANDONED);
    CHECK(abandoned_seen == THREADS - 1);

    if (failures) {
        fprintf(stderr, "dispatcher_tsan: %d failed checks\n", failures);
        return 1;
    }
    printf("dispatcher_tsan: ok\n");
    return 0;
}
