/*
 * PulseEvent releases only the threads waiting at that instant and always leaves the
 * event reset. A thread that arrives a moment later has missed the pulse for good:
 * the classic lost wake-up. Events that must not be missed need SetEvent (and state).
 *
 * Chapter: docs/concepts/04-events.md
 */
#include "example.h"

int main(int argc, char **argv)
{
    example_begin(
        argc, argv, "a pulse with nobody waiting is lost; SetEvent is remembered.",
        "PulseEvent is called on a manual-reset and on an auto-reset event while nobody "
        "waits; a moment later a thread polls each of them. What does each poll find?",
        "Both polls time out: a pulse releases only the threads waiting at that instant "
        "and always leaves the event reset, so a late waiter misses it for good. SetEvent "
        "is remembered (chapter 4; the puzzle puzzle-pulse-set-then-reset shows the same "
        "loss with SetEvent then ResetEvent).");
    HANDLE manual = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE automatic = CreateEventA(NULL, FALSE, FALSE, NULL);

    PulseEvent(manual);
    PulseEvent(automatic);
    expect(WaitForSingleObject(manual, 0) == WAIT_TIMEOUT,
           "manual-reset: a waiter arriving after the pulse finds it non-signalled");
    expect(WaitForSingleObject(automatic, 0) == WAIT_TIMEOUT,
           "auto-reset: the same, the pulse left no trace");

    SetEvent(automatic);
    expect(WaitForSingleObject(automatic, 0) == WAIT_OBJECT_0,
           "SetEvent instead: a late waiter still gets through");

    SetEvent(manual);
    PulseEvent(manual);
    expect(WaitForSingleObject(manual, 0) == WAIT_TIMEOUT,
           "PulseEvent on a signalled event leaves it reset too");

    CloseHandle(automatic);
    CloseHandle(manual);
    return example_result();
}
