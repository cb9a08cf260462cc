/*
 * winbench - Win32 synchronization costs, written once against <windows.h> and built two
 * ways: linked with winsync on Linux, and with x86_64-w64-mingw32-gcc to run under Wine.
 *
 * The two-process rows start this same program in a child role with CreateProcess; the
 * child inherits a pair of objects and a file mapping (holding the quit flag) and echoes
 * every signal back until told to quit.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32_harness.h"

static const char *self_path; /* argv[0]: bench/run always passes an absolute path */

/* ---- Uncontended mutex: WaitForSingleObject + ReleaseMutex ---- */

static void *mutex_setup(void)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    if (!mutex)
        bench_fail("CreateMutexA");
    return mutex;
}

static int mutex_batch(void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        if (bench_wait(ctx, "WaitForSingleObject(mutex)") != 0)
            return -1;
        if (!ReleaseMutex(ctx))
            return bench_fail("ReleaseMutex");
    }
    return 0;
}

static void close_handle(void *ctx)
{
    CloseHandle(ctx);
}

/* ---- A timer already due: SetWaitableTimer + WaitForSingleObject ---- */

static void *timer_setup(void)
{
    HANDLE timer = CreateWaitableTimerA(NULL, FALSE, NULL);
    if (!timer)
        bench_fail("CreateWaitableTimerA");
    return timer;
}

static int timer_batch(void *ctx, long n)
{
    LARGE_INTEGER due;
    due.QuadPart = 0; /* an absolute time in 1601: due at once */
    for (long i = 0; i < n; i++) {
        if (!SetWaitableTimer(ctx, &due, 0, NULL, NULL, FALSE))
            return bench_fail("SetWaitableTimer");
        if (bench_wait(ctx, "WaitForSingleObject(timer)") != 0)
            return -1;
    }
    return 0;
}

/* ---- Uncontended auto-reset event: SetEvent + WaitForSingleObject ---- */

static void *event_setup(void)
{
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    if (!event)
        bench_fail("CreateEventA");
    return event;
}

static int event_batch(void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        if (!SetEvent(ctx))
            return bench_fail("SetEvent");
        if (bench_wait(ctx, "WaitForSingleObject(event)") != 0)
            return -1;
    }
    return 0;
}

/* ---- Two processes: ping-pong through a pair of events or semaphores ---- */

enum pair_kind { PAIR_EVENTS, PAIR_SEMAPHORES };

struct shared_flags {
    volatile LONG quit;
};

struct pair {
    enum pair_kind kind;
    HANDLE to_child, to_parent, mapping;
    struct shared_flags *flags;
    PROCESS_INFORMATION child;
};

static BOOL signal_object(enum pair_kind kind, HANDLE h)
{
    return kind == PAIR_EVENTS ? SetEvent(h) : ReleaseSemaphore(h, 1, NULL);
}

static HANDLE create_inheritable(enum pair_kind kind)
{
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    return kind == PAIR_EVENTS ? CreateEventA(&inherit, FALSE, FALSE, NULL)
                               : CreateSemaphoreA(&inherit, 0, 1, NULL);
}

static void pair_close(struct pair *p)
{
    if (p->flags)
        UnmapViewOfFile((LPCVOID)p->flags);
    if (p->mapping)
        CloseHandle(p->mapping);
    if (p->to_child)
        CloseHandle(p->to_child);
    if (p->to_parent)
        CloseHandle(p->to_parent);
    free(p);
}

static int pair_batch(void *ctx, long n)
{
    struct pair *p = ctx;
    for (long i = 0; i < n; i++) {
        if (!signal_object(p->kind, p->to_child))
            return bench_fail("signalling the child");
        if (bench_wait(p->to_parent, "waiting for the child") != 0)
            return -1;
    }
    return 0;
}

static void pair_teardown(void *ctx)
{
    struct pair *p = ctx;
    InterlockedExchange(&p->flags->quit, 1);
    signal_object(p->kind, p->to_child);
    DWORD code = 1;
    if (WaitForSingleObject(p->child.hProcess, 10000) != WAIT_OBJECT_0 ||
        !GetExitCodeProcess(p->child.hProcess, &code) || code != 0)
        fprintf(stderr, "child did not exit cleanly (exit code %lu)\n", (unsigned long)code);
    CloseHandle(p->child.hProcess);
    CloseHandle(p->child.hThread);
    pair_close(p);
}

/* The first round trip, before anything is timed (so that calibration never sees the
 * child's start-up), also watching the child: if it cannot start, say so instead of hanging. */
static int pair_handshake(struct pair *p)
{
    if (!signal_object(p->kind, p->to_child))
        return bench_fail("signalling the child");
    HANDLE watch[2] = {p->to_parent, p->child.hProcess};
    DWORD r = WaitForMultipleObjects(2, watch, FALSE, INFINITE);
    if (r == WAIT_OBJECT_0)
        return 0;
    if (r == WAIT_OBJECT_0 + 1)
        fprintf(stderr, "the child ended before answering\n");
    else
        bench_fail("WaitForMultipleObjects(reply, child)");
    return -1;
}

