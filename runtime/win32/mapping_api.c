/*
 * mapping_api.c - CreateFileMapping, OpenFileMapping, MapViewOfFile, UnmapViewOfFile.
 *
 * Each mapping owns a POSIX shared memory object; a view is an mmap of it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "memory/mapping.h"
#include "win32/create.h"

#define WS_VIEW_ALIGNMENT 65536u /* Windows' allocation granularity */

/* This process's views, to find a view's length when it is unmapped. */
struct view {
    void *base;
    size_t length;
    struct view *next;
};

static struct view *views;
static pthread_mutex_t views_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t views_once = PTHREAD_ONCE_INIT;

/* A fork while another thread holds views_mutex must not leave the child's copy locked. */
static void views_lock(void)
{
    pthread_mutex_lock(&views_mutex);
}
static void views_unlock(void)
{
    pthread_mutex_unlock(&views_mutex);
}
static void views_init(void)
{
    pthread_atfork(views_lock, views_unlock, views_unlock);
}

struct mapping_args {
    uint64_t size;
    bool writable;
};

static DWORD init_mapping(struct ws_object *obj, struct ws_thread *self, const void *args)
{
    (void)self;
    const struct mapping_args *a = args;
    return ws_mapping_create_backing(obj, a->size, a->writable);
}

static HANDLE create_mapping(HANDLE file, const SECURITY_ATTRIBUTES *sa, DWORD protect, DWORD high,
                             DWORD low, const char *name)
{
    uint64_t size = ((uint64_t)high << 32) | low;
    DWORD page = protect & 0xFFu;
    if (file != INVALID_HANDLE_VALUE) {
        ws_set_error(ERROR_INVALID_HANDLE); /* only page-file-backed sections exist here */
        return NULL;
    }
    if ((page != PAGE_READWRITE && page != PAGE_READONLY) || size == 0) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    struct mapping_args a = {size, page == PAGE_READWRITE};
    return ws_create_object(WS_TYPE_MAPPING, name, sa, SECTION_ALL_ACCESS, init_mapping, NULL, &a);
}

HANDLE WINAPI CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES sa, DWORD protect, DWORD high,
                                 DWORD low, LPCSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_a, name, n);
    return create_mapping(file, sa, protect, high, low, n);
}

HANDLE WINAPI CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES sa, DWORD protect, DWORD high,
                                 DWORD low, LPCWSTR name)
{
    char n[WS_NAME_BYTES];
    WS_CONVERT_NAME(ws_name_from_w, name, n);
    return create_mapping(file, sa, protect, high, low, n);
}

HANDLE WINAPI OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR name)
{
    return ws_open_object_a(WS_TYPE_MAPPING, name, access, inherit);
}

HANDLE WINAPI OpenFileMappingW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return ws_open_object_w(WS_TYPE_MAPPING, name, access, inherit);
}

LPVOID WINAPI MapViewOfFile(HANDLE h, DWORD access, DWORD offset_high, DWORD offset_low,
                            SIZE_T bytes)
{
    uint64_t offset = ((uint64_t)offset_high << 32) | offset_low;
    bool writable = (access & FILE_MAP_WRITE) != 0;
    uint32_t needed = access & (SECTION_MAP_READ | SECTION_MAP_WRITE | SECTION_MAP_EXECUTE);
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    if (offset % WS_VIEW_ALIGNMENT) {
        ws_set_error(ERROR_MAPPED_ALIGNMENT);
        return NULL;
    }
    ws_lock(self);
    struct ws_object *obj = ws_handle_lookup(self, h, WS_TYPE_MAPPING, needed);
    DWORD err = ERROR_SUCCESS;
    int fd = -1;
    if (obj) {
        uint64_t size = obj->u.mapping.size;
        if (bytes == 0 && offset < size)
            bytes = (SIZE_T)(size - offset);
        if (offset >= size)
            err = ERROR_INVALID_PARAMETER;
        else if (bytes > size - offset || (writable && !obj->u.mapping.writable))
            err = ERROR_ACCESS_DENIED;
        else if ((fd = ws_mapping_open_backing(obj, writable)) < 0)
            err = ERROR_NOT_ENOUGH_MEMORY;
    }
    ws_unlock();
    if (!obj)
        return NULL;
    /* The view keeps the memory, not the object: as in NT, the name goes with the last
     * handle, and the memory with the last view. */
    void *base = MAP_FAILED;
    if (err == ERROR_SUCCESS) {
        base = mmap(NULL, bytes, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd,
                    (off_t)offset);
        if (base == MAP_FAILED)
            err = ERROR_NOT_ENOUGH_MEMORY;
    }
    if (fd >= 0)
        close(fd);
    struct view *v = err == ERROR_SUCCESS ? malloc(sizeof *v) : NULL;
    if (!v) {
        if (base != MAP_FAILED)
            munmap(base, bytes);
        ws_set_error(err ? err : ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    v->base = base;
    v->length = bytes;
    pthread_once(&views_once, views_init);
    views_lock();
    v->next = views;
    views = v;
    views_unlock();
    return base;
}

BOOL WINAPI UnmapViewOfFile(LPCVOID base)
{
    pthread_once(&views_once, views_init);
    views_lock();
    struct view **link = &views;
    while (*link && (*link)->base != base)
        link = &(*link)->next;
    struct view *v = *link;
    if (v)
        *link = v->next;
    views_unlock();
    if (!v) {
        ws_set_error(ERROR_INVALID_ADDRESS);
        return FALSE;
    }
    munmap(v->base, v->length);
    free(v);
    return TRUE;
}
