/*
 * queue.c - a fixed-capacity message queue shared by threads in several processes.
 *
 * Plain Win32: it builds with MSVC or mingw-w64 for Windows, and on Linux against winsync.
 * README.md explains the design; in short:
 *
 *   "<name>:lock"    mutex      guards the ring; its abandonment tells us a holder died
 *   "<name>:free"    semaphore  one unit per free slot    (capacity - queued)
 *   "<name>:filled"  semaphore  one unit per queued message (queued)
 *   "<name>:ring"    mapping    a header, then `capacity` slots of {DWORD size; bytes}
 *
 * Push waits for the lock AND a free unit in one wait-all, writes the slot, commits it with
 * one store, releases a filled unit, then the lock. Pop is the mirror image. Nobody holds a
 * unit without holding the lock, so whenever the lock is free the semaphores count exactly
 * what the ring holds, and the next owner of an abandoned lock can recompute them.
 */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_MAGIC 0x51554555L /* "QUEU": written last, so it doubles as the init flag */
#define QUEUE_HEADER_BYTES 64u
#define QUEUE_MAX_BYTES 0xFFFFFFFFull  /* the whole mapping must fit in 4 GiB */
#define QUEUE_MAX_CAPACITY 0x7FFFFFFFu /* a semaphore's maximum is a LONG */
#define QUEUE_SUFFIX_MAX 8             /* room for ":filled" */

/* The start of the mapping, shared by every process. */
struct queue_header {
    volatile LONG magic; /* QUEUE_MAGIC once the fields below are valid */
    DWORD capacity;
    DWORD message_size;
    DWORD slot_size;
    /* Messages ever pushed and popped: the ring holds pushed - popped messages, the oldest in
     * slot popped % capacity. Each operation commits with ONE store to one of them. */
    volatile LONGLONG pushed;
    volatile LONGLONG popped;
};

/* One per process that opened the queue; threads of that process share it. */
struct queue {
    HANDLE lock;
    HANDLE free_slots;
    HANDLE filled_slots;
    HANDLE mapping;
    struct queue_header *header; /* the view of the mapping */
    BYTE *slots;
    DWORD capacity;
    DWORD message_size;
    DWORD slot_size;
};

static inline ULONGLONG slot_size_for(uint32_t message_size)
{
    /* A DWORD holding the message's length, then the message, rounded up to 8 bytes. */
    return ((ULONGLONG)message_size + sizeof(DWORD) + 7) & ~7ull;
}

static inline BYTE *slot_at(const queue_t *q, LONGLONG sequence)
{
    return q->slots + (SIZE_T)(sequence % q->capacity) * q->slot_size;
}

/* "<name><suffix>" into out (MAX_PATH bytes); queue_check_arguments bounded the length. */
static inline const char *object_name(char *out, const char *name, const char *suffix)
{
    size_t length = strlen(name);
    memcpy(out, name, length);
    memcpy(out + length, suffix, strlen(suffix) + 1);
    return out;
}

static void close_handle(HANDLE *handle)
{
    if (*handle != NULL)
        CloseHandle(*handle);
    *handle = NULL;
}

static void close_shared_objects(queue_t *q)
{
    if (q->header != NULL)
        UnmapViewOfFile(q->header);
    q->header = NULL;
    q->slots = NULL;
    close_handle(&q->mapping);
    close_handle(&q->free_slots);
    close_handle(&q->filled_slots);
}

