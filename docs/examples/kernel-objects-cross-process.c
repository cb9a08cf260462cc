/*
 * Kernel objects cross processes: a second process opens an event by its name and
 * signals it, and the wait of the first process is satisfied. A CRITICAL_SECTION or a
 * variable in this process's memory could not do this: the other process cannot see it.
 *
 * Chapter: docs/concepts/01-kernel-objects.md
 */
#include "example.h"

#define EVENT_NAME "docs-example-kernel-objects-ready"

static int child(void)
{
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, EVENT_NAME);
    if (ready == NULL)
        return 2;
    printf("child:  opened \"%s\" by name, setting it\n", EVENT_NAME);
    fflush(stdout);
    BOOL set = SetEvent(ready);
    CloseHandle(ready);
    return set ? 0 : 3;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();

    example_begin(argc, argv,
                  "a named event created here is opened and signalled by another process.",
                  "A parent creates a named event and waits on it; a child process opens the event "
                  "by name and sets it. Does the parent's wait return, and with what?",
                  "WAIT_OBJECT_0: both handles reach the same kernel object, and the child's "
                  "SetEvent satisfies the parent's wait across the process boundary (chapter 1).");
    HANDLE ready = CreateEventA(NULL, TRUE, FALSE, EVENT_NAME);
    expect(ready != NULL, "parent: created a named manual-reset event, not signalled");
    expect(WaitForSingleObject(ready, 0) == WAIT_TIMEOUT, "parent: a poll finds it non-signalled");

    PROCESS_INFORMATION pi;
    expect(spawn_self(argv[0], "child", &pi), "parent: started the child process");
    expect(WaitForSingleObject(ready, 10000) == WAIT_OBJECT_0,
           "parent: the wait is satisfied by the child's SetEvent");

    DWORD code = 1;
    expect(WaitForSingleObject(pi.hProcess, 10000) == WAIT_OBJECT_0,
           "parent: the child's process object is signalled when it ends");
    expect(GetExitCodeProcess(pi.hProcess, &code) && code == 0, "parent: the child exited with 0");
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(ready);
    return example_result();
}
