/* kill -9 at any moment: abandonment, freed handles and names, nobody hangs. */
#include "rt.h"

TestSuite(death, .timeout = RT_TIMEOUT);

struct victim {
    HANDLE mutex;          /* taken, if not NULL */
    const char *name;      /* a named event created and held, if not NULL */
    struct rt_wait *wait;  /* a wait to block in, if not NULL */
    struct wst_pipe *told; /* gets 'v' once set up */
};

/* Sets up what it is asked to, reports, and then blocks until killed. */
static int victim_main(void *arg)
{
    struct victim *v = arg;
    if (v->mutex)
        CHILD_CHECK(WaitForSingleObject(v->mutex, 0) == WAIT_OBJECT_0);
    if (v->name)
        CHILD_CHECK(CreateEventA(NULL, TRUE, FALSE, v->name) != NULL && GetLastError() == 0);
    wst_send(v->told, 'v');
    if (v->wait)
        rt_do_wait(v->wait);
    else
        pause();
    return 1; /* never reached unless the wait returned */
}

static pid_t start_victim(struct victim *v)
{
    pid_t pid = wst_spawn(victim_main, v);
    cr_assert_gt(pid, 0);
    cr_assert_eq(wst_recv(v->told, WST_LONG_MS), 'v', "the victim did not set up");
    return pid;
}

static void kill_and_reap(pid_t pid)
{
    cr_assert_eq(kill(pid, SIGKILL), 0);
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 128 + SIGKILL);
}

Test(death, killing_a_mutex_owner_abandons_it_to_the_waiters_at_once)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    struct wst_pipe told, report, ready;
    rt_pipe(&told);
    rt_pipe(&report);
    rt_pipe(&ready);
    struct victim v = {.mutex = m, .told = &told};
    pid_t owner = start_victim(&v);
    HANDLE owner_process =
        OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)owner);
    cr_assert_not_null(owner_process);

    /* Waiters: one thread here, one other process. */
    struct rt_wait w = rt_wait_one(m, INFINITE, &report, &ready);
    pid_t waiter = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(waiter));
    struct rt_wait tw = rt_wait_one(m, INFINITE, &report, &ready);
    pthread_t t = rt_start_waiter_thread(&tw);
    rt_assert_blocked(&tw, rt_await_ready(&tw));

    long long killed_at = wst_now_ms();
    kill_and_reap(owner);
    /* Each waiter ends owning it and so abandons it to the next one. */
    cr_assert_eq(wst_recv(&report, 2000), rt_code(WAIT_ABANDONED),
                 "no WAIT_ABANDONED within 2 s of the kill");
    cr_assert_lt(wst_now_ms() - killed_at, 2000);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_ABANDONED));
    pthread_join(t, NULL);
    assert_child_ok(waiter);

    cr_assert_eq(WaitForSingleObject(owner_process, 0), WAIT_OBJECT_0);
    DWORD code = 0;
    cr_assert(GetExitCodeProcess(owner_process, &code));
    cr_assert_eq(code, 128 + SIGKILL);
    cr_assert_eq(WaitForSingleObject(m, WST_LONG_MS), WAIT_ABANDONED);
    cr_assert(ReleaseMutex(m));
}

Test(death, a_process_killed_in_a_wait_all_takes_nothing_and_blocks_nobody)
{
    char name[96];
    wst_name(name, sizeof name, "wait-all-victim");
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE sem = CreateSemaphoreA(NULL, 0, 5, NULL);
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    struct wst_pipe told, report, ready;
    rt_pipe(&told);
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait victim_wait = {.count = 3,
                                  .handles = {ev, sem, m},
                                  .wait_all = TRUE,
                                  .timeout = INFINITE,
                                  .report = &report};
    struct victim v = {.name = name, .wait = &victim_wait, .told = &told};
    pid_t victim = start_victim(&v);
    cr_assert(wst_await_blocked(victim));

    /* A second process waits for the same three objects. */
    struct rt_wait w = victim_wait;
    w.ready = &ready;
    pid_t survivor = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    cr_assert(wst_await_blocked(survivor));

    kill_and_reap(victim);
    /* Its named event is gone with it. */
    SetLastError(0);
    cr_assert_null(OpenEventA(SYNCHRONIZE, FALSE, name), "the dead process's name survived");
    assert_last_error(ERROR_FILE_NOT_FOUND);

    cr_assert(SetEvent(ev));
    cr_assert(ReleaseSemaphore(sem, 1, NULL));
    cr_assert(ReleaseMutex(m));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0, "the survivor was not satisfied");
    assert_child_ok(survivor);
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_TIMEOUT);
    /* The survivor exited owning it. */
    cr_assert_eq(WaitForSingleObject(m, WST_LONG_MS), WAIT_ABANDONED);
}

static HANDLE create_named(int kind, const char *name)
{
    switch (kind) {
    case 0:
        return CreateEventA(NULL, TRUE, FALSE, name);
    case 1:
        return CreateMutexA(NULL, TRUE, name);
    case 2:
        return CreateSemaphoreA(NULL, 1, 1, name);
    default:
        return CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    }
}

struct name_holder {
    int kind;
    const char *name;
    struct wst_pipe *told;
};

static int create_named_and_block(void *arg)
{
    struct name_holder *h = arg;
    CHILD_CHECK(create_named(h->kind, h->name) != NULL);
    CHILD_CHECK(GetLastError() == 0);
    wst_send(h->told, 'v');
    pause();
    return 1;
}

