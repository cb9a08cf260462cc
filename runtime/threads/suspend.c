/*
 * suspend.c - where a suspended thread stops, and where a special user APC runs.
 *
 * NT suspends a thread with a kernel APC that makes it wait on its own suspend semaphore, so a
 * suspended thread runs no user code, and a wait it was in satisfies nothing until it resumes
 * (the wait is re-entered then). winsync has no kernel to interrupt a thread, so it stops one
 * at the points where it can:
 *   - a thread blocked in a winsync wait stays blocked: the dispatcher skips it (it takes no
 *     signal, no timeout ends its wait, no APC alerts it) until its count is back to 0, when
 *     its wait test runs again (ws_thread_resumed_locked);
 *   - a thread running its own code is interrupted by WS_SIG_ATTENTION and sleeps in the
 *     handler, unless it is inside the dispatcher lock: then it stops at its next winsync call
 *     (ws_self) or when it blocks in a wait, whichever comes first;
 *   - a thread created with CREATE_SUSPENDED stops before its start routine.
 * Special user APCs use the same signal: they run in the handler when the thread runs its own
 * code, at the end of a non-alertable winsync wait (which they do not interrupt), at once in
 * an alertable one (which they end, as a normal APC does), and otherwise at the next winsync
 * call. A suspended thread runs none of them.
 */
#include <errno.h>
#include <time.h>

#include "internal.h"
#include "timeout.h"

_Thread_local int ws_in_wait;

#define WS_SUSPEND_POLL_MS 1000 /* a resumer killed before its wake must not leave us asleep */

/* Outside the lock: sleep while the thread's suspend count is not 0. */
static void sleep_while_suspended(struct ws_thread *self)
{
    for (;;) {
        uint32_t c = __atomic_load_n(&self->suspend_count, __ATOMIC_ACQUIRE);
        if (c == 0)
            return;
        struct ws_futex_wait w = {&self->suspend_count, c};
        struct timespec slice;
        ws_deadline_after(&slice, WS_SUSPEND_POLL_MS);
        ws_futex_waitv(&w, 1, &slice);
    }
}

void ws_deliver_special_apcs(struct ws_thread *self)
{
    DWORD saved = GetLastError(); /* the interrupted code's last error is its own */
    for (;;) {
        ws_lock(self);
        struct ws_apc_queue *q = &self->special_apc;
        if (q->count == 0 || ws_thread_suspended(self)) {
            ws_unlock();
            break;
        }
        struct ws_apc apc = q->entries[q->head];
        q->head = (q->head + 1) % WS_APC_CAPACITY;
        __atomic_store_n(&q->count, q->count - 1, __ATOMIC_RELAXED);
        ws_unlock();
        ((PAPCFUNC)(uintptr_t)apc.routine)((ULONG_PTR)apc.argument);
    }
    SetLastError(saved);
}

void ws_suspend_point(struct ws_thread *self)
{
    if (ws_lock_busy_here(self) || ws_ending_self)
        return; /* never stop holding (or waiting for) the dispatcher lock */
    for (;;) {
        sleep_while_suspended(self);
        if (ws_in_wait || __atomic_load_n(&self->special_apc.count, __ATOMIC_RELAXED) == 0)
            return;
        ws_deliver_special_apcs(self);
    }
}

void ws_thread_resumed_locked(struct ws_thread *t)
{
    struct ws_wait *w = &t->wait;
    if (w->blocked) {
        struct ws_object *objs[MAXIMUM_WAIT_OBJECTS];
        for (uint32_t i = 0; i < w->count; i++)
            objs[i] = ws_object_at(w->blocks[i].object);
        DWORD result;
        if (wait_test(t, objs, w->count, w->wait_all, &result))
            ws_complete_wait(t, result);
        else if (w->alertable && (t->apc.count > 0 || t->special_apc.count > 0))
            ws_complete_wait(t, WAIT_IO_COMPLETION);
    }
    ws_wake_after_unlock(&t->suspend_count);
}
