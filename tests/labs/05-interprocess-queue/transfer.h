/*
 * transfer.h - producer and consumer PROCESSES moving self-checking messages through one
 * queue; the parent then checks that every message arrived exactly once, intact, and in each
 * producer's order. Used by the public 2x2 test and the hidden 4x4 test.
 */
#ifndef TRANSFER_H
#define TRANSFER_H

#include <criterion/criterion.h>

#include "queue_test.h"

#define QT_MAX_PRODUCERS 8
#define QT_STOP 0xFFFFFFFFu /* a 4-byte message telling one consumer to stop */

struct qt_transfer {
    /* Set by the test. */
    const char *name;
    uint32_t capacity, message_size;
    uint32_t producers, consumers, per_producer;
    /* Results, in memory shared with the children. */
    uint8_t *seen;     /* [producer * per_producer + sequence]: times popped */
    uint32_t *invalid; /* messages that were torn, unknown or out of producer order */
    int producer_status[QT_MAX_PRODUCERS];
    int consumer_status[QT_MAX_PRODUCERS];
    int stop_status; /* queue_push_back result for the stop messages */
};

struct qt_child {
    struct qt_transfer *t;
    uint32_t id;
};

static inline int qt_producer(void *arg)
{
    const struct qt_child *c = arg;
    const struct qt_transfer *t = c->t;
    queue_t *q = queue_initialize(t->name, t->capacity, t->message_size);
    if (q == NULL)
        return 2;
    uint8_t msg[1024];
    for (uint32_t seq = 0; seq < t->per_producer; seq++) {
        uint32_t size = qt_make(msg, t->message_size, c->id, seq);
        if (queue_push_back(q, msg, size, INFINITE) != WAIT_OBJECT_0)
            return 3;
    }
    queue_destroy(q);
    return 0;
}

static inline int qt_consumer(void *arg)
{
    const struct qt_child *c = arg;
    const struct qt_transfer *t = c->t;
    queue_t *q = queue_initialize(t->name, t->capacity, t->message_size);
    if (q == NULL)
        return 2;
    int64_t last[QT_MAX_PRODUCERS];
    for (int i = 0; i < QT_MAX_PRODUCERS; i++)
        last[i] = -1;
    uint8_t msg[1024];
    for (;;) {
        uint32_t size = 0, producer, seq;
        if (queue_pop_front(q, msg, sizeof msg, &size, INFINITE) != WAIT_OBJECT_0)
            return 3;
        if (size == 4 && memcmp(msg, &(uint32_t){QT_STOP}, 4) == 0)
            break;
        if (!qt_valid(msg, size, t->message_size, &producer, &seq) || producer >= t->producers ||
            seq >= t->per_producer || (int64_t)seq <= last[producer]) {
            __atomic_fetch_add(t->invalid, 1, __ATOMIC_SEQ_CST);
            continue;
        }
        last[producer] = seq; /* FIFO: one consumer sees each producer's messages in order */
        __atomic_fetch_add(&t->seen[producer * t->per_producer + seq], 1, __ATOMIC_SEQ_CST);
    }
    queue_destroy(q);
    return 0;
}

/* Run the transfer; false if the shared memory could not be set up. reap_ms bounds each
 * group of children. */
static inline bool qt_run_transfer(struct qt_transfer *t, int reap_ms)
{
    size_t messages = (size_t)t->producers * t->per_producer;
    t->seen = qt_shared(messages);
    t->invalid = qt_shared(sizeof *t->invalid);
    if (t->seen == NULL || t->invalid == NULL || t->producers > QT_MAX_PRODUCERS ||
        t->consumers > QT_MAX_PRODUCERS)
        return false;
    queue_t *q = queue_initialize(t->name, t->capacity, t->message_size);
    if (q == NULL)
        return false;
    struct qt_child producers[QT_MAX_PRODUCERS], consumers[QT_MAX_PRODUCERS];
    pid_t producer_pids[QT_MAX_PRODUCERS], consumer_pids[QT_MAX_PRODUCERS];
    for (uint32_t i = 0; i < t->consumers; i++) {
        consumers[i] = (struct qt_child){t, i};
        consumer_pids[i] = wst_spawn(qt_consumer, &consumers[i]);
    }
    for (uint32_t i = 0; i < t->producers; i++) {
        producers[i] = (struct qt_child){t, i};
        producer_pids[i] = wst_spawn(qt_producer, &producers[i]);
    }
    for (uint32_t i = 0; i < t->producers; i++)
        t->producer_status[i] = wst_reap(producer_pids[i], reap_ms);
    t->stop_status = WAIT_OBJECT_0;
    for (uint32_t i = 0; i < t->consumers; i++) {
        DWORD r = qt_push_u32(q, QT_STOP, WST_LONG_MS);
        if (r != WAIT_OBJECT_0)
            t->stop_status = (int)r;
    }
    for (uint32_t i = 0; i < t->consumers; i++)
        t->consumer_status[i] = wst_reap(consumer_pids[i], reap_ms);
    queue_destroy(q);
    return true;
}

/* How many messages were popped n times (n = 0, 1, or 2 and more). */
static inline void qt_count_seen(const struct qt_transfer *t, size_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < (size_t)t->producers * t->per_producer; i++)
        counts[t->seen[i] < 2 ? t->seen[i] : 2]++;
}

/* In the parent, after qt_run_transfer: every child ended well and every message arrived
 * exactly once, intact and in its producer's order. */
static inline void qt_assert_transfer_ok(const struct qt_transfer *t)
{
    for (uint32_t i = 0; i < t->producers; i++)
        cr_assert_eq(t->producer_status[i], 0, "producer %u ended with %d", i,
                     t->producer_status[i]);
    cr_assert_eq(t->stop_status, (int)WAIT_OBJECT_0, "pushing the stop messages failed");
    for (uint32_t i = 0; i < t->consumers; i++)
        cr_assert_eq(t->consumer_status[i], 0, "consumer %u ended with %d", i,
                     t->consumer_status[i]);
    size_t counts[3];
    qt_count_seen(t, counts);
    cr_assert_eq(*t->invalid, 0u, "%u messages were torn, unknown or out of order", *t->invalid);
    cr_assert_eq(counts[0], 0u, "%zu of %zu messages were lost", counts[0],
                 (size_t)t->producers * t->per_producer);
    cr_assert_eq(counts[2], 0u, "%zu messages were delivered twice", counts[2]);
}

#endif /* TRANSFER_H */
