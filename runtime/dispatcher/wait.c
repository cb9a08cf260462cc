/*
 * wait.c - the dispatcher: wait blocks, the wait test, blocking and waking.
 *
 * A thread that must block links one wait block per object onto each object's wait
 * list (arrival order), then sleeps on its own futex word. Whoever signals an object
 * runs the wait test (ws_dispatch_signal) under the lock: it satisfies waiters on the
 * spot (the object's satisfy operation runs *for* the waiter), records the result in
 * the waiter's wait state, unlinks it and wakes it. A woken waiter therefore never
 * takes the lock again on the fast path; it only reads its result.
 *
 * Besides its own word, a blocked thread sleeps on the life words of the threads whose
 * death would end its wait (a mutex's owner, a waited thread, a waited process's
 * threads). If one of them is killed, the kernel wakes the waiter, which reaps the
 * dead thread (abandoning its mutexes, signalling its objects) and re-evaluates.
 */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "internal.h"
#include "timeout.h"

volatile int ws_unimplemented_seen;

/* A waiter's wake word: bit 0 is set when its wait is over; every kick (a reason to
 * look again without the wait being over) adds 2, so a kick is never lost between
 * dropping the lock and going to sleep. */
#define WS_WAKE_DONE 1u
#define WS_WAKE_KICK 2u
#define WS_POLL_MS 50          /* a death we cannot watch is looked for this often */
#define WS_SAFETY_POLL_MS 1000 /* and a lost wake-up, this often */

/* ---- Wait blocks and lists ----------------------------------------------------------- */

static inline uint32_t block_id(const struct ws_thread *t, uint32_t i)
{
    return t->index * MAXIMUM_WAIT_OBJECTS + i;
}

static inline struct ws_thread *block_thread(uint32_t id)
{
    return ws_thread_at(id / MAXIMUM_WAIT_OBJECTS);
}

static inline struct ws_wait_block *block_at(uint32_t id)
{
    return &block_thread(id)->wait.blocks[id % MAXIMUM_WAIT_OBJECTS];
}

static void list_append(struct ws_object *obj, uint32_t id)
{
    struct ws_list *l = &obj->header.wait_list;
    struct ws_wait_block *b = block_at(id);
    b->next = WS_NONE;
    b->prev = l->tail;
    if (l->tail == WS_NONE)
        l->head = id;
    else
        block_at(l->tail)->next = id;
    l->tail = id;
}

static void list_remove(struct ws_object *obj, uint32_t id)
{
    struct ws_list *l = &obj->header.wait_list;
    struct ws_wait_block *b = block_at(id);
    if (b->prev == WS_NONE)
        l->head = b->next;
    else
        block_at(b->prev)->next = b->next;
    if (b->next == WS_NONE)
        l->tail = b->prev;
    else
        block_at(b->next)->prev = b->prev;
}

void ws_wait_unlink_all(struct ws_thread *t)
{
    struct ws_wait *w = &t->wait;
    for (uint32_t i = 0; i < w->count; i++) {
        struct ws_object *obj = ws_object_at(w->blocks[i].object);
        list_remove(obj, block_id(t, i));
        ws_object_unref(obj);
    }
    w->count = 0;
}

/* Repair: rebuild every wait list from the threads' own wait state. */
void ws_wait_rebuild_lists(void)
{
    uint32_t high = ws_g.seg->object_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_object *o = ws_object_at(i);
        o->header.wait_list.head = o->header.wait_list.tail = WS_NONE;
    }
    uint32_t threads = ws_g.seg->thread_high;
    for (uint32_t t = 0; t < threads; t++) {
        struct ws_thread *th = ws_thread_at(t);
        if (ws_thread_state(th) != WS_REC_ALIVE || !th->wait.blocked)
            continue;
        for (uint32_t i = 0; i < th->wait.count; i++)
            list_append(ws_object_at(th->wait.blocks[i].object), block_id(th, i));
    }
}

/* ---- The objects' side: "signalled for this thread?" and "satisfy" -------------------- */

bool ws_object_is_signaled(const struct ws_object *obj, const struct ws_thread *t)
{
    switch (obj->header.type) {
    case WS_TYPE_EVENT:
        return event_is_signaled(obj, t);
    case WS_TYPE_MUTEX:
        return mutex_is_signaled(obj, t);
    case WS_TYPE_SEMAPHORE:
        return semaphore_is_signaled(obj, t);
    case WS_TYPE_THREAD:
    case WS_TYPE_PROCESS:
    case WS_TYPE_TIMER:
        return obj->header.signal_state > 0;
    default:
        return false;
    }
}

