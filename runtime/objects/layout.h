/* layout.h - where each table of a segment lives, and checking a segment's header (layout.c). */
#ifndef WS_LAYOUT_H
#define WS_LAYOUT_H

#include <stddef.h>

#include "internal.h"

/* Fill in the version, sizes, offsets and layout check of a segment holding config c. */
void ws_layout_compute(struct ws_segment_header *h, const struct ws_config *c);

enum ws_segment_fault {
    WS_SEGMENT_OK = 0,
    WS_SEGMENT_FOREIGN,       /* too small, or not winsync's magic */
    WS_SEGMENT_OTHER_VERSION, /* another layout version or header size */
    WS_SEGMENT_CORRUPT,       /* the sizes and offsets do not add up */
};

/* Is the `size` bytes at h a segment of this build's layout? */
enum ws_segment_fault ws_layout_check(const struct ws_segment_header *h, size_t size);

#endif
