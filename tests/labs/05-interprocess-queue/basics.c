/*
 * Lab 05, public tests: the single-process contract of the queue.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "killpoint.h"
#include "queue_test.h"

TestSuite(basics, .timeout = 30);

static queue_t *open_queue(const char *prefix, uint32_t capacity, uint32_t message_size)
{
    char name[96];
    queue_t *q = queue_initialize(wst_name(name, sizeof name, prefix), capacity, message_size);
    cr_assert_not_null(q, "queue_initialize(\"%s\", %u, %u) failed with error %u", name, capacity,
                       message_size, (unsigned)GetLastError());
    return q;
}

Test(basics, create_push_pop)
{
    queue_t *q = open_queue("q05-basic", 4, 32);
    const char hello[] = "hello";
    char buf[32];
    uint32_t size = 0;
    cr_assert_eq(queue_push_back(q, hello, sizeof hello, 0), WAIT_OBJECT_0);
    cr_assert_eq(queue_pop_front(q, buf, sizeof buf, &size, 0), WAIT_OBJECT_0);
    cr_assert_eq(size, sizeof hello, "pop set *size to %u, expected %zu", size, sizeof hello);
    cr_assert_str_eq(buf, hello);
    queue_destroy(q);
    queue_destroy(NULL); /* a no-op */
}

Test(basics, fifo_order)
{
    queue_t *q = open_queue("q05-fifo", 8, 16);
    /* Several rounds, so the ring wraps around more than once. */
    for (uint32_t round = 0, next = 0; round < 5; round++) {
        for (uint32_t i = 0; i < 6; i++)
            cr_assert_eq(qt_push_u32(q, next + i, 0), WAIT_OBJECT_0, "push %u", next + i);
        for (uint32_t i = 0; i < 6; i++) {
            uint32_t value = UINT32_MAX;
            cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0, "pop %u", i);
            cr_assert_eq(value, next + i, "FIFO: popped %u, expected %u", value, next + i);
        }
        next += 6;
    }
    queue_destroy(q);
}

Test(basics, capacity_exact)
{
    const uint32_t capacities[] = {1, 2, 5, 64};
    for (size_t c = 0; c < sizeof capacities / sizeof *capacities; c++) {
        uint32_t capacity = capacities[c];
        queue_t *q = open_queue("q05-capacity", capacity, 8);
        for (uint32_t i = 0; i < capacity; i++)
            cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0,
                         "capacity %u: push %u failed; exactly `capacity` messages must fit",
                         capacity, i + 1);
        cr_assert_eq(qt_push_u32(q, 999, 0), WAIT_TIMEOUT,
                     "capacity %u: push %u into a full queue must time out", capacity,
                     capacity + 1);
        uint32_t value;
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
        cr_assert_eq(value, 0u);
        cr_assert_eq(qt_push_u32(q, capacity, 0), WAIT_OBJECT_0, "one pop makes room for one");
        cr_assert_eq(qt_push_u32(q, 999, 0), WAIT_TIMEOUT);
        for (uint32_t i = 1; i <= capacity; i++) {
            cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
            cr_assert_eq(value, i);
        }
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
        queue_destroy(q);
    }
}

Test(basics, poll_empty_and_full)
{
    queue_t *q = open_queue("q05-poll", 2, 8);
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT, "pop from an empty queue, timeout 0");
    cr_assert_eq(qt_push_u32(q, 1, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 2, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 3, 0), WAIT_TIMEOUT, "push into a full queue, timeout 0");
    queue_destroy(q);
}

Test(basics, finite_timeout_expires)
{
    queue_t *q = open_queue("q05-timeout", 1, 8);
    uint32_t value;
    long long start = wst_now_ms();
    cr_assert_eq(qt_pop_u32(q, &value, 150), WAIT_TIMEOUT, "pop from an empty queue, 150 ms");
    cr_assert_geq(wst_now_ms() - start, 140, "the pop returned before its timeout");
    cr_assert_eq(qt_push_u32(q, 1, 0), WAIT_OBJECT_0);
    start = wst_now_ms();
    cr_assert_eq(qt_push_u32(q, 2, 150), WAIT_TIMEOUT, "push into a full queue, 150 ms");
    cr_assert_geq(wst_now_ms() - start, 140, "the push returned before its timeout");
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0, "the timed-out push left one message");
    cr_assert_eq(value, 1u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
    queue_destroy(q);
}

