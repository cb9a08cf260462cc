/*
 * apc_helpers.h - helpers shared by the lab 04 (APCs) tests.
 *
 * Every test runs in its own Criterion worker process, so the APC log below is private to
 * one test. APC routines only append to the log: they must not call into winsync, so that a
 * broken lab that runs APCs in the wrong place cannot deadlock the test.
 */
#ifndef APC_HELPERS_H
#define APC_HELPERS_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <windows.h>

#include "wstest.h"

/* Per-test wall timeout in seconds (the grader may scale it). */
#define APC_TEST_TIMEOUT 30
#define APC_LOG_SIZE 256

/* What the APCs that ran did, in the order they ran. */
static struct {
    int count;
    ULONG_PTR values[APC_LOG_SIZE];
    pid_t threads[APC_LOG_SIZE]; /* the Linux tid (= Windows thread id) that ran each APC */
} apc_log;

static inline void CALLBACK record_apc(ULONG_PTR value)
{
    int slot = __atomic_fetch_add(&apc_log.count, 1, __ATOMIC_SEQ_CST);
    if (slot < APC_LOG_SIZE) {
        apc_log.values[slot] = value;
        apc_log.threads[slot] = (pid_t)syscall(SYS_gettid);
    }
}

static inline int apcs_run(void)
{
    return __atomic_load_n(&apc_log.count, __ATOMIC_SEQ_CST);
}

/* Queues APCs with values first, first + 1, ... first + n - 1. */
static inline void queue_apcs(HANDLE thread, ULONG_PTR first, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_neq(QueueUserAPC(record_apc, thread, first + (ULONG_PTR)i), 0,
                      "QueueUserAPC number %d failed (error %u)", i + 1, (unsigned)GetLastError());
}

/* The log must hold exactly the values first.. first + n - 1, in that order, all run by
 * the thread `tid`. */
static inline void expect_log_fifo(ULONG_PTR first, int n, DWORD tid)
{
    cr_assert_eq(apcs_run(), n, "%d APC(s) ran, expected %d", apcs_run(), n);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(apc_log.values[i], first + (ULONG_PTR)i,
                     "APC number %d to run had value %lu, expected %lu: APCs run oldest first "
                     "(FIFO)",
                     i + 1, (unsigned long)apc_log.values[i], (unsigned long)(first + i));
        cr_assert_eq((DWORD)apc_log.threads[i], tid,
                     "APC number %d ran on thread %u, expected the target thread %u", i + 1,
                     (unsigned)apc_log.threads[i], (unsigned)tid);
    }
}

/* A handle to the calling thread that QueueUserAPC accepts. */
static inline HANDLE this_thread(void)
{
    return GetCurrentThread();
}

/* The waits that can be alertable, plus one that is not. */
enum wait_kind {
    KIND_SLEEP_EX,
    KIND_SINGLE_EX,
    KIND_MULTIPLE_ANY_EX,
    KIND_MULTIPLE_ALL_EX,
    KIND_SIGNAL_AND_WAIT,
    KIND_SINGLE_NOT_ALERTABLE,
};

static inline const char *wait_kind_name(enum wait_kind kind)
{
    static const char *const names[] = {"SleepEx",
                                        "WaitForSingleObjectEx",
                                        "WaitForMultipleObjectsEx(any)",
                                        "WaitForMultipleObjectsEx(all)",
                                        "SignalObjectAndWait",
                                        "WaitForSingleObject"};
    return names[kind];
}

/* Two non-signalled auto-reset events to wait on, and one for SignalObjectAndWait to set. */
struct wait_objects {
    HANDLE events[2];
    HANDLE to_signal;
};

static inline void wait_objects_create(struct wait_objects *o)
{
    o->events[0] = CreateEventA(NULL, FALSE, FALSE, NULL);
    o->events[1] = CreateEventA(NULL, FALSE, FALSE, NULL);
    o->to_signal = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert(o->events[0] && o->events[1] && o->to_signal, "CreateEventA failed");
}

