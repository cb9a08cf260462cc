/* A Win32 program, unchanged: builds against the installed winsync with pkg-config. */
#include <stdio.h>
#include <windows.h>

int main(void)
{
    HANDLE event = CreateEvent(NULL, TRUE, FALSE, TEXT("install-check"));
    if (!event || !SetEvent(event) || WaitForSingleObject(event, 0) != WAIT_OBJECT_0) {
        printf("winsync does not work: error %u\n", (unsigned)GetLastError());
        return 1;
    }
    CloseHandle(event);
    printf("hello from winsync\n");
    return 0;
}