Test(basics, message_sizes)
{
    enum { MESSAGE_SIZE = 40 };
    queue_t *q = open_queue("q05-sizes", 4, MESSAGE_SIZE);
    uint8_t msg[MESSAGE_SIZE + 1], buf[MESSAGE_SIZE + 8];
    for (uint32_t size = 1; size <= MESSAGE_SIZE; size++) {
        for (uint32_t i = 0; i < size; i++)
            msg[i] = (uint8_t)(size * 13 + i);
        cr_assert_eq(queue_push_back(q, msg, size, 0), WAIT_OBJECT_0, "push of %u bytes", size);
        uint32_t got = 0;
        memset(buf, 0xEE, sizeof buf);
        cr_assert_eq(queue_pop_front(q, buf, sizeof buf, &got, 0), WAIT_OBJECT_0);
        cr_assert_eq(got, size, "pushed %u bytes, pop reported %u", size, got);
        cr_assert_arr_eq(buf, msg, size, "the %u bytes came back different", size);
    }
    cr_assert_eq(queue_push_back(q, msg, 0, 0), WAIT_FAILED, "a 0-byte message must fail");
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_eq(queue_push_back(q, msg, MESSAGE_SIZE + 1, 0), WAIT_FAILED,
                 "a message above message_size must fail");
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    uint32_t got;
    cr_assert_eq(queue_pop_front(q, buf, sizeof buf, &got, 0), WAIT_TIMEOUT,
                 "a rejected push must not leave a message behind");
    queue_destroy(q);
}

Test(basics, small_buffer_keeps_message)
{
    queue_t *q = open_queue("q05-small", 4, 32);
    const char first[] = "a twenty-byte string", second[] = "next";
    cr_assert_eq(queue_push_back(q, first, sizeof first, 0), WAIT_OBJECT_0);
    cr_assert_eq(queue_push_back(q, second, sizeof second, 0), WAIT_OBJECT_0);
    char buf[32];
    uint32_t size = 0;
    SetLastError(0);
    cr_assert_eq(queue_pop_front(q, buf, sizeof first - 1, &size, 0), WAIT_FAILED,
                 "a buffer one byte too small must fail");
    cr_assert_eq(GetLastError(), ERROR_INSUFFICIENT_BUFFER, "error %u, expected %u",
                 (unsigned)GetLastError(), (unsigned)ERROR_INSUFFICIENT_BUFFER);
    cr_assert_eq(queue_pop_front(q, buf, sizeof buf, &size, 0), WAIT_OBJECT_0,
                 "the message must still be queued");
    cr_assert_eq(size, sizeof first);
    cr_assert_str_eq(buf, first, "the message that failed must come out first");
    cr_assert_eq(queue_pop_front(q, buf, sizeof buf, &size, 0), WAIT_OBJECT_0);
    cr_assert_str_eq(buf, second);
    /* The queue still holds exactly its capacity afterwards. */
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 4, 0), WAIT_TIMEOUT);
    queue_destroy(q);
}

/* Memory right after an inaccessible page: a read before `bytes` crashes. */
static char *after_a_guard_page(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(area != MAP_FAILED && bytes <= page);
    cr_assert_eq(mprotect(area, page, PROT_NONE), 0);
    return area + page;
}

