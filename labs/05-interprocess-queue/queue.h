/*
 * queue.h - a fixed-capacity message queue shared by threads in several processes.
 *
 * Given to the student: do not change it. The same header builds on Windows (MSVC or
 * mingw-w64) and on Linux against winsync.
 *
 * Return values of push and pop: WAIT_OBJECT_0 (done), WAIT_TIMEOUT (the queue stayed
 * full, or empty, for timeout_ms; 0 polls; INFINITE waits for ever) or WAIT_FAILED with
 * GetLastError() set:
 *   ERROR_INVALID_PARAMETER    NULL queue or pointer, a message size of 0 or above the
 *                              queue's message size
 *   ERROR_INSUFFICIENT_BUFFER  pop only: the oldest message is bigger than buf_size; it stays
 *                              queued and *size receives its size
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stdint.h>
#include <windows.h>

typedef struct queue queue_t; /* opaque, one per process that opened the queue */

/* Create the queue called `name`, or open it if it exists. Opening with another capacity or
 * message size fails. Bad arguments (NULL or empty name, capacity 0, message size 0, a size
 * that does not fit in memory) fail. Returns NULL with GetLastError() set on failure. */
queue_t *queue_initialize(const char *name, uint32_t capacity, uint32_t message_size);

/* Release this process's handles and view; the queue lives while any process has it open. */
void queue_destroy(queue_t *q);

/* Copy `size` bytes (1..message_size) in at the back, waiting while the queue is full. */
DWORD queue_push_back(queue_t *q, const void *msg, uint32_t size, DWORD timeout_ms);

/* Copy the oldest message out into buf, waiting while the queue is empty; *size receives
 * its length. */
DWORD queue_pop_front(queue_t *q, void *buf, uint32_t buf_size, uint32_t *size, DWORD timeout_ms);

#endif /* QUEUE_H */
