/* mapping.h - the memory behind file mapping objects (memory/mapping.c). */
#ifndef WINSYNC_MAPPING_H
#define WINSYNC_MAPPING_H

#include "internal.h"

/* Create the zero-filled POSIX shared memory behind a new mapping object. */
DWORD ws_mapping_create_backing(struct ws_object *obj, uint64_t size, bool writable);
/* The object is being freed: remove its backing (mapped views keep their memory). */
void ws_mapping_destroy(struct ws_object *obj);
/* Open the backing for mmap. */
int ws_mapping_open_backing(const struct ws_object *obj, bool writable);

#endif