/* queue_initialize must fail with `error`, having created or opened nothing (Step 1). */
static void assert_refused(const char *name, uint32_t capacity, uint32_t message_size, DWORD error,
                           const char *what)
{
    SetLastError(0);
    unsigned opens = kp_opens();
    queue_t *q = queue_initialize(name, capacity, message_size);
    unsigned made = kp_opens() - opens;
    DWORD got = GetLastError();
    cr_assert_null(q, "queue_initialize(%s, %u, %u) must fail", what, capacity, message_size);
    cr_assert_eq(got, error, "queue_initialize(%s, %u, %u): error %u, expected %u", what, capacity,
                 message_size, (unsigned)got, (unsigned)error);
    cr_assert_eq(made, 0,
                 "queue_initialize(%s, %u, %u) created or opened %u objects or views before it "
                 "refused: check the arguments before anything else (Step 1)",
                 what, capacity, message_size, made);
}

Test(basics, invalid_arguments)
{
    char name[96];
    wst_name(name, sizeof name, "q05-args");
    char *empty = after_a_guard_page(1); /* "" at the start of a page: name[-1] would crash */
    *empty = '\0';
    struct {
        const char *name;
        uint32_t capacity, message_size;
    } bad[] = {{NULL, 4, 8},
               {empty, 4, 8},
               {name, 0, 8},
               {name, 4, 0},
               /* 64 + 8 * 536870904 = 2^32 bytes: one byte above what a DWORD size holds */
               {name, 536870904, 4}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char what[120];
        snprintf(what, sizeof what, "%s%s%s", bad[i].name ? "\"" : "",
                 bad[i].name ? bad[i].name : "NULL", bad[i].name ? "\"" : "");
        assert_refused(bad[i].name, bad[i].capacity, bad[i].message_size, ERROR_INVALID_PARAMETER,
                       what);
    }
    queue_t *q = queue_initialize(name, 4, 8);
    cr_assert_not_null(q, "the name is fine with good sizes (error %u)", (unsigned)GetLastError());
    uint8_t buf[8];
    uint32_t size;
    cr_assert_eq(queue_push_back(q, NULL, 4, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_eq(queue_pop_front(q, NULL, 8, &size, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_eq(queue_pop_front(q, buf, 8, NULL, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_eq(queue_push_back(NULL, buf, 4, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_eq(queue_pop_front(NULL, buf, 8, &size, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    queue_destroy(q);
}

/* A name of `length` characters, unique to this test run. */
static char *long_name(size_t length)
{
    char *name = malloc(length + 1);
    cr_assert_not_null(name);
    char prefix[64];
    wst_name(prefix, sizeof prefix, "q05-long");
    size_t used = strlen(prefix) < length ? strlen(prefix) : length;
    memcpy(name, prefix, used);
    memset(name + used, 'n', length - used);
    name[length] = '\0';
    return name;
}

Test(basics, name_length_limit)
{
    /* The longest object name is the queue's name plus ":filled", and it must stay shorter
     * than MAX_PATH (260) with its NUL: 252 characters at most. */
    for (size_t length = 251; length <= 252; length++) {
        char *name = long_name(length);
        queue_t *q = queue_initialize(name, 2, 8);
        cr_assert_not_null(q,
                           "a name of %zu characters is fine, but queue_initialize failed "
                           "with error %u",
                           length, (unsigned)GetLastError());
        cr_assert_eq(qt_push_u32(q, 5, 0), WAIT_OBJECT_0);
        queue_destroy(q);
        free(name);
    }
    const size_t too_long[] = {253, 254, 260, 300, 4000};
    for (size_t i = 0; i < sizeof too_long / sizeof *too_long; i++) {
        char *name = long_name(too_long[i]);
        char what[64];
        snprintf(what, sizeof what, "a name of %zu characters", too_long[i]);
        assert_refused(name, 2, 8, ERROR_FILENAME_EXCED_RANGE, what);
        free(name);
    }
    /* One character is a name too. (Every run of this binary has its own winsync namespace,
     * and no other test uses a name this short.) */
    queue_t *q = queue_initialize("Q", 2, 8);
    cr_assert_not_null(q, "the name \"Q\" is fine, but queue_initialize failed with error %u",
                       (unsigned)GetLastError());
    queue_destroy(q);
}

/* The ring as the handout's table gives it: a 64-byte header {magic, capacity, message_size,
 * slot_size, pushed, popped}, then `capacity` slots of {DWORD size; BYTE data[]}, each
 * slot_size bytes (the message size plus 4, rounded up to 8). Another process, or another
 * build of the queue, reads it this way. */
Test(basics, ring_layout)
{
    enum { CAPACITY = 3, MESSAGE = 5000, SLOT = (MESSAGE + 4 + 7) & ~7, HEADER = 64 };
    char name[96];
    wst_name(name, sizeof name, "q05-layout");
    queue_t *q = queue_initialize(name, CAPACITY, MESSAGE); /* three pages and more */
    cr_assert_not_null(q, "queue_initialize failed with error %u", (unsigned)GetLastError());
    static uint8_t msg[MESSAGE];
    for (uint32_t i = 0; i < CAPACITY; i++) {
        memset(msg, 'a' + (int)i, sizeof msg);
        cr_assert_eq(queue_push_back(q, msg, MESSAGE - i, 0), WAIT_OBJECT_0,
                     "push of %u bytes into slot %u", MESSAGE - i, i);
    }
    uint32_t size;
    cr_assert_eq(queue_pop_front(q, msg, sizeof msg, &size, 0), WAIT_OBJECT_0);
    HANDLE ring;
    const uint8_t *view = qt_map_ring(name, FILE_MAP_READ, &ring);
    cr_assert_not_null(view,
                       "%s:ring does not exist: the queue must use the objects named in the "
                       "handout",
                       name);
    const struct qt_ring_header *h = (const void *)view;
    cr_assert(h->magic == 0x51554555 && h->capacity == CAPACITY && h->message_size == MESSAGE &&
                  h->slot_size == SLOT,
              "the header of %s:ring holds magic %#lx, capacity %u, message size %u, slot size %u: "
              "expected %#x, %u, %u, %u (the handout's layout)",
              name, (unsigned long)h->magic, h->capacity, h->message_size, h->slot_size,
              0x51554555u, CAPACITY, MESSAGE, SLOT);
    cr_assert(h->pushed == CAPACITY && h->popped == 1,
              "after %u pushes and a pop the header counts %lld pushed, %lld popped", CAPACITY,
              (long long)h->pushed, (long long)h->popped);
    for (uint32_t i = 0; i < CAPACITY; i++) {
        const uint8_t *slot = view + HEADER + (size_t)i * SLOT;
        DWORD length;
        memcpy(&length, slot, sizeof length);
        cr_assert_eq(length, MESSAGE - i,
                     "slot %u (at byte %u of the ring) holds the length %u, expected %u", i,
                     HEADER + i * SLOT, (unsigned)length, MESSAGE - i);
        cr_assert(slot[4] == 'a' + i && slot[4 + length - 1] == 'a' + i,
                  "slot %u: its message does not start at byte 4 of the slot", i);
    }
    UnmapViewOfFile(view);
    CloseHandle(ring);
    queue_destroy(q);
}

Test(basics, open_with_other_geometry_fails)
{
    char name[96];
    wst_name(name, sizeof name, "q05-geometry");
    queue_t *q = queue_initialize(name, 8, 32);
    cr_assert_not_null(q);
    cr_assert_eq(qt_push_u32(q, 7, 0), WAIT_OBJECT_0);
    SetLastError(0);
    cr_assert_null(queue_initialize(name, 9, 32), "opening with another capacity must fail");
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    cr_assert_null(queue_initialize(name, 8, 31), "opening with another message size must fail");
    cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER);
    queue_t *same = queue_initialize(name, 8, 32);
    cr_assert_not_null(same, "opening with the same geometry works (error %u)",
                       (unsigned)GetLastError());
    uint32_t value;
    cr_assert_eq(qt_pop_u32(same, &value, 0), WAIT_OBJECT_0, "both handles see one queue");
    cr_assert_eq(value, 7u);
    queue_destroy(same);
    queue_destroy(q);
}
