/*
 * Lab 05, public tests: the single-process contract of the queue.
 */
#include <criterion/criterion.h>

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

Test(basics, invalid_arguments)
{
    char name[96];
    wst_name(name, sizeof name, "q05-args");
    struct {
        const char *name;
        uint32_t capacity, message_size;
    } bad[] = {{NULL, 4, 8}, {"", 4, 8}, {name, 0, 8}, {name, 4, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        SetLastError(0);
        queue_t *q = queue_initialize(bad[i].name, bad[i].capacity, bad[i].message_size);
        cr_assert_null(q, "queue_initialize(%s%s%s, %u, %u) must fail", bad[i].name ? "\"" : "",
                       bad[i].name ? bad[i].name : "NULL", bad[i].name ? "\"" : "", bad[i].capacity,
                       bad[i].message_size);
        cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER, "case %zu: error %u", i,
                     (unsigned)GetLastError());
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
