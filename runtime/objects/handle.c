/*
 * handle.c - per-process handle tables.
 *
 * Tables live in the segment so that a surviving process can close a dead process's
 * handles, as the NT kernel does at process exit. A handle's value is
 * (entry index + 1) * 4; the low two bits are ignored, as on Windows.
 */
#include "internal.h"

/* Each type's generic mapping (GENERIC_MAPPING in NT): what GENERIC_READ, GENERIC_WRITE,
 * GENERIC_EXECUTE and GENERIC_ALL stand for, GENERIC_ALL being every right of the type. A new
 * object type adds one row (a type without one grants nothing). The values: Microsoft's table
 * for events, mutexes and semaphores, and what Wine grants for the others
 * (docs/reference/windows-semantics.md, "Access rights"). */
struct ws_generic_mapping {
    uint32_t read, write, execute, all;
};

static const struct ws_generic_mapping generic_mappings[WS_TYPE_COUNT] = {
    [WS_TYPE_EVENT] = {STANDARD_RIGHTS_READ | EVENT_QUERY_STATE,
                       STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
                       STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS},
    [WS_TYPE_MUTEX] = {STANDARD_RIGHTS_READ | MUTANT_QUERY_STATE, STANDARD_RIGHTS_WRITE,
                       STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, MUTEX_ALL_ACCESS},
    [WS_TYPE_SEMAPHORE] = {STANDARD_RIGHTS_READ | SEMAPHORE_QUERY_STATE,
                           STANDARD_RIGHTS_WRITE | SEMAPHORE_MODIFY_STATE,
                           STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, SEMAPHORE_ALL_ACCESS},
    [WS_TYPE_THREAD] = {STANDARD_RIGHTS_READ | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION,
                        STANDARD_RIGHTS_WRITE | THREAD_TERMINATE | THREAD_SUSPEND_RESUME |
                            THREAD_ALERT | THREAD_SET_CONTEXT | THREAD_SET_INFORMATION |
                            THREAD_SET_LIMITED_INFORMATION,
                        STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION |
                            THREAD_RESUME,
                        THREAD_ALL_ACCESS},
    [WS_TYPE_PROCESS] = {STANDARD_RIGHTS_READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION,
                         STANDARD_RIGHTS_WRITE | PROCESS_CREATE_THREAD | PROCESS_VM_OPERATION |
                             PROCESS_VM_WRITE | PROCESS_DUP_HANDLE | PROCESS_CREATE_PROCESS |
                             PROCESS_SET_QUOTA | PROCESS_SET_INFORMATION | PROCESS_SUSPEND_RESUME,
                         STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | PROCESS_TERMINATE |
                             PROCESS_QUERY_LIMITED_INFORMATION,
                         PROCESS_ALL_ACCESS},
    [WS_TYPE_MAPPING] = {STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ,
                         STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
                         STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS},
    [WS_TYPE_TIMER] = {STANDARD_RIGHTS_READ | TIMER_QUERY_STATE,
                       STANDARD_RIGHTS_WRITE | TIMER_MODIFY_STATE,
                       STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, TIMER_ALL_ACCESS},
};

uint32_t ws_type_all_access(int type)
{
    return type > WS_TYPE_FREE && type < WS_TYPE_COUNT ? generic_mappings[type].all : 0;
}

/* GENERIC_* rights become the type's specific rights (its generic mapping); unknown bits are
 * dropped. */
uint32_t ws_map_access(int type, uint32_t access)
{
    if (type <= WS_TYPE_FREE || type >= WS_TYPE_COUNT)
        return 0;
    const struct ws_generic_mapping *m = &generic_mappings[type];
    if (access & GENERIC_READ)
        access |= m->read;
    if (access & GENERIC_WRITE)
        access |= m->write;
    if (access & GENERIC_EXECUTE)
        access |= m->execute;
    if (access & GENERIC_ALL)
        access |= m->all;
    /* Microsoft: the full query right implies the limited one. */
    if (type == WS_TYPE_PROCESS && (access & PROCESS_QUERY_INFORMATION))
        access |= PROCESS_QUERY_LIMITED_INFORMATION;
    if (type == WS_TYPE_THREAD && (access & THREAD_QUERY_INFORMATION))
        access |= THREAD_QUERY_LIMITED_INFORMATION;
    return access & m->all;
}

