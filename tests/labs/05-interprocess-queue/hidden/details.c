/*
 * Lab 05, hidden tests: waking many blocked processes, threads sharing one queue_t, sizes
 * and lifetimes.
 */
#include <criterion/criterion.h>

#include "../transfer.h"

TestSuite(details, .timeout = 30);

#define BLOCKED 5

struct blocked {
    char name[96];
    uint32_t value;         /* producers: what to push */
    DWORD timeout_ms;       /* the blocking call's timeout */
    struct wst_pipe report; /* 'r' when about to block, then a result byte */
};

/* Pop one value and report it as 'A' + value ('!' on failure). */
static int blocked_pop(void *arg)
{
    struct blocked *b = arg;
    queue_t *q = queue_initialize(b->name, 8, 8);
    if (q == NULL)
        return 1;
    wst_send(&b->report, 'r');
    uint32_t value = 0;
    DWORD r = qt_pop_u32(q, &value, b->timeout_ms);
    wst_send(&b->report, r == WAIT_OBJECT_0 && value < 26 ? (char)('A' + value) : '!');
    queue_destroy(q);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

Test(details, blocked_consumers_each_get_one)
{
    struct blocked b = {.timeout_ms = INFINITE};
    wst_name(b.name, sizeof b.name, "q05-consumers");
    cr_assert_eq(wst_pipe_open(&b.report), 0);
    queue_t *q = queue_initialize(b.name, 8, 8);
    cr_assert_not_null(q);
    pid_t pids[BLOCKED];
    for (int i = 0; i < BLOCKED; i++)
        pids[i] = wst_spawn(blocked_pop, &b);
    for (int i = 0; i < BLOCKED; i++)
        cr_assert_eq(wst_recv(&b.report, WST_LONG_MS), 'r');
    cr_assert_eq(wst_recv(&b.report, WST_QUIET_MS), -1, "a pop on an empty queue returned");
    for (uint32_t i = 0; i < BLOCKED; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0);
    int got[BLOCKED] = {0};
    for (int i = 0; i < BLOCKED; i++) {
        int c = wst_recv(&b.report, WST_LONG_MS);
        cr_assert(c >= 'A' && c < 'A' + BLOCKED,
                  "only %d of %d blocked consumers were released by %d pushes", i, BLOCKED,
                  BLOCKED);
        got[c - 'A']++;
    }
    for (int i = 0; i < BLOCKED; i++) {
        cr_assert_eq(got[i], 1, "message %d was received %d times", i, got[i]);
        cr_assert_eq(wst_reap(pids[i], WST_LONG_MS), 0);
    }
    queue_destroy(q);
}

static int blocked_push(void *arg)
{
    struct blocked *b = arg;
    queue_t *q = queue_initialize(b->name, 2, 8);
    if (q == NULL)
        return 1;
    wst_send(&b->report, 'r');
    DWORD r = qt_push_u32(q, b->value, INFINITE);
    wst_send(&b->report, r == WAIT_OBJECT_0 ? 'd' : '!');
    queue_destroy(q);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

Test(details, blocked_producers_all_released)
{
    struct blocked b = {.timeout_ms = INFINITE};
    wst_name(b.name, sizeof b.name, "q05-producers");
    cr_assert_eq(wst_pipe_open(&b.report), 0);
    queue_t *q = queue_initialize(b.name, 2, 8);
    cr_assert_not_null(q);
    cr_assert_eq(qt_push_u32(q, 100, 0), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, 101, 0), WAIT_OBJECT_0);
    pid_t pids[BLOCKED];
    for (int i = 0; i < BLOCKED; i++) {
        b.value = (uint32_t)i;
        pids[i] = wst_spawn(blocked_push, &b);
    }
    for (int i = 0; i < BLOCKED; i++)
        cr_assert_eq(wst_recv(&b.report, WST_LONG_MS), 'r');
    cr_assert_eq(wst_recv(&b.report, WST_QUIET_MS), -1, "a push into a full queue returned");
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 100u);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0);
    cr_assert_eq(value, 101u);
    int got[BLOCKED] = {0};
    for (int i = 0; i < BLOCKED; i++) {
        cr_assert_eq(qt_pop_u32(q, &value, WST_LONG_MS), WAIT_OBJECT_0,
                     "only %d of %d blocked producers got their message in", i, BLOCKED);
        cr_assert_lt(value, (uint32_t)BLOCKED);
        got[value]++;
    }
    for (int i = 0; i < BLOCKED; i++) {
        cr_assert_eq(got[i], 1, "producer %d's message arrived %d times", i, got[i]);
        cr_assert_eq(wst_recv(&b.report, WST_LONG_MS), 'd');
    }
    for (int i = 0; i < BLOCKED; i++)
        cr_assert_eq(wst_reap(pids[i], WST_LONG_MS), 0);
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
    queue_destroy(q);
}