/* Step 1: is this a queue we can build? Sets *total_bytes, the size of the mapping. */
static BOOL queue_check_arguments(const char *name, uint32_t capacity, uint32_t message_size,
                                  DWORD *total_bytes)
{
    /* BEGIN SOLUTION
     * TODO(step 1): Reject a NULL or empty name, a capacity or message size of 0, a capacity
     * above QUEUE_MAX_CAPACITY and a mapping above QUEUE_MAX_BYTES (compute in 64 bits!) with
     * ERROR_INVALID_PARAMETER; a name too long for its suffixes with ERROR_FILENAME_EXCED_RANGE.
     * See README.md, "Step 1: Layout and arguments".
     * STUB: (void)name; (void)capacity; (void)message_size; (void)total_bytes;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return FALSE;
     */
    if (name == NULL || name[0] == '\0' || capacity == 0 || message_size == 0 ||
        capacity > QUEUE_MAX_CAPACITY) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ULONGLONG bytes = QUEUE_HEADER_BYTES + slot_size_for(message_size) * capacity;
    if (bytes > QUEUE_MAX_BYTES) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (strlen(name) + QUEUE_SUFFIX_MAX > MAX_PATH) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return FALSE;
    }
    *total_bytes = (DWORD)bytes;
    return TRUE;
    /* END SOLUTION */
}

/* Step 6: empty a semaphore, then give it exactly `count` units. Only the lock's owner may
 * call this: waiters need the lock too, so nobody else takes or adds units meanwhile. */
static BOOL semaphore_set(HANDLE semaphore, LONG count)
{
    /* BEGIN SOLUTION
     * TODO(step 6): Take units with 0-timeout waits until the wait times out, then release
     * `count` units (none when count is 0). See README.md, "Step 6: Surviving kill -9".
     * STUB: (void)semaphore; (void)count;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return FALSE;
     */
    DWORD result;
    do {
        result = WaitForSingleObject(semaphore, 0);
    } while (result == WAIT_OBJECT_0);
    if (result != WAIT_TIMEOUT)
        return FALSE;
    return count == 0 || ReleaseSemaphore(semaphore, count, NULL);
    /* END SOLUTION */
}

/* Step 6: called by the lock's owner when the lock was abandoned (or objects were found out
 * of step): check the ring and make both semaphores count what it holds, minus the units the
 * caller already took (held_free, held_filled: 0 or 1). */
static BOOL queue_repair(queue_t *q, LONG held_free, LONG held_filled)
{
    /* BEGIN SOLUTION
     * TODO(step 6): Validate the header (magic, geometry, 0 <= pushed - popped <= capacity;
     * otherwise ERROR_INVALID_DATA), then semaphore_set() both semaphores.
     * See README.md, "Step 6: Surviving kill -9".
     * STUB: (void)q; (void)held_free; (void)held_filled; (void)semaphore_set;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return FALSE;
     */
    const struct queue_header *h = q->header;
    LONGLONG queued = h->pushed - h->popped;
    if (h->magic != QUEUE_MAGIC || h->capacity != q->capacity ||
        h->message_size != q->message_size || h->slot_size != q->slot_size || queued < 0 ||
        queued > (LONGLONG)q->capacity || queued < held_filled ||
        (LONGLONG)q->capacity - queued < held_free) {
        SetLastError(ERROR_INVALID_DATA);
        return FALSE;
    }
    return semaphore_set(q->free_slots, (LONG)(q->capacity - queued) - held_free) &&
           semaphore_set(q->filled_slots, (LONG)queued - held_filled);
    /* END SOLUTION */
}

/* Step 2: with the lock held, open or create the mapping and both semaphores, then initialize
 * the header (creator) or check it (opener). `abandoned`: the lock came to us abandoned. */