bool ws_object_satisfy(struct ws_object *obj, struct ws_thread *t)
{
    switch (obj->header.type) {
    case WS_TYPE_EVENT:
        event_satisfy(obj, t);
        return false;
    case WS_TYPE_SEMAPHORE:
        semaphore_satisfy(obj, t);
        return false;
    case WS_TYPE_TIMER:
        if (!obj->u.timer.manual_reset)
            obj->header.signal_state = 0; /* a synchronization timer releases one waiter */
        return false;
    case WS_TYPE_MUTEX: {
        bool abandoned = mutex_satisfy(obj, t);
        if (obj->header.wait_list.head != WS_NONE)
            ws_dispatch_rewatch(obj, t);
        return abandoned;
    }
    default:
        return false; /* threads and processes stay signalled */
    }
}

/* End t's wait with `status` and wake it. */
void ws_complete_wait(struct ws_thread *t, DWORD status)
{
    struct ws_wait *w = &t->wait;
    w->status = status; /* first: a repair finishes any wait that has a status */
    ws_wait_unlink_all(t);
    w->blocked = false;
    __atomic_or_fetch(&w->wake_word, WS_WAKE_DONE, __ATOMIC_RELEASE);
    ws_wake_after_unlock(&w->wake_word);
}

/* Try to satisfy the blocked waiter owning wait block `id`. */
static bool try_waiter(uint32_t id)
{
    struct ws_thread *t = block_thread(id);
    struct ws_wait *w = &t->wait;
    struct ws_object *objs[MAXIMUM_WAIT_OBJECTS];
    for (uint32_t i = 0; i < w->count; i++)
        objs[i] = ws_object_at(w->blocks[i].object);
    DWORD result;
    if (!wait_test(t, objs, w->count, w->wait_all, &result))
        return false;
    ws_complete_wait(t, result);
    return true;
}

void ws_dispatch_signal(struct ws_object *obj)
{
    if (obj->header.wait_list.head == WS_NONE)
        return;
    ws_object_ref(obj); /* completing waits drops their references */
    uint32_t id = obj->header.wait_list.head;
    while (id != WS_NONE) {
        if (obj->header.type != WS_TYPE_MUTEX && obj->header.signal_state <= 0)
            break;
        if (ws_thread_life_dead(block_thread(id))) {
            /* Killed while waiting: it must not take what it can no longer use. The
             * reaper unlinks it later; reaping here would re-enter the reaper. */
            id = block_at(id)->next;
            continue;
        }
        if (ws_thread_suspended(block_thread(id))) {
            /* Suspended: it takes nothing until resumed (ws_thread_resumed_locked). */
            id = block_at(id)->next;
            continue;
        }
        if (try_waiter(id))
            id = obj->header.wait_list.head; /* the list changed: start over */
        else
            id = block_at(id)->next;
    }
    ws_object_unref(obj);
}

void ws_thread_alert(struct ws_thread *t)
{
    /* A suspended thread is alerted when it resumes, if the APC is still due then. */
    if (t && t->wait.blocked && !ws_thread_suspended(t))
        ws_complete_wait(t, WAIT_IO_COMPLETION);
}

/* A mutex changed owner: its waiters watch the old owner's life. One watcher of the new
 * owner is enough, since whoever sees a death reaps it for everyone: kick the first waiter
 * in another process to watch it. (Waiters in the owner's process die with it. Kicking
 * them all would wake every waiter on every hand-off; the others find out within
 * WS_SAFETY_POLL_MS if the kicked one leaves first.) */
void ws_dispatch_rewatch(struct ws_object *obj, const struct ws_thread *new_owner)
{
    for (uint32_t id = obj->header.wait_list.head; id != WS_NONE; id = block_at(id)->next) {
        struct ws_thread *t = block_thread(id);
        if (t != new_owner && t->process != new_owner->process) {
            __atomic_add_fetch(&t->wait.wake_word, WS_WAKE_KICK, __ATOMIC_RELEASE);
            ws_wake_after_unlock(&t->wait.wake_word);
            return;
        }
    }
}

void ws_dispatch_kick_waiters(struct ws_object *obj)
{
    for (uint32_t id = obj->header.wait_list.head; id != WS_NONE; id = block_at(id)->next) {
        struct ws_thread *t = block_thread(id);
        __atomic_add_fetch(&t->wait.wake_word, WS_WAKE_KICK, __ATOMIC_RELEASE);
        ws_wake_after_unlock(&t->wait.wake_word);
    }
}

/* ---- Blocking ------------------------------------------------------------------------- */

/* Watch another thread's life. False when there is no room left to watch it. */
static bool add_watch(struct ws_thread *self, uint32_t thread_index)
{
    if (thread_index == self->index)
        return true;
    if (ws_thread_at(thread_index)->process == self->process)
        return true; /* dies only with us, or tells us itself when it exits */
    for (uint32_t i = 0; i < self->watch_count; i++)
        if (self->watch[i] == thread_index)
            return true;
    if (self->watch_count >= WS_WATCH_MAX)
        return false;
    self->watch[self->watch_count++] = thread_index;
    return true;
}

