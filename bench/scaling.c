/*
 * winscale - do costs grow linearly? Each row measures one unit of work (one woken waiter, one
 * handle scanned, one named object created) at several sizes N; the cost per unit must stay
 * flat as N grows. Win32 only, like winbench: it builds with winsync and with mingw for Wine.
 *
 *   setevent-manual-Nw   SetEvent on a manual-reset event that N threads wait for, until all
 *                        N have run: ns per woken waiter
 *   semaphore-N-procs    ReleaseSemaphore(N) with N processes waiting, until all N have run:
 *                        ns per woken process
 *   wfmo-any-N           WaitForMultipleObjects over N events, only the last one set: ns per
 *                        handle
 *   names-N              create + open + close one named event while N named events exist:
 *                        ns per object (a name lookup that scans would grow with N)
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32_harness.h"

static const char *self_path;

/* Rounds of `per_round` units that make up at least n units. */
static long rounds_for(long n, long per_round)
{
    return (n + per_round - 1) / per_round;
}

/* ---- SetEvent with N waiting threads ----
 * Round k sets gate[k % 2] after resetting the other gate, so a waiter that has run comes back
 * to a reset gate and waits for round k + 1: every round wakes exactly the N waiters. */

struct broadcast {
    long waiters;
    HANDLE gates[2], done, threads[512];
    volatile LONG quit;
};

static DWORD WINAPI broadcast_waiter(LPVOID arg)
{
    struct broadcast *b = arg;
    for (long round = 0;; round++) {
        if (bench_wait(b->gates[round % 2], "waiting for the gate") != 0)
            return 1;
        if (InterlockedCompareExchange(&b->quit, 0, 0))
            return 0;
        if (!ReleaseSemaphore(b->done, 1, NULL))
            return 1;
    }
}

static long broadcast_round; /* rounds run so far: which gate is next */

static int broadcast_run(struct broadcast *b, long rounds)
{
    for (long r = 0; r < rounds; r++, broadcast_round++) {
        if (!ResetEvent(b->gates[(broadcast_round + 1) % 2]) ||
            !SetEvent(b->gates[broadcast_round % 2]))
            return bench_fail("SetEvent");
        for (long i = 0; i < b->waiters; i++)
            if (bench_wait(b->done, "waiting for a waiter's report") != 0)
                return -1;
    }
    return 0;
}

