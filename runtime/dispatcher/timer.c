/*
 * timer.c - waitable timers (KTIMER inside NT's ETIMER), given by the runtime.
 *
 * A timer is a dispatcher object like the others: signal_state 1 when signalled, a wait list,
 * ws_dispatch_signal to release its waiters. What is new is time. NT expires timers from the
 * clock interrupt; here nothing runs at the due time by itself. A timer expires *lazily*:
 *
 * - a thread that waits on a timer sleeps no later than the timer's due time (wait.c's block()
 *   takes it into its deadline), and whoever wakes first past it expires the timer under the
 *   dispatcher lock: signal it, queue its APC, re-arm a periodic one, run the wait test;
 * - an alertable waiter whose timer APC is due (the thread that called SetWaitableTimer with a
 *   completion routine) does the same for the timers whose APC targets it;
 * - anyone else who looks expires the timer first: a wait on it (also with timeout 0),
 *   CancelWaitableTimer, QueueUserAPC to the APC's thread (so the APCs keep their order).
 *
 * A timer nobody waits for and whose APC nobody can run therefore costs nothing until someone
 * looks, and what that someone sees is what Windows would show at that moment. No helper thread
 * exists. Resetting a timer kicks its waiters so that they take the new due time.
 *
 * The completion routine gets three arguments, the lab's APC queue carries one: the queue holds
 * the trampoline timer_apc() (its address in the setter's process, saved in the timer) and a
 * token naming the timer; the trampoline reads the routine, its argument and the expiry time
 * from the timer. As in NT (one KAPC per timer), at most one APC of a timer is queued: a
 * periodic timer whose thread is not alertable does not pile up APCs. Cancelling, resetting or
 * the thread's end takes a queued APC out of the queue; a queued APC holds a reference on the
 * timer, so closing the last handle does not drop it.
 */
#include <time.h>

#include "internal.h"

#define WS_FILETIME_UNIX_EPOCH 116444736000000000ULL /* 1970-01-01 in 100 ns since 1601 */

uint64_t ws_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The system time (FILETIME) of a CLOCK_MONOTONIC moment in the past. */
static uint64_t filetime_of(uint64_t mono, uint64_t now)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ft =
        (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u + WS_FILETIME_UNIX_EPOCH;
    uint64_t ago = now > mono ? (now - mono) / 100u : 0;
    return ft > ago ? ft - ago : 0;
}

static inline uint64_t timer_token(const struct ws_object *o)
{
    return (uint64_t)o->generation << 32 | o->index;
}

static void set_apc_thread(struct ws_object *o, uint32_t thread)
{
    uint32_t *cur = &o->u.timer.apc_thread;
    if (*cur == thread)
        return;
    if (*cur != WS_NONE && ws_thread_at(*cur)->timer_apcs > 0)
        ws_thread_at(*cur)->timer_apcs--;
    *cur = thread;
    if (thread != WS_NONE)
        ws_thread_at(thread)->timer_apcs++;
}

/* Take the timer's queued APC out of its thread's queue (it will not run). */
static void unqueue_apc(struct ws_object *o)
{
    if (!o->u.timer.apc_queued)
        return;
    o->u.timer.apc_queued = false;
    if (o->u.timer.apc_thread != WS_NONE) {
        struct ws_apc_queue *q = &ws_thread_at(o->u.timer.apc_thread)->apc;
        uint64_t token = timer_token(o);
        uint32_t kept = 0;
        for (uint32_t i = 0; i < q->count; i++) {
            struct ws_apc a = q->entries[(q->head + i) % WS_APC_CAPACITY];
            if (a.routine == o->u.timer.apc_entry && a.argument == token)
                continue;
            q->entries[(q->head + kept++) % WS_APC_CAPACITY] = a;
        }
        q->count = kept;
    }
    ws_object_unref(o); /* the queued APC's reference; never the last (the caller holds one) */
}

static void queue_apc(struct ws_object *o, uint64_t fired, uint64_t now)
{
    struct ws_object *tm = o;
    if (!tm->u.timer.apc_routine || tm->u.timer.apc_thread == WS_NONE || tm->u.timer.apc_queued)
        return; /* NT: the timer's one KAPC is already in the queue */
    struct ws_thread *target = ws_thread_at(tm->u.timer.apc_thread);
    tm->u.timer.fired_at = filetime_of(fired, now);
    ws_slot_begin();
    DWORD err =
        apc_queue(target, (PAPCFUNC)(uintptr_t)tm->u.timer.apc_entry, (ULONG_PTR)timer_token(tm));
    if (err == ERROR_SUCCESS && !ws_slot_unimplemented()) {
        tm->u.timer.apc_queued = true;
        ws_object_ref(tm);
    }
}

void ws_timer_initialize(struct ws_object *o, bool manual_reset)
{
    o->header.signal_state = 0;
    o->u.timer.manual_reset = manual_reset;
    o->u.timer.active = false;
    o->u.timer.apc_thread = WS_NONE;
}

void ws_timer_expire(struct ws_object *o, uint64_t now)
{
    if (!o->u.timer.active || now < o->u.timer.due)
        return;
    if (o->u.timer.apc_thread != WS_NONE &&
        ws_thread_life_dead(ws_thread_at(o->u.timer.apc_thread))) {
        /* Its setter was killed and nobody has reaped it yet: the reaper would cancel the
         * timer (ws_timers_thread_ended), so it does not expire now either. */
        o->u.timer.active = false;
        unqueue_apc(o);             /* may drop the last reference: then the object is free */
        set_apc_thread(o, WS_NONE); /* and this finds nothing to do */
        return;
    }
    uint64_t fired = o->u.timer.due;
    if (o->u.timer.period_ms) {
        /* Periods nobody saw pass: the timer stayed signalled, one APC stayed queued. */
        uint64_t period = (uint64_t)o->u.timer.period_ms * 1000000u;
        o->u.timer.due += ((now - o->u.timer.due) / period + 1) * period;
        /* The expiry reported is the last one that passed. */
        fired = o->u.timer.due - period;
    } else {
        o->u.timer.active = false;
    }
    o->header.signal_state = 1;
    queue_apc(o, fired, now);
    ws_dispatch_signal(o);
}

