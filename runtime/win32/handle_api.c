/* handle_api.c - CloseHandle, DuplicateHandle, Get/SetHandleInformation. */
#include "internal.h"

#define WS_HANDLE_USER_FLAGS (HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE)

BOOL WINAPI CloseHandle(HANDLE h)
{
    if (h == WS_PSEUDO_PROCESS || h == WS_PSEUDO_THREAD)
        return TRUE; /* closing a pseudo-handle is a no-op on Windows too */
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    struct ws_handle_entry *e = ws_handle_entry(ws_g.process, h);
    bool ok = e && !(e->flags & HANDLE_FLAG_PROTECT_FROM_CLOSE);
    if (ok)
        ws_handle_close_entry(ws_g.process, e);
    ws_unlock();
    if (!ok)
        ws_set_error(ERROR_INVALID_HANDLE);
    return ok;
}

/* The process record behind a process handle (pseudo included), or WS_NONE. */
static uint32_t process_of(struct ws_thread *self, HANDLE h)
{
    struct ws_object *obj = ws_handle_lookup(self, h, WS_TYPE_PROCESS, PROCESS_DUP_HANDLE);
    if (!obj)
        return WS_NONE;
    if (obj->u.process.slot == WS_NONE)
        ws_set_error(ERROR_INVALID_HANDLE);
    return obj->u.process.slot;
}

BOOL WINAPI DuplicateHandle(HANDLE src_process, HANDLE src, HANDLE dst_process, LPHANDLE out,
                            DWORD access, BOOL inherit, DWORD options)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    BOOL ok = FALSE;
    uint32_t sp = process_of(self, src_process);
    if (sp == WS_NONE)
        goto out;
    struct ws_handle_entry *entry = ws_handle_entry(sp, src);
    struct ws_object *obj;
    if (sp == ws_g.process) {
        obj = ws_handle_lookup(self, src, WS_TYPE_FREE, 0); /* pseudo-handles too */
    } else {
        obj = entry ? ws_object_at(entry->object - 1) : NULL;
        if (!obj)
            ws_set_error(ERROR_INVALID_HANDLE);
    }
    if (!obj)
        goto out;
    if (dst_process) {
        uint32_t dp = process_of(self, dst_process);
        if (dp == WS_NONE)
            goto close_source;
        uint32_t granted = (options & DUPLICATE_SAME_ACCESS)
                               ? (entry ? entry->access : ws_type_all_access(obj->header.type))
                               : access;
        HANDLE h = ws_handle_insert(dp, obj, granted, inherit ? HANDLE_FLAG_INHERIT : 0);
        if (!h) {
            ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
            goto close_source;
        }
        if (out)
            *out = h; /* without lpTargetHandle the duplicate exists but is unnamed */
    } else if (!(options & DUPLICATE_CLOSE_SOURCE)) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    ok = TRUE;
close_source:
    /* Windows closes the source even when the duplication itself failed. */
    if ((options & DUPLICATE_CLOSE_SOURCE) && entry &&
        !(entry->flags & HANDLE_FLAG_PROTECT_FROM_CLOSE))
        ws_handle_close_entry(sp, entry);
out:
    ws_unlock();
    return ok;
}

BOOL WINAPI GetHandleInformation(HANDLE h, LPDWORD flags)
{
    if (!flags) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    struct ws_handle_entry *e = ws_handle_entry(ws_g.process, h);
    if (e)
        *flags = e->flags & WS_HANDLE_USER_FLAGS;
    ws_unlock();
    if (!e)
        ws_set_error(ERROR_INVALID_HANDLE);
    return e != NULL;
}

BOOL WINAPI SetHandleInformation(HANDLE h, DWORD mask, DWORD flags)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    struct ws_handle_entry *e = ws_handle_entry(ws_g.process, h);
    if (e) {
        mask &= WS_HANDLE_USER_FLAGS;
        e->flags = (e->flags & ~mask) | (flags & mask);
    }
    ws_unlock();
    if (!e)
        ws_set_error(ERROR_INVALID_HANDLE);
    return e != NULL;
}
