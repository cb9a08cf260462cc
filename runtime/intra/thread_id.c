/*
 * thread_id.c - the calling thread's id for the intra-process primitives, without a system
 * call each time: a critical section's owner is compared on every EnterCriticalSection.
 */
#include <pthread.h>

#include "intra.h"

_Thread_local DWORD intra_cached_thread_id;

/* fork() gives the child's only thread a new id: forget the parent's. */
static void forget_after_fork(void)
{
    intra_cached_thread_id = 0;
}

static void register_fork_handler(void)
{
    pthread_atfork(NULL, NULL, forget_after_fork);
}

DWORD intra_thread_id_slow(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handler);
    intra_cached_thread_id = GetCurrentThreadId();
    return intra_cached_thread_id;
}
