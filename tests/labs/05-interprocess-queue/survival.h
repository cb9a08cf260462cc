/*
 * survival.h - racing creators and kill -9 of random producers and consumers, shared by the
 * public tests (a few rounds and kills, so that Steps 2 and 6 can be checked at home) and the
 * hidden ones (many). Only the parent asserts.
 */
#ifndef SURVIVAL_H
#define SURVIVAL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>

#include "transfer.h"

#define RACERS 8

struct racer {
    char name[96];
    uint32_t id;
    struct wst_pipe go, done, report;
};

static inline int race_to_create(void *arg)
{
    struct racer *r = arg;
    close(r->go.wr);
    close(r->done.wr);
    qt_wait_closed(r->go.rd); /* every racer starts when the parent closes its end */
    queue_t *q = queue_initialize(r->name, 16, 8);
    if (q == NULL) {
        wst_send(&r->report, 'i');
        return 1;
    }
    if (qt_push_u32(q, r->id, WST_LONG_MS) != WAIT_OBJECT_0) {
        wst_send(&r->report, 'u');
        return 2;
    }
    wst_send(&r->report, 'p');
    qt_wait_closed(r->done.rd); /* keep the queue open until the parent has looked */
    queue_destroy(q);
    return 0;
}

/* `rounds` times: RACERS processes create the same queue at once and each pushes one message;
 * all of them must end up in one queue. */
static inline void qt_create_race(int rounds)
{
    for (int round = 0; round < rounds; round++) {
        struct racer racers[RACERS];
        pid_t pids[RACERS];
        char name[96];
        wst_name(name, sizeof name, "q05-race");
        struct wst_pipe go, done, report;
        cr_assert(wst_pipe_open(&go) == 0 && wst_pipe_open(&done) == 0 &&
                  wst_pipe_open(&report) == 0);
        for (uint32_t i = 0; i < RACERS; i++) {
            racers[i] = (struct racer){.id = i, .go = go, .done = done, .report = report};
            strcpy(racers[i].name, name);
            pids[i] = wst_spawn(race_to_create, &racers[i]);
        }
        close(go.wr);
        int pushed = 0, failed = 0, init_failed = 0, push_failed = 0;
        for (int i = 0; i < RACERS; i++) {
            int c = wst_recv(&report, WST_LONG_MS);
            pushed += c == 'p';
            failed += c != 'p';
            init_failed += c == 'i';
            push_failed += c == 'u';
        }
        /* Every racer holds the queue open: look at it, then let them go. */
        uint32_t seen[RACERS] = {0}, unknown = 0, extra = 0;
        queue_t *q = queue_initialize(name, 16, 8);
        if (q != NULL) {
            uint32_t value;
            for (int i = 0; i < pushed; i++) {
                if (qt_pop_u32(q, &value, 0) != WAIT_OBJECT_0)
                    break;
                if (value < RACERS)
                    seen[value]++;
                else
                    unknown++;
            }
            while (qt_pop_u32(q, &value, 0) == WAIT_OBJECT_0)
                extra++;
            queue_destroy(q);
        }
        close(done.wr);
        int bad_exits = 0, last_status = 0;
        for (int i = 0; i < RACERS; i++) {
            int status = wst_reap(pids[i], WST_LONG_MS);
            bad_exits += status != 0;
            last_status = status != 0 ? status : last_status;
        }
        close(go.rd);
        close(done.rd);
        wst_pipe_close(&report);

        cr_assert_eq(failed, 0,
                     "round %d: %d of %d racing processes failed (%d in queue_initialize, %d in "
                     "the push, the rest did not report within %d ms)",
                     round, failed, RACERS, init_failed, push_failed, WST_LONG_MS);
        cr_assert_not_null(q, "round %d: the raced queue could not be opened", round);
        for (int i = 0; i < RACERS; i++)
            cr_assert_eq(seen[i], 1u,
                         "round %d: racer %d's message was seen %u times: the racers did not "
                         "all end up in one queue",
                         round, i, seen[i]);
        cr_assert_eq(unknown + extra, 0u, "round %d: messages nobody pushed", round);
        cr_assert_eq(bad_exits, 0, "round %d: %d racers failed (exit status %d)", round, bad_exits,
                     last_status);
    }
}

