/* Events: auto-reset and manual-reset, Set/Reset/Pulse, CreateEventEx. */
#include "conformance.h"

static void auto_reset_consumed_by_one_wait(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
    CHECK_TRUE("created", e != NULL);
    CHECK_EQ("first_wait", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CHECK_EQ("second_wait", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void manual_reset_stays_signalled(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
    CHECK_EQ("first_wait", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CHECK_EQ("second_wait", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CHECK_EQ("reset", TRUE, ResetEvent(e));
    CHECK_EQ("wait_after_reset", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void initially_reset(void)
{
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE m = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK_EQ("auto", WAIT_TIMEOUT, WaitForSingleObject(a, 0));
    CHECK_EQ("manual", WAIT_TIMEOUT, WaitForSingleObject(m, 0));
    CloseHandle(a);
    CloseHandle(m);
}

static void set_twice_is_one_signal(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHECK_EQ("set1", TRUE, SetEvent(e));
    CHECK_EQ("set2", TRUE, SetEvent(e));
    CHECK_EQ("wait1", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CHECK_EQ("wait2", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void success_keeps_last_error(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set", TRUE, SetEvent(e));
    CHECK_ERR("set_err", CF_SENTINEL);
    CHECK_EQ("reset", TRUE, ResetEvent(e));
    CHECK_ERR("reset_err", CF_SENTINEL);
    CHECK_EQ("pulse", TRUE, PulseEvent(e));
    CHECK_ERR("pulse_err", CF_SENTINEL);
    CloseHandle(e);
}

static void pulse_without_waiters_leaves_reset(void)
{
    HANDLE a = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE m = CreateEventA(NULL, TRUE, TRUE, NULL);
    CHECK_EQ("pulse_auto", TRUE, PulseEvent(a));
    CHECK_EQ("pulse_manual", TRUE, PulseEvent(m));
    CHECK_EQ("auto_reset_after", WAIT_TIMEOUT, WaitForSingleObject(a, 0));
    CHECK_EQ("manual_reset_after", WAIT_TIMEOUT, WaitForSingleObject(m, 0));
    CloseHandle(a);
    CloseHandle(m);
}

/* A pulse can only release a thread that is already waiting; we cannot observe "waiting",
 * so pulse until the waiter is released (bounded), then check it was released by a pulse
 * (WAIT_OBJECT_0) and that the event stayed reset. */
static void pulse_releases_a_waiting_thread(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, e, CF_LONG_MS, FALSE);
    DWORD done = WAIT_TIMEOUT;
    for (int i = 0; i < 200 && done == WAIT_TIMEOUT; i++) {
        PulseEvent(e);
        done = WaitForSingleObject(t, 50);
    }
    CHECK_EQ("waiter_released", WAIT_OBJECT_0, done);
    CHECK_EQ("waiter_result", WAIT_OBJECT_0, w.result);
    CHECK_EQ("event_reset_after", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    CloseHandle(t);
    CloseHandle(e);
}

static void auto_reset_set_releases_one_waiter(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct cf_waiter w[2];
    HANDLE t[2] = {cf_start_waiter(&w[0], e, CF_LONG_MS, FALSE),
                   cf_start_waiter(&w[1], e, CF_LONG_MS, FALSE)};
    CHECK_EQ("set", TRUE, SetEvent(e));
    DWORD first = WaitForMultipleObjects(2, t, FALSE, CF_LONG_MS);
    CHECK_TRUE("one_released", first == WAIT_OBJECT_0 || first == WAIT_OBJECT_0 + 1);
    DWORD other = first == WAIT_OBJECT_0 ? 1 : 0;
    CHECK_EQ("other_still_blocked", WAIT_TIMEOUT, WaitForSingleObject(t[other], CF_QUIET_MS));
    CHECK_EQ("released_result", WAIT_OBJECT_0, w[other ^ 1].result);
    CHECK_EQ("set_again", TRUE, SetEvent(e));
    CHECK_EQ("other_released", WAIT_OBJECT_0, WaitForSingleObject(t[other], CF_LONG_MS));
    CHECK_EQ("event_consumed", WAIT_TIMEOUT, WaitForSingleObject(e, 0));
    cf_join(t[0]);
    cf_join(t[1]);
    CloseHandle(e);
}

static void manual_set_releases_every_waiter(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct cf_waiter w[2];
    HANDLE t[2] = {cf_start_waiter(&w[0], e, CF_LONG_MS, FALSE),
                   cf_start_waiter(&w[1], e, CF_LONG_MS, FALSE)};
    CHECK_EQ("set", TRUE, SetEvent(e));
    CHECK_EQ("both_released", WAIT_OBJECT_0, WaitForMultipleObjects(2, t, TRUE, CF_LONG_MS));
    CHECK_EQ("result0", WAIT_OBJECT_0, w[0].result);
    CHECK_EQ("result1", WAIT_OBJECT_0, w[1].result);
    CHECK_EQ("still_set", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    cf_join(t[0]);
    cf_join(t[1]);
    CloseHandle(e);
}

static void create_event_ex_flags(void)
{
    HANDLE m = CreateEventExA(NULL, NULL, CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
                              EVENT_ALL_ACCESS);
    CHECK_TRUE("manual_created", m != NULL);
    CHECK_EQ("manual_wait1", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    CHECK_EQ("manual_wait2", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    HANDLE a = CreateEventExA(NULL, NULL, CREATE_EVENT_INITIAL_SET, EVENT_ALL_ACCESS);
    CHECK_EQ("auto_wait1", WAIT_OBJECT_0, WaitForSingleObject(a, 0));
    CHECK_EQ("auto_wait2", WAIT_TIMEOUT, WaitForSingleObject(a, 0));
    HANDLE r = CreateEventExA(NULL, NULL, 0, EVENT_ALL_ACCESS);
    CHECK_EQ("reset_wait", WAIT_TIMEOUT, WaitForSingleObject(r, 0));
    CloseHandle(m);
    CloseHandle(a);
    CloseHandle(r);
}

CF_MAIN("events", NULL, CF_TEST(auto_reset_consumed_by_one_wait),
        CF_TEST(manual_reset_stays_signalled), CF_TEST(initially_reset),
        CF_TEST(set_twice_is_one_signal), CF_TEST(success_keeps_last_error),
        CF_TEST(pulse_without_waiters_leaves_reset), CF_TEST(pulse_releases_a_waiting_thread),
        CF_TEST(auto_reset_set_releases_one_waiter), CF_TEST(manual_set_releases_every_waiter),
        CF_TEST(create_event_ex_flags))
