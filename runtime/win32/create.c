/*
 * create.c - Create* and Open* of named objects, shared by every object type.
 *
 * Events, mutexes, semaphores and file mappings share one namespace. Creating an
 * existing name of the same type opens it (ERROR_ALREADY_EXISTS) and ignores the
 * creation arguments; a name held by another type fails with ERROR_INVALID_HANDLE.
 */
#include "win32/create.h"
#include "internal.h"

static uint32_t inherit_flag(const SECURITY_ATTRIBUTES *sa)
{
    return sa && sa->bInheritHandle ? HANDLE_FLAG_INHERIT : 0;
}

/* Insert a handle for an existing object, or fail because its type differs. */
static HANDLE open_existing(struct ws_object *obj, int type, uint32_t access, uint32_t flags)
{
    if (obj->header.type != type) {
        ws_set_error(ERROR_INVALID_HANDLE);
        return NULL;
    }
    HANDLE h = ws_handle_insert(ws_g.process, obj, access, flags);
    if (!h)
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
    return h;
}

static struct ws_object *alloc_reaping(int type)
{
    struct ws_object *obj = ws_object_alloc(type);
    if (!obj) {
        ws_reap_locked(); /* the dead may still hold slots */
        obj = ws_object_alloc(type);
    }
    return obj;
}

HANDLE ws_create_object(int type, const char *name, const SECURITY_ATTRIBUTES *sa, uint32_t access,
                        ws_init_fn init, ws_init_fn validate, const void *args)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    uint32_t flags = inherit_flag(sa);
    ws_lock(self);
    if (validate) {
        struct ws_object scratch = {.header.type = (uint8_t)type};
        ws_slot_begin();
        DWORD err = validate(&scratch, self, args);
        if (err == ERROR_SUCCESS && ws_slot_unimplemented())
            err = ERROR_CALL_NOT_IMPLEMENTED;
        if (err != ERROR_SUCCESS) {
            ws_unlock();
            ws_set_error(err);
            return NULL;
        }
    }
    if (*name) {
        ws_reap_locked(); /* a name held only by dead processes is free */
        struct ws_object *existing = ws_object_find(name);
        if (existing) {
            HANDLE h = open_existing(existing, type, access, flags);
            ws_unlock();
            if (h)
                ws_set_error(ERROR_ALREADY_EXISTS);
            return h;
        }
    }
    struct ws_object *obj = alloc_reaping(type);
    if (!obj) {
        ws_unlock();
        return NULL;
    }
    ws_slot_begin();
    DWORD err = init(obj, self, args);
    if (err == ERROR_SUCCESS && ws_slot_unimplemented())
        err = ERROR_CALL_NOT_IMPLEMENTED;
    HANDLE h = NULL;
    if (err == ERROR_SUCCESS) {
        ws_object_set_name(obj, name);
        h = ws_handle_insert(ws_g.process, obj, access, flags);
        if (!h)
            err = ERROR_NO_SYSTEM_RESOURCES;
    }
    if (!h) {
        obj->refs = 1;
        ws_object_unref(obj);
    }
    ws_unlock();
    ws_set_error(err);
    return h;
}

HANDLE ws_open_object(int type, const char *name, uint32_t access, BOOL inherit)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    ws_lock(self);
    ws_reap_locked();
    struct ws_object *obj = *name ? ws_object_find(name) : NULL;
    HANDLE h = NULL;
    if (!obj) {
        ws_set_error(ERROR_FILE_NOT_FOUND);
    } else if (access == 0 && obj->header.type == type) {
        /* The access check grants nothing when nothing is asked (Wine opens a handle with no
         * rights). */
        ws_set_error(ERROR_ACCESS_DENIED);
    } else {
        h = open_existing(obj, type, access, inherit ? HANDLE_FLAG_INHERIT : 0);
    }
    ws_unlock();
    return h;
}

HANDLE ws_open_object_a(int type, const char *name, uint32_t access, BOOL inherit)
{
    char stored[WS_NAME_BYTES];
    if (!name) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    DWORD err = ws_name_from_a(name, stored);
    if (err) {
        ws_set_error(err);
        return NULL;
    }
    return ws_open_object(type, stored, access, inherit);
}

HANDLE ws_open_object_w(int type, const wchar_t *name, uint32_t access, BOOL inherit)
{
    char stored[WS_NAME_BYTES];
    if (!name) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    DWORD err = ws_name_from_w(name, stored);
    if (err) {
        ws_set_error(err);
        return NULL;
    }
    return ws_open_object(type, stored, access, inherit);
}
