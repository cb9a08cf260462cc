/*
 * A mutex belongs to a thread. Its owner may acquire it again (each wait adds a level)
 * and must release it once per level; one release too many, or a release by any other
 * thread, fails with ERROR_NOT_OWNER.
 *
 * Chapter: docs/concepts/05-mutexes.md
 */
#include "example.h"

static HANDLE mutex;

static DWORD WINAPI other_thread(LPVOID unused)
{
    (void)unused;
    BOOL released = ReleaseMutex(mutex);
    DWORD error = GetLastError();
    DWORD waited = WaitForSingleObject(mutex, 0);
    /* 0: release refused and the mutex busy, as it should be. */
    return !released && error == ERROR_NOT_OWNER && waited == WAIT_TIMEOUT ? 0 : 1;
}

int main(int argc, char **argv)
{
    example_begin(
        argc, argv, "recursive acquisition, one release per level, and ownership.",
        "A thread waits three times on a mutex it created. Can another thread release or "
        "acquire it? How many ReleaseMutex calls does the owner need, and what does a "
        "fourth one do?",
        "Each wait by the owner is satisfied at once and adds a level; another thread can "
        "neither release it (ERROR_NOT_OWNER) nor acquire it. Three releases free it and "
        "a fourth fails with ERROR_NOT_OWNER (chapter 5).");
    mutex = CreateMutexA(NULL, FALSE, NULL);
    expect(WaitForSingleObject(mutex, 0) == WAIT_OBJECT_0, "first wait: the mutex is ours");
    expect(WaitForSingleObject(mutex, 0) == WAIT_OBJECT_0,
           "second wait by the owner: satisfied at once (recursion level 2)");
    expect(WaitForSingleObject(mutex, 0) == WAIT_OBJECT_0, "third wait: level 3");

    HANDLE thread = CreateThread(NULL, 0, other_thread, NULL, 0, NULL);
    DWORD code = 1;
    WaitForSingleObject(thread, 10000);
    expect(GetExitCodeThread(thread, &code) && code == 0,
           "another thread can neither release it (ERROR_NOT_OWNER) nor acquire it");
    CloseHandle(thread);

    expect(ReleaseMutex(mutex) && ReleaseMutex(mutex), "two releases: still owned once");
    expect(ReleaseMutex(mutex), "third release: the mutex is free");
    BOOL extra = ReleaseMutex(mutex);
    DWORD error = GetLastError();
    expect(!extra && error == ERROR_NOT_OWNER,
           "a fourth release fails with ERROR_NOT_OWNER: we no longer own it");

    CloseHandle(mutex);
    return example_result();
}
