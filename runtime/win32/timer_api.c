/* timer_api.c - CreateWaitableTimer(Ex), OpenWaitableTimer, SetWaitableTimer(Ex),
 * CancelWaitableTimer. The timer itself is dispatcher/timer.c. */
#include <time.h>

#include "internal.h"
#include "win32/create.h"

static DWORD init_timer(struct ws_object *obj, struct ws_thread *self, const void *args)
{
    (void)self;
    ws_timer_initialize(obj, *(const bool *)args);
    return ERROR_SUCCESS;
}

/* Flags other than these two are ignored, as CreateEventEx's are. */
static HANDLE create_timer(const SECURITY_ATTRIBUTES *sa, const char *name, DWORD flags,
                           DWORD access)
{
    bool manual = (flags & CREATE_WAITABLE_TIMER_MANUAL_RESET) != 0;
    return ws_create_object(WS_TYPE_TIMER, name, sa, access, init_timer, NULL, &manual);
}

HANDLE WINAPI CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_timer(sa, n, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0, TIMER_ALL_ACCESS);
}

HANDLE WINAPI CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCWSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_timer(sa, n, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0, TIMER_ALL_ACCESS);
}

HANDLE WINAPI CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags,
                                     DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_timer(sa, n, flags, access);
}

HANDLE WINAPI CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags,
                                     DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_timer(sa, n, flags, access);
}

HANDLE WINAPI OpenWaitableTimerA(DWORD access, BOOL inherit, LPCSTR name)
{
    return ws_open_object_a(WS_TYPE_TIMER, name, access, inherit);
}

HANDLE WINAPI OpenWaitableTimerW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return ws_open_object_w(WS_TYPE_TIMER, name, access, inherit);
}

struct set_args {
    uint64_t due; /* CLOCK_MONOTONIC ns */
    uint32_t period_ms;
    uint64_t routine, argument;
};

/* A due time as SetWaitableTimer takes it: negative, relative in 100 ns units; otherwise an
 * absolute FILETIME (UTC since 1601). Absolute times are turned into the monotonic clock now,
 * so a later change of the system clock does not move them (Windows would). */
static uint64_t due_from(LONGLONG v)
{
    uint64_t now = ws_monotonic_ns();
    uint64_t ahead; /* 100 ns units from now */
    if (v < 0) {
        ahead = v == INT64_MIN ? (uint64_t)INT64_MAX : (uint64_t)-v;
    } else {
        FILETIME ft;
        GetSystemTimeAsFileTime(&ft);
        uint64_t cur = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
        ahead = (uint64_t)v > cur ? (uint64_t)v - cur : 0;
    }
    if (ahead > (WS_NO_DUE - 1 - now) / 100u)
        return WS_NO_DUE - 1; /* never, in practice */
    return now + ahead * 100u;
}

static DWORD do_set(struct ws_object *obj, struct ws_thread *self, void *args)
{
    const struct set_args *a = args;
    ws_timer_set(obj, self, a->due, a->period_ms, a->routine, a->argument);
    return ERROR_SUCCESS;
}

static BOOL set_timer(HANDLE h, const LARGE_INTEGER *due, LONG period, PTIMERAPCROUTINE routine,
                      LPVOID argument)
{
    /* The order of NtSetTimer's checks: the period, the due time, then the handle. */
    if (period < 0) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!due) {
        ws_set_error(ERROR_NOACCESS);
        return FALSE;
    }
    struct set_args a = {due_from(due->QuadPart), (uint32_t)period, (uint64_t)(uintptr_t)routine,
                         (uint64_t)(uintptr_t)argument};
    return ws_object_operation(h, WS_TYPE_TIMER, TIMER_MODIFY_STATE, do_set, &a);
}

BOOL WINAPI SetWaitableTimer(HANDLE h, const LARGE_INTEGER *due, LONG period,
                             PTIMERAPCROUTINE routine, LPVOID argument, BOOL resume)
{
    if (!set_timer(h, due, period, routine, argument))
        return FALSE;
    /* Microsoft: on a system that cannot resume, the call succeeds and GetLastError() says
     * ERROR_NOT_SUPPORTED. winsync never wakes a suspended machine. */
    if (resume)
        ws_set_error(ERROR_NOT_SUPPORTED);
    return TRUE;
}

/* The wake context and the tolerable delay (coalescing) change nothing here: winsync does
 * not wake a sleeping machine, and expires timers no earlier than asked anyway. */
BOOL WINAPI SetWaitableTimerEx(HANDLE h, const LARGE_INTEGER *due, LONG period,
                               PTIMERAPCROUTINE routine, LPVOID argument, PREASON_CONTEXT wake,
                               ULONG tolerable_delay)
{
    (void)wake, (void)tolerable_delay;
    return set_timer(h, due, period, routine, argument);
}

static DWORD do_cancel(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)self, (void)args;
    ws_timer_cancel(obj);
    return ERROR_SUCCESS;
}

BOOL WINAPI CancelWaitableTimer(HANDLE h)
{
    return ws_object_operation(h, WS_TYPE_TIMER, TIMER_MODIFY_STATE, do_cancel, NULL);
}
