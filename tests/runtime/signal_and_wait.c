/* SignalObjectAndWait: one atomic step, its failure cases, and what it signals. */
#include "rt.h"

TestSuite(signal_and_wait, .timeout = RT_TIMEOUT);

struct partner {
    HANDLE signalled, pulsed;
    int rounds;
};

/* For each round: wait for the caller's signal, then pulse the event it waits on. The
 * pulse only reaches it if it was already waiting when it signalled. */
static int pulse_partner(void *arg)
{
    struct partner *p = arg;
    for (int i = 0; i < p->rounds; i++) {
        CHILD_CHECK(WaitForSingleObject(p->signalled, WST_LONG_MS) == WAIT_OBJECT_0);
        CHILD_CHECK(PulseEvent(p->pulsed));
    }
    return 0;
}

Test(signal_and_wait, no_wake_up_slips_between_the_signal_and_the_wait, .timeout = 60)
{
    struct partner p = {CreateEventA(NULL, FALSE, FALSE, NULL),
                        CreateEventA(NULL, FALSE, FALSE, NULL), 300};
    pid_t pid = wst_spawn(pulse_partner, &p);
    cr_assert_gt(pid, 0);
    for (int i = 0; i < p.rounds; i++) {
        DWORD r = SignalObjectAndWait(p.signalled, p.pulsed, WST_LONG_MS, FALSE);
        cr_assert_eq(r, WAIT_OBJECT_0, "round %d: the pulse was lost (%#x)", i, (unsigned)r);
    }
    assert_child_ok(pid);
}

Test(signal_and_wait, signals_each_kind_of_object)
{
    HANDLE target = CreateEventA(NULL, TRUE, TRUE, NULL);

    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_eq(SignalObjectAndWait(ev, target, 0, FALSE), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "the event was not set");

    HANDLE sem = CreateSemaphoreA(NULL, 0, 3, NULL);
    cr_assert_eq(SignalObjectAndWait(sem, target, 0, FALSE), WAIT_OBJECT_0);
    cr_assert_eq(rt_semaphore_count(sem), 1, "the semaphore was not released by one");

    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    cr_assert_eq(SignalObjectAndWait(m, target, 0, FALSE), WAIT_OBJECT_0);
    SetLastError(0);
    cr_assert_not(ReleaseMutex(m), "the mutex was not released");
    assert_last_error(ERROR_NOT_OWNER);

    /* Release and wait again on the same mutex: owned once afterwards. */
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    cr_assert_eq(SignalObjectAndWait(m, m, 0, FALSE), WAIT_OBJECT_0);
    cr_assert(ReleaseMutex(m));
    cr_assert_not(ReleaseMutex(m));
}

Test(signal_and_wait, same_auto_event_returns_object_0_and_leaves_it_reset)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_eq(SignalObjectAndWait(ev, ev, 0, FALSE), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
}

Test(signal_and_wait, the_signal_is_not_undone_when_the_wait_times_out)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(99);
    cr_assert_eq(SignalObjectAndWait(ev, never, 30, FALSE), WAIT_TIMEOUT);
    assert_last_error(99);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
}

Test(signal_and_wait, wakes_a_waiter_in_another_process_before_waiting)
{
    HANDLE ping = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE pong = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(ping, INFINITE, &report, &ready);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);
    cr_assert_eq(SignalObjectAndWait(ping, pong, 50, FALSE), WAIT_TIMEOUT);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid);
}

/* Each failing signal leaves the wait unstarted: the signalled auto event `target` is not
 * consumed. */
static void assert_fails_before_waiting(HANDLE to_signal, HANDLE target, DWORD expected_error)
{
    cr_assert(SetEvent(target));
    SetLastError(0);
    cr_assert_eq(SignalObjectAndWait(to_signal, target, 0, FALSE), WAIT_FAILED, "signalling %p",
                 to_signal);
    assert_last_error(expected_error);
    cr_assert_eq(WaitForSingleObject(target, 0), WAIT_OBJECT_0, "the wait started anyway");
}

Test(signal_and_wait, failing_signal_does_not_start_the_wait)
{
    HANDLE target = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE full = CreateSemaphoreA(NULL, 2, 2, NULL);
    assert_fails_before_waiting(full, target, ERROR_TOO_MANY_POSTS);
    LONG previous = -1; /* still full: take one and put it back */
    cr_assert_eq(WaitForSingleObject(full, 0), WAIT_OBJECT_0);
    cr_assert(ReleaseSemaphore(full, 1, &previous));
    cr_assert_eq(previous, 1);

    HANDLE unowned = CreateMutexA(NULL, FALSE, NULL);
    assert_fails_before_waiting(unowned, target, ERROR_NOT_OWNER);

    assert_fails_before_waiting(NULL, target, ERROR_INVALID_HANDLE);
    assert_fails_before_waiting((HANDLE)(uintptr_t)0x7ffffff0, target, ERROR_INVALID_HANDLE);
    HANDLE closed = CreateEventA(NULL, FALSE, FALSE, NULL);
    CloseHandle(closed);
    assert_fails_before_waiting(closed, target, ERROR_INVALID_HANDLE);
    /* A thread cannot be signalled. */
    assert_fails_before_waiting(GetCurrentThread(), target, ERROR_INVALID_HANDLE);
}

Test(signal_and_wait, invalid_wait_handle_fails_without_signalling)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0);
    cr_assert_eq(SignalObjectAndWait(ev, NULL, 0, FALSE), WAIT_FAILED);
    assert_last_error(ERROR_INVALID_HANDLE);
    SetLastError(0);
    cr_assert_eq(SignalObjectAndWait(ev, (HANDLE)(uintptr_t)0x7ffffff0, 0, FALSE), WAIT_FAILED);
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "signalled although the call failed");
}