bool ws_wait_has_timers(const struct ws_thread *self, struct ws_object *const *objs, uint32_t n,
                        bool alertable)
{
    if (alertable && self->timer_apcs > 0)
        return true;
    for (uint32_t i = 0; i < n; i++)
        if (objs[i]->header.type == WS_TYPE_TIMER)
            return true;
    return false;
}

static uint64_t earlier(uint64_t due, const struct ws_object *o)
{
    return o->u.timer.active && o->u.timer.due < due ? o->u.timer.due : due;
}

uint64_t ws_timers_expire_for_wait(struct ws_thread *self, struct ws_object *const *objs,
                                   uint32_t n, bool alertable)
{
    uint64_t now = ws_monotonic_ns(), due = WS_NO_DUE;
    if (alertable && self->timer_apcs > 0) {
        uint32_t high = ws_g.seg->object_high;
        for (uint32_t i = 0; i < high; i++) {
            struct ws_object *o = ws_object_at(i);
            if (o->header.type == WS_TYPE_TIMER && o->u.timer.apc_thread == self->index) {
                ws_timer_expire(o, now);
                due = earlier(due, o);
            }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (objs[i]->header.type == WS_TYPE_TIMER) {
            ws_timer_expire(objs[i], now);
            due = earlier(due, objs[i]);
        }
    }
    return due;
}

void ws_timers_expire_apcs_of(struct ws_thread *t)
{
    if (t->timer_apcs == 0)
        return;
    uint64_t now = ws_monotonic_ns();
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type == WS_TYPE_TIMER && o->u.timer.apc_thread == t->index)
            ws_timer_expire(o, now);
    }
}

/* The APC trampoline: runs on the target thread, in an alertable wait, without the lock. */
static VOID CALLBACK timer_apc(ULONG_PTR token)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return;
    uint32_t index = (uint32_t)token, generation = (uint32_t)((uint64_t)token >> 32);
    PTIMERAPCROUTINE routine = NULL;
    LPVOID argument = NULL;
    uint64_t fired = 0;
    ws_lock(self);
    if (index < ws_g.seg->object_high) {
        struct ws_object *o = ws_object_at(index);
        if (o->header.type == WS_TYPE_TIMER && o->generation == generation &&
            o->u.timer.apc_queued && o->u.timer.apc_thread == self->index) {
            routine = (PTIMERAPCROUTINE)(uintptr_t)o->u.timer.apc_routine;
            argument = (LPVOID)(uintptr_t)o->u.timer.apc_argument;
            fired = o->u.timer.fired_at;
            o->u.timer.apc_queued = false;
            ws_object_unref(o); /* may be the last reference: the handles are closed */
        }
    }
    ws_unlock();
    if (routine)
        routine(argument, (DWORD)fired, (DWORD)(fired >> 32));
}

void ws_timer_set(struct ws_object *o, struct ws_thread *self, uint64_t due, uint32_t period_ms,
                  uint64_t routine, uint64_t argument)
{
    /* NT cancels the timer first, queued APC included; the new state is not signalled. */
    unqueue_apc(o);
    o->header.signal_state = 0;
    o->u.timer.due = due;
    o->u.timer.period_ms = period_ms;
    o->u.timer.active = true;
    o->u.timer.apc_routine = routine;
    o->u.timer.apc_argument = argument;
    o->u.timer.apc_entry = (uint64_t)(uintptr_t)timer_apc;
    set_apc_thread(o, routine ? self->index : WS_NONE);
    ws_dispatch_kick_waiters(o);           /* their deadline changed */
    ws_timer_expire(o, ws_monotonic_ns()); /* a due time already past signals at once */
}

void ws_timer_cancel(struct ws_object *o)
{
    ws_timer_expire(o, ws_monotonic_ns()); /* an expiry nobody saw yet did happen */
    o->u.timer.active = false;
    unqueue_apc(o); /* "cancels outstanding APCs" */
    set_apc_thread(o, WS_NONE);
}

void ws_timer_destroy(struct ws_object *o)
{
    /* No queued APC is left (it holds a reference); forget the thread. */
    o->u.timer.active = false;
    set_apc_thread(o, WS_NONE);
}

void ws_timers_thread_ended(struct ws_thread *t)
{
    if (t->timer_apcs == 0)
        return;
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high && t->timer_apcs > 0; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type == WS_TYPE_TIMER && o->u.timer.apc_thread == t->index) {
            ws_object_ref(o);
            ws_timer_cancel(o); /* Microsoft: cancelled, its state unchanged */
            ws_object_unref(o);
        }
    }
    t->timer_apcs = 0;
}

void ws_timers_repair(void)
{
    uint32_t threads = ws_g.seg->thread_high;
    for (uint32_t t = 0; t < threads; t++)
        ws_thread_at(t)->timer_apcs = 0;
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != WS_TYPE_TIMER || o->u.timer.apc_thread == WS_NONE)
            continue;
        struct ws_thread *t = ws_thread_at(o->u.timer.apc_thread);
        if (ws_thread_state(t) != WS_REC_ALIVE) {
            o->u.timer.apc_thread = WS_NONE;
            o->u.timer.apc_queued = false;
            continue;
        }
        t->timer_apcs++;
        if (o->u.timer.apc_queued)
            o->refs++;
    }
}
