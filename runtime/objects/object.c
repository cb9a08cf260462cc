/*
 * object.c - the object table and the name table (the object manager's part).
 *
 * An object lives while it has references: open handles in any process, waits in
 * progress, and for thread and process objects the running thread or process itself.
 * The last reference frees the slot and its name.
 *
 * Names are found through a hash index in the segment, and a free slot from a hint, so that
 * neither costs more when thousands of objects exist (bench/scaling.c's names-N rows). Both are
 * changed only under the dispatcher lock; a repair rebuilds the index from the objects.
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

/* The first free slot at or above `from`, or WS_NONE. */
static uint32_t free_slot_from(uint32_t from)
{
    uint32_t max = ws_g.seg->config.max_objects;
    for (uint32_t i = from; i < max; i++)
        if (ws_object_at(i)->header.type == WS_TYPE_FREE)
            return i;
    return WS_NONE;
}

struct ws_object *ws_object_alloc(uint8_t type)
{
    struct ws_segment_header *h = ws_g.seg;
    /* The lowest free slot, as without the hint: the hint only skips slots known to be used
     * (and a stale one, after a repair, falls back to a full scan). */
    uint32_t i = free_slot_from(h->object_free_hint);
    if (i == WS_NONE && h->object_free_hint != 0)
        i = free_slot_from(0);
    if (i != WS_NONE) {
        struct ws_object *o = ws_object_at(i);
        h->object_free_hint = i + 1;
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
    h->object_free_hint = 0;
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
    else if (obj->header.type == WS_TYPE_TIMER)
        ws_timer_destroy(obj);
    ws_object_drop_name(obj);
    obj->refs = 0;
    obj->generation++;
    obj->header.type = WS_TYPE_FREE;
    if (obj->index < ws_g.seg->object_free_hint)
        ws_g.seg->object_free_hint = obj->index;
}

static uint32_t *bucket_of(uint32_t hash)
{
    return &ws_name_buckets()[hash & (ws_name_bucket_count(ws_g.seg->config.max_objects) - 1)];
}

struct ws_object *ws_object_find(const char *name)
{
    uint32_t hash = name_hash(name);
    uint32_t *links = ws_name_links(), max = ws_g.seg->config.max_objects;
    uint32_t steps = 0; /* a chain is never longer than the table: a cycle means corruption */
    for (uint32_t link = *bucket_of(hash); link != 0 && link <= max && steps++ < max;
         link = links[link - 1]) {
        struct ws_object *o = ws_object_at(link - 1);
        if (o->name_hash == hash && o->header.type != WS_TYPE_FREE &&
            strcmp(ws_name_at(link - 1), name) == 0)
            return o;
    }
    return NULL;
}

static void index_insert(struct ws_object *obj)
{
    uint32_t *bucket = bucket_of(obj->name_hash);
    ws_name_links()[obj->index] = *bucket;
    *bucket = obj->index + 1;
}

static void index_remove(struct ws_object *obj)
{
    uint32_t *links = ws_name_links(), max = ws_g.seg->config.max_objects;
    uint32_t *at = bucket_of(obj->name_hash);
    for (uint32_t steps = 0; *at != 0 && *at <= max && steps < max; steps++) {
        if (*at == obj->index + 1) {
            *at = links[obj->index];
            links[obj->index] = 0;
            return;
        }
        at = &links[*at - 1];
    }
}

void ws_object_drop_name(struct ws_object *obj)
{
    if (obj->name_hash != 0)
        index_remove(obj);
    ws_name_at(obj->index)[0] = '\0';
    obj->name_hash = 0;
}

void ws_object_set_name(struct ws_object *obj, const char *name)
{
    if (!name || !*name)
        return;
    strcpy(ws_name_at(obj->index), name);
    obj->name_hash = name_hash(name);
    index_insert(obj);
}

void ws_name_index_rebuild(void)
{
    uint32_t max = ws_g.seg->config.max_objects;
    memset(ws_name_buckets(), 0, (ws_name_bucket_count(max) + max) * sizeof(uint32_t));
    for (uint32_t i = 0; i < ws_g.seg->object_high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != WS_TYPE_FREE && o->name_hash != 0 && ws_name_at(i)[0] != '\0')
            index_insert(o);
    }
}
