/* Events: auto-reset, manual-reset, PulseEvent, across threads and processes. */
#include "rt.h"

TestSuite(events, .timeout = RT_TIMEOUT);

/* Waiters on one handle: `threads` in this process, then `children` forked processes.
 * All share one report pipe; returns once every waiter is blocked. */
struct waiters {
    struct wst_pipe report, ready;
    struct rt_wait w[8];
    pthread_t thread[8];
    pid_t pid[8];
    int threads, children;
};

static void start_waiters(struct waiters *ws, struct rt_wait proto, int threads, int children)
{
    rt_pipe(&ws->report);
    rt_pipe(&ws->ready);
    ws->threads = threads;
    ws->children = children;
    for (int i = 0; i < threads + children; i++) {
        ws->w[i] = proto;
        ws->w[i].report = &ws->report;
        ws->w[i].ready = &ws->ready;
        pid_t task;
        if (i < threads) {
            ws->thread[i] = rt_start_waiter_thread(&ws->w[i]);
            task = rt_await_ready(&ws->w[i]);
        } else {
            ws->pid[i] = rt_spawn_waiter(&ws->w[i]);
            cr_assert_eq(wst_recv(&ws->ready, WST_LONG_MS), 'r');
            task = ws->pid[i];
        }
        cr_assert(wst_await_blocked(task), "waiter %d never blocked", i);
    }
    cr_assert_eq(wst_recv(&ws->report, WST_QUIET_MS), -1, "a waiter returned without a signal");
}

/* Count reports equal to `code` until WST_QUIET_MS passes without one. */
static int collect(struct waiters *ws, int code, int at_least)
{
    int n = 0;
    for (;;) {
        int r = wst_recv(&ws->report, n < at_least ? WST_LONG_MS : WST_QUIET_MS);
        if (r < 0)
            return n;
        cr_assert_eq(r, code, "a waiter reported %#x", r);
        n++;
    }
}

static void finish_waiters(struct waiters *ws)
{
    for (int i = 0; i < ws->threads; i++)
        pthread_join(ws->thread[i], NULL);
    for (int i = ws->threads; i < ws->threads + ws->children; i++)
        assert_child_ok(ws->pid[i]);
    wst_pipe_close(&ws->report);
    wst_pipe_close(&ws->ready);
}

Test(events, auto_reset_set_releases_exactly_one_waiter)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(ev);
    struct waiters ws;
    start_waiters(&ws, rt_wait_one(ev, INFINITE, NULL, NULL), 2, 2);

    for (int released = 1; released <= 4; released++) {
        cr_assert(SetEvent(ev));
        cr_assert_eq(collect(&ws, 0, 1), 1, "SetEvent released more than one waiter");
    }
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "release did not reset the event");
    finish_waiters(&ws);
    CloseHandle(ev);
}

static int consume_once(void *arg)
{
    HANDLE ev = arg;
    CHILD_CHECK(WaitForSingleObject(ev, 0) == WAIT_OBJECT_0);
    CHILD_CHECK(WaitForSingleObject(ev, 0) == WAIT_TIMEOUT);
    return 0;
}

Test(events, auto_reset_without_waiter_stays_set_until_one_wait_consumes_it)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert(SetEvent(ev));
    cr_assert(SetEvent(ev)); /* setting a set event changes nothing */
    pid_t pid = wst_spawn(consume_once, ev);
    assert_child_ok(pid);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "the child's wait did not consume it");
    CloseHandle(ev);
}

Test(events, manual_reset_set_releases_all_and_stays_set_until_reset)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct waiters ws;
    start_waiters(&ws, rt_wait_one(ev, INFINITE, NULL, NULL), 2, 2);
    cr_assert(SetEvent(ev));
    cr_assert_eq(collect(&ws, 0, 4), 4);
    finish_waiters(&ws);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "a wait consumed a manual event");
    cr_assert(ResetEvent(ev));
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    CloseHandle(ev);
}