#define CHURN_CAPACITY 8
#define CHURN_MESSAGE 32
#define CHURN_WORKERS 6 /* the first half produce, the rest consume */
#define CHURN_INCARNATIONS 64
#define CHURN_SEQUENCE 20000

struct churn {
    char name[96];
    uint32_t stop;
    uint32_t invalid;                    /* torn, unknown or out-of-order messages */
    uint32_t errors;                     /* a push or pop that failed */
    uint32_t error;                      /* GetLastError() of the last one */
    uint32_t pushed[CHURN_INCARNATIONS]; /* pushes each producer saw succeed */
    char phase[CHURN_WORKERS];           /* where each worker is: see churn_phase() */
    uint8_t seen[CHURN_INCARNATIONS][CHURN_SEQUENCE];
};

struct churn_worker {
    struct churn *shared;
    uint32_t incarnation; /* producers: which row of seen[] is theirs */
    int slot;             /* its index among the workers */
};

/* Where a worker is, for the message when one does not end: 'i' in queue_initialize, 'w'
 * working, 's' waiting for the stop, 'd' in queue_destroy, 'e' ended. */
static inline void churn_phase(const struct churn_worker *w, char phase)
{
    __atomic_store_n(&w->shared->phase[w->slot], phase, __ATOMIC_SEQ_CST);
}

static inline bool churn_stopping(const struct churn *c)
{
    return __atomic_load_n(&c->stop, __ATOMIC_SEQ_CST) != 0;
}

static inline int churn_producer(void *arg)
{
    const struct churn_worker *w = arg;
    struct churn *c = w->shared;
    churn_phase(w, 'i');
    queue_t *q = queue_initialize(c->name, CHURN_CAPACITY, CHURN_MESSAGE);
    if (q == NULL)
        return 2;
    churn_phase(w, 'w');
    uint8_t msg[CHURN_MESSAGE];
    for (uint32_t seq = 0; seq < CHURN_SEQUENCE && !churn_stopping(c); seq++) {
        uint32_t size = qt_make(msg, CHURN_MESSAGE, w->incarnation, seq);
        DWORD r;
        while ((r = queue_push_back(q, msg, size, 50)) == WAIT_TIMEOUT && !churn_stopping(c))
            ;
        if (r == WAIT_TIMEOUT)
            break;
        if (r != WAIT_OBJECT_0) {
            __atomic_store_n(&c->error, (uint32_t)GetLastError(), __ATOMIC_SEQ_CST);
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_SEQ_CST);
            return 3;
        }
        __atomic_store_n(&c->pushed[w->incarnation], seq + 1, __ATOMIC_SEQ_CST);
    }
    churn_phase(w, 's');
    while (!churn_stopping(c))
        usleep(1000);
    churn_phase(w, 'd');
    queue_destroy(q);
    churn_phase(w, 'e');
    return 0;
}

