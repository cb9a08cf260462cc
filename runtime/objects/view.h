/*
 * view.h - reading a segment through its base address, with every index checked.
 *
 * The runtime's own accessors (internal.h) use this process's mapping and trust the indices they
 * are given, which the lock makes safe. Code that reads a segment it may not lock, or a copy of it
 * (the winsync-ps inspector), uses these instead: each returns NULL for an index out of range, so a
 * torn read never leads outside the segment. The wait chain view (wct/wct.c) uses them for both.
 */
#ifndef WS_VIEW_H
#define WS_VIEW_H

#include <string.h>

#include "internal.h"

typedef const struct ws_segment_header ws_view;

static inline const struct ws_object *ws_view_object(ws_view *seg, uint32_t index)
{
    if (index >= seg->config.max_objects)
        return NULL;
    return (const struct ws_object *)((const char *)seg + seg->off_objects) + index;
}

static inline const struct ws_thread *ws_view_thread(ws_view *seg, uint32_t index)
{
    if (index >= seg->config.max_threads)
        return NULL;
    return (const struct ws_thread *)((const char *)seg + seg->off_threads) + index;
}

static inline const struct ws_process *ws_view_process(ws_view *seg, uint32_t index)
{
    if (index >= seg->config.max_processes)
        return NULL;
    return (const struct ws_process *)((const char *)seg + seg->off_processes) + index;
}

static inline const struct ws_handle_entry *ws_view_handles(ws_view *seg, uint32_t process)
{
    if (process >= seg->config.max_processes)
        return NULL;
    return (const struct ws_handle_entry *)((const char *)seg + seg->off_handles) +
           (size_t)process * seg->config.max_handles;
}

/* The object's name (its slot in the name table), "" when it has none. At most WS_NAME_BYTES - 1
 * bytes count: a name being rewritten may have lost its NUL. */
static inline const char *ws_view_name(ws_view *seg, const struct ws_object *o, int *length)
{
    size_t slot = (size_t)(o - ws_view_object(seg, 0));
    const char *name = (const char *)seg + seg->off_names + slot * WS_NAME_BYTES;
    *length = o->name_hash ? (int)strnlen(name, WS_NAME_BYTES - 1) : 0;
    return name;
}

/* The number of thread records in use (thread_high, bounded by the table's size). */
static inline uint32_t ws_view_thread_high(ws_view *seg)
{
    uint32_t high = seg->thread_high;
    return high < seg->config.max_threads ? high : seg->config.max_threads;
}

/* The object blocks[i] of a thread's wait names, NULL when i or the index is out of range. */
static inline const struct ws_object *ws_view_wait_object(ws_view *seg, const struct ws_thread *t,
                                                          uint32_t i)
{
    if (i >= t->wait.count || i >= MAXIMUM_WAIT_OBJECTS)
        return NULL;
    return ws_view_object(seg, t->wait.blocks[i].object);
}

#endif
