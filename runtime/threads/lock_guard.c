/*
 * lock_guard.c - with WINSYNC_GUARD=1, a thread stuck inside the dispatcher lock ends its test at
 * once.
 *
 * Lab code never sleeps and never loops for long, and the runtime never sleeps holding the lock
 * (runtime/kernel.h). So a thread that has held it, in one acquisition, for WS_LOCK_STUCK_MS
 * while using WS_LOCK_BUSY_MS of CPU (an endless loop), or for WS_LOCK_HOPELESS_MS whatever it
 * did (a wait inside the lock, which can never end), will not release it: every other thread of
 * the namespace is stuck behind it until the test's own timeout. One watcher thread per process
 * ("winsync-guard") looks every WS_LOCK_LOOK_MS, says which call took the lock, and aborts the
 * process: its test fails as a crash in about a second, and no other test is touched.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define WS_LOCK_LOOK_MS 100
#define WS_LOCK_STUCK_MS 500
#define WS_LOCK_BUSY_MS 250
#define WS_LOCK_HOPELESS_MS 3000

/* CPU time (utime + stime) of a thread of this process, in ms; -1 when it is gone. */
static long long cpu_ms(uint32_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%u/stat", (unsigned)tid);
    const char *fields = ws_proc_stat_fields(path, buf, sizeof buf);
    unsigned long long utime, stime;
    /* Fields 3 to 15: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime. */
    if (!fields || sscanf(fields, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                          &stime) != 2)
        return -1;
    return (long long)(utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

static long long now_ms(void)
{
    return (long long)(ws_monotonic_ns() / 1000000u);
}

/* The thread of this process inside the lock now, or NULL. */
static struct ws_thread *holder_here(void)
{
    uint32_t v = __atomic_load_n(&ws_g.seg->lock, __ATOMIC_ACQUIRE);
    uint32_t owner = (v & 0x7fffffffu) - 1;
    if (v == 0 || owner >= ws_config()->max_threads)
        return NULL;
    struct ws_thread *t = ws_thread_at(owner);
    return __atomic_load_n(&t->pid, __ATOMIC_RELAXED) == getpid() ? t : NULL;
}

static _Noreturn void stuck(const struct ws_thread *t, long long held_ms, bool busy)
{
    const char *caller =
        (const char *)(uintptr_t)__atomic_load_n(&t->lock_caller, __ATOMIC_RELAXED);
    fprintf(stderr,
            "winsync: thread %u has been inside the dispatcher lock for %lld ms, %s, since %s "
            "took it: a lab function it called never returned (lab code must not loop for long "
            "or wait: runtime/kernel.h). Ending this test now (WINSYNC_GUARD=1).\n",
            t->tid, held_ms,
            busy ? "busy all along (an endless loop?)"
                 : "mostly asleep (a wait "
                   "inside the lock?)",
            caller ? caller : "a winsync call");
    abort();
}

static void *watch(void *arg)
{
    struct ws_process *p = arg;
    prctl(PR_SET_NAME, "winsync-guard");
    __atomic_store_n(&p->guard_tid, (int32_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    const struct ws_thread *seen = NULL;
    uint32_t seen_serial = 0;
    long long since = 0, cpu_then = 0;
    for (;;) {
        struct timespec pause = {0, WS_LOCK_LOOK_MS * 1000000L};
        nanosleep(&pause, NULL);
        struct ws_thread *t = holder_here();
        uint32_t serial = t ? __atomic_load_n(&t->lock_serial, __ATOMIC_RELAXED) : 0;
        if (!t || t != seen || serial != seen_serial) {
            seen = t; /* a new acquisition: start counting */
            seen_serial = serial;
            since = now_ms();
            cpu_then = t ? cpu_ms(t->tid) : 0;
            continue;
        }
        long long held = now_ms() - since, cpu = cpu_ms(t->tid);
        if (cpu >= 0 && ((held >= WS_LOCK_STUCK_MS && cpu - cpu_then >= WS_LOCK_BUSY_MS) ||
                         held >= WS_LOCK_HOPELESS_MS))
            stuck(t, held, cpu - cpu_then >= WS_LOCK_BUSY_MS);
    }
    return NULL;
}

void ws_lock_guard_start(struct ws_process *p)
{
    /* The watcher takes no signal meant for the process (its signals go to the others). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t thread;
    if (pthread_create(&thread, &attr, watch, p) != 0)
        fprintf(stderr, "winsync: could not start the lock guard (WINSYNC_GUARD=1): a test stuck "
                        "inside the dispatcher lock will run until its own timeout\n");
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
