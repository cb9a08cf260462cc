/*
 * wait_helpers.h - objects in known states, and a child process blocked in a wait,
 * for the lab 06 tests.
 *
 * A blocked child is proven blocked without sleeping: it calls SignalObjectAndWait on a
 * `ready` semaphore and its wait, which releases `ready` and starts the wait as one
 * atomic step. It reports the wait's result as one byte on a pipe; only the parent
 * asserts (Criterion 2.4.1 hangs when a forked child asserts or returns).
 */
#ifndef WAIT_HELPERS_H
#define WAIT_HELPERS_H

#include <criterion/criterion.h>
#include <windows.h>

#include "wstest.h"

static inline HANDLE new_event(BOOL manual, BOOL set)
{
    HANDLE h = CreateEventA(NULL, manual, set, NULL);
    cr_assert_not_null(h, "CreateEventA failed: %u", GetLastError());
    return h;
}

static inline HANDLE new_semaphore(LONG count)
{
    HANDLE h = CreateSemaphoreA(NULL, count, 100, NULL);
    cr_assert_not_null(h, "CreateSemaphoreA failed: %u", GetLastError());
    return h;
}

static inline LONG semaphore_count(HANDLE sem)
{
    LONG previous = -1;
    cr_assert(ReleaseSemaphore(sem, 1, &previous), "ReleaseSemaphore failed: %u", GetLastError());
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    return previous;
}

static DWORD WINAPI take_and_return(LPVOID mutex)
{
    WaitForSingleObject((HANDLE)mutex, INFINITE);
    return 0; /* ends while owning it: abandoned */
}

/* A mutex whose owner thread has ended while owning it. */
static inline HANDLE new_abandoned_mutex(void)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(m, "CreateMutexA failed: %u", GetLastError());
    HANDLE t = CreateThread(NULL, 0, take_and_return, m, 0, NULL);
    cr_assert_not_null(t, "CreateThread failed: %u", GetLastError());
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0, "the owner never ended");
    CloseHandle(t);
    return m;
}

struct blocked_wait {
    HANDLE ready;
    const HANDLE *handles;
    DWORD count;
    BOOL wait_all;
    struct wst_pipe report;
    pid_t pid;
};

/* Child: start the wait atomically with releasing `ready`, report the result byte. */
static int blocked_wait_main(void *arg)
{
    struct blocked_wait *b = arg;
    DWORD r;
    if (b->count == 1) {
        r = SignalObjectAndWait(b->ready, b->handles[0], WST_LONG_MS, FALSE);
    } else {
        /* Release `ready` only after the wait-all has started: a helper thread can't
         * prove that, so the child reports "about to wait" and the parent checks that
         * no result arrives while the wait is incomplete. */
        ReleaseSemaphore(b->ready, 1, NULL);
        r = WaitForMultipleObjects(b->count, b->handles, b->wait_all, WST_LONG_MS);
    }
    wst_send(&b->report, (char)(r == WAIT_FAILED ? 0xFF : r));
    return 0;
}

static inline void start_blocked_wait(struct blocked_wait *b, const HANDLE *handles, DWORD count,
                                      BOOL wait_all)
{
    b->ready = new_semaphore(0);
    b->handles = handles;
    b->count = count;
    b->wait_all = wait_all;
    cr_assert_eq(wst_pipe_open(&b->report), 0);
    b->pid = wst_spawn(blocked_wait_main, b);
    cr_assert_gt(b->pid, 0, "fork failed");
    cr_assert_eq(WaitForSingleObject(b->ready, WST_LONG_MS), WAIT_OBJECT_0,
                 "the child never started waiting");
}

/* The child's wait result, or -1 if it did not finish within timeout_ms. */
static inline int blocked_wait_result(struct blocked_wait *b, int timeout_ms)
{
    return wst_recv(&b->report, timeout_ms);
}

static inline void finish_blocked_wait(struct blocked_wait *b)
{
    cr_expect_eq(wst_reap(b->pid, WST_LONG_MS), 0, "the waiting child did not exit cleanly");
    wst_pipe_close(&b->report);
    CloseHandle(b->ready);
}

#endif /* WAIT_HELPERS_H */
