/*
 * Full tables. Limits are fixed when a namespace is created, so each case runs in a
 * forked child that sets WINSYNC_NAMESPACE (fresh) and WINSYNC_MAX_* before its first
 * winsync call. The test process itself never calls winsync before forking.
 */
#include "rt.h"

TestSuite(limits, .timeout = RT_TIMEOUT);

struct limit_case {
    char ns[128];
    const char *objects, *handles, *threads, *processes; /* NULL: default */
    int (*body)(void);
};

static int run_case(void *arg)
{
    struct limit_case *c = arg;
    setenv("WINSYNC_NAMESPACE", c->ns, 1);
    if (c->objects)
        setenv("WINSYNC_MAX_OBJECTS", c->objects, 1);
    if (c->handles)
        setenv("WINSYNC_MAX_HANDLES", c->handles, 1);
    if (c->threads)
        setenv("WINSYNC_MAX_THREADS", c->threads, 1);
    if (c->processes)
        setenv("WINSYNC_MAX_PROCESSES", c->processes, 1);
    return c->body();
}

static void run_limit_case(struct limit_case *c)
{
    rt_fresh_namespace(c->ns, sizeof c->ns, "limits");
    pid_t pid = wst_spawn(run_case, c);
    int status = wst_reap(pid, 20000);
    rt_remove_namespace(c->ns);
    cr_assert_eq(status, 0, "the child ended with status %d", status);
}

#define MAX_TRIES 4096

static int fill_object_table(void)
{
    static HANDLE h[MAX_TRIES];
    int n = 0;
    while (n < MAX_TRIES && (h[n] = CreateEventA(NULL, TRUE, FALSE, NULL)) != NULL)
        n++;
    CHILD_CHECK(n > 0 && n <= 16);
    CHILD_CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
    /* Every other kind of object fails the same way, and leaves no name behind. */
    char name[96];
    wst_name(name, sizeof name, "full");
    SetLastError(0);
    CHILD_CHECK(CreateMutexA(NULL, FALSE, name) == NULL);
    CHILD_CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
    SetLastError(0);
    CHILD_CHECK(CreateSemaphoreA(NULL, 0, 1, NULL) == NULL);
    CHILD_CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
    SetLastError(0);
    CHILD_CHECK(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL) ==
                NULL);
    CHILD_CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
    /* The objects that exist are intact. */
    CHILD_CHECK(SetEvent(h[0]));
    CHILD_CHECK(WaitForSingleObject(h[0], 0) == WAIT_OBJECT_0);
    CHILD_CHECK(WaitForSingleObject(h[n - 1], 0) == WAIT_TIMEOUT);
    /* Freeing one makes room for exactly one. */
    CHILD_CHECK(CloseHandle(h[1 % n]));
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    CHILD_CHECK(m != NULL);
    CHILD_CHECK(GetLastError() == 0);
    CHILD_CHECK(CreateEventA(NULL, TRUE, FALSE, NULL) == NULL);
    return 0;
}

Test(limits, a_full_object_table_fails_creates_with_not_enough_memory)
{
    struct limit_case c = {.objects = "16", .body = fill_object_table};
    run_limit_case(&c);
}

static int fill_handle_table(void)
{
    static HANDLE h[MAX_TRIES];
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHILD_CHECK(ev != NULL);
    int n = 0;
    while (n < MAX_TRIES && DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &h[n], 0,
                                            FALSE, DUPLICATE_SAME_ACCESS))
        n++;
    CHILD_CHECK(n > 0 && n < 16);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    /* Creates and opens fail too, many times: none of them may leak an object, or the
     * object table (128) would fill up below. */
    for (int i = 0; i < 300; i++) {
        SetLastError(0);
        CHILD_CHECK(CreateEventA(NULL, TRUE, FALSE, NULL) == NULL);
        CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    }
    CHILD_CHECK(SetEvent(h[n - 1]));
    CHILD_CHECK(WaitForSingleObject(ev, 0) == WAIT_OBJECT_0);
    for (int i = 0; i < n; i++)
        CHILD_CHECK(CloseHandle(h[i]));
    int created = 0;
    while (created < n && (h[created] = CreateSemaphoreA(NULL, 0, 1, NULL)) != NULL)
        created++;
    CHILD_CHECK(created == n);
    return 0;
}

