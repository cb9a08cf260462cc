/* Waits: wait-any, atomic wait-all, timeouts, handle values, GetLastError. */
#include "rt.h"

TestSuite(waits, .timeout = RT_TIMEOUT);

Test(waits, wait_any_returns_the_lowest_signalled_index_and_satisfies_only_it)
{
    HANDLE ev[3];
    for (int i = 0; i < 3; i++)
        ev[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert(SetEvent(ev[2]));
    cr_assert(SetEvent(ev[1]));
    cr_assert_eq(WaitForMultipleObjects(3, ev, FALSE, 0), WAIT_OBJECT_0 + 1);
    cr_assert_eq(WaitForSingleObject(ev[1], 0), WAIT_TIMEOUT, "index 1 not satisfied");
    cr_assert_eq(WaitForSingleObject(ev[2], 0), WAIT_OBJECT_0, "index 2 was satisfied too");

    HANDLE s[3] = {CreateSemaphoreA(NULL, 0, 5, NULL), CreateSemaphoreA(NULL, 2, 5, NULL),
                   CreateSemaphoreA(NULL, 2, 5, NULL)};
    cr_assert_eq(WaitForMultipleObjects(3, s, FALSE, INFINITE), WAIT_OBJECT_0 + 1);
    cr_assert_eq(rt_semaphore_count(s[1]), 1);
    cr_assert_eq(rt_semaphore_count(s[2]), 2);

    /* A free mutex at index 0 is taken; the signalled auto event after it is left alone. */
    HANDLE mixed[2] = {CreateMutexA(NULL, FALSE, NULL), CreateEventA(NULL, FALSE, TRUE, NULL)};
    cr_assert_eq(WaitForMultipleObjects(2, mixed, FALSE, 0), WAIT_OBJECT_0);
    cr_assert(ReleaseMutex(mixed[0]), "wait-any did not take the mutex");
    cr_assert_eq(WaitForSingleObject(mixed[1], 0), WAIT_OBJECT_0);
}

Test(waits, wait_any_of_64_objects_reports_the_only_signalled_one)
{
    HANDLE ev[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        ev[i] = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = {
        .count = MAXIMUM_WAIT_OBJECTS, .timeout = INFINITE, .report = &report, .ready = &ready};
    memcpy(w.handles, ev, sizeof ev);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);
    cr_assert(SetEvent(ev[63]));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 63);
    assert_child_ok(pid);
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        cr_assert(SetEvent(ev[i]));
    cr_assert_eq(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, ev, TRUE, 0), WAIT_OBJECT_0);
}

Test(waits, timed_out_wait_all_changes_nothing)
{
    HANDLE ev = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE sem = CreateSemaphoreA(NULL, 1, 5, NULL);
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE all[4] = {ev, sem, mutex, never};
    cr_assert_eq(WaitForMultipleObjects(4, all, TRUE, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForMultipleObjects(4, all, TRUE, 30), WAIT_TIMEOUT);
    cr_assert_eq(rt_semaphore_count(sem), 1, "the semaphore lost a unit");
    SetLastError(0);
    cr_assert_not(ReleaseMutex(mutex), "the timed-out wait-all left the mutex owned");
    assert_last_error(ERROR_NOT_OWNER);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "the auto event was consumed");
}

Test(waits, wait_all_satisfies_every_object_at_once_across_processes)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE sem = CreateSemaphoreA(NULL, 0, 5, NULL);
    HANDLE mutex = CreateMutexA(NULL, TRUE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = {.count = 3,
                        .handles = {ev, sem, mutex},
                        .wait_all = TRUE,
                        .timeout = INFINITE,
                        .report = &report,
                        .ready = &ready};
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);

    cr_assert(SetEvent(ev));
    cr_assert(ReleaseSemaphore(sem, 2, NULL));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "released while the mutex is owned");
    /* The blocked wait-all holds nothing: the units are still there. */
    cr_assert_eq(rt_semaphore_count(sem), 2);
    cr_assert(ReleaseMutex(mutex));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid); /* it ended owning the mutex */

    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "the event was not reset");
    cr_assert_eq(rt_semaphore_count(sem), 1, "the semaphore unit was not taken");
    cr_assert_eq(WaitForSingleObject(mutex, WST_LONG_MS), WAIT_ABANDONED,
                 "the mutex was not taken");
}