static void *broadcast_setup(long waiters)
{
    struct broadcast *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->waiters = waiters;
    b->gates[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
    b->gates[1] = CreateEventA(NULL, TRUE, FALSE, NULL);
    b->done = CreateSemaphoreA(NULL, 0, 1 << 20, NULL);
    if (!b->gates[0] || !b->gates[1] || !b->done) {
        bench_fail("creating the broadcast objects");
        return NULL;
    }
    broadcast_round = 0;
    for (long i = 0; i < waiters; i++) {
        b->threads[i] = CreateThread(NULL, 64 * 1024, broadcast_waiter, b, 0, NULL);
        if (!b->threads[i]) {
            bench_fail("CreateThread");
            return NULL;
        }
    }
    return b;
}

static int broadcast_batch(void *ctx, long n)
{
    struct broadcast *b = ctx;
    return broadcast_run(b, rounds_for(n, b->waiters));
}

static void broadcast_teardown(void *ctx)
{
    struct broadcast *b = ctx;
    InterlockedExchange(&b->quit, 1);
    SetEvent(b->gates[0]);
    SetEvent(b->gates[1]);
    for (long i = 0; i < b->waiters; i++) {
        WaitForSingleObject(b->threads[i], INFINITE);
        CloseHandle(b->threads[i]);
    }
    CloseHandle(b->gates[0]);
    CloseHandle(b->gates[1]);
    CloseHandle(b->done);
    free(b);
}

static void *broadcast_1(void)
{
    return broadcast_setup(1);
}
static void *broadcast_10(void)
{
    return broadcast_setup(10);
}
static void *broadcast_100(void)
{
    return broadcast_setup(100);
}
static void *broadcast_500(void)
{
    return broadcast_setup(500);
}

/* ---- ReleaseSemaphore(N) with N waiting processes ----
 * Each child waits for a unit, then releases `done`; a unit it takes is its own, so every
 * round wakes N processes. The children end when their unit comes with `quit` set. */

struct crowd {
    long children;
    HANDLE units, done, quit, processes[128];
};

static int crowd_child(HANDLE units, HANDLE done, HANDLE quit)
{
    for (;;) {
        if (bench_wait(units, "waiting for a unit") != 0)
            return 1;
        if (WaitForSingleObject(quit, 0) == WAIT_OBJECT_0)
            return 0;
        if (!ReleaseSemaphore(done, 1, NULL))
            return 1;
    }
}

static void crowd_teardown(void *ctx)
{
    struct crowd *c = ctx;
    SetEvent(c->quit);
    ReleaseSemaphore(c->units, (LONG)c->children, NULL);
    for (long i = 0; i < c->children; i++) {
        if (WaitForSingleObject(c->processes[i], 10000) != WAIT_OBJECT_0)
            TerminateProcess(c->processes[i], 1);
        CloseHandle(c->processes[i]);
    }
    CloseHandle(c->units);
    CloseHandle(c->done);
    CloseHandle(c->quit);
    free(c);
}

static void *crowd_setup(long children)
{
    struct crowd *c = calloc(1, sizeof *c);
    SECURITY_ATTRIBUTES inherit = {.nLength = sizeof inherit, .bInheritHandle = TRUE};
    if (!c)
        return NULL;
    c->units = CreateSemaphoreA(&inherit, 0, 1 << 20, NULL);
    c->done = CreateSemaphoreA(&inherit, 0, 1 << 20, NULL);
    c->quit = CreateEventA(&inherit, TRUE, FALSE, NULL);
    if (!c->units || !c->done || !c->quit) {
        bench_fail("creating the crowd objects");
        return NULL;
    }
    for (long i = 0; i < children; i++) {
        char command[1024];
        snprintf(command, sizeof command, "\"%s\" --child %llu %llu %llu", self_path,
                 (unsigned long long)(ULONG_PTR)c->units, (unsigned long long)(ULONG_PTR)c->done,
                 (unsigned long long)(ULONG_PTR)c->quit);
        STARTUPINFOA startup = {.cb = sizeof startup};
        PROCESS_INFORMATION child;
        if (!CreateProcessA(self_path, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup,
                            &child)) {
            bench_fail("CreateProcessA");
            crowd_teardown(c);
            return NULL;
        }
        CloseHandle(child.hThread);
        c->processes[c->children++] = child.hProcess;
    }
    return c;
}

static int crowd_batch(void *ctx, long n)
{
    struct crowd *c = ctx;
    for (long r = rounds_for(n, c->children); r > 0; r--) {
        if (!ReleaseSemaphore(c->units, (LONG)c->children, NULL))
            return bench_fail("ReleaseSemaphore");
        for (long i = 0; i < c->children; i++)
            if (bench_wait(c->done, "waiting for a child's report") != 0)
                return -1;
    }
    return 0;
}

static void *crowd_1(void)
{
    return crowd_setup(1);
}
static void *crowd_10(void)
{
    return crowd_setup(10);
}
static void *crowd_100(void)
{
    return crowd_setup(100);
}

/* ---- WaitForMultipleObjects over N handles, the last one set ---- */

struct handles {
    long count;
    HANDLE events[MAXIMUM_WAIT_OBJECTS];
};

static void *handles_setup(long count)
{
    struct handles *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->count = count;
    for (long i = 0; i < count; i++) {
        h->events[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
        if (!h->events[i]) {
            bench_fail("CreateEventA");
            return NULL;
        }
    }
    return h;
}

static int handles_batch(void *ctx, long n)
{
    struct handles *h = ctx;
    HANDLE last = h->events[h->count - 1];
    for (long r = rounds_for(n, h->count); r > 0; r--) {
        if (!SetEvent(last))
            return bench_fail("SetEvent");
        DWORD got = WaitForMultipleObjects((DWORD)h->count, h->events, FALSE, INFINITE);
        if (got != WAIT_OBJECT_0 + (DWORD)h->count - 1)
            return bench_fail("WaitForMultipleObjects");
    }
    return 0;
}

static void handles_teardown(void *ctx)
{
    struct handles *h = ctx;
    for (long i = 0; i < h->count; i++)
        CloseHandle(h->events[i]);
    free(h);
}

static void *handles_1(void)
{
    return handles_setup(1);
}
static void *handles_8(void)
{
    return handles_setup(8);
}
static void *handles_64(void)
{
    return handles_setup(64);
}

/* ---- Named objects: create + open + close one while N exist ---- */

struct names {
    long count;
    HANDLE *held;
    char prefix[64];
};

static void names_teardown(void *ctx)
{
    struct names *s = ctx;
    for (long i = 0; i < s->count; i++)
        if (s->held[i])
            CloseHandle(s->held[i]);
    free(s->held);
    free(s);
}

static void *names_setup(long count)
{
    struct names *s = calloc(1, sizeof *s);
    if (!s || !(s->held = calloc((size_t)count, sizeof *s->held)))
        return NULL;
    s->count = count;
    snprintf(s->prefix, sizeof s->prefix, "winscale-%lu", (unsigned long)GetCurrentProcessId());
    for (long i = 0; i < count; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s-held-%ld", s->prefix, i);
        if (!(s->held[i] = CreateEventA(NULL, TRUE, FALSE, name))) {
            bench_fail("CreateEventA (the objects that exist)");
            names_teardown(s);
            return NULL;
        }
    }
    return s;
}

static int names_batch(void *ctx, long n)
{
    struct names *s = ctx;
    for (long i = 0; i < n; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s-new-%ld", s->prefix, i % 64);
        HANDLE created = CreateEventA(NULL, TRUE, FALSE, name);
        HANDLE opened = created ? OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, name) : NULL;
        if (!created || !opened)
            return bench_fail("CreateEventA/OpenEventA");
        CloseHandle(opened);
        CloseHandle(created);
    }
    return 0;
}

static void *names_100(void)
{
    return names_setup(100);
}
static void *names_1000(void)
{
    return names_setup(1000);
}
static void *names_10000(void)
{
    return names_setup(10000);
}

static const struct bench_row rows[] = {
    {"setevent-manual-1w", "SetEvent, 1 thread waiting: ns per woken waiter", broadcast_1,
     broadcast_batch, broadcast_teardown},
    {"setevent-manual-10w", "the same, 10 threads", broadcast_10, broadcast_batch,
     broadcast_teardown},
    {"setevent-manual-100w", "the same, 100 threads", broadcast_100, broadcast_batch,
     broadcast_teardown},
    {"setevent-manual-500w", "the same, 500 threads", broadcast_500, broadcast_batch,
     broadcast_teardown},
    {"semaphore-1-procs", "ReleaseSemaphore(1), 1 process waiting: ns per woken process", crowd_1,
     crowd_batch, crowd_teardown},
    {"semaphore-10-procs", "the same, 10 processes", crowd_10, crowd_batch, crowd_teardown},
    {"semaphore-100-procs", "the same, 100 processes", crowd_100, crowd_batch, crowd_teardown},
    {"wfmo-any-1", "WaitForMultipleObjects, 1 handle: ns per handle", handles_1, handles_batch,
     handles_teardown},
    {"wfmo-any-8", "the same, 8 handles, the last one set", handles_8, handles_batch,
     handles_teardown},
    {"wfmo-any-64", "the same, 64 handles", handles_64, handles_batch, handles_teardown},
    {"names-100", "create + open + close a named event, 100 named objects exist: ns per object",
     names_100, names_batch, names_teardown},
    {"names-1000", "the same, 1,000 exist", names_1000, names_batch, names_teardown},
    {"names-10000", "the same, 10,000 exist", names_10000, names_batch, names_teardown},
};

/* The largest rows need more than a namespace's default limits (4,096 objects, 1,024 handles
 * per process, 512 threads): raise them for the namespace this program creates. */
static void raise_limits(void)
{
#ifndef _WIN32
    setenv("WINSYNC_MAX_OBJECTS", "32768", 0);
    setenv("WINSYNC_MAX_HANDLES", "32768", 0);
    setenv("WINSYNC_MAX_THREADS", "2048", 0);
#endif
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    raise_limits();
    if (argc == 5 && strcmp(argv[1], "--child") == 0)
        return crowd_child((HANDLE)(ULONG_PTR)strtoull(argv[2], NULL, 10),
                           (HANDLE)(ULONG_PTR)strtoull(argv[3], NULL, 10),
                           (HANDLE)(ULONG_PTR)strtoull(argv[4], NULL, 10));
    return bench_main(argc, argv, rows, sizeof rows / sizeof *rows);
}
