/*
 * rt.h - helpers shared by the runtime suites (tests/runtime).
 *
 * Waiters run in a thread or a forked child, report their wait's result as one byte
 * through a pipe (rt_code) and never assert. "Blocked" is shown by the waiter's
 * thread sleeping in a futex call (wst_await_blocked) and by the absence of a report
 * for WST_QUIET_MS; only then do tests signal.
 */
#ifndef RT_H
#define RT_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <windows.h>

#include "wstest.h"

/* Every test declares this (or a longer) timeout, in seconds. */
#define RT_TIMEOUT 30

/* For code running in a child or helper thread: report the failed check and return 1. */
#define CHILD_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: child check failed: %s (GetLastError %u)\n", __FILE__,         \
                    __LINE__, #cond, (unsigned)GetLastError());                                    \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* In the parent: the last error must be `expected`. */
#define assert_last_error(expected)                                                                \
    do {                                                                                           \
        DWORD rt_err_ = GetLastError();                                                            \
        cr_assert_eq(rt_err_, (DWORD)(expected), "GetLastError() = %u, expected %u",               \
                     (unsigned)rt_err_, (unsigned)(expected));                                     \
    } while (0)

/* Open a pipe or fail the test. */
static inline void rt_pipe(struct wst_pipe *p)
{
    cr_assert_eq(wst_pipe_open(p), 0, "pipe: %s", strerror(errno));
}

/* A wait result as one byte: indexes and abandoned indexes as is, the rest mapped. */
static inline int rt_code(DWORD result)
{
    if (result < 0x100 && result != WAIT_IO_COMPLETION)
        return (int)result;
    if (result == WAIT_IO_COMPLETION)
        return 0xC0;
    if (result == WAIT_TIMEOUT)
        return 0xF0;
    return 0xFF; /* WAIT_FAILED and anything unexpected */
}

/* Description of one wait performed by a waiter thread or child. */
struct rt_wait {
    DWORD count;
    HANDLE handles[MAXIMUM_WAIT_OBJECTS];
    BOOL wait_all;
    DWORD timeout;
    BOOL alertable;
    struct wst_pipe *report; /* gets rt_code(result) */
    struct wst_pipe *ready;  /* optional: gets 'r' just before the wait starts */
    volatile pid_t tid;      /* the waiting thread's Linux tid, set before 'r' */
    DWORD last_error;        /* thread waiters only: GetLastError() after the wait */
};

static inline struct rt_wait rt_wait_one(HANDLE h, DWORD timeout, struct wst_pipe *report,
                                         struct wst_pipe *ready)
{
    struct rt_wait w = {.count = 1, .timeout = timeout, .report = report, .ready = ready};
    w.handles[0] = h;
    return w;
}

static inline DWORD rt_do_wait(struct rt_wait *w)
{
    if (w->count == 1 && !w->wait_all)
        return WaitForSingleObjectEx(w->handles[0], w->timeout, w->alertable);
    return WaitForMultipleObjectsEx(w->count, w->handles, w->wait_all, w->timeout, w->alertable);
}

static inline int rt_wait_body(void *arg)
{
    struct rt_wait *w = arg;
    w->tid = (pid_t)syscall(SYS_gettid);
    if (w->ready)
        wst_send(w->ready, 'r');
    DWORD r = rt_do_wait(w);
    w->last_error = GetLastError();
    wst_send(w->report, (char)rt_code(r));
    return 0;
}

static inline void *rt_wait_thread_main(void *arg)
{
    rt_wait_body(arg);
    return NULL;
}

/* A waiter in a new thread of this process (a pthread: winsync registers it itself). */
static inline pthread_t rt_start_waiter_thread(struct rt_wait *w)
{
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, rt_wait_thread_main, w), 0);
    return t;
}

/* A waiter in a forked child process (which inherits every handle at the same value). */
static inline pid_t rt_spawn_waiter(struct rt_wait *w)
{
    pid_t pid = wst_spawn(rt_wait_body, w);
    cr_assert_gt(pid, 0);
    return pid;
}

/* Start a waiter (thread or child), wait until it is blocked, and check it stays so for
 * WST_QUIET_MS. */
static inline void rt_assert_blocked(struct rt_wait *w, pid_t tid_or_pid)
{
    cr_assert(wst_await_blocked(tid_or_pid), "waiter %d never blocked", (int)tid_or_pid);
    cr_assert_eq(wst_recv(w->report, WST_QUIET_MS), -1, "waiter returned while it should block");
}

