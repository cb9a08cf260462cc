/*
 * A user APC queued to a thread runs only when that thread enters an alertable wait.
 * Then every pending APC runs, oldest first, on that thread, and the wait returns
 * WAIT_IO_COMPLETION instead of waiting for its object.
 *
 * Chapter: docs/concepts/08-apcs.md
 */
#include "example.h"

static HANDLE started, go, reached, never_set;
static volatile LONG ran_count;
static ULONG_PTR ran_order[8];

static VOID CALLBACK record(ULONG_PTR value)
{
    ran_order[ran_count] = value;
    InterlockedIncrement(&ran_count);
}

/* What the worker saw, read by main() once the worker has ended. */
static LONG ran_during_plain_wait = -1;
static DWORD alertable_result, empty_alertable_result, interrupted_result;
static bool ran_in_order;

static DWORD WINAPI worker(LPVOID unused)
{
    (void)unused;
    SetEvent(started);
    WaitForSingleObject(go, INFINITE); /* not alertable: no APC may run here */
    ran_during_plain_wait = ran_count;
    alertable_result = SleepEx(INFINITE, TRUE); /* alertable: runs them all */
    ran_in_order = ran_count == 3 && ran_order[0] == 1 && ran_order[1] == 2 && ran_order[2] == 3;
    empty_alertable_result = SleepEx(0, TRUE);
    SetEvent(reached);
    /* Blocks for an event nobody sets, until main() queues one more APC. */
    interrupted_result = WaitForSingleObjectEx(never_set, INFINITE, TRUE);
    return 0;
}

int main(int argc, char **argv)
{
    example_begin(
        argc, argv, "APCs wait for an alertable wait, then all run in FIFO order.",
        "A worker is in a plain, non-alertable wait when three user APCs are queued to "
        "it; later it calls SleepEx(INFINITE, TRUE). When do the APCs run, how many of "
        "them, in what order, and what does SleepEx return?",
        "None runs at queue time or in the non-alertable wait: user APCs run only when "
        "their thread waits alertably. The alertable SleepEx then runs all three, oldest "
        "first, and returns WAIT_IO_COMPLETION instead of sleeping. An APC also ends an "
        "alertable wait on an event that nobody sets, and a thread that has ended accepts "
        "no APC (chapter 8).");
    started = CreateEventA(NULL, TRUE, FALSE, NULL);
    go = CreateEventA(NULL, TRUE, FALSE, NULL);
    reached = CreateEventA(NULL, TRUE, FALSE, NULL);
    never_set = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE thread = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    /* On Windows, APCs queued before a new thread first runs are delivered as it starts:
     * let it start first, so that what follows shows the non-alertable wait. */
    WaitForSingleObject(started, 10000);
    for (ULONG_PTR i = 1; i <= 3; i++)
        QueueUserAPC(record, thread, i);
    expect(ran_count == 0, "three APCs queued: none has run at queue time");
    SetEvent(go);
    WaitForSingleObject(reached, 10000);
    QueueUserAPC(record, thread, 4);
    expect(WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0, "the worker has ended");
    expect(ran_during_plain_wait == 0, "its non-alertable wait ran none of them");
    expect(alertable_result == WAIT_IO_COMPLETION,
           "its SleepEx(INFINITE, TRUE) ran them and returned WAIT_IO_COMPLETION");
    expect(ran_in_order, "all three ran, oldest first: 1 2 3");
    expect(empty_alertable_result == 0, "a later SleepEx(0, TRUE) with nothing pending returns 0");
    expect(interrupted_result == WAIT_IO_COMPLETION && ran_count == 4,
           "an APC queued to it while it waited alertably for an event ended that wait");

    expect(QueueUserAPC(record, thread, 5) == 0 && GetLastError() == ERROR_GEN_FAILURE,
           "QueueUserAPC to a thread that has ended fails with ERROR_GEN_FAILURE");
    CloseHandle(thread);
    CloseHandle(never_set);
    CloseHandle(reached);
    CloseHandle(go);
    CloseHandle(started);
    return example_result();
}
