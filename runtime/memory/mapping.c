/*
 * mapping.c - page-file-backed sections: each mapping object owns one POSIX shared
 * memory object, named after the namespace and a serial number.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory/mapping.h"

static void backing_name(const struct ws_object *obj, char *out, size_t size)
{
    snprintf(out, size, "%s-m%u", ws_g.shm_name, obj->u.mapping.serial);
}

DWORD ws_mapping_create_backing(struct ws_object *obj, uint64_t size, bool writable)
{
    char name[WS_NAMESPACE_MAX + 64];
    obj->u.mapping.serial = ++ws_g.seg->mapping_serial;
    obj->u.mapping.size = size;
    obj->u.mapping.writable = writable;
    backing_name(obj, name, sizeof name);
    shm_unlink(name); /* a leftover of a namespace that crashed */
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return ERROR_NOT_ENOUGH_MEMORY;
    int r = ftruncate(fd, (off_t)size);
    close(fd);
    if (r != 0) {
        shm_unlink(name);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    return ERROR_SUCCESS;
}

void ws_mapping_destroy(struct ws_object *obj)
{
    char name[WS_NAMESPACE_MAX + 64];
    if (obj->u.mapping.serial == 0)
        return;
    backing_name(obj, name, sizeof name);
    shm_unlink(name);
}

int ws_mapping_open_backing(const struct ws_object *obj, bool writable)
{
    char name[WS_NAMESPACE_MAX + 64];
    backing_name(obj, name, sizeof name);
    return shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
}