static inline int churn_consumer(void *arg)
{
    const struct churn_worker *w = arg;
    struct churn *c = w->shared;
    churn_phase(w, 'i');
    queue_t *q = queue_initialize(c->name, CHURN_CAPACITY, CHURN_MESSAGE);
    if (q == NULL)
        return 2;
    churn_phase(w, 'w');
    int64_t last[CHURN_INCARNATIONS];
    for (int i = 0; i < CHURN_INCARNATIONS; i++)
        last[i] = -1;
    uint8_t msg[CHURN_MESSAGE];
    for (;;) {
        uint32_t size = 0, producer, seq;
        DWORD r = queue_pop_front(q, msg, sizeof msg, &size, 50);
        if (r == WAIT_TIMEOUT) {
            if (churn_stopping(c))
                break;
            continue;
        }
        if (r != WAIT_OBJECT_0) {
            __atomic_store_n(&c->error, (uint32_t)GetLastError(), __ATOMIC_SEQ_CST);
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_SEQ_CST);
            return 3;
        }
        if (!qt_valid(msg, size, CHURN_MESSAGE, &producer, &seq) ||
            producer >= CHURN_INCARNATIONS || seq >= CHURN_SEQUENCE ||
            (int64_t)seq <= last[producer]) {
            __atomic_fetch_add(&c->invalid, 1, __ATOMIC_SEQ_CST);
            continue;
        }
        last[producer] = seq;
        __atomic_fetch_add(&c->seen[producer][seq], 1, __ATOMIC_SEQ_CST);
    }
    churn_phase(w, 'd');
    queue_destroy(q);
    churn_phase(w, 'e');
    return 0;
}

/* Killing processes at random points is also a test of the runtime; run it in a private
 * namespace so that a runtime failure there cannot take the tests running beside it down. */
static char qt_private_namespace[32];

static inline void qt_use_private_namespace(void)
{
    snprintf(qt_private_namespace, sizeof qt_private_namespace, "k9-%ld", (long)getpid());
    setenv("WINSYNC_NAMESPACE", qt_private_namespace, 1); /* before this process's first call */
}

static inline void qt_remove_private_namespace(void)
{
    /* The segment "winsync-<uid>-<namespace>" and its mappings' "<segment>-m<serial>". */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "winsync-%u-%s", (unsigned)getuid(), qt_private_namespace);
    DIR *shm = opendir("/dev/shm");
    if (shm == NULL)
        return;
    for (struct dirent *e; (e = readdir(shm)) != NULL;) {
        size_t n = strlen(prefix);
        if (strncmp(e->d_name, prefix, n) == 0 && (e->d_name[n] == '\0' || e->d_name[n] == '-'))
            unlinkat(dirfd(shm), e->d_name, 0);
    }
    closedir(shm);
}

/* 3 producer and 3 consumer processes; `kills` times, a random one is killed with SIGKILL and
 * replaced. Then: nothing delivered twice or torn, no more lost than consumers killed, and
 * exactly CHURN_CAPACITY messages fit. Run it in qt_use_private_namespace(). */