Test(limits, a_full_handle_table_fails_with_no_system_resources_and_leaks_nothing)
{
    struct limit_case c = {.objects = "128", .handles = "16", .body = fill_handle_table};
    run_limit_case(&c);
}

static DWORD WINAPI park(LPVOID arg)
{
    return WaitForSingleObject(arg, INFINITE);
}

static int fill_thread_table(void)
{
    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE t[64];
    int n = 0;
    while (n < 64 && (t[n] = CreateThread(NULL, 0, park, go, 0, NULL)) != NULL)
        n++;
    DWORD err = GetLastError();
    CHILD_CHECK(n > 0 && n < 6);
    CHILD_CHECK(err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_NO_SYSTEM_RESOURCES);
    CHILD_CHECK(SetEvent(go));
    for (int i = 0; i < n; i++) {
        CHILD_CHECK(WaitForSingleObject(t[i], WST_LONG_MS) == WAIT_OBJECT_0);
        CHILD_CHECK(CloseHandle(t[i]));
    }
    /* The ended threads' records are free again. */
    for (int i = 0; i < n; i++) {
        t[i] = CreateThread(NULL, 0, park, go, 0, NULL);
        CHILD_CHECK(t[i] != NULL);
    }
    for (int i = 0; i < n; i++)
        CHILD_CHECK(WaitForSingleObject(t[i], WST_LONG_MS) == WAIT_OBJECT_0);
    return 0;
}

Test(limits, a_full_thread_table_fails_create_thread_and_recovers)
{
    struct limit_case c = {.threads = "6", .body = fill_thread_table};
    run_limit_case(&c);
}

/* The pipes between a limits child and its grandchildren. */
struct family {
    struct wst_pipe report; /* grandchildren -> child */
    struct wst_pipe hold;   /* child closes its write end to let them end */
};

/* Each grandchild makes one winsync call, reports '+' or its error, and waits to end. */
static int try_one_process(void *arg)
{
    struct family *f = arg;
    close(f->hold.wr); /* so that EOF comes when the child closes its copy */
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    DWORD err = GetLastError();
    char verdict = ev                                 ? '+'
                   : err == ERROR_NOT_ENOUGH_MEMORY   ? 'm'
                   : err == ERROR_NO_SYSTEM_RESOURCES ? 'r'
                                                      : '?';
    wst_send(&f->report, verdict);
    struct wst_pipe in = {f->hold.rd, -1};
    wst_recv(&in, WST_LONG_MS);
    return 0;
}

static int fill_process_table(void)
{
    CHILD_CHECK(CreateEventA(NULL, FALSE, FALSE, NULL) != NULL); /* this process counts */
    struct family f;
    CHILD_CHECK(wst_pipe_open(&f.report) == 0 && wst_pipe_open(&f.hold) == 0);
    pid_t pid[8];
    int ok = 0, refused = 0;
    for (int i = 0; i < 8; i++) {
        pid[i] = wst_spawn(try_one_process, &f);
        int r = wst_recv(&f.report, WST_LONG_MS);
        CHILD_CHECK(r == '+' || r == 'm' || r == 'r');
        if (r == '+')
            ok++;
        else
            refused++;
    }
    CHILD_CHECK(ok >= 1 && ok < 4);
    CHILD_CHECK(refused >= 5);
    wst_pipe_close(&f.hold); /* let them all end */
    for (int i = 0; i < 8; i++)
        CHILD_CHECK(wst_reap(pid[i], WST_LONG_MS) == 0);
    /* Their records are free again. */
    CHILD_CHECK(wst_pipe_open(&f.hold) == 0);
    pid_t again = wst_spawn(try_one_process, &f);
    CHILD_CHECK(wst_recv(&f.report, WST_LONG_MS) == '+');
    wst_pipe_close(&f.hold);
    CHILD_CHECK(wst_reap(again, WST_LONG_MS) == 0);
    return 0;
}

Test(limits, a_full_process_table_refuses_new_processes_cleanly)
{
    struct limit_case c = {.processes = "4", .body = fill_process_table};
    run_limit_case(&c);
}