Test(details, finite_wait_released_by_push)
{
    struct blocked b = {.timeout_ms = 20000};
    wst_name(b.name, sizeof b.name, "q05-finite");
    cr_assert_eq(wst_pipe_open(&b.report), 0);
    queue_t *q = queue_initialize(b.name, 8, 8);
    cr_assert_not_null(q);
    pid_t pid = wst_spawn(blocked_pop, &b);
    cr_assert_eq(wst_recv(&b.report, WST_LONG_MS), 'r');
    cr_assert_eq(wst_recv(&b.report, WST_QUIET_MS), -1, "a 20 s pop on an empty queue returned");
    cr_assert_eq(qt_push_u32(q, 7, 0), WAIT_OBJECT_0);
    cr_assert_eq(wst_recv(&b.report, WST_LONG_MS), 'A' + 7,
                 "a pop with a finite timeout was not released by a push");
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0);
    queue_destroy(q);
}

/* ---- Threads of one process sharing one queue_t ----------------------------------------- */

#define THREAD_MESSAGES 10000

struct thread_arg {
    queue_t *q;
    uint32_t id;
    uint8_t *seen; /* [producer * THREAD_MESSAGES + sequence] */
    uint32_t *invalid;
};

static DWORD WINAPI thread_producer(LPVOID arg)
{
    struct thread_arg *a = arg;
    uint8_t msg[48];
    for (uint32_t seq = 0; seq < THREAD_MESSAGES; seq++) {
        uint32_t size = qt_make(msg, sizeof msg, a->id, seq);
        if (queue_push_back(a->q, msg, size, INFINITE) != WAIT_OBJECT_0)
            return 1;
    }
    return 0;
}

static DWORD WINAPI thread_consumer(LPVOID arg)
{
    struct thread_arg *a = arg;
    uint8_t msg[48];
    for (;;) {
        uint32_t size = 0, producer, seq;
        if (queue_pop_front(a->q, msg, sizeof msg, &size, INFINITE) != WAIT_OBJECT_0)
            return 1;
        if (size == 4 && memcmp(msg, &(uint32_t){QT_STOP}, 4) == 0)
            return 0;
        if (!qt_valid(msg, size, sizeof msg, &producer, &seq) || producer >= 2 ||
            seq >= THREAD_MESSAGES)
            __atomic_fetch_add(a->invalid, 1, __ATOMIC_SEQ_CST);
        else
            __atomic_fetch_add(&a->seen[producer * THREAD_MESSAGES + seq], 1, __ATOMIC_SEQ_CST);
    }
}

