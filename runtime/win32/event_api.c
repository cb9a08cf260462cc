/* event_api.c - CreateEvent, OpenEvent, SetEvent, ResetEvent, PulseEvent. */
#include "internal.h"
#include "win32/create.h"

struct event_args {
    bool manual_reset, initial_state;
};

static DWORD init_event(struct ws_object *obj, struct ws_thread *self, const void *args)
{
    (void)self;
    const struct event_args *a = args;
    event_initialize(obj, a->manual_reset, a->initial_state);
    return ERROR_SUCCESS;
}

static HANDLE create_event(const SECURITY_ATTRIBUTES *sa, const char *name, DWORD flags,
                           DWORD access)
{
    struct event_args a = {(flags & CREATE_EVENT_MANUAL_RESET) != 0,
                           (flags & CREATE_EVENT_INITIAL_SET) != 0};
    return ws_create_object(WS_TYPE_EVENT, name, sa, access, init_event, NULL, &a);
}

static DWORD event_flags(BOOL manual, BOOL initial)
{
    return (manual ? CREATE_EVENT_MANUAL_RESET : 0) | (initial ? CREATE_EVENT_INITIAL_SET : 0);
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_event(sa, n, event_flags(manual, initial), EVENT_ALL_ACCESS);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_event(sa, n, event_flags(manual, initial), EVENT_ALL_ACCESS);
}

HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_event(sa, n, flags, access);
}

HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_event(sa, n, flags, access);
}

HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
    return ws_open_object_a(WS_TYPE_EVENT, name, access, inherit);
}

HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return ws_open_object_w(WS_TYPE_EVENT, name, access, inherit);
}

static DWORD do_set(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)self, (void)args;
    event_set(obj);
    return ERROR_SUCCESS;
}

static DWORD do_reset(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)self, (void)args;
    event_reset(obj);
    return ERROR_SUCCESS;
}

static DWORD do_pulse(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)self, (void)args;
    event_pulse(obj);
    return ERROR_SUCCESS;
}

BOOL WINAPI SetEvent(HANDLE h)
{
    return ws_object_operation(h, WS_TYPE_EVENT, EVENT_MODIFY_STATE, do_set, NULL);
}

BOOL WINAPI ResetEvent(HANDLE h)
{
    return ws_object_operation(h, WS_TYPE_EVENT, EVENT_MODIFY_STATE, do_reset, NULL);
}

BOOL WINAPI PulseEvent(HANDLE h)
{
    return ws_object_operation(h, WS_TYPE_EVENT, EVENT_MODIFY_STATE, do_pulse, NULL);
}
