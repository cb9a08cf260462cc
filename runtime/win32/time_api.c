/* time_api.c - GetTickCount(64), the performance counter and the system time. */
#include <time.h>

#include "internal.h"

static ULONGLONG ms_since_boot(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (ULONGLONG)ts.tv_sec * 1000u + (ULONGLONG)ts.tv_nsec / 1000000u;
}

DWORD WINAPI GetTickCount(void)
{
    return (DWORD)ms_since_boot(); /* wraps after 49.7 days, as on Windows */
}

ULONGLONG WINAPI GetTickCount64(void)
{
    return ms_since_boot();
}

/* The counter ticks in nanoseconds of CLOCK_MONOTONIC. */
BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *counter)
{
    if (!counter) {
        ws_set_error(ERROR_NOACCESS);
        return FALSE;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    counter->QuadPart = (LONGLONG)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *frequency)
{
    if (!frequency) {
        ws_set_error(ERROR_NOACCESS);
        return FALSE;
    }
    frequency->QuadPart = 1000000000LL;
    return TRUE;
}

/* UTC in 100 ns units since 1601-01-01 (CLOCK_REALTIME). */
VOID WINAPI GetSystemTimeAsFileTime(LPFILETIME ft)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ULONGLONG t =
        (ULONGLONG)ts.tv_sec * 10000000u + (ULONGLONG)ts.tv_nsec / 100u + 116444736000000000ULL;
    ft->dwLowDateTime = (DWORD)t;
    ft->dwHighDateTime = (DWORD)(t >> 32);
}