/* Who may die and thereby end a wait on these objects? Returns false when some death
 * cannot be watched (too many, or a process with no thread to watch): then the waiter
 * looks again every WS_POLL_MS. */
static bool collect_watches(struct ws_thread *self, struct ws_object *const *objs, uint32_t n)
{
    bool complete = true;
    self->watch_count = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct ws_object *o = objs[i];
        if (o->header.type == WS_TYPE_MUTEX && o->u.mutex.owner != WS_NONE) {
            complete &= add_watch(self, o->u.mutex.owner);
        } else if (o->header.type == WS_TYPE_THREAD && o->u.thread.slot != WS_NONE) {
            complete &= add_watch(self, o->u.thread.slot);
        } else if (o->header.type == WS_TYPE_PROCESS && o->u.process.slot != WS_NONE &&
                   o->u.process.slot != self->process) {
            bool any = false;
            uint32_t high = ws_g.seg->thread_high;
            for (uint32_t t = 0; t < high; t++) {
                struct ws_thread *th = ws_thread_at(t);
                if (ws_thread_state(th) == WS_REC_ALIVE && th->process == o->u.process.slot) {
                    complete &= add_watch(self, t);
                    any = true;
                }
            }
            complete &= any; /* not attached yet, or only unregistered threads left */
        }
    }
    return complete;
}

static bool watched_thread_died(const struct ws_thread *self)
{
    for (uint32_t i = 0; i < self->watch_count; i++)
        if (ws_thread_life_dead(ws_thread_at(self->watch[i])))
            return true;
    return false;
}

/* Arm the futex waits on the watched life words. False: somebody already died. */
static bool arm_watches(struct ws_thread *self, struct ws_futex_wait *waits, unsigned *n)
{
    *n = 1;
    for (uint32_t i = 0; i < self->watch_count; i++) {
        struct ws_thread *t = ws_thread_at(self->watch[i]);
        uint32_t *life = ws_thread_life_word(t);
        uint32_t v = __atomic_load_n(life, __ATOMIC_ACQUIRE);
        if (ws_thread_life_dead(t))
            return false;
        if (!(v & FUTEX_WAITERS)) {
            if (!__atomic_compare_exchange_n(life, &v, v | FUTEX_WAITERS, false, __ATOMIC_RELAXED,
                                             __ATOMIC_RELAXED))
                return false; /* changed under us: look again */
            v |= FUTEX_WAITERS;
        }
        waits[*n].word = life;
        waits[*n].expected = v;
        (*n)++;
    }
    return true;
}

static uint64_t timespec_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static bool deadline_passed(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Sleep at most `ms`, or until the deadline or a timer's due time (CLOCK_MONOTONIC ns,
 * WS_NO_DUE for none) if that comes first. */
static void slice_of(struct timespec *slice, const struct timespec *deadline, DWORD ms,
                     uint64_t due)
{
    ws_deadline_after(slice, ms);
    if (deadline && (deadline->tv_sec < slice->tv_sec ||
                     (deadline->tv_sec == slice->tv_sec && deadline->tv_nsec < slice->tv_nsec)))
        *slice = *deadline;
    if (due != WS_NO_DUE) {
        struct timespec d = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
        if (d.tv_sec < slice->tv_sec || (d.tv_sec == slice->tv_sec && d.tv_nsec < slice->tv_nsec))
            *slice = d;
    }
}

