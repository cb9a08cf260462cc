/*
 * Every dispatcher object is either signalled or non-signalled, and a wait that is
 * satisfied may change the object: it consumes an auto-reset event but leaves a
 * manual-reset event, or a finished thread, signalled.
 *
 * Chapter: docs/concepts/02-dispatcher-objects.md
 */
#include "example.h"

static DWORD WINAPI worker(LPVOID parameter)
{
    /* Runs until the main thread sets the event it was given. */
    WaitForSingleObject((HANDLE)parameter, INFINITE);
    return 7;
}

int main(int argc, char **argv)
{
    example_begin(argc, argv, "the two states, and what satisfying a wait does to each object.",
                  "A thread waits twice on an auto-reset event created signalled, then twice on a "
                  "thread object after that thread has ended. Which of the four waits are "
                  "satisfied?",
                  "The first wait on the event is satisfied and satisfying it resets the event, so "
                  "the second times out. A thread object is signalled once the thread ends and "
                  "nothing resets it: both waits on it are satisfied. What a satisfied wait does "
                  "depends on the object (chapter 2).");

    HANDLE auto_event = CreateEventA(NULL, FALSE, TRUE, NULL);
    expect(WaitForSingleObject(auto_event, 0) == WAIT_OBJECT_0,
           "auto-reset event created signalled: the first wait is satisfied at once");
    expect(WaitForSingleObject(auto_event, 0) == WAIT_TIMEOUT,
           "satisfying that wait reset it: the second wait finds it non-signalled");

    HANDLE manual_event = CreateEventA(NULL, TRUE, TRUE, NULL);
    expect(WaitForSingleObject(manual_event, 0) == WAIT_OBJECT_0 &&
               WaitForSingleObject(manual_event, 0) == WAIT_OBJECT_0,
           "manual-reset event: waits do not change it, it stays signalled");

    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE thread = CreateThread(NULL, 0, worker, go, 0, NULL);
    DWORD code = 0;
    expect(WaitForSingleObject(thread, 0) == WAIT_TIMEOUT,
           "a running thread's object is non-signalled");
    expect(GetExitCodeThread(thread, &code) && code == STILL_ACTIVE,
           "and its exit code reads STILL_ACTIVE");
    SetEvent(go);
    expect(WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0,
           "once the thread ends its object is signalled");
    expect(WaitForSingleObject(thread, 0) == WAIT_OBJECT_0,
           "and stays signalled: waiting on a thread changes nothing");
    expect(GetExitCodeThread(thread, &code) && code == 7, "its exit code is the value it returned");

    CloseHandle(thread);
    CloseHandle(go);
    CloseHandle(manual_event);
    CloseHandle(auto_event);
    return example_result();
}
