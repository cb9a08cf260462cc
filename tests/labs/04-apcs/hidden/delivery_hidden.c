/*
 * delivery_hidden.c - lab 04 hidden tests: the queue itself and what delivery leaves behind.
 */
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
