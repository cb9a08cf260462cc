/*
 * sentinel.c - what the grader's sentinel tests run (grader/integrity): a few ordinary calls into
 * this lab's code, after which the sentinel must fail. Code that forges a passing result instead
 * of doing its job makes the sentinel pass, and the grader marks the lab "tampered".
 */
#include <windows.h>

void sentinel_exercise(void);

void sentinel_exercise(void)
{
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    SetEvent(event);
    WaitForSingleObject(event, 0);
    ResetEvent(event);
    PulseEvent(event);
    CloseHandle(event);
}
