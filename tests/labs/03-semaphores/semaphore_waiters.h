/*
 * semaphore_waiters.h - child processes that wait on a semaphore, for the lab 03 tests.
 *
 * Each waiter calls SignalObjectAndWait(ready, semaphore): it sets its own `ready` event
 * and joins the semaphore's wait list as one atomic step, so once the parent has seen
 * `ready` the waiter is certainly blocked (no sleep guesses). Each wait's outcome is
 * reported as one byte on a pipe; children never assert (Criterion 2.4.1).
 */
#ifndef SEMAPHORE_WAITERS_H
#define SEMAPHORE_WAITERS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <windows.h>

#include "wschain.h"
#include "wstest.h"

#define WOKEN 'w'
#define FAILED 'f'     /* could not open the semaphore */
#define TIMED_OUT 't'  /* the wait returned WAIT_TIMEOUT */
#define WAIT_ERROR 'e' /* the wait returned WAIT_FAILED or something unexpected */
#define MAX_WAITERS 8
#define UNTOUCHED ((LONG)0x5EED5EED) /* what *prev holds before a failed release */
/* Windows' LONG is 32 bits; <limits.h>'s LONG_MAX is 64 bits on Linux. */
#define WIN_LONG_MAX ((LONG)INT32_MAX)
#define WIN_LONG_MIN ((LONG)INT32_MIN)

struct waiter {
    HANDLE ready;            /* an auto-reset event, set once per wait the waiter starts */
    HANDLE semaphore;        /* inherited handle; unused when name is set */
    const char *name;        /* when set, the child opens the semaphore by this name */
    struct wst_pipe *report; /* WOKEN per completed wait, FAILED on any error */
};

static int waiter_main(void *arg)
{
    const struct waiter *w = arg;
    HANDLE semaphore = w->semaphore;
    if (w->name != NULL) {
        semaphore = OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, w->name);
        if (semaphore == NULL) {
            fprintf(stderr, "waiter %d: OpenSemaphoreA failed, error %u\n", (int)getpid(),
                    GetLastError());
            wst_send(w->report, FAILED);
            return 2;
        }
    }
    DWORD r = SignalObjectAndWait(w->ready, semaphore, WST_WAITER_MS, FALSE);
    if (r != WAIT_OBJECT_0)
        fprintf(stderr, "waiter %d: SignalObjectAndWait returned %#x, error %u\n", (int)getpid(), r,
                GetLastError());
    wst_send(w->report, r == WAIT_OBJECT_0 ? WOKEN : r == WAIT_TIMEOUT ? TIMED_OUT : WAIT_ERROR);
    return r == WAIT_OBJECT_0 ? 0 : 1;
}

/* A group of waiters on one semaphore, each with its own ready event. */
struct waiters {
    int count;
    pid_t pids[MAX_WAITERS];
    struct waiter each[MAX_WAITERS];
    struct wst_pipe report;
};

/* Fork `count` waiters and return once every one is blocked on the semaphore. */
static inline void start_waiters(struct waiters *g, int count, HANDLE semaphore, const char *name)
{
    cr_assert_leq(count, MAX_WAITERS);
    cr_assert_eq(wst_pipe_open(&g->report), 0);
    g->count = count;
    for (int i = 0; i < count; i++) {
        g->each[i] = (struct waiter){.ready = CreateEventA(NULL, FALSE, FALSE, NULL),
                                     .semaphore = semaphore,
                                     .name = name,
                                     .report = &g->report};
        cr_assert_not_null(g->each[i].ready, "CreateEventA failed: %u", GetLastError());
        g->pids[i] = wst_spawn(waiter_main, &g->each[i]);
        cr_assert_gt(g->pids[i], 0, "fork failed");
    }
    for (int i = 0; i < count; i++)
        cr_assert_eq(WaitForSingleObject(g->each[i].ready, WST_LONG_MS), WAIT_OBJECT_0,
                     "waiter %d never started waiting", i);
}

static inline const char *report_meaning(int byte)
{
    switch (byte) {
    case TIMED_OUT:
        return "a waiter was never released: its wait timed out";
    case WAIT_ERROR:
        return "a waiter's wait failed (WAIT_FAILED)";
    case FAILED:
        return "a waiter could not open the semaphore";
    default:
        return "a waiter reported nonsense";
    }
}

/* Count wakes: up to WST_LONG_MS for each of the `expected` ones, then WST_QUIET_MS for
 * any extra. A failed wait fails the test; so does a missing wake, with the wait chains. */
static inline int count_wakes(struct waiters *g, int expected)
{
    int wakes = 0;
    for (;;) {
        int byte = wst_recv(&g->report, wakes < expected ? WST_LONG_MS : WST_QUIET_MS);
        if (byte < 0 && wakes < expected) {
            struct wst_chain chain;
            cr_assert_fail("a waiter was never released: %d of %d expected wakes came, the "
                           "others are still blocked after %d ms\n%s",
                           wakes, expected, WST_LONG_MS, wst_wait_chain(&chain));
        }
        if (byte < 0)
            return wakes;
        cr_assert_eq(byte, WOKEN, "%s", report_meaning(byte));
        wakes++;
    }
}

static inline void reap_waiters(struct waiters *g)
{
    for (int i = 0; i < g->count; i++) {
        cr_assert_eq(wst_reap(g->pids[i], WST_LONG_MS), 0, "waiter %d did not end cleanly", i);
        CloseHandle(g->each[i].ready);
    }
    wst_pipe_close(&g->report);
}

/* How many units the semaphore holds: takes them all with zero-timeout waits, then puts
 * them back (limit bounds the count so a broken semaphore cannot loop for ever). */
static inline LONG units_available(HANDLE semaphore, LONG limit)
{
    LONG taken = 0;
    while (taken < limit && WaitForSingleObject(semaphore, 0) == WAIT_OBJECT_0)
        taken++;
    if (taken > 0)
        cr_assert(ReleaseSemaphore(semaphore, taken, NULL), "could not put back %d units: error %u",
                  taken, GetLastError());
    return taken;
}

/* Expect the semaphore to hold exactly `expected` units (and leave them there). */
static inline void expect_units(HANDLE semaphore, LONG expected, const char *why)
{
    LONG units = units_available(semaphore, expected + 5);
    cr_expect_eq(units, expected, "%s: it holds %d unit(s), expected %d", why, units, expected);
}

#endif /* SEMAPHORE_WAITERS_H */
