// The headers compile as C++ (extern "C", no C-only constructs).
#include <windows.h>

int main()
{
    HANDLE m = CreateMutexA(nullptr, FALSE, nullptr);
    LONG counter = 0;
    InterlockedIncrement(&counter);
    return m && ReleaseMutex(m) ? 0 : 1;
}