/* Receive a waiter's ready byte and return its tid (threads) — for children use the pid. */
static inline pid_t rt_await_ready(struct rt_wait *w)
{
    cr_assert_eq(wst_recv(w->ready, WST_LONG_MS), 'r', "waiter never started");
    return w->tid;
}

/* Reap a forked child and require that it exited with status 0. */
#define assert_child_ok(pid)                                                                       \
    do {                                                                                           \
        int rt_status_ = wst_reap((pid), WST_LONG_MS);                                             \
        cr_assert_eq(rt_status_, 0, "child %d ended with status %d", (int)(pid), rt_status_);      \
    } while (0)

/* Is the object signalled right now? (Polls with a 0 timeout, so it satisfies the wait.) */
static inline bool rt_poll(HANDLE h)
{
    return WaitForSingleObject(h, 0) == WAIT_OBJECT_0;
}

/* The current count of a semaphore, read by releasing one and taking it back. Requires
 * count < maximum. */
static inline LONG rt_semaphore_count(HANDLE sem)
{
    LONG previous = -1;
    cr_assert(ReleaseSemaphore(sem, 1, &previous), "ReleaseSemaphore: %u",
              (unsigned)GetLastError());
    cr_assert_eq(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    return previous;
}

/* Path of the helper program built beside the suites (see CMakeLists.txt). */
#ifndef RT_CHILD_PATH
#define RT_CHILD_PATH "rt-child"
#endif

/* Run the helper program with CreateProcessA; fills *pi. */
static inline BOOL rt_create_child(const char *args, BOOL inherit, PROCESS_INFORMATION *pi)
{
    char cmdline[1024];
    snprintf(cmdline, sizeof cmdline, "%s %s", RT_CHILD_PATH, args);
    STARTUPINFOA si = {.cb = sizeof si};
    return CreateProcessA(NULL, cmdline, NULL, NULL, inherit, 0, NULL, NULL, &si, pi);
}

/* Wait for a CreateProcess child and return its exit code (STILL_ACTIVE on timeout). */
static inline DWORD rt_child_exit_code(PROCESS_INFORMATION *pi)
{
    DWORD code = STILL_ACTIVE;
    cr_assert_eq(WaitForSingleObject(pi->hProcess, WST_LONG_MS), WAIT_OBJECT_0,
                 "helper program did not end");
    cr_assert(GetExitCodeProcess(pi->hProcess, &code));
    CloseHandle(pi->hThread);
    CloseHandle(pi->hProcess);
    return code;
}

/* Run the helper program with plain fork+exec (no CreateProcess): a fresh winsync
 * process that shares nothing with us but the namespace. Returns its pid. */
static inline pid_t rt_exec_child(const char *const argv[])
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execv(RT_CHILD_PATH, (char *const *)argv);
        _exit(127);
    }
    cr_assert_gt(pid, 0);
    return pid;
}

/* A namespace name no other test uses, for children that set WINSYNC_NAMESPACE. */
static inline const char *rt_fresh_namespace(char *buf, size_t size, const char *tag)
{
    static unsigned counter;
    const char *base = getenv("WINSYNC_NAMESPACE");
    snprintf(buf, size, "%s-%s-%ld-%u", base ? base : "rt", tag, (long)getpid(), ++counter);
    return buf;
}

/* The shared segment's file for namespace `ns`. */
static inline const char *rt_segment_path(char *buf, size_t size, const char *ns)
{
    snprintf(buf, size, "/dev/shm/winsync-%u-%s", (unsigned)getuid(), ns);
    return buf;
}

/* Remove a namespace's segment and its companions (mapping backing files). */
static inline void rt_remove_namespace(const char *ns)
{
    char path[256];
    unlink(rt_segment_path(path, sizeof path, ns));
    strncat(path, "-*", sizeof path - strlen(path) - 1);
    glob_t found;
    if (glob(path, 0, NULL, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; i++)
            unlink(found.gl_pathv[i]);
        globfree(&found);
    }
}

/* The helper's exit codes. */
enum { RT_CHILD_OK = 0, RT_CHILD_FAILED = 1, RT_CHILD_TIMEOUT = 2 };

#endif /* RT_H */
