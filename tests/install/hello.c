/* A Win32 program, unchanged: builds against the installed winsync with pkg-config. */
#include <stdio.h>
#include <wct.h>
#include <windows.h>

int main(void)
{
    HANDLE event = CreateEvent(NULL, TRUE, FALSE, TEXT("install-check"));
    if (!event || !SetEvent(event) || WaitForSingleObject(event, 0) != WAIT_OBJECT_0) {
        printf("winsync does not work: error %u\n", (unsigned)GetLastError());
        return 1;
    }
    CloseHandle(event);
    HWCT wct = OpenThreadWaitChainSession(0, NULL);
    WAITCHAIN_NODE_INFO nodes[WCT_MAX_NODE_COUNT];
    DWORD count = WCT_MAX_NODE_COUNT;
    BOOL cycle;
    if (!wct || !GetThreadWaitChain(wct, 0, 0, GetCurrentThreadId(), &count, nodes, &cycle) ||
        count != 1) {
        printf("winsync's wait chains do not work: error %u\n", (unsigned)GetLastError());
        return 1;
    }
    CloseThreadWaitChainSession(wct);
    printf("hello from winsync\n");
    return 0;
}
