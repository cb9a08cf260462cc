/* mutex_api.c - CreateMutex, OpenMutex, ReleaseMutex. */
#include "internal.h"
#include "win32/create.h"

static DWORD init_mutex(struct ws_object *obj, struct ws_thread *self, const void *args)
{
    bool initial_owner = *(const bool *)args;
    mutex_initialize(obj, initial_owner ? self : NULL);
    return ERROR_SUCCESS;
}

static HANDLE create_mutex(const SECURITY_ATTRIBUTES *sa, const char *name, bool owner,
                           DWORD access)
{
    return ws_create_object(WS_TYPE_MUTEX, name, sa, access, init_mutex, NULL, &owner);
}

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL initial_owner, LPCSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_mutex(sa, n, initial_owner, MUTEX_ALL_ACCESS);
}

HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL initial_owner, LPCWSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_mutex(sa, n, initial_owner, MUTEX_ALL_ACCESS);
}

HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_mutex(sa, n, flags & CREATE_MUTEX_INITIAL_OWNER, access);
}

HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_mutex(sa, n, flags & CREATE_MUTEX_INITIAL_OWNER, access);
}

HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
    return ws_open_object_a(WS_TYPE_MUTEX, name, access, inherit);
}

HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return ws_open_object_w(WS_TYPE_MUTEX, name, access, inherit);
}

static DWORD do_release(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)args;
    return mutex_release(obj, self, NULL);
}

/* Releasing needs ownership, not an access right. */
BOOL WINAPI ReleaseMutex(HANDLE h)
{
    return ws_object_operation(h, WS_TYPE_MUTEX, 0, do_release, NULL);
}
