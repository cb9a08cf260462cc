/*
 * Soak: for about 10 s, kill -9 random participants of a shared workload, then check
 * that every object is consistent and nobody is stuck.
 *
 * Workload: workers enter a critical section guarded by a mutex, via a wait-any on
 * {stop, mutex}. Inside, they update a counter in a file mapping and borrow one of the
 * semaphore's tokens and give it back. Every store is journalled, so whoever gets the
 * mutex WAIT_ABANDONED can tell exactly what the dead owner finished, repair it, and
 * count the semaphore's tokens (only the mutex owner touches them).
 */
#include "rt.h"

TestSuite(soak, .timeout = 90);

#define WORKERS 4
#define TOKENS 4
#define MAX_SLOTS 4096
#define SOAK_MS 10000

struct shared {
    volatile int64_t counter; /* incremented once per critical section */
    volatile int64_t orphans; /* increments whose tally the dead owner did not record */
    volatile int64_t violations;
    volatile int64_t abandoned; /* WAIT_ABANDONED seen */
    volatile int32_t holder;    /* slot + 1 of the owner inside, 0 outside */
    volatile int32_t step;      /* 1 while counter/tally are being updated */
    volatile int32_t slot;      /* whose update the journal describes */
    volatile int64_t counter_before, tally_before;
    volatile int64_t tally[MAX_SLOTS]; /* per-worker completed sections */
};

struct workload {
    HANDLE mapping, mutex, tokens, stop;
    int slot;
};

/* Count the semaphore's tokens (we own the mutex, so nobody else touches it) and put
 * back what a dead owner took. */
static void recount_tokens(struct shared *s, HANDLE tokens)
{
    LONG n = 0;
    while (n <= TOKENS && WaitForSingleObject(tokens, 0) == WAIT_OBJECT_0)
        n++;
    if (n > TOKENS)
        s->violations++;
    ReleaseSemaphore(tokens, TOKENS, NULL);
}

/* The dead owner may have stopped anywhere: finish the journal's bookkeeping. */
static void repair(struct shared *s, HANDLE tokens)
{
    s->abandoned++;
    if (s->step == 1) {
        int counted = s->counter == s->counter_before + 1;
        int tallied = s->tally[s->slot] == s->tally_before + 1;
        s->orphans += counted - tallied;
        s->step = 0;
    }
    s->holder = 0;
    recount_tokens(s, tokens);
}

static int critical_section(struct shared *s, struct workload *w, DWORD how)
{
    if (how == WAIT_ABANDONED_0 + 1)
        repair(s, w->tokens);
    else if (s->holder != 0)
        s->violations++; /* two owners at once */
    s->holder = w->slot + 1;

    s->counter_before = s->counter;
    s->tally_before = s->tally[w->slot];
    s->slot = w->slot;
    s->step = 1;
    s->counter = s->counter_before + 1;
    s->tally[w->slot] = s->tally_before + 1;
    s->step = 0;

    LONG previous = -1;
    if (WaitForSingleObject(w->tokens, 0) != WAIT_OBJECT_0)
        s->violations++;
    if (!ReleaseSemaphore(w->tokens, 1, &previous) || previous != TOKENS - 1)
        s->violations++;

    if (s->holder != w->slot + 1)
        s->violations++;
    s->holder = 0;
    CHILD_CHECK(ReleaseMutex(w->mutex));
    return 0;
}

static int worker(void *arg)
{
    struct workload *w = arg;
    struct shared *s = MapViewOfFile(w->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    CHILD_CHECK(s != NULL);
    HANDLE both[2] = {w->stop, w->mutex};
    for (;;) {
        DWORD r = WaitForMultipleObjects(2, both, FALSE, INFINITE);
        if (r == WAIT_OBJECT_0)
            return 0;
        CHILD_CHECK(r == WAIT_OBJECT_0 + 1 || r == WAIT_ABANDONED_0 + 1);
        CHILD_CHECK(critical_section(s, w, r) == 0);
    }
}

static pid_t start_worker(struct workload *w, int slot)
{
    w->slot = slot;
    pid_t pid = wst_spawn(worker, w);
    cr_assert_gt(pid, 0);
    return pid;
}

static int64_t tally_sum(struct shared *s, int slots)
{
    int64_t sum = 0;
    for (int i = 0; i < slots; i++)
        sum += s->tally[i];
    return sum;
}

Test(soak, killing_random_workers_leaves_every_object_consistent)
{
    struct workload w = {
        .mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                      sizeof(struct shared), NULL),
        .mutex = CreateMutexA(NULL, FALSE, NULL),
        .tokens = CreateSemaphoreA(NULL, TOKENS, TOKENS, NULL),
        .stop = CreateEventA(NULL, TRUE, FALSE, NULL),
    };
    cr_assert(w.mapping && w.mutex && w.tokens && w.stop);
    struct shared *s = MapViewOfFile(w.mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    cr_assert_not_null(s);

    pid_t pid[WORKERS];
    int slots = 0, kills = 0;
    for (int i = 0; i < WORKERS; i++)
        pid[i] = start_worker(&w, slots++);
    unsigned seed = (unsigned)getpid();
    long long end = wst_now_ms() + SOAK_MS;
    while (wst_now_ms() < end && slots < MAX_SLOTS) {
        usleep(1000 * (5 + rand_r(&seed) % 60));
        int victim = rand_r(&seed) % WORKERS;
        cr_assert_eq(kill(pid[victim], SIGKILL), 0);
        int status = wst_reap(pid[victim], WST_LONG_MS);
        cr_assert_eq(status, 128 + SIGKILL, "worker ended by itself (%d)", status);
        kills++;
        pid[victim] = start_worker(&w, slots++);
    }

    /* Nobody is stuck: the survivors still make progress... */
    int64_t seen = s->counter;
    long long deadline = wst_now_ms() + WST_LONG_MS;
    while (s->counter < seen + 100 && wst_now_ms() < deadline)
        usleep(1000);
    cr_assert_geq(s->counter, seen + 100, "no progress after the kills");
    /* ...and all end when told. */
    cr_assert(SetEvent(w.stop));
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(wst_reap(pid[i], WST_LONG_MS), 0, "worker %d stuck or failed", i);

    DWORD r = WaitForSingleObject(w.mutex, WST_LONG_MS);
    cr_assert(r == WAIT_OBJECT_0 || r == WAIT_ABANDONED, "mutex wait %#x", (unsigned)r);
    if (r == WAIT_ABANDONED)
        repair(s, w.tokens);
    cr_assert_eq(s->violations, 0, "mutual exclusion or token accounting broke");
    cr_assert_eq(s->holder, 0);
    cr_assert_eq(s->step, 0);
    cr_assert_eq(s->counter, tally_sum(s, slots) + s->orphans, "counter %lld, tallies %lld + %lld",
                 (long long)s->counter, (long long)tally_sum(s, slots), (long long)s->orphans);
    cr_assert_leq(s->abandoned, kills);
    recount_tokens(s, w.tokens);
    cr_assert_eq(s->violations, 0);
    for (int i = 0; i < TOKENS; i++)
        cr_assert_eq(WaitForSingleObject(w.tokens, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(w.tokens, 0), WAIT_TIMEOUT, "more tokens than created");
    cr_assert(ReleaseMutex(w.mutex));
    cr_assert_gt(kills, 20);
    cr_log_info("soak: %d kills, %lld sections, %lld abandoned", kills, (long long)s->counter,
                (long long)s->abandoned);
}
