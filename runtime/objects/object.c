/*
 * object.c - the object table and the name table (the object manager's part).
 *
 * An object lives while it has references: open handles in any process, waits in
 * progress, and for thread and process objects the running thread or process itself.
 * The last reference frees the slot and its name.
 */
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "memory/mapping.h"

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h ? h : 1; /* 0 means "unnamed" */
}

struct ws_object *ws_object_alloc(uint8_t type)
{
    struct ws_segment_header *h = ws_g.seg;
    uint32_t max = h->config.max_objects;
    for (uint32_t i = 0; i < max; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != WS_TYPE_FREE)
            continue;
        uint32_t generation = o->generation;
        memset(o, 0, sizeof *o);
        o->header.type = type;
        o->header.wait_list.head = o->header.wait_list.tail = WS_NONE;
        o->index = i;
        o->generation = generation;
        ws_name_at(i)[0] = '\0';
        if (i >= h->object_high)
            h->object_high = i + 1;
        return o;
    }
    ws_set_error(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
}

void ws_object_ref(struct ws_object *obj)
{
    obj->refs++;
}

void ws_object_unref(struct ws_object *obj)
{
    if (obj->refs > 1) {
        obj->refs--;
        return;
    }
    if (obj->header.type == WS_TYPE_MAPPING)
        ws_mapping_destroy(obj);
    ws_object_drop_name(obj);
    obj->refs = 0;
    obj->generation++;
    obj->header.type = WS_TYPE_FREE;
}

struct ws_object *ws_object_find(const char *name)
{
    uint32_t hash = name_hash(name);
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->name_hash == hash && o->header.type != WS_TYPE_FREE &&
            strcmp(ws_name_at(i), name) == 0)
            return o;
    }
    return NULL;
}

void ws_object_drop_name(struct ws_object *obj)
{
    ws_name_at(obj->index)[0] = '\0';
    obj->name_hash = 0;
}

void ws_object_set_name(struct ws_object *obj, const char *name)
{
    if (!name || !*name)
        return;
    strcpy(ws_name_at(obj->index), name);
    obj->name_hash = name_hash(name);
}