static inline void qt_kill9_churn(int kills)
{
    struct churn *c = qt_shared(sizeof *c);
    cr_assert_not_null(c);
    wst_name(c->name, sizeof c->name, "q05-kill9");
    /* The parent holds the queue open for the whole test. */
    queue_t *q = queue_initialize(c->name, CHURN_CAPACITY, CHURN_MESSAGE);
    cr_assert_not_null(q);
    srand((unsigned)(time(NULL) ^ getpid()));

    struct churn_worker workers[CHURN_WORKERS];
    pid_t pids[CHURN_WORKERS];
    uint32_t incarnations = 0, consumer_kills = 0;
    for (int i = 0; i < CHURN_WORKERS; i++) {
        bool producer = i < CHURN_WORKERS / 2;
        workers[i] = (struct churn_worker){c, producer ? incarnations++ : 0, i};
        pids[i] = wst_spawn(producer ? churn_producer : churn_consumer, &workers[i]);
    }
    for (int k = 0; k < kills; k++) {
        usleep(2000 + rand() % 15000); /* not ordering: a random point in push or pop */
        int victim = rand() % CHURN_WORKERS;
        bool producer = victim < CHURN_WORKERS / 2;
        if (producer && incarnations == CHURN_INCARNATIONS)
            continue;
        kill(pids[victim], SIGKILL);
        waitpid(pids[victim], NULL, 0);
        if (producer)
            workers[victim].incarnation = incarnations++;
        else
            consumer_kills++;
        pids[victim] = wst_spawn(producer ? churn_producer : churn_consumer, &workers[victim]);
    }
    __atomic_store_n(&c->stop, 1, __ATOMIC_SEQ_CST);
    int bad_exits = 0, bad = 0, bad_status = 0;
    for (int i = 0; i < CHURN_WORKERS; i++) {
        int status = wst_reap(pids[i], WST_LONG_MS);
        if (status != 0) {
            bad_exits++;
            bad = i;
            bad_status = status;
        }
    }

    /* What is left in the queue counts as delivered. */
    uint8_t msg[CHURN_MESSAGE];
    uint32_t size, producer, seq, drained = 0;
    DWORD r;
    while ((r = queue_pop_front(q, msg, sizeof msg, &size, 0)) == WAIT_OBJECT_0 &&
           drained <= CHURN_CAPACITY) {
        drained++;
        if (qt_valid(msg, size, CHURN_MESSAGE, &producer, &seq) && producer < CHURN_INCARNATIONS &&
            seq < CHURN_SEQUENCE)
            c->seen[producer][seq]++;
        else
            c->invalid++;
    }
    cr_assert_eq(bad_exits, 0,
                 "%d workers failed or hung after the kills (%u push/pop errors); worker %d (a %s) "
                 "ended with status %d (-1: still running %d ms after the stop) in phase '%c' "
                 "(i: queue_initialize, w: working, s: stopping, d: queue_destroy, e: ended)",
                 bad_exits, c->errors, bad, bad < CHURN_WORKERS / 2 ? "producer" : "consumer",
                 bad_status, WST_LONG_MS, c->phase[bad]);
    cr_assert_eq(c->errors, 0u, "%u pushes or pops failed during the kills (last error %u)",
                 c->errors, c->error);
    cr_assert_eq(r, WAIT_TIMEOUT, "draining the queue after the kills: %u (error %u)", r,
                 (unsigned)GetLastError());
    cr_assert_leq(drained, CHURN_CAPACITY, "more than `capacity` messages were queued");
    cr_assert_eq(c->invalid, 0u, "%u messages were torn, unknown or out of order", c->invalid);

    uint32_t lost = 0, total = 0;
    for (uint32_t p = 0; p < incarnations; p++) {
        uint32_t pushed = c->pushed[p];
        total += pushed;
        for (uint32_t s = 0; s < CHURN_SEQUENCE; s++) {
            /* A producer killed inside a push may have committed one message it never counted. */
            uint32_t most = s <= pushed ? 1 : 0;
            cr_assert_leq(c->seen[p][s], most,
                          "producer %u's message %u was delivered %u times (it counted %u pushes)",
                          p, s, c->seen[p][s], pushed);
            lost += s < pushed && c->seen[p][s] == 0;
        }
    }
    cr_assert_leq(lost, consumer_kills,
                  "%u messages lost, but only %u consumers were killed (a message may be lost "
                  "only by the process popping it)",
                  lost, consumer_kills);
    cr_assert_gt(total, 0u, "nothing moved");

    /* The invariant after all that: exactly `capacity` messages fit, FIFO, nothing stuck. */
    for (uint32_t i = 0; i < CHURN_CAPACITY; i++)
        cr_assert_eq(qt_push_u32(q, i, 0), WAIT_OBJECT_0,
                     "after the kills only %u of %u messages fit", i, CHURN_CAPACITY);
    cr_assert_eq(qt_push_u32(q, 99, 0), WAIT_TIMEOUT, "after the kills capacity + 1 fit");
    for (uint32_t i = 0; i < CHURN_CAPACITY; i++) {
        uint32_t value = 99;
        cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_OBJECT_0, "after the kills: pop %u", i);
        cr_assert_eq(value, i);
    }
    uint32_t value;
    cr_assert_eq(qt_pop_u32(q, &value, 0), WAIT_TIMEOUT);
    queue_destroy(q);
}

#endif /* SURVIVAL_H */