static struct pair *pair_setup(enum pair_kind kind)
{
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    struct pair *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->kind = kind;
    p->to_child = create_inheritable(kind);
    p->to_parent = create_inheritable(kind);
    p->mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, &inherit, PAGE_READWRITE, 0,
                                    sizeof(struct shared_flags), NULL);
    if (!p->to_child || !p->to_parent || !p->mapping) {
        bench_fail("creating the pair");
        pair_close(p);
        return NULL;
    }
    p->flags = MapViewOfFile(p->mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(struct shared_flags));
    if (!p->flags) {
        bench_fail("MapViewOfFile");
        pair_close(p);
        return NULL;
    }
    char command[1024];
    snprintf(command, sizeof command, "\"%s\" --child %d %llu %llu %llu", self_path, (int)kind,
             (unsigned long long)(ULONG_PTR)p->to_child,
             (unsigned long long)(ULONG_PTR)p->to_parent,
             (unsigned long long)(ULONG_PTR)p->mapping);
    STARTUPINFOA startup = {.cb = sizeof startup};
    if (!CreateProcessA(self_path, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &p->child)) {
        bench_fail("CreateProcessA");
        pair_close(p);
        return NULL;
    }
    if (pair_handshake(p) != 0) {
        pair_teardown(p);
        return NULL;
    }
    return p;
}

static void *events_setup(void)
{
    return pair_setup(PAIR_EVENTS);
}

static void *semaphores_setup(void)
{
    return pair_setup(PAIR_SEMAPHORES);
}

/* The child role: wait for the parent's signal, signal back, until the quit flag is set. */
static int child_main(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    enum pair_kind kind = (enum pair_kind)atoi(argv[2]);
    HANDLE from_parent = (HANDLE)(ULONG_PTR)strtoull(argv[3], NULL, 10);
    HANDLE to_parent = (HANDLE)(ULONG_PTR)strtoull(argv[4], NULL, 10);
    HANDLE mapping = (HANDLE)(ULONG_PTR)strtoull(argv[5], NULL, 10);
    struct shared_flags *flags =
        MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(struct shared_flags));
    if (!flags) {
        bench_fail("child MapViewOfFile");
        return 3;
    }
    for (;;) {
        if (bench_wait(from_parent, "child wait") != 0)
            return 4;
        if (InterlockedCompareExchange(&flags->quit, 0, 0))
            return 0;
        if (!signal_object(kind, to_parent)) {
            bench_fail("child signal");
            return 5;
        }
    }
}

/* ---- WaitForMultipleObjects over 64 manual-reset events ---- */

struct wait64 {
    HANDLE events[MAXIMUM_WAIT_OBJECTS];
    BOOL wait_all;
};

static void wait64_teardown(void *ctx)
{
    struct wait64 *w = ctx;
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        if (w->events[i])
            CloseHandle(w->events[i]);
    free(w);
}

/* Wait-any: only the last event is set. Wait-all: every event is set. Manual-reset events
 * are never consumed, so every wait is satisfied at once and leaves the state as it was. */
static struct wait64 *wait64_setup(BOOL wait_all)
{
    struct wait64 *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->wait_all = wait_all;
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        BOOL set = wait_all || i == MAXIMUM_WAIT_OBJECTS - 1;
        w->events[i] = CreateEventA(NULL, TRUE, set, NULL);
        if (!w->events[i]) {
            bench_fail("CreateEventA");
            wait64_teardown(w);
            return NULL;
        }
    }
    return w;
}

static void *wait_any_setup(void)
{
    return wait64_setup(FALSE);
}

static void *wait_all_setup(void)
{
    return wait64_setup(TRUE);
}

static int wait64_batch(void *ctx, long n)
{
    struct wait64 *w = ctx;
    DWORD expected = w->wait_all ? WAIT_OBJECT_0 : WAIT_OBJECT_0 + MAXIMUM_WAIT_OBJECTS - 1;
    for (long i = 0; i < n; i++)
        if (WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, w->events, w->wait_all, INFINITE) !=
            expected)
            return bench_fail("WaitForMultipleObjects");
    return 0;
}

/* ---- Intra-process primitives, uncontended: one thread ---- */

static void *cs_setup(void)
{
    CRITICAL_SECTION *cs = malloc(sizeof *cs);
    if (cs)
        InitializeCriticalSection(cs);
    return cs;
}

static int cs_batch(void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        EnterCriticalSection(ctx);
        LeaveCriticalSection(ctx);
    }
    return 0;
}

static void cs_teardown(void *ctx)
{
    DeleteCriticalSection(ctx);
    free(ctx);
}

static void *srw_setup(void)
{
    SRWLOCK *lock = malloc(sizeof *lock);
    if (lock)
        InitializeSRWLock(lock);
    return lock;
}

