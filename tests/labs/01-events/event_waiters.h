/*
 * event_waiters.h - child processes that wait on an event, for the lab 01 tests.
 *
 * A waiter calls SignalObjectAndWait(ready, event): it releases the `ready` semaphore and
 * joins the event's wait list as one atomic step, so once the parent has taken `ready`
 * the waiter is certainly blocked on the event (no sleep guesses). Each wake is reported
 * as one byte on a pipe; children never assert (Criterion 2.4.1), only the parent does.
 */
#ifndef EVENT_WAITERS_H
#define EVENT_WAITERS_H

#include <criterion/criterion.h>
#include <windows.h>

#include "wschain.h"
#include "wstest.h"

#define WOKEN 'w'
#define FAILED 'f'     /* could not open the event */
#define TIMED_OUT 't'  /* the wait returned WAIT_TIMEOUT */
#define WAIT_ERROR 'e' /* the wait returned WAIT_FAILED or something unexpected */
#define MAX_WAITERS 8

struct waiter {
    HANDLE ready;            /* a semaphore, released once per wait the waiter starts */
    HANDLE event;            /* inherited handle; unused when name is set */
    const char *name;        /* when set, the child opens the event by this name */
    int rounds;              /* how many waits the child does */
    struct wst_pipe *report; /* WOKEN per completed wait, FAILED on any error */
};

static int waiter_main(void *arg)
{
    const struct waiter *w = arg;
    HANDLE event = w->event;
    if (w->name != NULL) {
        event = OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, w->name);
        if (event == NULL) {
            fprintf(stderr, "waiter %d: OpenEventA failed, error %u\n", (int)getpid(),
                    GetLastError());
            wst_send(w->report, FAILED);
            return 2;
        }
    }
    for (int i = 0; i < w->rounds; i++) {
        DWORD r = SignalObjectAndWait(w->ready, event, WST_WAITER_MS, FALSE);
        if (r != WAIT_OBJECT_0) {
            fprintf(stderr, "waiter %d: SignalObjectAndWait returned %#x, error %u\n",
                    (int)getpid(), r, GetLastError());
            wst_send(w->report, r == WAIT_TIMEOUT ? TIMED_OUT : WAIT_ERROR);
            return 1;
        }
        wst_send(w->report, WOKEN);
    }
    return 0;
}

static inline const char *report_meaning(int byte)
{
    switch (byte) {
    case TIMED_OUT:
        return "a waiter was never released: its wait timed out";
    case WAIT_ERROR:
        return "a waiter's wait failed (WAIT_FAILED)";
    case FAILED:
        return "a waiter could not open the event";
    default:
        return "a waiter reported nonsense";
    }
}

static inline HANDLE new_ready_semaphore(void)
{
    HANDLE ready = CreateSemaphoreA(NULL, 0, 1000, NULL);
    cr_assert_not_null(ready, "CreateSemaphoreA failed: %u", GetLastError());
    return ready;
}

/* Take `count` ready signals: afterwards that many waits are blocked on the event. */
static inline void await_waiting(HANDLE ready, int count)
{
    for (int i = 0; i < count; i++)
        cr_assert_eq(WaitForSingleObject(ready, WST_LONG_MS), WAIT_OBJECT_0,
                     "only %d of %d waiters started waiting", i, count);
}

/* Fork `count` waiters and return once every one is blocked on the event. */
static inline void start_waiters(struct waiter *w, int count, pid_t *pids)
{
    cr_assert_leq(count, MAX_WAITERS);
    for (int i = 0; i < count; i++) {
        pids[i] = wst_spawn(waiter_main, w);
        cr_assert_gt(pids[i], 0, "fork failed");
    }
    for (int i = 0; i < count; i++) {
        if (WaitForSingleObject(w->ready, WST_LONG_MS) != WAIT_OBJECT_0) {
            int early = wst_recv(w->report, 0);
            cr_assert_fail("only %d of %d waiters started waiting%s%s", i, count,
                           early < 0 ? "" : "; one said: ", early < 0 ? "" : report_meaning(early));
        }
    }
}

/* Read exactly `count` wake reports, waiting up to WST_LONG_MS for each. */
static inline void expect_wakes(struct wst_pipe *report, int count, const char *what)
{
    for (int i = 0; i < count; i++) {
        int byte = wst_recv(report, WST_LONG_MS);
        struct wst_chain chain;
        cr_assert_neq(byte, -1,
                      "%s: only %d of %d waiters were released (the others are still "
                      "blocked after %d ms)\n%s",
                      what, i, count, WST_LONG_MS, byte == -1 ? wst_wait_chain(&chain) : "");
        cr_assert_eq(byte, WOKEN, "%s: %s", what, report_meaning(byte));
    }
}

/* Count wakes: up to WST_LONG_MS for each of the `expected` ones, then WST_QUIET_MS for
 * any extra. A failed wait fails the test; so does a missing wake, with the wait chains. */
static inline int count_wakes(struct wst_pipe *report, int expected)
{
    int wakes = 0;
    for (;;) {
        int byte = wst_recv(report, wakes < expected ? WST_LONG_MS : WST_QUIET_MS);
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

static inline void reap_all(const pid_t *pids, int count)
{
    for (int i = 0; i < count; i++)
        cr_assert_eq(wst_reap(pids[i], WST_LONG_MS), 0, "waiter %d did not end cleanly", i);
}

/* WaitForSingleObject(h, 0): true when the wait succeeded (an auto-reset event is then
 * consumed), false when it timed out. */
static inline bool try_wait(HANDLE h)
{
    DWORD r = WaitForSingleObject(h, 0);
    cr_assert(r == WAIT_OBJECT_0 || r == WAIT_TIMEOUT, "WaitForSingleObject(h, 0) returned %#x", r);
    return r == WAIT_OBJECT_0;
}

#endif /* EVENT_WAITERS_H */