/* The first free entry of `table` at or above `from`, or `max`. */
static uint32_t free_entry_from(const struct ws_handle_entry *table, uint32_t from, uint32_t max)
{
    while (from < max && table[from].object != 0)
        from++;
    return from;
}

HANDLE ws_handle_insert(uint32_t process, struct ws_object *obj, uint32_t access, uint32_t flags)
{
    if (process >= ws_config()->max_processes)
        return NULL; /* no process: it is exiting */
    struct ws_process *p = ws_process_at(process);
    struct ws_handle_entry *table = ws_handles_of(process);
    uint32_t max = ws_config()->max_handles;
    /* The lowest free entry (handle values are reused lowest first); the hint skips entries
     * known to be in use, and a stale one (after a repair) falls back to a full scan. */
    uint32_t i = free_entry_from(table, p->handle_free_hint, max);
    if (i == max && p->handle_free_hint != 0)
        i = free_entry_from(table, 0, max);
    if (i < max) {
        p->handle_free_hint = i + 1;
        table[i].object = obj->index + 1;
        table[i].generation = obj->generation;
        table[i].access = ws_map_access(obj->header.type, access);
        table[i].flags = flags;
        ws_object_ref(obj);
        obj->handles++;
        p->handles_in_use++;
        return (HANDLE)(uintptr_t)((i + 1) * 4);
    }
    p->handle_free_hint = 0;
    return NULL;
}

struct ws_handle_entry *ws_handle_entry(uint32_t process, HANDLE h)
{
    uintptr_t v = (uintptr_t)h;
    if (v < 4 || h == WS_PSEUDO_PROCESS || h == WS_PSEUDO_THREAD ||
        process >= ws_config()->max_processes)
        return NULL;
    uintptr_t i = (v >> 2) - 1;
    if (i >= ws_config()->max_handles)
        return NULL;
    struct ws_handle_entry *e = &ws_handles_of(process)[i];
    if (e->object == 0)
        return NULL;
    return e;
}

struct ws_object *ws_handle_lookup(struct ws_thread *self, HANDLE h, int type, uint32_t access)
{
    struct ws_object *obj;
    uint32_t granted;
    if (h == WS_PSEUDO_THREAD) {
        obj = ws_object_at(self->object);
        granted = THREAD_ALL_ACCESS;
    } else if (h == WS_PSEUDO_PROCESS && ws_g.process != WS_NONE) {
        obj = ws_object_at(ws_process_at(ws_g.process)->object);
        granted = PROCESS_ALL_ACCESS;
    } else {
        struct ws_handle_entry *e = ws_handle_entry(ws_g.process, h);
        if (!e) {
            ws_set_error(ERROR_INVALID_HANDLE);
            return NULL;
        }
        obj = ws_object_at(e->object - 1);
        granted = e->access;
    }
    if (type != WS_TYPE_FREE && obj->header.type != type) {
        ws_set_error(ERROR_INVALID_HANDLE);
        return NULL;
    }
    if ((granted & access) != access) {
        ws_set_error(ERROR_ACCESS_DENIED);
        return NULL;
    }
    return obj;
}

void ws_handle_close_entry(uint32_t process, struct ws_handle_entry *entry)
{
    struct ws_object *obj = ws_object_at(entry->object - 1);
    struct ws_process *p = ws_process_at(process);
    uint32_t index = (uint32_t)(entry - ws_handles_of(process));
    entry->object = 0;
    entry->flags = 0;
    p->handles_in_use--;
    if (index < p->handle_free_hint)
        p->handle_free_hint = index;
    /* As in NT, a name lives while handles do; waits keep only the object. */
    if (obj->handles > 0 && --obj->handles == 0)
        ws_object_drop_name(obj);
    ws_object_unref(obj);
}

void ws_handle_copy_entry(uint32_t to, uint32_t index, const struct ws_handle_entry *src)
{
    struct ws_object *obj = ws_object_at(src->object - 1);
    ws_handles_of(to)[index] = *src;
    ws_object_ref(obj);
    obj->handles++;
    ws_process_at(to)->handles_in_use++;
}

void ws_handle_close_all(uint32_t process)
{
    struct ws_process *p = ws_process_at(process);
    struct ws_handle_entry *table = ws_handles_of(process);
    uint32_t max = ws_config()->max_handles;
    for (uint32_t i = 0; i < max && p->handles_in_use; i++) {
        if (table[i].object)
            ws_handle_close_entry(process, &table[i]);
    }
}
