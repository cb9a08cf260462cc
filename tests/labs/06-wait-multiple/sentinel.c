/*
 * sentinel.c - what the grader's sentinel tests run (grader/integrity): a few ordinary calls into
 * this lab's code, after which the sentinel must fail. Code that forges a passing result instead
 * of doing its job makes the sentinel pass, and the grader marks the lab "tampered".
 */
#include <windows.h>

void sentinel_exercise(void);

void sentinel_exercise(void)
{
    HANDLE objects[2] = {CreateEventA(NULL, TRUE, TRUE, NULL), CreateSemaphoreA(NULL, 1, 1, NULL)};
    WaitForMultipleObjects(2, objects, FALSE, 0);
    WaitForMultipleObjects(2, objects, TRUE, 0);
    CloseHandle(objects[0]);
    CloseHandle(objects[1]);
}
