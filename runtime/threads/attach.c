/*
 * attach.c - how a thread and a process come to exist in the model, and how they go.
 *
 * The first winsync call of a thread registers it (ws_self); the first call of a
 * process also opens the segment and gives the process a record. A fork child becomes
 * a new process holding copies of its parent's handles. Ends are announced when we
 * get the chance (thread exit, exit()); kill -9 is found by the others (the reaper).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "objects/segment.h"
#include "threads/attach.h"
#include "threads/process.h"

static _Thread_local struct ws_thread *tls_self;
static pthread_mutex_t attach_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static bool hooks_installed;

static void on_thread_exit(void *arg);
static void on_process_exit(int status, void *arg);
static void before_fork(void);
static void after_fork_parent(void);
static void after_fork_child(void);

static void on_terminate_signal(int sig);
static void on_attention_signal(int sig);
static _Thread_local int in_exit_hook;

static void install_hooks(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_terminate_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(WS_SIG_TERMINATE, &sa, NULL);
    sa.sa_handler = on_attention_signal;
    sigaction(WS_SIG_ATTENTION, &sa, NULL);
    pthread_key_create(&exit_key, on_thread_exit);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    on_exit(on_process_exit, NULL);
    hooks_installed = true;
}

/* Register the calling thread; attach the process first when needed. */
static struct ws_thread *register_self(uint32_t fork_parent)
{
    struct ws_thread *t = ws_thread_claim();
    if (!t) {
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
        return NULL;
    }
    ws_lock(t);
    bool ok = ws_g.process != WS_NONE || ws_process_attach_locked(fork_parent);
    ok = ok && ws_thread_register_locked(t, ws_g.process);
    if (!ok) {
        /* Give the record back; the error is already set. */
        pthread_mutex_unlock(&t->life);
        ws_thread_record_free(t);
        ws_unlock();
        return NULL;
    }
    ws_unlock();
    tls_self = t;
    pthread_setspecific(exit_key, t);
    return t;
}

struct ws_thread *ws_self_slow(void)
{
    struct ws_thread *t = NULL;
    pthread_mutex_lock(&attach_mutex);
    if (!ws_g.seg && !ws_g.broken && ws_segment_open() != 0)
        ws_g.broken = 1;
    if (ws_g.broken) {
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
    } else {
        if (!hooks_installed)
            install_hooks();
        t = register_self(WS_NONE);
    }
    pthread_mutex_unlock(&attach_mutex);
    return t;
}

void ws_attach_current(struct ws_thread *t)
{
    tls_self = t;
    pthread_setspecific(exit_key, t);
}

struct ws_thread *ws_self_if_attached(void)
{
    return tls_self;
}

struct ws_thread *ws_self(void)
{
    struct ws_thread *t = tls_self;
    if (!t)
        return ws_self_slow();
    /* A winsync call is where a thread suspended inside the lock stops, and where a special APC
     * that could not interrupt it runs (threads/suspend.c). */
    if (__builtin_expect((__atomic_load_n(&t->suspend_count, __ATOMIC_RELAXED) |
                          __atomic_load_n(&t->special_apc.count, __ATOMIC_RELAXED)) != 0,
                         0))
        ws_suspend_point(t);
    return t;
}

/* The calling thread ends: as on Windows, a process whose last thread ends has that thread's
 * exit code (the exit hook uses it when glibc ends the process after its last thread). */
static void end_self_locked(struct ws_thread *t, DWORD exit_code)
{
    ws_thread_end_locked(t, exit_code);
    struct ws_process *p = ws_process_at(t->process);
    if (t->process == ws_g.process && p->state == WS_REC_ALIVE && p->live_threads == 0) {
        p->last_thread_code = exit_code;
        p->last_thread_code_set = 1;
    }
}

void ws_thread_exit_self(DWORD exit_code)
{
    struct ws_thread *t = tls_self;
    if (!t)
        return;
    pthread_setspecific(exit_key, NULL);
    tls_self = NULL;
    ws_lock(t);
    end_self_locked(t, exit_code);
    ws_unlock();
    /* Unlocking the life lock takes it off this thread's robust list; then the record
     * can be reused. */
    pthread_mutex_unlock(&t->life);
    ws_futex_wake(ws_thread_life_word(t), INT32_MAX);
    ws_thread_record_free(t);
}

static void on_thread_exit(void *arg)
{
    (void)arg;
    ws_thread_exit_self(0); /* pthread_exit or a pthread's return: no Win32 code */
}