static int srw_exclusive_batch(void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        AcquireSRWLockExclusive(ctx);
        ReleaseSRWLockExclusive(ctx);
    }
    return 0;
}

static int srw_shared_batch(void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        AcquireSRWLockShared(ctx);
        ReleaseSRWLockShared(ctx);
    }
    return 0;
}

/* ---- Two threads of one process passing a turn: condition variable, WaitOnAddress ---- */

struct turns {
    CRITICAL_SECTION cs;
    CONDITION_VARIABLE changed;
    volatile LONG turn; /* 0: the timed thread's, 1: the echo thread's */
    volatile LONG quit;
    BOOL use_address;
    HANDLE echo;
};

/* Waits until turn == mine. */
static void await_turn(struct turns *t, LONG mine)
{
    if (t->use_address) {
        LONG seen;
        while ((seen = t->turn) != mine)
            WaitOnAddress(&t->turn, &seen, sizeof seen, INFINITE);
        return;
    }
    EnterCriticalSection(&t->cs);
    while (t->turn != mine)
        SleepConditionVariableCS(&t->changed, &t->cs, INFINITE);
    LeaveCriticalSection(&t->cs);
}

static void give_turn(struct turns *t, LONG theirs)
{
    if (t->use_address) {
        InterlockedExchange(&t->turn, theirs);
        WakeByAddressSingle((PVOID)&t->turn);
        return;
    }
    EnterCriticalSection(&t->cs);
    t->turn = theirs;
    LeaveCriticalSection(&t->cs);
    WakeConditionVariable(&t->changed);
}

static DWORD WINAPI echo_turns(LPVOID arg)
{
    struct turns *t = arg;
    for (;;) {
        await_turn(t, 1);
        if (t->quit)
            return 0;
        give_turn(t, 0);
    }
}

static int turns_batch(void *ctx, long n)
{
    struct turns *t = ctx;
    for (long i = 0; i < n; i++) {
        give_turn(t, 1);
        await_turn(t, 0);
    }
    return 0;
}

static void turns_teardown(void *ctx)
{
    struct turns *t = ctx;
    InterlockedExchange(&t->quit, 1);
    give_turn(t, 1);
    if (WaitForSingleObject(t->echo, 10000) != WAIT_OBJECT_0)
        fprintf(stderr, "the echo thread did not end\n");
    CloseHandle(t->echo);
    DeleteCriticalSection(&t->cs);
    free(t);
}

static struct turns *turns_setup(BOOL use_address)
{
    struct turns *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    InitializeCriticalSection(&t->cs);
    InitializeConditionVariable(&t->changed);
    t->use_address = use_address;
    t->echo = CreateThread(NULL, 0, echo_turns, t, 0, NULL);
    if (!t->echo) {
        bench_fail("CreateThread");
        DeleteCriticalSection(&t->cs);
        free(t);
        return NULL;
    }
    turns_batch(t, 1); /* the echo thread is up before anything is timed */
    return t;
}

static void *cv_turns_setup(void)
{
    return turns_setup(FALSE);
}

static void *address_turns_setup(void)
{
    return turns_setup(TRUE);
}

static const struct bench_row rows[] = {
    {"mutex-uncontended", "WaitForSingleObject + ReleaseMutex, one thread", mutex_setup,
     mutex_batch, close_handle},
    {"event-uncontended", "SetEvent + WaitForSingleObject on an auto-reset event, one thread",
     event_setup, event_batch, close_handle},
    {"event-pingpong", "round trip between two processes: SetEvent, then wait for the reply",
     events_setup, pair_batch, pair_teardown},
    {"semaphore-handoff", "round trip between two processes: ReleaseSemaphore, then wait",
     semaphores_setup, pair_batch, pair_teardown},
    {"timer-due", "SetWaitableTimer (due time already past) + WaitForSingleObject, one thread",
     timer_setup, timer_batch, close_handle},
    {"wfmo64-any", "WaitForMultipleObjects(64, wait-any), only the last event set", wait_any_setup,
     wait64_batch, wait64_teardown},
    {"wfmo64-all", "WaitForMultipleObjects(64, wait-all), every event set", wait_all_setup,
     wait64_batch, wait64_teardown},
    {"cs-uncontended", "EnterCriticalSection + LeaveCriticalSection, one thread", cs_setup,
     cs_batch, cs_teardown},
    {"srw-exclusive", "AcquireSRWLockExclusive + ReleaseSRWLockExclusive, one thread", srw_setup,
     srw_exclusive_batch, free},
    {"srw-shared", "AcquireSRWLockShared + ReleaseSRWLockShared, one thread", srw_setup,
     srw_shared_batch, free},
    {"cv-pingpong", "round trip between two threads: critical section + condition variable",
     cv_turns_setup, turns_batch, turns_teardown},
    {"address-pingpong", "round trip between two threads: WaitOnAddress + WakeByAddressSingle",
     address_turns_setup, turns_batch, turns_teardown},
};

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);
    return bench_main(argc, argv, rows, sizeof rows / sizeof rows[0]);
}
