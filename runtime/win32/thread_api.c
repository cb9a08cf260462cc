/* thread_api.c - CreateThread, ExitThread, SuspendThread/ResumeThread, thread handles, ids and
 * exit codes. */
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "threads/attach.h"
#include "win32/create.h"

struct start_block {
    LPTHREAD_START_ROUTINE routine;
    LPVOID parameter;
    uint32_t object; /* the thread object CreateThread made */
    bool suspended;  /* CREATE_SUSPENDED */
    sem_t started;
    DWORD tid; /* 0: the thread could not register */
};

/* Runs on the new thread: register (claiming the thread object), then run. */
static void *thread_main(void *arg)
{
    struct start_block *sb = arg;
    struct ws_thread *t = ws_thread_claim();
    if (t) {
        ws_lock(t);
        struct ws_process *p = ws_g.process != WS_NONE ? ws_process_at(ws_g.process) : NULL;
        if (p)
            p->pending_thread = sb->object;
        if (!p || !ws_thread_register_locked(t, ws_g.process)) {
            if (p)
                p->pending_thread = WS_NONE;
            pthread_mutex_unlock(&t->life);
            ws_thread_record_free(t);
            t = NULL;
        } else if (sb->suspended) {
            t->suspend_count = 1; /* before CreateThread returns: ResumeThread finds it */
        }
        ws_unlock();
    }
    if (!t) {
        sem_post(&sb->started);
        return NULL;
    }
    ws_attach_current(t);
    LPTHREAD_START_ROUTINE routine = sb->routine;
    LPVOID parameter = sb->parameter;
    sb->tid = t->tid;
    sem_post(&sb->started); /* sb belongs to CreateThread from here on */
    /* Suspended: wait for ResumeThread. Then, as on Windows, a thread begins with the APCs
     * queued to it before it started (special ones first), then its start routine. */
    ws_suspend_point(t);
    ws_lock(t);
    bool apcs = t->apc.count > 0; /* not apc_should_interrupt: lab 04 may not be written yet */
    ws_unlock();
    if (apcs)
        apc_deliver_all(t);
    DWORD code = routine(parameter);
    ws_thread_exit_self(code);
    return NULL;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack_size,
                           LPTHREAD_START_ROUTINE routine, LPVOID parameter, DWORD flags,
                           LPDWORD thread_id)
{
    if (!routine) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    ws_lock(self);
    struct ws_object *obj = ws_g.process != WS_NONE ? ws_object_alloc(WS_TYPE_THREAD) : NULL;
    HANDLE h = NULL;
    if (obj) {
        obj->refs = 1; /* the running thread's own reference */
        obj->u.thread.slot = WS_NONE;
        obj->u.thread.exit_code = STILL_ACTIVE;
        obj->u.thread.process = ws_process_at(ws_g.process)->object;
        h = ws_handle_insert(ws_g.process, obj, THREAD_ALL_ACCESS,
                             sa && sa->bInheritHandle ? HANDLE_FLAG_INHERIT : 0);
        if (!h) {
            ws_object_unref(obj);
            ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
        }
    }
    ws_unlock();
    if (!h)
        return NULL;

    struct start_block sb = {routine, parameter, obj->index, (flags & CREATE_SUSPENDED) != 0,
                             {{0}},   0};
    sem_init(&sb.started, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (stack_size >= (SIZE_T)PTHREAD_STACK_MIN)
        pthread_attr_setstacksize(&attr, stack_size);
    pthread_t thread;
    int r = pthread_create(&thread, &attr, thread_main, &sb);
    pthread_attr_destroy(&attr);
    if (r == 0)
        while (sem_wait(&sb.started) != 0)
            ;
    sem_destroy(&sb.started);
    if (r != 0 || sb.tid == 0) {
        ws_lock(self);
        ws_object_at(sb.object)->refs--; /* the thread never ran */
        ws_handle_close_entry(ws_g.process, ws_handle_entry(ws_g.process, h));
        ws_unlock();
        ws_set_error(r != 0 ? ERROR_NOT_ENOUGH_MEMORY : ERROR_NO_SYSTEM_RESOURCES);
        return NULL;
    }
    if (thread_id)
        *thread_id = sb.tid;
    return h;
}

VOID WINAPI ExitThread(DWORD code)
{
    /* Registered first, if this is the thread's first call: a CreateProcess child's main
     * thread claims its thread object, which must get the code. */
    ws_self();
    ws_thread_exit_self(code);
    pthread_exit(NULL);
}

BOOL WINAPI TerminateThread(HANDLE h, DWORD code)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    ws_reap_locked(); /* a thread that died must not be "terminated" through a reused tid */
    struct ws_object *obj = ws_handle_lookup(self, h, WS_TYPE_THREAD, THREAD_TERMINATE);
    if (!obj) {
        ws_unlock();
        return FALSE;
    }
    if (obj->header.signal_state > 0) {
        ws_unlock();
        ws_set_error(ERROR_ACCESS_DENIED); /* it has already ended */
        return FALSE;
    }
    if (obj->u.thread.slot == WS_NONE) {
        /* A CreateProcess child's main thread before its first winsync call: it has no
         * record to mark, and no handler for the signal yet. */
        ws_unlock();
        ws_set_error(ERROR_NOT_SUPPORTED);
        return FALSE;
    }
    struct ws_thread *t = ws_thread_at(obj->u.thread.slot);
    /* Off its waits at once, and from now on it changes nothing (ws_lock diverts it). */
    ws_thread_mark_terminating(t, WS_TERM_THREAD, code);
    pid_t pid = t->pid;
    pid_t tid = (pid_t)t->tid;
    ws_unlock();
    if (t == self)
        ws_terminated_self(self);
    /* The target ends itself in its signal handler (attach.c), after leaving the lock if it
     * is inside: its mutexes are abandoned and its object signalled there. */
    syscall(SYS_tgkill, pid, tid, WS_SIG_TERMINATE);
    return TRUE;
}

