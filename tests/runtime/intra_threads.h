/*
 * intra_threads.h - helpers for the intra-process primitive suites (tests/runtime/intra_*.c):
 * a pthread that publishes its thread id before it runs its body, and "blocked" shown by the
 * thread sleeping in a futex call (wst_await_blocked), never by sleeping and hoping.
 */
#ifndef INTRA_THREADS_H
#define INTRA_THREADS_H

#include "rt.h"

struct intra_thread {
    pthread_t handle;
    void *(*body)(void *arg);
    void *arg;
    volatile pid_t tid; /* set by the thread before its body runs */
    void *result;
};

static inline void *intra_thread_main(void *arg)
{
    struct intra_thread *t = arg;
    __atomic_store_n(&t->tid, (pid_t)GetCurrentThreadId(), __ATOMIC_RELEASE);
    return t->body(t->arg);
}

static inline void intra_start(struct intra_thread *t, void *(*body)(void *), void *arg)
{
    t->body = body;
    t->arg = arg;
    t->tid = 0;
    cr_assert_eq(pthread_create(&t->handle, NULL, intra_thread_main, t), 0);
}

/* The thread's id, once it has started (bounded by WST_LONG_MS). */
static inline pid_t intra_tid(struct intra_thread *t)
{
    long long deadline = wst_now_ms() + WST_LONG_MS;
    pid_t tid;
    while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) == 0 && wst_now_ms() < deadline)
        usleep(1000);
    cr_assert_neq(tid, 0, "thread never started");
    return tid;
}

/* Requires that the thread is (and stays) asleep in a futex call. */
static inline void intra_assert_blocked(struct intra_thread *t)
{
    cr_assert(wst_await_blocked(intra_tid(t)), "thread %d never blocked", (int)intra_tid(t));
}

static inline void *intra_join(struct intra_thread *t)
{
    cr_assert_eq(pthread_join(t->handle, &t->result), 0);
    return t->result;
}

#endif /* INTRA_THREADS_H */
