/*
 * An auto-reset event releases exactly one waiter per SetEvent, and the release resets
 * it. Three threads wait; each SetEvent lets exactly one of them through.
 *
 * Chapter: docs/concepts/04-events.md
 */
#include "example.h"

#define WAITERS 3

static HANDLE event;
static HANDLE released; /* semaphore: one unit per waiter that got through */

static DWORD WINAPI waiter(LPVOID unused)
{
    (void)unused;
    if (WaitForSingleObject(event, INFINITE) != WAIT_OBJECT_0)
        return 1;
    ReleaseSemaphore(released, 1, NULL);
    return 0;
}

int main(int argc, char **argv)
{
    example_begin(
        argc, argv, "SetEvent on an auto-reset event releases one waiter at a time.",
        "Three threads wait on one auto-reset event. The main thread calls SetEvent three "
        "times, one call at a time. How many waiters does each SetEvent release?",
        "Exactly one each: the wait test satisfies one waiter and that resets the event "
        "before anyone else can pass, whichever of the others are already waiting "
        "(chapter 4).");
    event = CreateEventA(NULL, FALSE, FALSE, NULL);
    released = CreateSemaphoreA(NULL, 0, WAITERS, NULL);
    HANDLE threads[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        threads[i] = CreateThread(NULL, 0, waiter, NULL, 0, NULL);

    for (int round = 1; round <= WAITERS; round++) {
        char fact[96];
        SetEvent(event);
        snprintf(fact, sizeof fact, "SetEvent #%d released a waiter", round);
        expect(WaitForSingleObject(released, 10000) == WAIT_OBJECT_0, fact);
        /* Whether or not the others were already waiting, none may follow. */
        expect(WaitForSingleObject(released, 200) == WAIT_TIMEOUT,
               "  ...and only one: the release reset the event");
    }
    expect(WaitForMultipleObjects(WAITERS, threads, TRUE, 10000) == WAIT_OBJECT_0,
           "all three waiters have ended");
    expect(WaitForSingleObject(event, 0) == WAIT_TIMEOUT, "the event is left non-signalled");

    for (int i = 0; i < WAITERS; i++)
        CloseHandle(threads[i]);
    CloseHandle(released);
    CloseHandle(event);
    return example_result();
}
