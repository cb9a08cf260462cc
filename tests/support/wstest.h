/*
 * wstest.h - helpers for multi-process Criterion tests of winsync.
 *
 * Criterion 2.4.1 hangs when a forked child returns into the runner or fails an
 * assertion, so children never assert: they run a function, _exit() with its result,
 * and report progress through pipes. Only the parent asserts.
 *
 * Ordering is always explicit (pipes); a timeout only bounds how long we wait for
 * something that must happen, or how long we watch for something that must not.
 */
#ifndef WSTEST_H
#define WSTEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <winsync_test.h>

/* How long to watch for an event that must NOT happen (a waiter that must stay blocked). */
#define WST_QUIET_MS 200
/* How long to wait for something that MUST happen before declaring the test failed. */
#define WST_LONG_MS 10000
/* How often a harness wait tells winsync's stuck-test guard that it still waits (winsync_test.h):
 * with WINSYNC_GUARD=1, a test whose threads can only wait out a timeout fails at once. */
#define WST_ASK_MS 100
/* How long a child's own wait lasts: longer than the parent watches for its wake, so that when the
 * parent gives up the child is still blocked and its wait chain can be reported (wschain.h). */
#define WST_WAITER_MS (3 * WST_LONG_MS)

/* A fresh object name, unique across processes and tests of one run. */
static inline const char *wst_name(char *buf, size_t size, const char *prefix)
{
    static unsigned counter;
    snprintf(buf, size, "%s-%ld-%u-%ld", prefix, (long)getpid(), ++counter, (long)time(NULL));
    return buf;
}

/* Fork a child that runs fn(arg) and _exit()s with its return value (0 = success).
 * Returns the child's pid, or -1. The child is killed when the thread that spawned it ends:
 * a test killed on its timeout leaves no process behind, blocked for ever, that the test
 * runner (a subreaper) would wait for until the grader's wall-clock limit. */
static inline pid_t wst_spawn(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127); /* the parent is already gone */
        _exit(fn(arg));
    }
    return pid;
}

static inline long long wst_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to timeout_ms for a child to end. Returns its exit status (0..255), 128+signal if
 * it was killed, -1 if it is still running (it is left running), -2 if it is not a child.
 * Also -1 at once when winsync's guard finds the test stuck (winsync_test.h). */
static inline int wst_wait_exit(pid_t pid, int timeout_ms)
{
    long long deadline = wst_now_ms() + timeout_ms, next_ask = 0;
    int code = -1;
    for (;;) {
        /* Look without reaping: the guard must hear that this thread acts again while the child
         * is still a zombie (which keeps the guard off while a harness waits for it), not after it
         * is gone. */
        siginfo_t info;
        info.si_pid = 0;
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            code = -2;
            break;
        }
        if (info.si_pid == pid) {
            WinsyncHarnessWaitEnd();
            int status;
            waitpid(pid, &status, 0);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        long long now = wst_now_ms();
        if (now >= deadline)
            break;
        if (now >= next_ask) {
            if (WinsyncHarnessWait((DWORD)(deadline - now), (DWORD)pid))
                break;
            next_ask = now + WST_ASK_MS;
        }
        usleep(1000);
    }
    WinsyncHarnessWaitEnd();
    return code;
}

/* Kill a child that did not end, and reap it. */
static inline void wst_kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* wst_wait_exit, and a child still running after timeout_ms is killed and reaped (-1). */
static inline int wst_reap(pid_t pid, int timeout_ms)
{
    int code = wst_wait_exit(pid, timeout_ms);
    if (code == -1)
        wst_kill_and_reap(pid);
    return code;
}

/* A one-way channel: the writer reports single bytes, the reader waits for them. */
struct wst_pipe {
    int rd, wr;
};

static inline int wst_pipe_open(struct wst_pipe *p)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    p->rd = fds[0];
    p->wr = fds[1];
    return 0;
}

static inline void wst_pipe_close(struct wst_pipe *p)
{
    close(p->rd);
    close(p->wr);
}

static inline int wst_send(struct wst_pipe *p, char byte)
{
    WinsyncHarnessSending(); /* first: the guard must never see the byte and not the count */
    return write(p->wr, &byte, 1) == 1 ? 0 : -1;
}

/* Read one byte within timeout_ms. Returns the byte (0..255), or -1 on timeout/EOF, and at once
 * when winsync's guard finds the test stuck (winsync_test.h). */
static inline int wst_recv(struct wst_pipe *p, int timeout_ms)
{
    long long deadline = wst_now_ms() + timeout_ms;
    for (bool first = true;; first = false) {
        long long left = deadline - wst_now_ms();
        if (!first && left <= 0)
            break;
        if (left > 0 && WinsyncHarnessWait((DWORD)left, 0))
            break;
        struct pollfd pfd = {.fd = p->rd, .events = POLLIN};
        int r = poll(&pfd, 1, left <= 0 ? 0 : left < WST_ASK_MS ? (int)left : WST_ASK_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0) {
            unsigned char byte;
            if (read(p->rd, &byte, 1) != 1)
                break; /* end of file: the writer is gone */
            WinsyncHarnessReceived();
            return byte;
        }
    }
    WinsyncHarnessWaitEnd();
    return -1;
}

/* True when task `tid` (a thread of any process) is asleep in a futex call. */
static inline bool wst_task_in_futex(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *state = strrchr(buf, ')');
    if (!state || state[1] != ' ' || state[2] != 'S')
        return false;
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)tid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return true; /* no syscall file: sleeping is the best we can tell */
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = '\0';
    long nr = strtol(buf, NULL, 10);
    return nr == SYS_futex || nr == 449 /* futex_waitv */;
}

/* Wait (up to WST_LONG_MS) until task `tid` has been asleep in a futex call for a few
 * consecutive looks, i.e. is blocked in its wait. Returns false on timeout. */
static inline bool wst_await_blocked(pid_t tid)
{
    long long deadline = wst_now_ms() + WST_LONG_MS;
    int streak = 0;
    while (wst_now_ms() < deadline) {
        streak = wst_task_in_futex(tid) ? streak + 1 : 0;
        if (streak >= 5)
            return true;
        usleep(2000);
    }
    return false;
}

#endif /* WSTEST_H */
