/*
 * thread.c - thread records (KTHREAD) and what happens when a thread ends.
 *
 * A record is claimed without the lock (the lock's owner field needs a record first),
 * then registered under the lock, which gives it a thread object. Each live thread
 * holds its record's `life` mutex: a robust, process-shared pthread mutex. When the
 * thread dies in any way, the kernel marks that word FUTEX_OWNER_DIED and wakes a
 * sleeper, which is how others learn of deaths nobody announced (kill -9).
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

uint32_t *ws_thread_life_word(struct ws_thread *t)
{
    /* glibc keeps a mutex's futex word (owner tid | flags) first in pthread_mutex_t. */
    return (uint32_t *)(void *)&t->life;
}

bool ws_thread_life_dead(const struct ws_thread *t)
{
    uint32_t v = __atomic_load_n((const uint32_t *)(const void *)&t->life, __ATOMIC_ACQUIRE);
    return (v & FUTEX_OWNER_DIED) ||
           (v & FUTEX_TID_MASK) != __atomic_load_n(&t->tid, __ATOMIC_RELAXED);
}

void ws_thread_record_free(struct ws_thread *t)
{
    /* No pid first: a claimer must never be mistaken for a dead one (see the reaper). */
    __atomic_store_n(&t->pid, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&t->state, WS_REC_FREE, __ATOMIC_RELEASE);
}

