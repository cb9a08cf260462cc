/*
 * queue_test.h - helpers shared by lab 05's tests: self-checking messages, memory shared with
 * forked children, and a few small wrappers. Children never assert (see wstest.h).
 */
#ifndef QUEUE_TEST_H
#define QUEUE_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "queue.h"
#include "wstest.h"

#define QT_HEADER_BYTES 12 /* producer, sequence, checksum */
#define QT_MIN_MESSAGE 16

/* Memory shared with every child forked after this call (zero-filled). */
static inline void *qt_shared(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static inline uint32_t qt_fnv1a(const uint8_t *bytes, size_t length, uint32_t hash)
{
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

/* Build message (producer, sequence) into msg: QT_MIN_MESSAGE..max_size bytes, its size
 * depending on both numbers, a checksum over the rest. Returns its size. */
static inline uint32_t qt_make(uint8_t *msg, uint32_t max_size, uint32_t producer,
                               uint32_t sequence)
{
    uint32_t size = QT_MIN_MESSAGE + (producer * 7 + sequence) % (max_size - QT_MIN_MESSAGE + 1);
    memcpy(msg, &producer, 4);
    memcpy(msg + 4, &sequence, 4);
    for (uint32_t i = QT_HEADER_BYTES; i < size; i++)
        msg[i] = (uint8_t)(sequence * 31 + producer * 17 + i);
    uint32_t sum = qt_fnv1a(msg, 8, 2166136261u);
    sum = qt_fnv1a(msg + QT_HEADER_BYTES, size - QT_HEADER_BYTES, sum);
    memcpy(msg + 8, &sum, 4);
    return size;
}

/* Is msg exactly what qt_make built (no torn or mixed message)? Sets producer and sequence. */
static inline bool qt_valid(const uint8_t *msg, uint32_t size, uint32_t max_size,
                            uint32_t *producer, uint32_t *sequence)
{
    uint8_t expected[1024];
    if (size < QT_MIN_MESSAGE || size > max_size || max_size > sizeof expected)
        return false;
    memcpy(producer, msg, 4);
    memcpy(sequence, msg + 4, 4);
    return qt_make(expected, max_size, *producer, *sequence) == size &&
           memcmp(expected, msg, size) == 0;
}

/* Push one 4-byte value with a timeout. */
static inline DWORD qt_push_u32(queue_t *q, uint32_t value, DWORD timeout_ms)
{
    return queue_push_back(q, &value, sizeof value, timeout_ms);
}

/* Pop one 4-byte value; *value is set only on WAIT_OBJECT_0 with a 4-byte message. */
static inline DWORD qt_pop_u32(queue_t *q, uint32_t *value, DWORD timeout_ms)
{
    uint8_t buf[64];
    uint32_t size = 0;
    DWORD r = queue_pop_front(q, buf, sizeof buf, &size, timeout_ms);
    if (r == WAIT_OBJECT_0) {
        if (size != sizeof *value)
            return WAIT_FAILED;
        memcpy(value, buf, sizeof *value);
    }
    return r;
}

/* The ring's header as the handout lays it out ("The design": 64 bytes, these fields first). */
struct qt_ring_header {
    LONG magic;
    DWORD capacity, message_size, slot_size;
    LONGLONG pushed, popped;
};

/* A view of the queue's `<name>:ring`, opened by name with `access` (FILE_MAP_READ or
 * FILE_MAP_ALL_ACCESS); NULL if it does not exist. *mapping receives the handle to close. */
static inline void *qt_map_ring(const char *name, DWORD access, HANDLE *mapping)
{
    char object[160];
    snprintf(object, sizeof object, "%s:ring", name);
    *mapping = OpenFileMappingA(access, FALSE, object);
    if (*mapping == NULL)
        return NULL;
    void *view = MapViewOfFile(*mapping, access, 0, 0, 0);
    if (view == NULL) {
        CloseHandle(*mapping);
        *mapping = NULL;
    }
    return view;
}

/* Block until the other end of a pipe is closed by every writer (a start barrier). */
static inline void qt_wait_closed(int fd)
{
    char byte;
    for (;;) {
        ssize_t r = read(fd, &byte, 1);
        if (r == 0 || (r < 0 && errno != EINTR))
            return;
    }
}

#endif /* QUEUE_TEST_H */
