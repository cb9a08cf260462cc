/*
 * sentinel.c - what the grader's sentinel tests run (grader/integrity): a few ordinary calls into
 * this lab's code, after which the sentinel must fail. Code that forges a passing result instead
 * of doing its job makes the sentinel pass, and the grader marks the lab "tampered".
 */
#include <windows.h>

void sentinel_exercise(void);

static void CALLBACK sentinel_apc(ULONG_PTR parameter)
{
    (void)parameter;
}

void sentinel_exercise(void)
{
    QueueUserAPC(sentinel_apc, GetCurrentThread(), 1);
    SleepEx(0, TRUE);
}