Test(events, initial_state_and_create_event_ex_flags)
{
    HANDLE set_manual = CreateEventExA(
        NULL, NULL, CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET, EVENT_ALL_ACCESS);
    HANDLE set_auto = CreateEventExA(NULL, NULL, CREATE_EVENT_INITIAL_SET, EVENT_ALL_ACCESS);
    HANDLE clear_auto = CreateEventExW(NULL, NULL, 0, EVENT_ALL_ACCESS);
    HANDLE set_plain = CreateEventW(NULL, FALSE, TRUE, NULL);
    cr_assert(set_manual && set_auto && clear_auto && set_plain);
    cr_assert_eq(WaitForSingleObject(set_manual, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(set_manual, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(set_auto, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(set_auto, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(clear_auto, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(set_plain, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(set_plain, 0), WAIT_TIMEOUT);
}

Test(events, pulse_manual_releases_every_current_waiter_and_leaves_it_reset)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct waiters ws;
    start_waiters(&ws, rt_wait_one(ev, INFINITE, NULL, NULL), 2, 2);
    cr_assert(PulseEvent(ev));
    cr_assert_eq(collect(&ws, 0, 4), 4, "PulseEvent lost a waiter");
    finish_waiters(&ws);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "PulseEvent left the event set");
    CloseHandle(ev);
}

Test(events, pulse_auto_releases_exactly_one_waiter_and_leaves_it_reset)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct waiters ws;
    start_waiters(&ws, rt_wait_one(ev, INFINITE, NULL, NULL), 1, 2);
    cr_assert(PulseEvent(ev));
    cr_assert_eq(collect(&ws, 0, 1), 1);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "PulseEvent left the event set");
    cr_assert(PulseEvent(ev));
    cr_assert_eq(collect(&ws, 0, 1), 1);
    cr_assert(SetEvent(ev));
    cr_assert_eq(collect(&ws, 0, 1), 1);
    finish_waiters(&ws);
    CloseHandle(ev);
}

Test(events, pulse_without_waiters_leaves_both_kinds_reset)
{
    for (int manual = 0; manual <= 1; manual++)
        for (int initial = 0; initial <= 1; initial++) {
            HANDLE ev = CreateEventA(NULL, manual, initial, NULL);
            cr_assert(PulseEvent(ev));
            cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT, "manual=%d initial=%d", manual,
                         initial);
            CloseHandle(ev);
        }
}

Test(events, pulse_does_not_release_a_wait_all_waiter_whose_other_object_is_unsignalled)
{
    HANDLE pulsed = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE other = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = {.count = 2,
                        .handles = {pulsed, other},
                        .wait_all = TRUE,
                        .timeout = INFINITE,
                        .report = &report,
                        .ready = &ready};
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);

    cr_assert(PulseEvent(pulsed));
    cr_assert(SetEvent(other));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "the pulse counted for a later wait-all");
    cr_assert(SetEvent(pulsed));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid);
}

/* A pulse must release exactly the waiters present; repeated with fresh waiters so a
 * set-then-reset emulation loses one sooner or later. */
Test(events, pulse_manual_never_loses_a_blocked_waiter, .timeout = 60)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    for (int round = 0; round < 5; round++) {
        struct waiters ws;
        start_waiters(&ws, rt_wait_one(ev, INFINITE, NULL, NULL), 3, 1);
        cr_assert(PulseEvent(ev));
        cr_assert_eq(collect(&ws, 0, 4), 4, "round %d: a waiter missed the pulse", round);
        finish_waiters(&ws);
    }
}

Test(events, named_event_set_by_another_program_is_the_same_object)
{
    char name[96];
    wst_name(name, sizeof name, "ev-a");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, name);
    cr_assert_not_null(ev);
    cr_assert_eq(GetLastError(), 0);
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "set-event", name, NULL});
    cr_assert_eq(WaitForSingleObject(ev, WST_LONG_MS), WAIT_OBJECT_0);
    assert_child_ok(pid);

    /* The W variant names the same object in the other program. */
    pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "set-event-w", name, NULL});
    cr_assert_eq(WaitForSingleObject(ev, WST_LONG_MS), WAIT_OBJECT_0);
    assert_child_ok(pid);
    CloseHandle(ev);
}