static DWORD block(struct ws_thread *self, struct ws_object **objs, uint32_t n, bool all,
                   DWORD timeout_ms, bool alertable)
{
    struct ws_wait *w = &self->wait;
    w->count = n;
    w->wait_all = all;
    w->alertable = alertable;
    w->status = WAIT_FAILED;
    for (uint32_t i = 0; i < n; i++) {
        w->blocks[i].object = objs[i]->index;
        ws_object_ref(objs[i]);
        list_append(objs[i], block_id(self, i));
    }
    __atomic_store_n(&w->wake_word, 0, __ATOMIC_RELAXED);
    w->blocked = true;

    struct timespec deadline;
    if (timeout_ms != INFINITE)
        ws_deadline_after(&deadline, timeout_ms);
    const struct timespec *until = timeout_ms == INFINITE ? NULL : &deadline;
    /* A timer among the objects, or a timer APC this alertable wait must run: sleep no later
     * than its due time, and expire it when woken (dispatcher/timer.c). */
    bool timed = ws_wait_has_timers(self, objs, n, alertable);

    for (;;) {
        if (ws_thread_suspended(self)) {
            /* Suspended while inside the lock: stop here, still on the wait lists (the
             * dispatcher skips us). Resuming runs our wait test again. */
            ws_unlock();
            ws_suspend_point(self);
            ws_lock(self);
            if (!w->blocked)
                break;
            continue;
        }
        if (alertable && self->special_apc.count > 0) {
            ws_wait_unlink_all(self); /* a special APC ends an alertable wait */
            w->blocked = false;
            w->status = WAIT_IO_COMPLETION;
            break;
        }
        uint64_t due = timed ? ws_timers_expire_for_wait(self, objs, n, alertable) : WS_NO_DUE;
        if (!w->blocked)
            break; /* the expiry satisfied or alerted this very wait */
        struct ws_futex_wait waits[WS_WATCH_MAX + 1];
        unsigned count;
        waits[0].word = &w->wake_word;
        waits[0].expected = __atomic_load_n(&w->wake_word, __ATOMIC_RELAXED);
        bool complete = collect_watches(self, objs, n);
        if (!arm_watches(self, waits, &count)) {
            ws_reap_locked();
            if (!w->blocked)
                break;
            continue;
        }
        if (ws_g.guard) {
            self->wait_armed = waits[0].expected;
            self->wait_timed = timed;
            self->wait_deadline = until ? timespec_ns(until) : UINT64_MAX;
            if (ws_fast_forward_locked(self) && !w->blocked)
                break; /* the stuck-test guard ended this very wait (dispatcher/stuck.c) */
        }
        ws_unlock();
        /* Even a fully watched sleeper looks again now and then: a waker killed between
         * releasing the lock and sending its wake must not leave us asleep forever. */
        struct timespec slice;
        slice_of(&slice, until, complete ? WS_SAFETY_POLL_MS : WS_POLL_MS, due);
        int r = ws_futex_waitv(waits, count, &slice);
        if (__atomic_load_n(&w->wake_word, __ATOMIC_ACQUIRE) & WS_WAKE_DONE)
            return w->status; /* the waker did everything */
        ws_lock(self);
        if (!w->blocked)
            break;
        if (timed) {
            ws_timers_expire_for_wait(self, objs, n, alertable); /* before the timeout wins */
            if (!w->blocked)
                break;
        }
        if (r == ETIMEDOUT && until && deadline_passed(until)) {
            ws_wait_unlink_all(self);
            w->blocked = false;
            w->status = WAIT_TIMEOUT;
            break;
        }
        ws_reap_locked(); /* a watched thread may have died */
        if (!w->blocked)
            break;
    }
    ws_unlock();
    return w->status;
}

static DWORD wait_locked(struct ws_thread *self, struct ws_object **objs, uint32_t n, bool all,
                         DWORD timeout_ms, bool alertable)
{
    DWORD result;
    if (ws_wait_has_timers(self, objs, n, alertable))
        ws_timers_expire_for_wait(self, objs, n, alertable); /* what is due has happened */
    /* As NT does, a signalled object wins over a pending APC. */
    if (wait_test(self, objs, n, all, &result)) {
        ws_unlock();
        return result;
    }
    if (apc_should_interrupt(self, alertable) || (alertable && self->special_apc.count > 0)) {
        ws_unlock();
        return WAIT_IO_COMPLETION;
    }
    if (timeout_ms == 0) {
        /* A poll must see a death that nobody has reaped yet (an abandoned mutex, a
         * process whose last thread is gone): look when one may have happened. */
        bool complete = collect_watches(self, objs, n);
        if (!complete || watched_thread_died(self)) {
            ws_reap_locked();
            if (wait_test(self, objs, n, all, &result)) {
                ws_unlock();
                return result;
            }
        }
        ws_unlock();
        return WAIT_TIMEOUT;
    }
    if (n > 0 && ws_unimplemented_seen) {
        ws_unlock();
        ws_set_error(ERROR_CALL_NOT_IMPLEMENTED);
        return WAIT_FAILED;
    }
    return block(self, objs, n, all, timeout_ms, alertable);
}

DWORD ws_wait_locked(struct ws_thread *self, struct ws_object **objs, uint32_t n, bool all,
                     DWORD timeout_ms, bool alertable)
{
    int outer = ws_in_wait;
    ws_in_wait = 1; /* our wait state is in use: a special APC waits for the wait's end */
    DWORD result = wait_locked(self, objs, n, all, timeout_ms, alertable);
    ws_in_wait = outer;
    /* Special APCs first: they ended an alertable wait, or came during a non-alertable one,
     * which they run after (MS "QueueUserAPC2 function", Remarks). */
    if (__atomic_load_n(&self->special_apc.count, __ATOMIC_RELAXED) > 0 && !outer)
        ws_deliver_special_apcs(self);
    if (result == WAIT_IO_COMPLETION)
        apc_deliver_all(self);
    return result;
}
