/*
 * delivery_hidden.c - lab 04 hidden tests: the queue itself and what delivery leaves behind.
 */
#include <sched.h>

#include "../apc_helpers.h"

#define QUEUE_CAPACITY 64

/* APC: records its argument, then sets the event whose handle it is. */
static void CALLBACK record_and_set_event(ULONG_PTR event)
{
    record_apc(event);
    SetEvent((HANDLE)event);
}

Test(apcs, object_signalled_by_an_apc_is_left_for_the_next_wait, .timeout = APC_TEST_TIMEOUT)
{
    /* Pending before the wait. */
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    cr_assert_not_null(event);
    cr_assert_neq(QueueUserAPC(record_and_set_event, this_thread(), (ULONG_PTR)event), 0,
                  "QueueUserAPC failed (error %u)", (unsigned)GetLastError());
    cr_assert_eq(WaitForSingleObjectEx(event, WST_LONG_MS, TRUE), WAIT_IO_COMPLETION,
                 "the alertable wait must return WAIT_IO_COMPLETION after the APC, even though "
                 "the APC signalled the object it waits on");
    cr_assert_eq(apcs_run(), 1);
    cr_assert_eq(WaitForSingleObject(event, 0), WAIT_OBJECT_0,
                 "the event set by the APC must be left for the next wait");
    CloseHandle(event);

    /* Queued while the thread is blocked on the very event the APC sets. */
    apc_log.count = 0;
    struct waiter w;
    waiter_start(&w, KIND_SINGLE_EX);
    expect_still_waiting(&w, "before any APC was queued");
    cr_assert_neq(QueueUserAPC(record_and_set_event, w.thread, (ULONG_PTR)w.objects.events[0]), 0,
                  "QueueUserAPC failed (error %u)", (unsigned)GetLastError());
    expect_wait_ended(&w, "when an APC was queued to it");
    cr_assert_eq(w.result, WAIT_IO_COMPLETION,
                 "the interrupted wait returned 0x%x: it must not take the event the APC set",
                 (unsigned)w.result);
    cr_assert_eq(WaitForSingleObject(w.objects.events[0], 0), WAIT_OBJECT_0,
                 "the event set by the APC must be left for the next wait");
    waiter_close(&w);
}

struct late_sleeper {
    struct wst_pipe go;     /* test -> thread: enter the alertable wait now */
    struct wst_pipe report; /* thread -> test: 's' once running, 'd' when both waits are done */
    DWORD tid;
    DWORD first;  /* SleepEx with the APCs pending */
    DWORD second; /* SleepEx right after: nothing left */
    int apcs_after_first;
};

static DWORD WINAPI sleep_when_told(LPVOID param)
{
    struct late_sleeper *s = param;
    s->tid = GetCurrentThreadId();
    wst_send(&s->report, 's');
    if (wst_recv(&s->go, 3 * WST_LONG_MS) != 'g')
        return 1;
    s->first = SleepEx(WST_LONG_MS, TRUE);
    s->apcs_after_first = apcs_run();
    s->second = SleepEx(0, TRUE);
    wst_send(&s->report, 'd');
    return 0;
}

