/*
 * A manual-reset event releases every waiter and stays signalled until ResetEvent.
 *
 * Chapter: docs/concepts/04-events.md
 */
#include "example.h"

#define WAITERS 3

static HANDLE event;

static DWORD WINAPI waiter(LPVOID unused)
{
    (void)unused;
    return WaitForSingleObject(event, INFINITE) == WAIT_OBJECT_0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    example_begin(argc, argv, "one SetEvent on a manual-reset event releases every waiter.",
                  "Three threads wait on one manual-reset event and the main thread calls SetEvent "
                  "once. How many get through, and what state is the event in afterwards?",
                  "All three: a manual-reset event stays signalled until ResetEvent, so every "
                  "waiter's wait is satisfied, and so is any later wait, until the reset (chapter "
                  "4).");
    event = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE threads[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        threads[i] = CreateThread(NULL, 0, waiter, NULL, 0, NULL);

    expect(WaitForMultipleObjects(WAITERS, threads, FALSE, 200) == WAIT_TIMEOUT,
           "before SetEvent no waiter gets through");
    SetEvent(event);
    expect(WaitForMultipleObjects(WAITERS, threads, TRUE, 10000) == WAIT_OBJECT_0,
           "one SetEvent: all three waiters got through and ended");
    DWORD code = 1;
    bool all_zero = true;
    for (int i = 0; i < WAITERS; i++)
        all_zero = all_zero && GetExitCodeThread(threads[i], &code) && code == 0;
    expect(all_zero, "each of them saw WAIT_OBJECT_0");
    expect(WaitForSingleObject(event, 0) == WAIT_OBJECT_0, "the event is still signalled");
    ResetEvent(event);
    expect(WaitForSingleObject(event, 0) == WAIT_TIMEOUT,
           "until ResetEvent makes it non-signalled");

    for (int i = 0; i < WAITERS; i++)
        CloseHandle(threads[i]);
    CloseHandle(event);
    return example_result();
}
