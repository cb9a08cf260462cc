/*
 * WaitForMultipleObjects. Wait-any returns WAIT_OBJECT_0 + i for the lowest signalled
 * index and satisfies that object only. Wait-all changes nothing until every object is
 * signalled, then satisfies all of them in one step.
 *
 * Chapter: docs/concepts/07-wait-multiple.md
 */
#include "example.h"

int main(int argc, char **argv)
{
    example_begin(argc, argv,
                  "wait-any picks the lowest signalled index; wait-all is all or nothing.",
                  "Three auto-reset events, [1] and [2] signalled, [0] not. What does a wait-all "
                  "with timeout 0 return, and what has it consumed? Once [0] is set: what do "
                  "wait-all, then wait-any, return?",
                  "The first wait-all times out and consumes nothing: it is all or nothing. With "
                  "[0] set, wait-all is satisfied and resets all three in one step. With [1] and "
                  "[2] set again, wait-any returns WAIT_OBJECT_0 + 1, the lowest signalled index, "
                  "and consumes that one only (chapter 7).");
    HANDLE events[3];
    events[0] = CreateEventA(NULL, FALSE, FALSE, NULL); /* auto-reset, non-signalled */
    events[1] = CreateEventA(NULL, FALSE, TRUE, NULL);  /* auto-reset, signalled */
    events[2] = CreateEventA(NULL, FALSE, TRUE, NULL);  /* auto-reset, signalled */

    expect(WaitForMultipleObjects(3, events, TRUE, 0) == WAIT_TIMEOUT,
           "wait-all with events[0] non-signalled: times out");
    SetEvent(events[0]);
    expect(WaitForMultipleObjects(3, events, TRUE, 0) == WAIT_OBJECT_0,
           "events[0] set: wait-all is satisfied, so the failed wait-all had consumed nothing");
    expect(WaitForMultipleObjects(3, events, FALSE, 0) == WAIT_TIMEOUT,
           "the satisfied wait-all reset all three auto-reset events at once");

    SetEvent(events[2]);
    SetEvent(events[1]);
    expect(WaitForMultipleObjects(3, events, FALSE, 0) == WAIT_OBJECT_0 + 1,
           "wait-any with events[1] and events[2] signalled returns WAIT_OBJECT_0 + 1");
    expect(WaitForMultipleObjects(3, events, FALSE, 0) == WAIT_OBJECT_0 + 2,
           "it consumed events[1] only: the next wait-any returns WAIT_OBJECT_0 + 2");
    expect(WaitForMultipleObjects(3, events, FALSE, 0) == WAIT_TIMEOUT, "and then none is left");

    for (int i = 0; i < 3; i++)
        CloseHandle(events[i]);
    return example_result();
}
