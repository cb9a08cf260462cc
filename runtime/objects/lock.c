/*
 * lock.c - the dispatcher lock.
 *
 * One futex word in the segment: 0 when free, otherwise the owner's thread index + 1,
 * with WS_LOCK_WAITERS set when somebody sleeps on it. A waiter also sleeps on the
 * owner's life word, so if the owner is killed while holding the lock, the kernel
 * wakes the waiter, which takes the lock over and repairs what the dead owner may
 * have left half done (ws_repair_locked).
 */
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "timeout.h"

#define WS_LOCK_WAITERS 0x80000000u
#define WS_LOCK_SPINS 200

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The lock word holds a dead thread: take it over, then repair. */
static bool take_over_from_dead(uint32_t seen, uint32_t mine)
{
    uint32_t owner = (seen & ~WS_LOCK_WAITERS) - 1;
    if (owner >= ws_config()->max_threads)
        return false;
    if (!ws_thread_life_dead(ws_thread_at(owner)))
        return false;
    if (!__atomic_compare_exchange_n(&ws_g.seg->lock, &seen, mine | WS_LOCK_WAITERS, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return false;
    ws_g.seg->repairs++;
    ws_repair_locked();
    return true;
}

static void lock_slow(uint32_t mine)
{
    uint32_t *word = &ws_g.seg->lock;
    for (int i = 0; i < WS_LOCK_SPINS; i++) {
        uint32_t expected = 0;
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(word, &expected, mine, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return;
        cpu_relax();
    }
    for (;;) {
        uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (v == 0) {
            /* Taken from the slow path: others may sleep, so keep the waiters bit. */
            if (__atomic_compare_exchange_n(word, &v, mine | WS_LOCK_WAITERS, false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
                return;
            continue;
        }
        if (!(v & WS_LOCK_WAITERS)) {
            if (!__atomic_compare_exchange_n(word, &v, v | WS_LOCK_WAITERS, false, __ATOMIC_RELAXED,
                                             __ATOMIC_RELAXED))
                continue;
            v |= WS_LOCK_WAITERS;
        }
        uint32_t owner = (v & ~WS_LOCK_WAITERS) - 1;
        struct ws_futex_wait waits[2] = {{word, v}, {NULL, 0}};
        unsigned n = 1;
        if (owner < ws_config()->max_threads) {
            struct ws_thread *t = ws_thread_at(owner);
            uint32_t *life = ws_thread_life_word(t);
            uint32_t lv = __atomic_load_n(life, __ATOMIC_ACQUIRE);
            if (ws_thread_life_dead(t)) {
                if (take_over_from_dead(v, mine))
                    return;
                continue;
            }
            if (!(lv & FUTEX_WAITERS) &&
                !__atomic_compare_exchange_n(life, &lv, lv | FUTEX_WAITERS, false, __ATOMIC_RELAXED,
                                             __ATOMIC_RELAXED))
                continue;
            waits[1].word = life;
            waits[1].expected = lv | FUTEX_WAITERS;
            n = 2;
        }
        ws_futex_waitv(waits, n, NULL);
    }
}

/* Wakes are sent after the lock is released, so that a woken thread does not run
 * straight into the lock its waker still holds. All of them: one SetEvent can release
 * every waiter of the namespace, and waking hundreds under the lock makes each of them spin
 * on it and sleep again (a convoy: bench/scaling.c's setevent-manual-500w cost 10x more per
 * waiter when only the first 16 wakes waited for the unlock). The list lives in this
 * thread's own memory: a small array, and a heap array for a larger burst, freed at unlock. */
#define WS_INLINE_WAKES 32
static _Thread_local uint32_t *inline_wakes[WS_INLINE_WAKES];
static _Thread_local uint32_t **heap_wakes; /* NULL: the inline array is in use */
static _Thread_local unsigned pending_count, heap_capacity;

_Thread_local int ws_ending_self;
_Thread_local volatile sig_atomic_t ws_terminate_pending;

/* A thread marked terminating takes the lock only to learn it: it changes nothing and ends. */
static void divert_if_terminating(struct ws_thread *self)
{
    if (__builtin_expect(__atomic_load_n(&self->terminating, __ATOMIC_RELAXED) != WS_TERM_NONE,
                         0) &&
        !ws_ending_self) {
        ws_unlock();
        ws_terminated_self(self);
    }
}

void ws_lock_from(struct ws_thread *self, const char *caller)
{
    if (__builtin_expect(__atomic_load_n(&ws_g.lock_guard_pending, __ATOMIC_RELAXED) != NULL, 0)) {
        struct ws_process *p =
            __atomic_exchange_n(&ws_g.lock_guard_pending, NULL, __ATOMIC_ACQ_REL);
        if (p)
            ws_lock_guard_start(p); /* a fork child's, outside its fork handler */
    }
    uint32_t mine = self->index + 1;
    uint32_t expected = 0;
    /* From here to ws_unlock's end, TerminateThread's signal waits (a field of the record, not
     * a thread-local: no TLS lookup on the hot path of a shared library). */
    __atomic_store_n(&self->in_dispatcher, 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    /* acq_rel, not just acquire: publishing the owner's earlier writes (its record)
     * through the lock word lets a contender read the owner's life word safely. Free
     * on x86, where every locked instruction is a full barrier. */
    if (!__atomic_compare_exchange_n(&ws_g.seg->lock, &expected, mine, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
        lock_slow(mine);
    /* Owner-only writes, read by the lock guard of this process. */
    __atomic_store_n(&self->lock_caller, (uint64_t)(uintptr_t)caller, __ATOMIC_RELAXED);
    __atomic_store_n(&self->lock_serial, self->lock_serial + 1, __ATOMIC_RELAXED);
    divert_if_terminating(self);
}

/* At process exit: the lock may be held by a thread of this very process that will never
 * release it (this thread itself, interrupted inside by a signal handler that called exit(), or
 * a thread blocked behind us in exit()). Wait at most `ms` for it, then treat the owner as dead:
 * take the lock over and repair, as after a crash. An owner in another process is waited for as
 * usual (if it dies, its death is seen). */
void ws_lock_at_exit(struct ws_thread *self, unsigned ms)
{
    uint32_t mine = self->index + 1;
    uint32_t *word = &ws_g.seg->lock;
    struct timespec deadline;
    __atomic_store_n(&self->in_dispatcher, 1, __ATOMIC_RELAXED);
    ws_deadline_after(&deadline, ms);
    for (;;) {
        uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        uint32_t expected = 0;
        if (v == 0) {
            if (__atomic_compare_exchange_n(word, &expected, mine | WS_LOCK_WAITERS, false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
                return;
            continue;
        }
        uint32_t owner = (v & ~WS_LOCK_WAITERS) - 1;
        bool ours = owner < ws_config()->max_threads &&
                    __atomic_load_n(&ws_thread_at(owner)->pid, __ATOMIC_RELAXED) == getpid();
        if (!ours)
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (owner == self->index || now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            if (!__atomic_compare_exchange_n(word, &v, mine | WS_LOCK_WAITERS, false,
                                             __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                continue;
            ws_g.seg->repairs++;
            ws_repair_locked();
            return;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    ws_lock(self);
}

/* For reports (wct/report.c): the lock if it can be had within `ms`, polling so that a stuck
 * owner cannot hang the caller. False (the lock not taken, *holder set to the owner's thread
 * index or WS_NONE) when it could not. A dead owner is taken over as ws_lock would. */
bool ws_lock_within(struct ws_thread *self, unsigned ms, uint32_t *holder)
{
    uint32_t mine = self->index + 1;
    uint32_t *word = &ws_g.seg->lock;
    struct timespec deadline;
    ws_deadline_after(&deadline, ms);
    __atomic_store_n(&self->in_dispatcher, 1, __ATOMIC_RELAXED);
    for (;;) {
        uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        uint32_t expected = 0;
        /* Keep the waiters bit: others may be asleep on the word. */
        if (v == 0 && __atomic_compare_exchange_n(word, &expected, mine | WS_LOCK_WAITERS, false,
                                                  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
        if (v != 0 && take_over_from_dead(v, mine))
            return true;
        uint32_t owner = (v & ~WS_LOCK_WAITERS) - 1;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            __atomic_store_n(&self->in_dispatcher, 0, __ATOMIC_RELAXED);
            *holder = v == 0 || owner >= ws_config()->max_threads ? WS_NONE : owner;
            return false;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
}

bool ws_lock_busy_here(const struct ws_thread *self)
{
    return __atomic_load_n(&self->in_dispatcher, __ATOMIC_RELAXED) != 0;
}

static bool grow_pending_wakes(void)
{
    unsigned capacity = heap_wakes ? heap_capacity * 2 : WS_INLINE_WAKES * 4;
    uint32_t **bigger = realloc(heap_wakes, capacity * sizeof *bigger);
    if (!bigger)
        return false;
    if (!heap_wakes)
        memcpy(bigger, inline_wakes, sizeof inline_wakes);
    heap_wakes = bigger;
    heap_capacity = capacity;
    return true;
}

void ws_wake_after_unlock(uint32_t *word)
{
    unsigned capacity = heap_wakes ? heap_capacity : WS_INLINE_WAKES;
    if (pending_count == capacity && (ws_ending_self || !grow_pending_wakes())) {
        /* Out of memory, or a thread ending itself from a signal handler (no malloc there):
         * wake now, which is only slower. */
        ws_futex_wake(word, 1);
        return;
    }
    (heap_wakes ? heap_wakes : inline_wakes)[pending_count++] = word;
}

void ws_unlock(void)
{
    uint32_t v = __atomic_exchange_n(&ws_g.seg->lock, 0, __ATOMIC_RELEASE);
    uint32_t owner = (v & ~WS_LOCK_WAITERS) - 1; /* the caller */
    if (v & WS_LOCK_WAITERS)
        ws_futex_wake(&ws_g.seg->lock, 1);
    /* A woken thread may have ended and its record been reused by now: a stray wake
     * is harmless, every sleeper checks why it woke. */
    uint32_t **heap = heap_wakes;
    uint32_t **wakes = heap ? heap : inline_wakes;
    for (unsigned i = 0; i < pending_count; i++)
        ws_futex_wake(wakes[i], 1);
    pending_count = 0;
    heap_wakes = NULL;
    if (heap)
        free(heap);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (owner < ws_config()->max_threads)
        __atomic_store_n(&ws_thread_at(owner)->in_dispatcher, 0, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (__builtin_expect(ws_terminate_pending, 0) && !ws_ending_self) {
        /* TerminateThread's signal came while we held the lock: now is the safe point. */
        ws_terminate_pending = 0;
        ws_terminated_self(NULL);
    }
}

void ws_dispatcher_lock(void)
{
    ws_lock(ws_self());
}

void ws_dispatcher_unlock(void)
{
    ws_unlock();
}