static inline void wait_objects_close(struct wait_objects *o)
{
    CloseHandle(o->events[0]);
    CloseHandle(o->events[1]);
    CloseHandle(o->to_signal);
}

/* One wait of the given kind; every kind but the last is alertable. */
static inline DWORD wait_of_kind(enum wait_kind kind, struct wait_objects *o, DWORD timeout)
{
    switch (kind) {
    case KIND_SLEEP_EX:
        return SleepEx(timeout, TRUE);
    case KIND_SINGLE_EX:
        return WaitForSingleObjectEx(o->events[0], timeout, TRUE);
    case KIND_MULTIPLE_ANY_EX:
        return WaitForMultipleObjectsEx(2, o->events, FALSE, timeout, TRUE);
    case KIND_MULTIPLE_ALL_EX:
        return WaitForMultipleObjectsEx(2, o->events, TRUE, timeout, TRUE);
    case KIND_SIGNAL_AND_WAIT:
        return SignalObjectAndWait(o->to_signal, o->events[0], timeout, TRUE);
    case KIND_SINGLE_NOT_ALERTABLE:
        return WaitForSingleObject(o->events[0], timeout);
    }
    return 0xDEADu;
}

/* A thread that reports 'w', makes one wait, notes what it saw, and reports 'd'. */
struct waiter {
    enum wait_kind kind;
    struct wait_objects objects;
    struct wst_pipe report;
    HANDLE thread;
    DWORD tid;
    DWORD result;  /* what the wait returned */
    int apcs_seen; /* APCs that had run when the wait returned */
};

static inline DWORD WINAPI waiter_thread(LPVOID param)
{
    struct waiter *w = param;
    w->tid = GetCurrentThreadId();
    wst_send(&w->report, 'w');
    w->result = wait_of_kind(w->kind, &w->objects, 3 * WST_LONG_MS);
    w->apcs_seen = apcs_run();
    wst_send(&w->report, 'd');
    return 0;
}

/* Starts a waiter and returns once it is about to wait. */
static inline void waiter_start(struct waiter *w, enum wait_kind kind)
{
    w->kind = kind;
    w->result = 0xDEADu;
    wait_objects_create(&w->objects);
    cr_assert_eq(wst_pipe_open(&w->report), 0);
    w->thread = CreateThread(NULL, 0, waiter_thread, w, 0, NULL);
    cr_assert_not_null(w->thread, "CreateThread failed (error %u)", (unsigned)GetLastError());
    cr_assert_eq(wst_recv(&w->report, WST_LONG_MS), 'w', "the waiter thread did not start");
    /* It reported just before waiting: make sure it really is asleep in its wait, or an APC
     * queued now would arrive before the wait and test nothing. */
    cr_assert(wst_await_blocked((pid_t)GetThreadId(w->thread)), "the waiter never blocked");
}

/* The waiter must still be inside its wait: no report within WST_QUIET_MS. */
static inline void expect_still_waiting(struct waiter *w, const char *why)
{
    cr_assert_eq(wst_recv(&w->report, WST_QUIET_MS), -1, "%s returned (0x%x) %s",
                 wait_kind_name(w->kind), (unsigned)w->result, why);
}

/* The waiter's wait must end within WST_LONG_MS; then its thread is joined. */
static inline void expect_wait_ended(struct waiter *w, const char *why)
{
    cr_assert_eq(wst_recv(&w->report, WST_LONG_MS), 'd', "%s did not return %s",
                 wait_kind_name(w->kind), why);
    cr_assert_eq(WaitForSingleObject(w->thread, WST_LONG_MS), WAIT_OBJECT_0);
}

static inline void waiter_close(struct waiter *w)
{
    CloseHandle(w->thread);
    wait_objects_close(&w->objects);
    wst_pipe_close(&w->report);
}

#endif /* APC_HELPERS_H */
