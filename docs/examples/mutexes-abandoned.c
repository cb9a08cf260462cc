/*
 * A process takes a named mutex and ends without releasing it. The mutex is not lost:
 * it becomes abandoned, and the next thread to wait for it, here in another process,
 * acquires it and is told WAIT_ABANDONED, a warning that the data it guards may be
 * half-updated. After that the mutex is an ordinary owned mutex again.
 *
 * Chapter: docs/concepts/05-mutexes.md
 */
#include "example.h"

#define MUTEX_NAME "docs-example-abandoned-mutex"
#define OWNED_NAME "docs-example-abandoned-owned"

static int child(void)
{
    HANDLE mutex = OpenMutexA(SYNCHRONIZE, FALSE, MUTEX_NAME);
    HANDLE owned = OpenEventA(EVENT_MODIFY_STATE, FALSE, OWNED_NAME);
    if (mutex == NULL || owned == NULL || WaitForSingleObject(mutex, 10000) != WAIT_OBJECT_0)
        return 2;
    printf("child:  owns the mutex and exits without ReleaseMutex\n");
    fflush(stdout);
    SetEvent(owned);
    ExitProcess(0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();

    example_begin(
        argc, argv, "a mutex whose owner ends is abandoned, not lost.",
        "A child process takes a named mutex and exits without ReleaseMutex. The parent "
        "then waits on the mutex. Does the wait return, and with what? And the wait after "
        "that?",
        "The first wait returns WAIT_ABANDONED and makes the parent the owner: the mutex "
        "is not lost, but the data it guards may be half-updated. The warning is given "
        "once: the next wait returns WAIT_OBJECT_0 (chapter 5).");
    HANDLE mutex = CreateMutexA(NULL, FALSE, MUTEX_NAME);
    HANDLE owned = CreateEventA(NULL, TRUE, FALSE, OWNED_NAME);
    PROCESS_INFORMATION pi;
    expect(mutex != NULL && owned != NULL && spawn_self(argv[0], "child", &pi),
           "parent: created the mutex and started the child");
    expect(WaitForSingleObject(owned, 10000) == WAIT_OBJECT_0, "parent: the child owns the mutex");

    expect(WaitForSingleObject(mutex, 10000) == WAIT_ABANDONED,
           "parent: our wait returns WAIT_ABANDONED once the owner's process has ended");
    expect(ReleaseMutex(mutex), "parent: the abandoned wait made us the owner: release works");
    expect(WaitForSingleObject(mutex, 0) == WAIT_OBJECT_0,
           "parent: the next wait is an ordinary WAIT_OBJECT_0, the abandonment is cleared");
    ReleaseMutex(mutex);

    WaitForSingleObject(pi.hProcess, 10000);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(owned);
    CloseHandle(mutex);
    return example_result();
}
