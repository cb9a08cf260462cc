/*
 * attach.c - how a thread and a process come to exist in the model, and how they go.
 *
 * The first winsync call of a thread registers it (ws_self); the first call of a
 * process also opens the segment and gives the process a record. A fork child becomes
 * a new process holding copies of its parent's handles. Ends are announced when we
 * get the chance (thread exit, exit()); kill -9 is found by the others (the reaper).
 */
#include <pthread.h>
#include <stdlib.h>
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

static void install_hooks(void)
{
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

struct ws_thread *ws_self(void)
{
    struct ws_thread *t = tls_self;
    return t ? t : ws_self_slow();
}

void ws_thread_exit_self(DWORD exit_code)
{
    struct ws_thread *t = tls_self;
    if (!t)
        return;
    pthread_setspecific(exit_key, NULL);
    tls_self = NULL;
    ws_lock(t);
    ws_thread_end_locked(t, exit_code);
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

static void on_process_exit(int status, void *arg)
{
    (void)arg;
    struct ws_thread *t = tls_self;
    if (!t || ws_g.process == WS_NONE || ws_g.pid != getpid())
        return;
    ws_lock(t);
    struct ws_process *p = ws_process_at(ws_g.process);
    if (!p->exit_code_set) {
        p->exit_code = (DWORD)status;
        p->exit_code_set = 1;
    }
    ws_process_end_locked(p, p->exit_code);
    /* Other threads may still call in until the process is gone, and exit handlers may
     * too: they must find no process, before anyone can reuse its record. */
    ws_g.process = WS_NONE;
    ws_g.max_handles = 0;
    ws_g.broken = 1;
    ws_unlock();
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