Test(waits, blocked_wait_all_does_not_keep_a_wait_any_waiter_from_an_object)
{
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE b = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe all_report, all_ready, any_report, any_ready;
    rt_pipe(&all_report);
    rt_pipe(&all_ready);
    rt_pipe(&any_report);
    rt_pipe(&any_ready);
    struct rt_wait all = {.count = 2,
                          .handles = {a, b},
                          .wait_all = TRUE,
                          .timeout = INFINITE,
                          .report = &all_report,
                          .ready = &all_ready};
    pid_t all_pid = rt_spawn_waiter(&all);
    cr_assert_eq(wst_recv(&all_ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&all, all_pid);
    struct rt_wait any = rt_wait_one(a, INFINITE, &any_report, &any_ready);
    pthread_t t = rt_start_waiter_thread(&any);
    rt_assert_blocked(&any, rt_await_ready(&any));

    cr_assert(SetEvent(a)); /* only the single-object waiter can use it */
    cr_assert_eq(wst_recv(&any_report, WST_LONG_MS), 0);
    pthread_join(t, NULL);
    cr_assert(SetEvent(b));
    cr_assert_eq(wst_recv(&all_report, WST_QUIET_MS), -1, "wait-all used an event it lost");
    cr_assert(SetEvent(a));
    cr_assert_eq(wst_recv(&all_report, WST_LONG_MS), 0);
    assert_child_ok(all_pid);
    cr_assert_eq(WaitForSingleObject(a, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(b, 0), WAIT_TIMEOUT);
}

Test(waits, low_two_bits_of_a_handle_are_ignored)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    for (uintptr_t bits = 1; bits <= 3; bits++) {
        HANDLE alias = (HANDLE)((uintptr_t)ev | bits);
        cr_assert(SetEvent(alias), "bits %u", (unsigned)bits);
        cr_assert_eq(WaitForSingleObject(alias, 0), WAIT_OBJECT_0);
        cr_assert(ResetEvent(alias));
        cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    }
}

Test(waits, waiting_on_your_own_thread_or_process_times_out)
{
    cr_assert_eq(WaitForSingleObject(GetCurrentThread(), 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(GetCurrentProcess(), 20), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObjectEx(GetCurrentThread(), 20, TRUE), WAIT_TIMEOUT);
}

Test(waits, closing_the_waited_handle_does_not_wake_or_fail_the_wait)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE waited;
    cr_assert(DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &waited, 0, FALSE,
                              DUPLICATE_SAME_ACCESS));
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(waited, INFINITE, &report, &ready);
    pthread_t t = rt_start_waiter_thread(&w);
    rt_assert_blocked(&w, rt_await_ready(&w));
    cr_assert(CloseHandle(waited));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "closing the handle woke the waiter");
    cr_assert(SetEvent(ev));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    pthread_join(t, NULL);
}

Test(waits, finite_timeouts_expire_and_zero_polls)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    long long start = wst_now_ms();
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(ev, 100), WAIT_TIMEOUT);
    cr_assert_geq(wst_now_ms() - start, 99, "a 100 ms wait returned early");
    HANDLE two[2] = {ev, CreateEventA(NULL, TRUE, FALSE, NULL)};
    start = wst_now_ms();
    cr_assert_eq(WaitForMultipleObjects(2, two, FALSE, 60), WAIT_TIMEOUT);
    cr_assert_geq(wst_now_ms() - start, 59);
    cr_assert_eq(SleepEx(30, FALSE), 0);
}

Test(waits, get_last_error_is_untouched_by_waits_that_succeed_or_time_out)
{
    HANDLE set = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE clear = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE both[2] = {clear, set};
    SetLastError(4242);
    cr_assert_eq(WaitForSingleObject(set, 0), WAIT_OBJECT_0);
    assert_last_error(4242);
    cr_assert_eq(WaitForSingleObject(clear, 10), WAIT_TIMEOUT);
    assert_last_error(4242);
    cr_assert_eq(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0 + 1);
    assert_last_error(4242);
    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_TIMEOUT);
    assert_last_error(4242);
    cr_assert_eq(SignalObjectAndWait(clear, set, 0, FALSE), WAIT_OBJECT_0);
    assert_last_error(4242);
    Sleep(1);
    assert_last_error(4242);
    cr_assert_eq(SleepEx(0, TRUE), 0);
    assert_last_error(4242);
}

struct last_error_args {
    DWORD value;
    pthread_barrier_t *barrier;
    DWORD seen;
};

static void *set_and_read_last_error(void *arg)
{
    struct last_error_args *a = arg;
    SetLastError(a->value);
    pthread_barrier_wait(a->barrier); /* both threads have set theirs */
    pthread_barrier_wait(a->barrier);
    a->seen = GetLastError();
    return NULL;
}

Test(waits, last_error_is_per_thread)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 3);
    struct last_error_args a = {111, &barrier, 0}, b = {222, &barrier, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, set_and_read_last_error, &a);
    pthread_create(&tb, NULL, set_and_read_last_error, &b);
    pthread_barrier_wait(&barrier);
    SetLastError(333);
    pthread_barrier_wait(&barrier);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert_eq(a.seen, 111);
    cr_assert_eq(b.seen, 222);
    assert_last_error(333);
    pthread_barrier_destroy(&barrier);
}

Test(waits, failed_wait_sets_the_error_of_the_failing_thread_only)
{
    SetLastError(0);
    struct wst_pipe report;
    rt_pipe(&report);
    struct rt_wait w = rt_wait_one((HANDLE)(uintptr_t)0x7ffffff0, 0, &report, NULL);
    pthread_t t = rt_start_waiter_thread(&w);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_FAILED));
    pthread_join(t, NULL);
    cr_assert_eq(w.last_error, ERROR_INVALID_HANDLE);
    assert_last_error(0);
}