static BOOL queue_open_shared_objects(queue_t *q, const char *name, DWORD total_bytes,
                                      BOOL abandoned)
{
    /* BEGIN SOLUTION
     * TODO(step 2): CreateFileMappingA + MapViewOfFile, then CreateSemaphoreA twice;
     * ERROR_ALREADY_EXISTS tells creator from opener. The creator fills the header and
     * writes the magic last; an opener checks capacity and message size
     * (ERROR_INVALID_PARAMETER). See README.md, "Step 2: Creating or opening the queue".
     * STUB: (void)q; (void)name; (void)total_bytes; (void)abandoned;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return FALSE;
     */
    char object[MAX_PATH];
    q->mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, total_bytes,
                                    object_name(object, name, ":ring"));
    if (q->mapping == NULL)
        return FALSE;
    BOOL ring_existed = GetLastError() == ERROR_ALREADY_EXISTS;
    q->header = MapViewOfFile(q->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (q->header == NULL)
        return FALSE;
    q->slots = (BYTE *)q->header + QUEUE_HEADER_BYTES;

    LONG capacity = (LONG)q->capacity;
    q->free_slots = CreateSemaphoreA(NULL, capacity, capacity, object_name(object, name, ":free"));
    if (q->free_slots == NULL)
        return FALSE;
    BOOL free_existed = GetLastError() == ERROR_ALREADY_EXISTS;
    q->filled_slots = CreateSemaphoreA(NULL, 0, capacity, object_name(object, name, ":filled"));
    if (q->filled_slots == NULL)
        return FALSE;
    BOOL filled_existed = GetLastError() == ERROR_ALREADY_EXISTS;

    struct queue_header *h = q->header;
    if (ring_existed && h->magic == QUEUE_MAGIC) {
        if (h->capacity != q->capacity || h->message_size != q->message_size) {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
    } else {
        /* New, or its creator died before the magic: the mapping is ours to fill. */
        h->capacity = q->capacity;
        h->message_size = q->message_size;
        h->slot_size = q->slot_size;
        h->pushed = 0;
        h->popped = 0;
        InterlockedExchange(&h->magic, QUEUE_MAGIC);
    }
    /* A dead owner, or objects that outlived their siblings (a dead process's handles are
     * closed one by one): make the semaphores agree with the ring. */
    if (abandoned || ring_existed != free_existed || free_existed != filled_existed)
        return queue_repair(q, 0, 0);
    return TRUE;
    /* END SOLUTION */
}

/* Step 2: open everything under the lock, so that racing creators build one queue. */
static BOOL queue_open(queue_t *q, const char *name, DWORD total_bytes)
{
    /* BEGIN SOLUTION
     * TODO(step 2): Create (or open) the mutex "<name>:lock" FIRST, own it, open the shared
     * objects, release it, and keep GetLastError() of a failure. See README.md,
     * "Step 2: Creating or opening the queue".
     * STUB: (void)q; (void)name; (void)total_bytes; (void)queue_open_shared_objects;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return FALSE;
     */
    char object[MAX_PATH];
    q->lock = CreateMutexA(NULL, FALSE, object_name(object, name, ":lock"));
    if (q->lock == NULL)
        return FALSE;
    DWORD result = WaitForSingleObject(q->lock, INFINITE);
    if (result != WAIT_OBJECT_0 && result != WAIT_ABANDONED)
        return FALSE;
    BOOL opened = queue_open_shared_objects(q, name, total_bytes, result == WAIT_ABANDONED);
    DWORD error = GetLastError();
    ReleaseMutex(q->lock);
    SetLastError(error);
    return opened;
    /* END SOLUTION */
}

/* Give up the lock after a failure, keeping GetLastError() of that failure. */
static DWORD unlock_and_fail(queue_t *q)
{
    DWORD error = GetLastError();
    ReleaseMutex(q->lock);
    SetLastError(error);
    return WAIT_FAILED;
}

/* Step 6: own the lock, repairing the queue first if its last owner died holding it.
 * Returns WAIT_OBJECT_0 (owned) or WAIT_FAILED. */
static DWORD queue_lock(queue_t *q)
{
    /* BEGIN SOLUTION
     * TODO(step 6): WaitForSingleObject on the lock; on WAIT_ABANDONED, queue_repair() and fail
     * (releasing the lock) if the repair fails. See README.md, "Step 6: Surviving kill -9".
     * STUB: (void)q; (void)queue_repair; (void)unlock_and_fail;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return WAIT_FAILED;
     */
    DWORD result = WaitForSingleObject(q->lock, INFINITE);
    if (result == WAIT_ABANDONED)
        return queue_repair(q, 0, 0) ? WAIT_OBJECT_0 : unlock_and_fail(q);
    return result == WAIT_OBJECT_0 ? WAIT_OBJECT_0 : WAIT_FAILED;
    /* END SOLUTION */
}

/* Steps 3, 4 and 6: take the lock and one unit of `units` (free_slots or filled_slots) as one
 * step. Returns WAIT_OBJECT_0 holding both, or WAIT_TIMEOUT / WAIT_FAILED holding neither. */
static DWORD queue_lock_with_unit(queue_t *q, HANDLE units, DWORD timeout_ms)
{
    /* BEGIN SOLUTION
     * TODO(step 3): WaitForMultipleObjects(wait-all) on the lock and `units`.
     * TODO(step 4): On WAIT_TIMEOUT, decide under the lock (queue_lock() then a 0-timeout wait
     * on `units`): a wait-all also times out while the lock is merely busy.
     * TODO(step 6): On WAIT_ABANDONED_0 + i you own both: queue_repair() before going on.
     * See README.md, "Step 3: Push and pop", "Step 4: Timeouts", "Step 6: Surviving kill -9".
     * STUB: (void)q; (void)units; (void)timeout_ms; (void)queue_lock;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return WAIT_FAILED;
     */
    HANDLE both[2] = {q->lock, units};
    /* Poll before sleeping. A mutex released while a thread sleeps in a wait for it goes to
     * that thread, which holds it unused until it is scheduled (tens of microseconds): the next
     * push or pop then sleeps too, and the queue moves one message per wake-up, a lock convoy.
     * While the other side runs, a poll succeeds within microseconds; Sleep(0) now and then
     * lets the lock's holder run on a machine with more processes than cores. README.md,
     * "Optional challenges", has the measurements. */
    const int polls = timeout_ms == 0 ? 0 : 200, yield_every = 8;
    DWORD result = WAIT_TIMEOUT;
    for (int poll = 1; poll <= polls && result == WAIT_TIMEOUT; poll++) {
        if (poll % yield_every == 0)
            Sleep(0);
        result = WaitForMultipleObjects(2, both, TRUE, 0);
    }
    if (result == WAIT_TIMEOUT)
        result = WaitForMultipleObjects(2, both, TRUE, timeout_ms);
    if (result == WAIT_OBJECT_0 || result == WAIT_OBJECT_0 + 1)
        return WAIT_OBJECT_0;
    if (result == WAIT_ABANDONED_0 || result == WAIT_ABANDONED_0 + 1) {
        /* We own the lock and one unit; a holder died somewhere in its critical section. */
        LONG held_free = units == q->free_slots;
        return queue_repair(q, held_free, 1 - held_free) ? WAIT_OBJECT_0 : unlock_and_fail(q);
    }
    if (result != WAIT_TIMEOUT)
        return WAIT_FAILED;
    /* Under the lock a unit is there exactly when the ring has room (or a message). */
    if (queue_lock(q) != WAIT_OBJECT_0)
        return WAIT_FAILED;
    result = WaitForSingleObject(units, 0);
    if (result == WAIT_OBJECT_0)
        return WAIT_OBJECT_0;
    if (result == WAIT_FAILED)
        return unlock_and_fail(q);
    ReleaseMutex(q->lock);
    return WAIT_TIMEOUT;
    /* END SOLUTION */
}

/* Step 3: with the lock and a free unit held: write the slot, commit, release. */
static DWORD queue_push_locked(queue_t *q, const void *msg, uint32_t size)
{
    /* BEGIN SOLUTION
     * TODO(step 3): Write {size, bytes} into slot pushed % capacity, THEN commit with one store
     * (InterlockedExchange64 on pushed), release one filled unit, release the lock.
     * See README.md, "Step 3: Push and pop".
     * STUB: (void)q; (void)msg; (void)size;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return WAIT_FAILED;
     */
    struct queue_header *h = q->header;
    BYTE *slot = slot_at(q, h->pushed);
    DWORD length = size;
    memcpy(slot, &length, sizeof length);
    memcpy(slot + sizeof length, msg, size);
    /* The commit: a process killed before this store leaves no trace of its message. */
    InterlockedExchange64(&h->pushed, h->pushed + 1);
    BOOL signalled = ReleaseSemaphore(q->filled_slots, 1, NULL);
    DWORD error = GetLastError();
    ReleaseMutex(q->lock);
    SetLastError(error);
    return signalled ? WAIT_OBJECT_0 : WAIT_FAILED;
    /* END SOLUTION */
}

/* Steps 3 and 5: with the lock and a filled unit held: copy the oldest message out, commit,
 * release; or, if buf is too small, give the unit back and leave the message queued. */
static DWORD queue_pop_locked(queue_t *q, void *buf, uint32_t buf_size, uint32_t *size)
{
    /* BEGIN SOLUTION
     * TODO(step 3): Copy the message in slot popped % capacity out, set *size, commit with one
     * store (InterlockedExchange64 on popped), release one free unit, release the lock.
     * TODO(step 5): A message bigger than buf_size: set *size, give the filled unit back,
     * release the lock, fail with ERROR_INSUFFICIENT_BUFFER.
     * See README.md, "Step 3: Push and pop" and "Step 5: Message sizes".
     * STUB: (void)q; (void)buf; (void)buf_size; (void)size;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     * STUB: return WAIT_FAILED;
     */
    struct queue_header *h = q->header;
    const BYTE *slot = slot_at(q, h->popped);
    DWORD length;
    memcpy(&length, slot, sizeof length);
    *size = length;
    BOOL fits = length <= buf_size;
    if (fits) {
        memcpy(buf, slot + sizeof length, length);
        InterlockedExchange64(&h->popped, h->popped + 1);
    }
    /* Too small: the filled unit goes back, so the message stays where it is. */
    BOOL released = ReleaseSemaphore(fits ? q->free_slots : q->filled_slots, 1, NULL);
    DWORD error = fits ? GetLastError() : ERROR_INSUFFICIENT_BUFFER;
    ReleaseMutex(q->lock);
    SetLastError(error);
    return fits && released ? WAIT_OBJECT_0 : WAIT_FAILED;
    /* END SOLUTION */
}

/* Step 7: close this process's handles under the lock (repairing it if it was abandoned), so a
 * process creating the queue again meanwhile sees all of the old objects or none. */
static void queue_close(queue_t *q)
{
    /* BEGIN SOLUTION
     * TODO(step 7): queue_lock(), close_shared_objects(), release and close the lock.
     * See README.md, "Step 7: Closing".
     * STUB: (void)q;
     * STUB: SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
     */
    BOOL locked = queue_lock(q) == WAIT_OBJECT_0;
    close_shared_objects(q);
    if (locked)
        ReleaseMutex(q->lock);
    close_handle(&q->lock);
    /* END SOLUTION */
}

queue_t *queue_initialize(const char *name, uint32_t capacity, uint32_t message_size)
{
    DWORD total_bytes;
    if (!queue_check_arguments(name, capacity, message_size, &total_bytes))
        return NULL;
    queue_t *q = calloc(1, sizeof *q);
    if (q == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    q->capacity = capacity;
    q->message_size = message_size;
    q->slot_size = (DWORD)slot_size_for(message_size); /* < 4 GiB: checked above */
    if (!queue_open(q, name, total_bytes)) {
        DWORD error = GetLastError();
        close_shared_objects(q);
        close_handle(&q->lock);
        free(q);
        SetLastError(error);
        return NULL;
    }
    return q;
}

void queue_destroy(queue_t *q)
{
    if (q == NULL)
        return;
    queue_close(q);
    free(q);
}

DWORD queue_push_back(queue_t *q, const void *msg, uint32_t size, DWORD timeout_ms)
{
    if (q == NULL || msg == NULL || size == 0 || size > q->message_size) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    DWORD result = queue_lock_with_unit(q, q->free_slots, timeout_ms);
    if (result != WAIT_OBJECT_0)
        return result;
    return queue_push_locked(q, msg, size);
}

DWORD queue_pop_front(queue_t *q, void *buf, uint32_t buf_size, uint32_t *size, DWORD timeout_ms)
{
    if (q == NULL || buf == NULL || size == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    DWORD result = queue_lock_with_unit(q, q->filled_slots, timeout_ms);
    if (result != WAIT_OBJECT_0)
        return result;
    return queue_pop_locked(q, buf, buf_size, size);
}
