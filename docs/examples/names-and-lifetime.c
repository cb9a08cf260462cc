/*
 * Named objects. Creating a name that exists opens the existing object (and says so);
 * a name taken by another type fails; Open* of a missing name fails; an object lives
 * while any handle to it is open, and its name is free again after the last close.
 *
 * Chapter: docs/concepts/09-names-and-handles.md
 */
#include "example.h"

#define NAME "docs-example-names-job-ready"

int main(int argc, char **argv)
{
    example_begin(
        argc, argv,
        "create-or-open by name, one namespace for all types, name freed on last close.",
        "CreateEvent is called twice with the same name, the second time with different "
        "arguments; then CreateMutex with that name. What does each call return, and what "
        "does GetLastError() say?",
        "The second CreateEvent returns a handle to the same event with "
        "ERROR_ALREADY_EXISTS, and its arguments are ignored. CreateMutex fails with "
        "ERROR_INVALID_HANDLE: one namespace holds every type. The name is freed with the "
        "last handle (chapter 9).");

    SetLastError(12345);
    HANDLE first = CreateEventA(NULL, TRUE, FALSE, NAME);
    expect(first != NULL && GetLastError() == 0, "CreateEvent of a new name: GetLastError() is 0");

    HANDLE second = CreateEventA(NULL, FALSE, TRUE, NAME);
    expect(second != NULL && GetLastError() == ERROR_ALREADY_EXISTS,
           "CreateEvent of the same name: a handle to the SAME event, ERROR_ALREADY_EXISTS");
    expect(WaitForSingleObject(first, 0) == WAIT_TIMEOUT,
           "its arguments were ignored: the event is still manual-reset and non-signalled");

    HANDLE clash = CreateMutexA(NULL, FALSE, NAME);
    expect(clash == NULL && GetLastError() == ERROR_INVALID_HANDLE,
           "CreateMutex of a name held by an event fails with ERROR_INVALID_HANDLE");

    HANDLE missing = OpenEventA(SYNCHRONIZE, FALSE, "docs-example-names-nobody-made-this");
    expect(missing == NULL && GetLastError() == ERROR_FILE_NOT_FOUND,
           "OpenEvent of a name nobody created fails with ERROR_FILE_NOT_FOUND");

    CloseHandle(first);
    HANDLE reopened = OpenEventA(SYNCHRONIZE, FALSE, NAME);
    expect(reopened != NULL, "one of two handles closed: the name still opens the event");
    CloseHandle(reopened);
    CloseHandle(second);

    HANDLE after = OpenEventA(SYNCHRONIZE, FALSE, NAME);
    expect(after == NULL && GetLastError() == ERROR_FILE_NOT_FOUND,
           "every handle closed: the event is destroyed and its name is gone");
    HANDLE fresh = CreateMutexA(NULL, FALSE, NAME);
    expect(fresh != NULL && GetLastError() == 0, "so another type may now take the name");
    CloseHandle(fresh);
    return example_result();
}