Test(events, named_event_waited_by_another_program)
{
    char name[96];
    WCHAR wide[96];
    wst_name(name, sizeof name, "ev-w");
    for (size_t i = 0; i <= strlen(name); i++)
        wide[i] = (WCHAR)name[i];
    HANDLE ev = CreateEventW(NULL, TRUE, FALSE, wide);
    cr_assert_not_null(ev);
    pid_t timed_out =
        rt_exec_child((const char *[]){RT_CHILD_PATH, "wait-event", name, "50", NULL});
    cr_assert_eq(wst_reap(timed_out, WST_LONG_MS), RT_CHILD_TIMEOUT);
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "wait-event", name, "10000", NULL});
    cr_assert(wst_await_blocked(pid));
    cr_assert(SetEvent(ev));
    assert_child_ok(pid);
    CloseHandle(ev);
}

Test(events, waiters_are_released_in_arrival_order)
{
    /* Not a promise to users, but the runtime queues waiters in arrival order so that
     * none starves: each SetEvent releases the longest waiter. */
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    struct wst_pipe report[3], ready;
    struct rt_wait w[3];
    pthread_t t[3];
    rt_pipe(&ready);
    for (int i = 0; i < 3; i++) {
        rt_pipe(&report[i]);
        w[i] = rt_wait_one(ev, INFINITE, &report[i], &ready);
        t[i] = rt_start_waiter_thread(&w[i]);
        rt_assert_blocked(&w[i], rt_await_ready(&w[i]));
    }
    for (int i = 0; i < 3; i++) {
        cr_assert(SetEvent(ev));
        cr_assert_eq(wst_recv(&report[i], WST_LONG_MS), 0, "waiter %d was not released", i);
        for (int j = i + 1; j < 3; j++)
            cr_assert_eq(wst_recv(&report[j], 0), -1, "waiter %d overtook waiter %d", j, i);
        pthread_join(t[i], NULL);
    }
}

/* One SetEvent releases hundreds of blocked waiters. Their wakes are queued until the
 * dispatcher lock is released, past the small inline list (runtime/objects/lock.c): every one
 * of them must still be delivered. */
struct crowd_waiter {
    HANDLE ev;
    pid_t tid; /* set by the waiter before it waits */
    DWORD result;
};

static void *crowd_wait(void *arg)
{
    struct crowd_waiter *w = arg;
    __atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    w->result = WaitForSingleObject(w->ev, INFINITE);
    return NULL;
}

Test(events, manual_reset_set_releases_hundreds_of_blocked_waiters, .timeout = 120)
{
    enum { WAITERS = 300 };
    static struct crowd_waiter waiters[WAITERS];
    static pthread_t threads[WAITERS];
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(ev);
    for (int i = 0; i < WAITERS; i++) {
        waiters[i] = (struct crowd_waiter){.ev = ev, .result = WAIT_FAILED};
        cr_assert_eq(pthread_create(&threads[i], NULL, crowd_wait, &waiters[i]), 0);
    }
    for (int i = 0; i < WAITERS; i++) {
        long long deadline = wst_now_ms() + WST_LONG_MS;
        while (__atomic_load_n(&waiters[i].tid, __ATOMIC_ACQUIRE) == 0 && wst_now_ms() < deadline)
            usleep(1000);
        cr_assert(wst_await_blocked(waiters[i].tid), "waiter %d never blocked", i);
    }
    cr_assert(SetEvent(ev));
    for (int i = 0; i < WAITERS; i++) {
        cr_assert_eq(pthread_join(threads[i], NULL), 0);
        cr_assert_eq(waiters[i].result, WAIT_OBJECT_0, "waiter %d got %#lx", i,
                     (unsigned long)waiters[i].result);
    }
    CloseHandle(ev);
}