/* The thread record behind a handle with THREAD_SUSPEND_RESUME, with the lock held. NULL with
 * the lock released: the error is set, or *ended is set (the thread has ended). */
static struct ws_thread *suspend_target(struct ws_thread *self, HANDLE h, bool *ended)
{
    *ended = false;
    ws_lock(self);
    ws_reap_locked(); /* a thread that died must not be found through a reused record */
    struct ws_object *obj = ws_handle_lookup(self, h, WS_TYPE_THREAD, THREAD_SUSPEND_RESUME);
    if (!obj) {
        ws_unlock();
        return NULL;
    }
    if (obj->header.signal_state > 0) {
        ws_unlock();
        *ended = true;
        return NULL;
    }
    if (obj->u.thread.slot == WS_NONE) {
        /* A CreateProcess child's main thread before its first winsync call: no record, no
         * signal handler yet. */
        ws_unlock();
        ws_set_error(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    return ws_thread_at(obj->u.thread.slot);
}

/* SuspendThread: the count goes up at once; the target stops as threads/suspend.c says
 * (asynchronously, as on Windows: it may run on a moment after this returns). */
DWORD WINAPI SuspendThread(HANDLE h)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return (DWORD)-1;
    bool ended;
    struct ws_thread *t = suspend_target(self, h, &ended);
    if (t && t->terminating != WS_TERM_NONE) {
        ws_unlock();
        t = NULL;
        ended = true;
    }
    if (!t) {
        if (ended)
            ws_set_error(ERROR_ACCESS_DENIED); /* STATUS_THREAD_IS_TERMINATING */
        return (DWORD)-1;
    }
    DWORD previous = t->suspend_count;
    if (previous >= WS_MAXIMUM_SUSPEND_COUNT) {
        ws_unlock();
        ws_set_error(ERROR_SIGNAL_REFCOUNT_EXCEEDED); /* STATUS_SUSPEND_COUNT_EXCEEDED */
        return (DWORD)-1;
    }
    __atomic_store_n(&t->suspend_count, previous + 1, __ATOMIC_RELEASE);
    pid_t pid = t->pid;
    pid_t tid = (pid_t)t->tid;
    ws_unlock();
    /* Interrupt it where it runs its own code (a blocked waiter is held by the dispatcher
     * already). Sent for the first suspension only; to ourselves, it stops us right here. */
    if (previous == 0)
        syscall(SYS_tgkill, pid, tid, WS_SIG_ATTENTION);
    return previous;
}

/* ResumeThread: an ended thread is not an error (its count is 0 here; Windows keeps the count
 * it had). */
DWORD WINAPI ResumeThread(HANDLE h)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return (DWORD)-1;
    bool ended;
    struct ws_thread *t = suspend_target(self, h, &ended);
    if (!t)
        return ended ? 0 : (DWORD)-1;
    DWORD previous = t->suspend_count;
    if (previous > 0) {
        __atomic_store_n(&t->suspend_count, previous - 1, __ATOMIC_RELEASE);
        if (previous == 1)
            ws_thread_resumed_locked(t);
    }
    ws_unlock();
    return previous;
}

static DWORD thread_exit_code(const struct ws_object *obj)
{
    return obj->u.thread.exit_code;
}

static DWORD thread_id(const struct ws_object *obj)
{
    return obj->u.thread.tid;
}

BOOL WINAPI GetExitCodeThread(HANDLE h, LPDWORD code)
{
    return ws_query_object(h, WS_TYPE_THREAD, THREAD_QUERY_LIMITED_INFORMATION, thread_exit_code,
                           code);
}

HANDLE WINAPI GetCurrentThread(void)
{
    return WS_PSEUDO_THREAD;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    return (DWORD)syscall(SYS_gettid);
}

DWORD WINAPI GetThreadId(HANDLE h)
{
    DWORD tid = 0;
    ws_query_object(h, WS_TYPE_THREAD, THREAD_QUERY_LIMITED_INFORMATION, thread_id, &tid);
    return tid;
}

/* Find the object of the live (else most recent) thread or process with this id. */
struct ws_object *ws_find_by_id(int type, DWORD id)
{
    struct ws_object *found = NULL;
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != type || id == 0)
            continue;
        DWORD oid = type == WS_TYPE_THREAD ? o->u.thread.tid : o->u.process.pid;
        if (oid != id)
            continue;
        if (!found || o->header.signal_state == 0)
            found = o;
    }
    return found;
}

HANDLE ws_open_by_id(int type, DWORD access, BOOL inherit, DWORD id)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    ws_lock(self);
    ws_reap_locked();
    struct ws_object *obj = ws_find_by_id(type, id);
    HANDLE h = NULL;
    if (!obj)
        ws_set_error(ERROR_INVALID_PARAMETER);
    else if (!(h = ws_handle_insert(ws_g.process, obj, access, inherit ? HANDLE_FLAG_INHERIT : 0)))
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
    ws_unlock();
    return h;
}

HANDLE WINAPI OpenThread(DWORD access, BOOL inherit, DWORD tid)
{
    return ws_open_by_id(WS_TYPE_THREAD, access, inherit, tid);
}
