/*
 * One object, many handles. The object's signal state lives once, in its dispatcher
 * header, so a change made through one handle is seen through every other. Its name
 * and the count of handles that keep it alive belong to the object manager's part of
 * the object (OBJECT_HEADER in NT): closing one handle leaves the object alive, closing
 * the last destroys it and frees its name.
 *
 * Chapter: docs/concepts/03-object-headers.md
 */
#include "example.h"

#define EVENT_NAME "docs-example-headers-event"

int main(int argc, char **argv)
{
    example_begin(
        argc, argv, "three handles, one dispatcher header; the last close ends the object.",
        "One event, three handles: one from CreateEvent, one from OpenEvent by name, one "
        "from DuplicateHandle. You reset it through one handle and close two of them. Is "
        "the event still there, and can its name still be opened?",
        "Yes to both: the handles are different values that all reach one object with one "
        "dispatcher header, so a change through one is seen through all; the object and "
        "its name live until the last handle closes (chapters 3 and 9).");

    HANDLE created = CreateEventA(NULL, TRUE, FALSE, EVENT_NAME);
    HANDLE opened = OpenEventA(EVENT_ALL_ACCESS, FALSE, EVENT_NAME);
    HANDLE duplicate = NULL;
    BOOL duplicated = DuplicateHandle(GetCurrentProcess(), created, GetCurrentProcess(), &duplicate,
                                      0, FALSE, DUPLICATE_SAME_ACCESS);
    expect(created != NULL && opened != NULL && duplicated,
           "created the event, opened it by name, duplicated the first handle");
    expect(created != opened && created != duplicate && opened != duplicate,
           "three different handle values");

    SetEvent(opened);
    expect(WaitForSingleObject(created, 0) == WAIT_OBJECT_0 &&
               WaitForSingleObject(duplicate, 0) == WAIT_OBJECT_0,
           "SetEvent through one handle: every handle sees the object signalled");
    ResetEvent(duplicate);
    expect(WaitForSingleObject(opened, 0) == WAIT_TIMEOUT,
           "ResetEvent through another: every handle sees it non-signalled");

    CloseHandle(created);
    CloseHandle(opened);
    expect(SetEvent(duplicate) && WaitForSingleObject(duplicate, 0) == WAIT_OBJECT_0,
           "two handles closed: the object lives on behind the third");
    HANDLE again = OpenEventA(SYNCHRONIZE, FALSE, EVENT_NAME);
    expect(again != NULL && WaitForSingleObject(again, 0) == WAIT_OBJECT_0,
           "and its name still finds it, still signalled");
    CloseHandle(again);

    CloseHandle(duplicate);
    HANDLE gone = OpenEventA(SYNCHRONIZE, FALSE, EVENT_NAME);
    DWORD error = GetLastError();
    expect(gone == NULL && error == ERROR_FILE_NOT_FOUND,
           "last handle closed: the object is gone and OpenEvent fails with ERROR_FILE_NOT_FOUND");
    return example_result();
}