/* TerminateThread's signal (WS_SIG_TERMINATE). The thread was marked under the lock; it ends
 * here unless it is between ws_lock and the end of ws_unlock (holding or waiting for the lock,
 * sending its wakes, freeing their list), in which case ws_unlock ends it as it leaves: a thread
 * never dies holding the dispatcher lock or inside the runtime's own malloc/free. */
static void on_terminate_signal(int sig)
{
    (void)sig;
    int saved = errno;
    struct ws_thread *t = tls_self;
    if (t && !ws_ending_self && !in_exit_hook &&
        __atomic_load_n(&t->terminating, __ATOMIC_ACQUIRE) == WS_TERM_THREAD) {
        if (ws_lock_busy_here(t))
            ws_terminate_pending = 1;
        else
            ws_terminated_self(t);
    }
    errno = saved;
}

/* SuspendThread's and QueueUserAPC2's signal (WS_SIG_ATTENTION): stop while suspended, run the
 * special APCs (threads/suspend.c). Inside the lock it does nothing: the thread looks again at
 * its next winsync call, or when it blocks. */
static void on_attention_signal(int sig)
{
    (void)sig;
    int saved = errno;
    struct ws_thread *t = tls_self;
    if (t && !in_exit_hook)
        ws_suspend_point(t);
    errno = saved;
}

_Noreturn void ws_terminated_self(struct ws_thread *self)
{
    if (!self)
        self = tls_self;
    if (!self)
        pthread_exit(NULL);
    if (__atomic_load_n(&self->terminating, __ATOMIC_ACQUIRE) == WS_TERM_PROCESS) {
        /* TerminateProcess's SIGKILL may still be on its way: do not wait for it. */
        kill(getpid(), SIGKILL);
        for (;;)
            pause();
    }
    /* TerminateThread: end in the model with its code, then stop the Linux thread. As on
     * Windows, nothing of the thread's own runs any more, but pthread_exit runs its pthread
     * cleanup handlers and thread-specific-data destructors (winsync's own is cleared). */
    ws_ending_self = 1;
    pthread_setspecific(exit_key, NULL);
    tls_self = NULL;
    ws_lock(self);
    end_self_locked(self, self->terminate_code);
    ws_unlock();
    pthread_mutex_unlock(&self->life);
    ws_futex_wake(ws_thread_life_word(self), INT32_MAX);
    ws_thread_record_free(self);
    pthread_exit(NULL);
}

static void on_process_exit(int status, void *arg)
{
    (void)arg;
    struct ws_thread *t = tls_self;
    if (ws_g.process == WS_NONE || ws_g.pid != getpid())
        return;
    in_exit_hook = 1;
    /* The last thread's end (glibc calls exit(0) when it returns or calls pthread_exit) runs
     * this on a thread that has left winsync already: it borrows a record for the lock. */
    struct ws_thread *borrowed = NULL;
    if (!t) {
        borrowed = ws_thread_claim();
        if (!borrowed)
            return;
        t = borrowed;
    }
    ws_ending_self = 1; /* even if terminating: the process ends here in any case */
    ws_lock_at_exit(t, 200);
    struct ws_process *p = ws_process_at(ws_g.process);
    if (!p->exit_code_set) {
        DWORD code = (DWORD)status;
        if (borrowed && status == 0 && p->live_threads == 0 && p->last_thread_code_set)
            code = p->last_thread_code; /* ended with its last thread, with that one's code */
        p->exit_code = code;
        p->exit_code_set = 1;
    }
    ws_process_end_locked(p, p->exit_code);
    /* Other threads may still call in until the process is gone, and exit handlers may
     * too: they must find no process, before anyone can reuse its record. */
    ws_g.process = WS_NONE;
    ws_g.max_handles = 0;
    ws_g.broken = 1;
    ws_unlock();
    if (borrowed) {
        pthread_mutex_unlock(&borrowed->life);
        ws_thread_record_free(borrowed);
    }
    tls_self = NULL;
}

static void before_fork(void)
{
    pthread_mutex_lock(&attach_mutex);
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&attach_mutex);
}

/* The child is a new process: it gets its own record and a copy of the parent's
 * handles. Its copy of the parent's thread-local record pointer is not its own. */
static void after_fork_child(void)
{
    uint32_t parent = ws_g.process;
    tls_self = NULL;
    pthread_setspecific(exit_key, NULL);
    if (ws_g.seg && !ws_g.broken && parent != WS_NONE) {
        ws_g.process = WS_NONE;
        if (!register_self(parent))
            ws_g.broken = 1;
    }
    pthread_mutex_unlock(&attach_mutex);
}