Test(death, killing_the_last_holder_of_a_name_frees_it)
{
    struct wst_pipe told;
    rt_pipe(&told);
    for (int kind = 0; kind < 4; kind++) {
        char name[96];
        wst_name(name, sizeof name, "last-holder");
        struct name_holder h = {kind, name, &told};
        pid_t pid = wst_spawn(create_named_and_block, &h);
        cr_assert_eq(wst_recv(&told, WST_LONG_MS), 'v');
        SetLastError(0);
        HANDLE ours = create_named(kind, name);
        cr_assert_not_null(ours);
        assert_last_error(ERROR_ALREADY_EXISTS);
        cr_assert(CloseHandle(ours)); /* the child's handle is now the last one */
        kill_and_reap(pid);
        SetLastError(1234);
        HANDLE fresh = create_named(kind, name);
        DWORD err = GetLastError();
        cr_assert_not_null(fresh, "kind %d", kind);
        cr_assert_eq(err, 0, "kind %d: the name outlived its last holder (GetLastError %u)", kind,
                     (unsigned)err);
        cr_assert(CloseHandle(fresh));
    }
}

struct busy {
    HANDLE ev, sem, mutex;
    struct wst_pipe *told;
    const char *ns; /* busy_in_namespace: the namespace to use */
};

static void *hammer(void *arg)
{
    struct busy *b = arg;
    char name[96];
    for (;;) {
        SetEvent(b->ev);
        WaitForSingleObject(b->ev, 0);
        ReleaseSemaphore(b->sem, 1, NULL);
        WaitForSingleObject(b->sem, 0);
        if (WaitForSingleObject(b->mutex, 0) != WAIT_TIMEOUT)
            ReleaseMutex(b->mutex);
        HANDLE named = CreateEventA(NULL, FALSE, FALSE, wst_name(name, sizeof name, "busy"));
        CloseHandle(named);
    }
    return NULL;
}

/* Two threads calling winsync in a loop, until killed. */
static int busy_main(void *arg)
{
    struct busy *b = arg;
    pthread_t t;
    pthread_create(&t, NULL, hammer, b);
    wst_send(b->told, 'v');
    hammer(b);
    return 1;
}

Test(death, a_process_killed_in_the_middle_of_calls_never_hangs_the_others, .timeout = 60)
{
    struct wst_pipe told;
    rt_pipe(&told);
    struct busy b = {CreateEventA(NULL, FALSE, FALSE, NULL), CreateSemaphoreA(NULL, 0, 1000, NULL),
                     CreateMutexA(NULL, FALSE, NULL), &told, NULL};
    unsigned seed = (unsigned)getpid();
    for (int round = 0; round < 20; round++) {
        pid_t pid = wst_spawn(busy_main, &b);
        cr_assert_eq(wst_recv(&told, WST_LONG_MS), 'v');
        usleep(1000 * (1 + rand_r(&seed) % 20));
        kill_and_reap(pid);
        /* Everything still works, at once. */
        cr_assert(SetEvent(b.ev), "round %d", round);
        cr_assert_eq(WaitForSingleObject(b.ev, WST_LONG_MS), WAIT_OBJECT_0);
        DWORD r = WaitForSingleObject(b.mutex, WST_LONG_MS);
        cr_assert(r == WAIT_OBJECT_0 || r == WAIT_ABANDONED, "round %d: mutex wait %#x", round,
                  (unsigned)r);
        cr_assert(ReleaseMutex(b.mutex));
        while (WaitForSingleObject(b.sem, 0) == WAIT_OBJECT_0)
            ;
        cr_assert(ReleaseSemaphore(b.sem, 1, NULL));
        cr_assert_eq(WaitForSingleObject(b.sem, 0), WAIT_OBJECT_0);
    }
}

static int busy_in_namespace(void *arg)
{
    struct busy *b = arg;
    setenv("WINSYNC_NAMESPACE", b->ns, 1);
    b->ev = CreateEventA(NULL, FALSE, FALSE, "shared-ev");
    b->sem = CreateSemaphoreA(NULL, 0, 1000, "shared-sem");
    b->mutex = CreateMutexA(NULL, FALSE, "shared-mutex");
    CHILD_CHECK(b->ev && b->sem && b->mutex);
    return busy_main(b);
}

static int use_recovered_namespace(void *arg)
{
    setenv("WINSYNC_NAMESPACE", arg, 1);
    HANDLE m = CreateMutexA(NULL, FALSE, "shared-mutex");
    CHILD_CHECK(m != NULL);
    CHILD_CHECK(GetLastError() == 0); /* the dead process's objects are gone */
    CHILD_CHECK(WaitForSingleObject(m, 1000) == WAIT_OBJECT_0);
    HANDLE ev = CreateEventA(NULL, FALSE, TRUE, "shared-ev");
    CHILD_CHECK(ev != NULL && GetLastError() == 0);
    CHILD_CHECK(WaitForSingleObject(ev, 1000) == WAIT_OBJECT_0);
    return 0;
}

Test(death, a_namespace_whose_processes_all_died_is_recovered, .timeout = 60)
{
    char ns[128];
    rt_fresh_namespace(ns, sizeof ns, "recover");
    struct wst_pipe told;
    rt_pipe(&told);
    unsigned seed = (unsigned)getpid();
    for (int round = 0; round < 8; round++) {
        struct busy b = {NULL, NULL, NULL, &told, ns};
        pid_t pid = wst_spawn(busy_in_namespace, &b);
        cr_assert_eq(wst_recv(&told, WST_LONG_MS), 'v', "round %d: the busy child failed", round);
        usleep(1000 * (1 + rand_r(&seed) % 20));
        kill_and_reap(pid);
        int status = wst_reap(wst_spawn(use_recovered_namespace, ns), WST_LONG_MS);
        cr_assert_eq(status, 0, "round %d: the namespace was not recovered (%d)", round, status);
    }
    rt_remove_namespace(ns);
}