Test(details, threads_share_one_queue, .timeout = 60)
{
    char name[96];
    queue_t *q = queue_initialize(wst_name(name, sizeof name, "q05-threads"), 4, 48);
    cr_assert_not_null(q);
    static uint8_t seen[2 * THREAD_MESSAGES];
    static uint32_t invalid;
    struct thread_arg args[4];
    HANDLE threads[4];
    for (uint32_t i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){q, i % 2, seen, &invalid};
        threads[i] =
            CreateThread(NULL, 0, i < 2 ? thread_producer : thread_consumer, &args[i], 0, NULL);
        cr_assert_not_null(threads[i], "CreateThread failed (error %u)", (unsigned)GetLastError());
    }
    cr_assert_eq(WaitForMultipleObjects(2, threads, TRUE, 45000), WAIT_OBJECT_0,
                 "the producer threads did not finish");
    cr_assert_eq(qt_push_u32(q, QT_STOP, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(qt_push_u32(q, QT_STOP, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_eq(WaitForMultipleObjects(2, threads + 2, TRUE, 45000), WAIT_OBJECT_0,
                 "the consumer threads did not finish");
    for (int i = 0; i < 4; i++) {
        DWORD code = 99;
        GetExitCodeThread(threads[i], &code);
        cr_assert_eq(code, 0u, "thread %d failed", i);
        CloseHandle(threads[i]);
    }
    cr_assert_eq(invalid, 0u, "%u torn or unknown messages", invalid);
    for (uint32_t i = 0; i < 2 * THREAD_MESSAGES; i++)
        cr_assert_eq(seen[i], 1, "message %u of producer %u arrived %u times", i % THREAD_MESSAGES,
                     i / THREAD_MESSAGES, seen[i]);
    queue_destroy(q);
}

/* ---- Sizes and arguments ----------------------------------------------------------------- */

Test(details, small_buffer_reports_size)
{
    char name[96];
    queue_t *q = queue_initialize(wst_name(name, sizeof name, "q05-size"), 2, 20);
    cr_assert_not_null(q);
    uint8_t msg[20], buf[20];
    for (int i = 0; i < 20; i++)
        msg[i] = (uint8_t)(i + 1);
    cr_assert_eq(queue_push_back(q, msg, 20, 0), WAIT_OBJECT_0, "a message of message_size");
    uint32_t size = 0;
    cr_assert_eq(queue_pop_front(q, buf, 5, &size, 0), WAIT_FAILED);
    cr_assert_eq(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    cr_assert_eq(size, 20u, "a too-small buffer must report the size needed in *size");
    cr_assert_eq(queue_pop_front(q, buf, 19, &size, 0), WAIT_FAILED, "twice in a row");
    cr_assert_eq(queue_pop_front(q, buf, 20, &size, 0), WAIT_OBJECT_0,
                 "a buffer of exactly the message's size fits");
    cr_assert_eq(size, 20u);
    cr_assert_arr_eq(buf, msg, 20);
    cr_assert_eq(queue_pop_front(q, buf, 20, &size, 0), WAIT_TIMEOUT);
    queue_destroy(q);
}

Test(details, sizes_that_do_not_fit_rejected)
{
    char name[96];
    wst_name(name, sizeof name, "q05-overflow");
    /* Products that overflow 32 bits (65536 * 65536 wraps to 0), a capacity beyond what a
     * semaphore can count, and mappings above 4 GiB. */
    const uint32_t bad[][2] = {{0x10000, 0x10000},
                               {0xFFFFFFFF, 0xFFFFFFFF},
                               {0x80000000, 1},
                               {1, 0xFFFFFFFF},
                               {0x40000000, 16}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        SetLastError(0);
        queue_t *q = queue_initialize(name, bad[i][0], bad[i][1]);
        cr_assert_null(q, "queue_initialize(capacity %u, message size %u) must fail", bad[i][0],
                       bad[i][1]);
        cr_assert_eq(GetLastError(), ERROR_INVALID_PARAMETER, "capacity %u, size %u: error %u",
                     bad[i][0], bad[i][1], (unsigned)GetLastError());
    }
    queue_t *q = queue_initialize(name, 1000, 1000);
    cr_assert_not_null(q, "a 1000 x 1000 queue is fine (error %u)", (unsigned)GetLastError());
    queue_destroy(q);
}

/* ---- Lifetime ------------------------------------------------------------------------- */

struct owner {
    char name[96];
    struct wst_pipe report, go;
};

/* Create the queue, push "hello", wait for the parent's go, then close and exit. */
static int create_then_leave(void *arg)
{
    struct owner *o = arg;
    queue_t *q = queue_initialize(o->name, 4, 16);
    if (q == NULL || queue_push_back(q, "hello", 6, 0) != WAIT_OBJECT_0)
        return 1;
    wst_send(&o->report, 'c');
    if (wst_recv(&o->go, WST_LONG_MS) != 'g')
        return 2;
    queue_destroy(q);
    return 0;
}

/* Open the queue, wait for the parent's go (the creator is gone by then), pop. */
static int open_then_pop(void *arg)
{
    struct owner *o = arg;
    queue_t *q = queue_initialize(o->name, 4, 16);
    if (q == NULL)
        return 1;
    wst_send(&o->report, 'o');
    if (wst_recv(&o->go, WST_LONG_MS) != 'g')
        return 2;
    char buf[16];
    uint32_t size = 0;
    DWORD r = queue_pop_front(q, buf, sizeof buf, &size, 0);
    queue_destroy(q);
    return r == WAIT_OBJECT_0 && size == 6 && strcmp(buf, "hello") == 0 ? 0 : 3;
}

Test(details, queue_lives_while_any_process_has_it_open)
{
    struct owner creator, opener;
    wst_name(creator.name, sizeof creator.name, "q05-lifetime");
    strcpy(opener.name, creator.name);
    cr_assert(wst_pipe_open(&creator.report) == 0 && wst_pipe_open(&creator.go) == 0);
    cr_assert(wst_pipe_open(&opener.report) == 0 && wst_pipe_open(&opener.go) == 0);
    /* The parent never opens the queue before both children have closed it. */
    pid_t first = wst_spawn(create_then_leave, &creator);
    cr_assert_eq(wst_recv(&creator.report, WST_LONG_MS), 'c', "the creator failed");
    pid_t second = wst_spawn(open_then_pop, &opener);
    cr_assert_eq(wst_recv(&opener.report, WST_LONG_MS), 'o', "the opener failed");
    wst_send(&creator.go, 'g');
    cr_assert_eq(wst_reap(first, WST_LONG_MS), 0);
    wst_send(&opener.go, 'g');
    int status = wst_reap(second, WST_LONG_MS);
    cr_assert_eq(status, 0, "the message was gone once its creator closed the queue (status %d)",
                 status);
    /* Nobody has it open now: the name is free for a queue of another shape. */
    queue_t *q = queue_initialize(creator.name, 2, 8);
    cr_assert_not_null(q, "after every process closed the queue, it must be gone (error %u)",
                       (unsigned)GetLastError());
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT, "a new queue starts empty");
    queue_destroy(q);
}
