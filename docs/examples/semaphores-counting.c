/*
 * A semaphore is signalled while its count is above zero; each satisfied wait takes one
 * unit, ReleaseSemaphore gives units back, never past the maximum.
 *
 * Chapter: docs/concepts/06-semaphores.md
 */
#include "example.h"

static HANDLE semaphore;

static DWORD WINAPI blocked_taker(LPVOID unused)
{
    (void)unused;
    return WaitForSingleObject(semaphore, INFINITE) == WAIT_OBJECT_0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    example_begin(argc, argv,
                  "waits take units, a wait at zero blocks, releases are bounded by the maximum.",
                  "A semaphore starts at count 2, maximum 3, and a thread polls it three times "
                  "(timeout 0): which polls succeed? Later, at count 0, ReleaseSemaphore(3) is "
                  "called, then ReleaseSemaphore(1): what does each return?",
                  "Two polls succeed and the third times out at count 0: each satisfied wait takes "
                  "a unit. ReleaseSemaphore(3) fills it to the maximum; one more release fails "
                  "with ERROR_TOO_MANY_POSTS and changes nothing, not even *prev (chapter 6).");
    semaphore = CreateSemaphoreA(NULL, 2, 3, NULL); /* count 2, maximum 3 */
    expect(WaitForSingleObject(semaphore, 0) == WAIT_OBJECT_0, "count 2: a wait succeeds (now 1)");
    expect(WaitForSingleObject(semaphore, 0) == WAIT_OBJECT_0, "count 1: a wait succeeds (now 0)");
    expect(WaitForSingleObject(semaphore, 0) == WAIT_TIMEOUT,
           "count 0: non-signalled, a wait would block (a poll times out)");

    HANDLE thread = CreateThread(NULL, 0, blocked_taker, NULL, 0, NULL);
    expect(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT,
           "a thread waiting at count 0 stays blocked");
    LONG previous = -1;
    expect(ReleaseSemaphore(semaphore, 1, &previous) && previous == 0,
           "ReleaseSemaphore(1) succeeds and reports the previous count, 0");
    expect(WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0,
           "the blocked thread took that unit and ended");
    CloseHandle(thread);

    expect(ReleaseSemaphore(semaphore, 3, &previous) && previous == 0,
           "ReleaseSemaphore(3) fills it to the maximum, 3");
    previous = -1;
    BOOL over = ReleaseSemaphore(semaphore, 1, &previous);
    DWORD error = GetLastError();
    expect(!over && error == ERROR_TOO_MANY_POSTS && previous == -1,
           "one more fails with ERROR_TOO_MANY_POSTS and leaves *prev untouched");
    int taken = 0;
    while (WaitForSingleObject(semaphore, 0) == WAIT_OBJECT_0)
        taken++;
    expect(taken == 3, "the failed release changed nothing: exactly 3 units to take");

    CloseHandle(semaphore);
    return example_result();
}
