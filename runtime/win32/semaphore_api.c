/* semaphore_api.c - CreateSemaphore, OpenSemaphore, ReleaseSemaphore. */
#include "internal.h"
#include "win32/create.h"

struct semaphore_args {
    LONG initial, maximum;
};

static DWORD init_semaphore(struct ws_object *obj, struct ws_thread *self, const void *args)
{
    (void)self;
    const struct semaphore_args *a = args;
    return semaphore_initialize(obj, a->initial, a->maximum);
}

static HANDLE create_semaphore(const SECURITY_ATTRIBUTES *sa, const char *name, LONG initial,
                               LONG maximum, DWORD access)
{
    struct semaphore_args a = {initial, maximum};
    return ws_create_object(WS_TYPE_SEMAPHORE, name, sa, access, init_semaphore, init_semaphore,
                            &a);
}

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_semaphore(sa, n, initial, maximum, SEMAPHORE_ALL_ACCESS);
}

HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCWSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_semaphore(sa, n, initial, maximum, SEMAPHORE_ALL_ACCESS);
}

HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCSTR name,
                                 DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    (void)flags; /* reserved, must be 0 */
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_semaphore(sa, n, initial, maximum, access);
}

HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCWSTR name,
                                 DWORD flags, DWORD access)
{
    char n[WS_NAME_BYTES];
    (void)flags;
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_semaphore(sa, n, initial, maximum, access);
}

HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name)
{
    return ws_open_object_a(WS_TYPE_SEMAPHORE, name, access, inherit);
}

HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return ws_open_object_w(WS_TYPE_SEMAPHORE, name, access, inherit);
}

struct release_args {
    LONG count;
    LONG *previous;
};

static DWORD do_release(struct ws_object *obj, struct ws_thread *self, void *args)
{
    (void)self;
    struct release_args *a = args;
    return semaphore_release(obj, a->count, a->previous);
}

BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG count, LPLONG previous)
{
    struct release_args a = {count, previous};
    return ws_object_operation(h, WS_TYPE_SEMAPHORE, SEMAPHORE_MODIFY_STATE, do_release, &a);
}