struct ws_thread *ws_thread_claim(void)
{
    uint32_t max = ws_config()->max_threads;
    for (uint32_t i = 0; i < max; i++) {
        struct ws_thread *t = ws_thread_at(i);
        uint32_t expected = WS_REC_FREE;
        if (!__atomic_compare_exchange_n(&t->state, &expected, WS_REC_CLAIMING, false,
                                         __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            continue;
        /* First: lets the reaper free the claim if we die before holding our life lock. */
        __atomic_store_n(&t->pid, getpid(), __ATOMIC_RELAXED);
        memset(&t->wait, 0, sizeof t->wait);
        t->apc.head = t->apc.count = 0;
        t->index = i;
        __atomic_store_n(&t->tid, (uint32_t)syscall(SYS_gettid), __ATOMIC_RELAXED);
        t->process = WS_NONE;
        t->object = WS_NONE;
        t->watch_count = 0;
        t->timer_apcs = 0;
        t->terminating = WS_TERM_NONE;
        t->terminate_code = 0;
        t->in_dispatcher = 0;
        t->suspend_count = 0;
        t->special_apc.head = t->special_apc.count = 0;
        t->wait_deadline = t->harness_deadline =
            0; /* the stuck-test guard's (dispatcher/stuck.c) */
        t->wait_armed = t->wait_timed = t->harness_child = 0;
        t->lock_serial = 0;
        t->lock_caller = 0;
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&t->life, &attr);
        pthread_mutexattr_destroy(&attr);
        pthread_mutex_lock(&t->life);
        uint32_t high = __atomic_load_n(&ws_g.seg->thread_high, __ATOMIC_RELAXED);
        while (high < i + 1 &&
               !__atomic_compare_exchange_n(&ws_g.seg->thread_high, &high, i + 1, false,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
        __atomic_store_n(&t->state, WS_REC_STARTING, __ATOMIC_RELEASE);
        return t;
    }
    return NULL;
}

bool ws_thread_register_locked(struct ws_thread *t, uint32_t process)
{
    struct ws_process *p = ws_process_at(process);
    struct ws_object *obj;
    if (p->pending_thread != WS_NONE) {
        obj = ws_object_at(p->pending_thread); /* made by CreateProcess or CreateThread */
        p->pending_thread = WS_NONE;
    } else {
        obj = ws_object_alloc(WS_TYPE_THREAD);
        if (!obj)
            return false;
        obj->refs = 1; /* held by the running thread, dropped when it ends */
        obj->u.thread.exit_code = STILL_ACTIVE;
        obj->u.thread.process = p->object;
    }
    obj->u.thread.slot = t->index;
    obj->u.thread.tid = t->tid;
    t->object = obj->index;
    t->process = process;
    if (p->terminating)
        t->terminating = WS_TERM_PROCESS; /* joined a process TerminateProcess is ending */
    p->live_threads++;
    p->last_thread_code_set = 0; /* it is not the last any more */
    __atomic_store_n(&t->state, WS_REC_ALIVE, __ATOMIC_RELEASE);
    return true;
}

/* Free every mutex t still owns, marking it abandoned. */
static void abandon_mutexes(const struct ws_thread *t)
{
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type == WS_TYPE_MUTEX && o->u.mutex.owner == t->index)
            mutex_abandon(o);
    }
}

void ws_thread_end_locked(struct ws_thread *t, DWORD exit_code)
{
    if (ws_thread_state(t) != WS_REC_ALIVE)
        return;
    __atomic_store_n(&t->state, WS_REC_ENDED, __ATOMIC_RELEASE);
    if (t->wait.blocked) {
        ws_wait_unlink_all(t);
        t->wait.blocked = false;
    }
    abandon_mutexes(t);
    ws_timers_thread_ended(t);
    struct ws_object *obj = ws_object_at(t->object);
    obj->u.thread.slot = WS_NONE;
    obj->u.thread.exit_code = exit_code;
    obj->header.signal_state = 1;
    ws_dispatch_signal(obj);
    ws_object_unref(obj);

    /* The process goes on: threads that never used winsync may still run. It ends at
     * exit() or, when killed, once the reaper sees its pid gone. */
    struct ws_process *p = ws_process_at(t->process);
    if (p->live_threads > 0)
        p->live_threads--;
}

void ws_thread_mark_terminating(struct ws_thread *t, uint32_t how, DWORD code)
{
    if (t->terminating != WS_TERM_NONE)
        return;
    t->terminating = how;
    t->terminate_code = code;
    /* As in NT, termination takes the thread off its wait: it satisfies none from now on, so
     * a signal sent after TerminateProcess/TerminateThread returns goes to someone else. */
    if (t->wait.blocked) {
        ws_wait_unlink_all(t);
        t->wait.blocked = false;
    }
}

/* A dead thread's record can be reused: nobody else will touch it. */
static void release_record(struct ws_thread *t)
{
    abandon_mutexes(t); /* anything it took between its end and its death */
    ws_futex_wake(ws_thread_life_word(t), INT32_MAX);
    ws_thread_record_free(t);
}

static bool thread_gone(const struct ws_thread *t)
{
    return syscall(SYS_tgkill, t->pid, t->tid, 0) != 0 && errno == ESRCH;
}

void ws_reap_threads_locked(void)
{
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_thread *t = ws_thread_at(i);
        uint32_t state = ws_thread_state(t);
        uint32_t life = __atomic_load_n(ws_thread_life_word(t), __ATOMIC_ACQUIRE);
        pid_t pid;
        switch (state) {
        case WS_REC_CLAIMING:
            /* Its claimer died before holding its life lock. */
            pid = __atomic_load_n(&t->pid, __ATOMIC_RELAXED);
            if (pid > 0 && ws_pid_gone(pid))
                release_record(t);
            break;
        case WS_REC_STARTING:
        case WS_REC_ALIVE:
            if (!ws_thread_life_dead(t))
                break;
            if (state == WS_REC_ALIVE) {
                struct ws_process *p = ws_process_at(t->process);
                DWORD code = t->terminating == WS_TERM_THREAD ? t->terminate_code
                             : p->exit_code_set               ? p->exit_code
                                                              : WS_EXIT_CODE_KILLED;
                ws_thread_end_locked(t, code);
            }
            release_record(t);
            break;
        case WS_REC_ENDED:
            /* A thread that ends normally frees its own record after unlocking its life
             * lock; free it here only if it died first. */
            if ((life & FUTEX_OWNER_DIED) || ((life & FUTEX_TID_MASK) == 0 && thread_gone(t)))
                release_record(t);
            break;
        default:
            break;
        }
    }
}