Test(apcs, apcs_from_another_thread_all_run_in_one_wait, .timeout = APC_TEST_TIMEOUT)
{
    struct late_sleeper s = {.first = 0xDEADu, .second = 0xDEADu};
    cr_assert_eq(wst_pipe_open(&s.go), 0);
    cr_assert_eq(wst_pipe_open(&s.report), 0);
    HANDLE thread = CreateThread(NULL, 0, sleep_when_told, &s, 0, NULL);
    cr_assert_not_null(thread);

    /* Once running, the thread blocks in poll(), not in an alertable wait: nothing may run. */
    cr_assert_eq(wst_recv(&s.report, WST_LONG_MS), 's', "the thread did not start");
    queue_apcs(thread, 70, 6);
    cr_assert_eq(wst_recv(&s.report, WST_QUIET_MS), -1);
    cr_assert_eq(apcs_run(), 0, "an APC ran before its thread entered an alertable wait");

    wst_send(&s.go, 'g');
    cr_assert_eq(wst_recv(&s.report, WST_LONG_MS), 'd', "the thread's waits did not return");
    cr_assert_eq(WaitForSingleObject(thread, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(s.first, WAIT_IO_COMPLETION, "SleepEx with 6 APCs pending returned 0x%x",
                 (unsigned)s.first);
    cr_assert_eq(s.apcs_after_first, 6,
                 "one alertable wait must run every pending APC: %d of 6 ran", s.apcs_after_first);
    cr_assert_eq(s.second, 0,
                 "the next SleepEx found APCs again (returned 0x%x): delivered "
                 "APCs must leave the queue",
                 (unsigned)s.second);
    expect_log_fifo(70, 6, s.tid);
    CloseHandle(thread);
    wst_pipe_close(&s.go);
    wst_pipe_close(&s.report);
}

Test(apcs, queue_holds_64_apcs_and_wraps_around, .timeout = APC_TEST_TIMEOUT)
{
    queue_apcs(this_thread(), 1000, QUEUE_CAPACITY);
    SetLastError(ERROR_SUCCESS);
    cr_assert_eq(QueueUserAPC(record_apc, this_thread(), 1), 0,
                 "the 65th APC must not fit in a queue of 64");
    cr_assert_eq(GetLastError(), ERROR_NOT_ENOUGH_MEMORY, "a full queue: error %u, expected %u",
                 (unsigned)GetLastError(), (unsigned)ERROR_NOT_ENOUGH_MEMORY);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    expect_log_fifo(1000, QUEUE_CAPACITY, GetCurrentThreadId());

    /* Fill it again from a position in the middle of the ring. */
    apc_log.count = 0;
    queue_apcs(this_thread(), 2000, 40);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    apc_log.count = 0;
    queue_apcs(this_thread(), 3000, 50);
    cr_assert_eq(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    expect_log_fifo(3000, 50, GetCurrentThreadId());
    cr_assert_eq(SleepEx(0, TRUE), 0, "the queue must be empty after delivery");
}

/* ---- Queueing from other threads while the target delivers ---- */

#define STRESS_QUEUERS 3
#define STRESS_PER_QUEUER 200000 /* at most; each queuer stops early when its time is up */
#define STRESS_BUDGET_MS 5000    /* how long the queuers keep queueing, at most */

static struct {
    HANDLE go;                  /* manual-reset: the queuers start together */
    HANDLE target;              /* the delivering thread */
    pid_t target_tid;           /* its Linux tid: every APC must run there */
    int queued[STRESS_QUEUERS]; /* how many APCs each queuer queued */
    int queue_errors;           /* QueueUserAPC failed with anything but a full queue */
    unsigned char runs[STRESS_QUEUERS][STRESS_PER_QUEUER]; /* times each APC ran */
    int last[STRESS_QUEUERS]; /* the last APC of each queuer to run, -1 at first */
    int out_of_order;         /* an APC ran before an older one of the same queuer */
    int strays;               /* an APC with a value nobody queued */
    int wrong_thread;         /* an APC ran on another thread than the target */
    bool stop_queued, stop_ran;
    int gave_up; /* the target saw no APC for WST_LONG_MS after the stop was queued */
} stress;

static void CALLBACK stress_apc(ULONG_PTR value)
{
    if ((pid_t)syscall(SYS_gettid) != stress.target_tid)
        __atomic_add_fetch(&stress.wrong_thread, 1, __ATOMIC_SEQ_CST);
    ULONG_PTR q = value / STRESS_PER_QUEUER, i = value % STRESS_PER_QUEUER;
    if (q >= STRESS_QUEUERS) {
        __atomic_add_fetch(&stress.strays, 1, __ATOMIC_SEQ_CST);
        return;
    }
    if (stress.runs[q][i] < 255)
        stress.runs[q][i]++;
    if ((int)i <= stress.last[q])
        stress.out_of_order++;
    else
        stress.last[q] = (int)i;
}

static void CALLBACK stress_stop_apc(ULONG_PTR value)
{
    (void)value;
    __atomic_store_n(&stress.stop_ran, true, __ATOMIC_SEQ_CST);
}

/* The target: alertable SleepEx in a loop until the stop APC has run. */
static DWORD WINAPI stress_target(LPVOID param)
{
    struct wst_pipe *started = param;
    stress.target_tid = (pid_t)syscall(SYS_gettid);
    wst_send(started, 's');
    while (!__atomic_load_n(&stress.stop_ran, __ATOMIC_SEQ_CST)) {
        DWORD r = SleepEx(WST_LONG_MS, TRUE);
        if (r == 0 && __atomic_load_n(&stress.stop_queued, __ATOMIC_SEQ_CST)) {
            stress.gave_up = 1; /* the stop APC was queued but never ran: it was lost */
            break;
        }
    }
    return 0;
}

static DWORD WINAPI stress_queuer(LPVOID param)
{
    int q = (int)(intptr_t)param;
    if (WaitForSingleObject(stress.go, 3 * WST_LONG_MS) != WAIT_OBJECT_0) {
        __atomic_add_fetch(&stress.queue_errors, 1, __ATOMIC_SEQ_CST);
        return 1;
    }
    long long deadline = wst_now_ms() + STRESS_BUDGET_MS;
    int i = 0;
    while (i < STRESS_PER_QUEUER && wst_now_ms() < deadline) {
        if (QueueUserAPC(stress_apc, stress.target, (ULONG_PTR)(q * STRESS_PER_QUEUER + i))) {
            i++;
        } else if (GetLastError() == ERROR_NOT_ENOUGH_MEMORY) {
            sched_yield(); /* the queue is full: let the target drain it */
        } else {
            __atomic_add_fetch(&stress.queue_errors, 1, __ATOMIC_SEQ_CST);
            break;
        }
    }
    stress.queued[q] = i;
    return 0;
}

Test(apcs, apcs_queued_while_delivering_run_exactly_once, .timeout = 60)
{
    for (int q = 0; q < STRESS_QUEUERS; q++)
        stress.last[q] = -1;
    struct wst_pipe started;
    cr_assert_eq(wst_pipe_open(&started), 0);
    stress.go = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_not_null(stress.go);
    stress.target = CreateThread(NULL, 0, stress_target, &started, 0, NULL);
    cr_assert_not_null(stress.target, "CreateThread failed (error %u)", (unsigned)GetLastError());
    cr_assert_eq(wst_recv(&started, WST_LONG_MS), 's', "the target thread did not start");

    HANDLE queuers[STRESS_QUEUERS];
    for (int q = 0; q < STRESS_QUEUERS; q++) {
        queuers[q] = CreateThread(NULL, 0, stress_queuer, (LPVOID)(intptr_t)q, 0, NULL);
        cr_assert_not_null(queuers[q], "CreateThread failed (error %u)", (unsigned)GetLastError());
    }
    cr_assert(SetEvent(stress.go));
    for (int q = 0; q < STRESS_QUEUERS; q++)
        cr_assert_eq(WaitForSingleObject(queuers[q], STRESS_BUDGET_MS + 3 * WST_LONG_MS),
                     WAIT_OBJECT_0, "queuer %d did not finish", q);
    cr_assert_eq(stress.queue_errors, 0,
                 "QueueUserAPC failed with an error other than a full "
                 "queue (ERROR_NOT_ENOUGH_MEMORY)");

    /* Every APC is queued: the stop APC goes last, and FIFO order runs it last. */
    __atomic_store_n(&stress.stop_queued, true, __ATOMIC_SEQ_CST);
    long long deadline = wst_now_ms() + WST_LONG_MS;
    while (!QueueUserAPC(stress_stop_apc, stress.target, 0)) {
        cr_assert_eq(GetLastError(), ERROR_NOT_ENOUGH_MEMORY, "QueueUserAPC failed (error %u)",
                     (unsigned)GetLastError());
        cr_assert_lt(wst_now_ms(), deadline, "the target's queue stayed full: nothing drains it");
        sched_yield();
    }
    cr_assert_eq(WaitForSingleObject(stress.target, 3 * WST_LONG_MS), WAIT_OBJECT_0,
                 "the target thread did not end: its SleepEx loop never saw the stop APC");
    cr_assert_not(stress.gave_up, "the stop APC was queued last but never ran: APCs were lost "
                                  "(the queue was changed outside the dispatcher lock?)");

    int total = 0, lost = 0, doubled = 0;
    for (int q = 0; q < STRESS_QUEUERS; q++) {
        total += stress.queued[q];
        for (int i = 0; i < stress.queued[q]; i++) {
            lost += stress.runs[q][i] == 0;
            doubled += stress.runs[q][i] > 1;
        }
        for (int i = stress.queued[q]; i < STRESS_PER_QUEUER; i++)
            doubled += stress.runs[q][i] > 0; /* never queued, yet ran */
    }
    cr_assert_eq(stress.wrong_thread, 0, "%d APC(s) ran on a thread other than their target",
                 stress.wrong_thread);
    cr_assert_eq(lost + doubled + stress.strays, 0,
                 "of %d APCs queued by %d threads while the target delivered, %d never ran, %d "
                 "ran more than once and %d unknown ones ran: take each entry out of the queue "
                 "under the dispatcher lock",
                 total, STRESS_QUEUERS, lost, doubled, stress.strays);
    cr_assert_eq(stress.out_of_order, 0,
                 "%d APC(s) ran before an older APC from the same thread: the queue is FIFO",
                 stress.out_of_order);
    cr_assert_gt(total, 0, "no APC was queued");
    for (int q = 0; q < STRESS_QUEUERS; q++)
        CloseHandle(queuers[q]);
    CloseHandle(stress.target);
    CloseHandle(stress.go);
    wst_pipe_close(&started);
}
