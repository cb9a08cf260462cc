/*
 * layout.c - a segment's layout: the offsets of its tables, computed from its limits, and the
 * check that a segment someone else made has exactly the layout this build would give it. Used
 * by segment.c when a process opens its namespace, and by the winsync-ps inspector.
 */
#include <string.h>

#include "objects/layout.h"

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

static uint32_t layout_hash(const struct ws_segment_header *h)
{
    /* FNV-1a over the sizes and offsets: a different build's layout never matches. */
    uint64_t parts[] = {h->version,
                        h->header_size,
                        h->total_size,
                        h->config.max_objects,
                        h->config.max_handles,
                        h->config.max_processes,
                        h->config.max_threads,
                        h->off_objects,
                        h->off_names,
                        h->off_name_index,
                        h->off_processes,
                        h->off_handles,
                        h->off_threads,
                        sizeof(struct ws_object),
                        sizeof(struct ws_thread),
                        sizeof(struct ws_process)};
    uint32_t hash = 2166136261u;
    const unsigned char *p = (const unsigned char *)parts;
    for (size_t i = 0; i < sizeof parts; i++)
        hash = (hash ^ p[i]) * 16777619u;
    return hash;
}

void ws_layout_compute(struct ws_segment_header *h, const struct ws_config *c)
{
    size_t off = align_up(sizeof *h, 64);
    h->config = *c;
    h->off_objects = off;
    off += align_up((size_t)c->max_objects * sizeof(struct ws_object), 64);
    h->off_names = off;
    off += align_up((size_t)c->max_objects * WS_NAME_BYTES, 64);
    h->off_name_index = off;
    off += align_up(
        ((size_t)ws_name_bucket_count(c->max_objects) + c->max_objects) * sizeof(uint32_t), 64);
    h->off_processes = off;
    off += align_up((size_t)c->max_processes * sizeof(struct ws_process), 64);
    h->off_handles = off;
    off += align_up((size_t)c->max_processes * c->max_handles * sizeof(struct ws_handle_entry), 64);
    h->off_threads = off;
    off += align_up((size_t)c->max_threads * sizeof(struct ws_thread), 64);
    h->version = WS_LAYOUT_VERSION;
    h->header_size = sizeof *h;
    h->total_size = align_up(off, 4096);
    h->layout_check = layout_hash(h);
}

enum ws_segment_fault ws_layout_check(const struct ws_segment_header *h, size_t size)
{
    if (size < sizeof *h || memcmp(h->magic, WS_MAGIC, sizeof WS_MAGIC) != 0)
        return WS_SEGMENT_FOREIGN;
    if (h->version != WS_LAYOUT_VERSION || h->header_size != sizeof *h)
        return WS_SEGMENT_OTHER_VERSION;
    struct ws_segment_header expect;
    memset(&expect, 0, sizeof expect);
    ws_layout_compute(&expect, &h->config);
    if (h->total_size != size || h->layout_check != expect.layout_check ||
        h->off_threads != expect.off_threads)
        return WS_SEGMENT_CORRUPT;
    return WS_SEGMENT_OK;
}
