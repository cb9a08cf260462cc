#include "win32_harness.h"

#include <stdio.h>

double bench_now_ns(void)
{
    static LARGE_INTEGER frequency;
    LARGE_INTEGER now;
    if (frequency.QuadPart == 0)
        QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart * 1e9 / (double)frequency.QuadPart;
}

int bench_fail(const char *what)
{
    fprintf(stderr, "%s failed: error %lu\n", what, (unsigned long)GetLastError());
    return -1;
}

int bench_wait(HANDLE h, const char *what)
{
    return WaitForSingleObject(h, INFINITE) == WAIT_OBJECT_0 ? 0 : bench_fail(what);
}
