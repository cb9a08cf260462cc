/*
 * critical_section.c - CRITICAL_SECTION: a lock owned by one thread, recursive, with a spin
 * count and a wait object created at the first contention.
 *
 * LockCount is the lock word, in Windows' encoding (Vista+): bit 0 set = free; bit 1 clear =
 * a waiter has been woken and has not run yet (so a release wakes nobody else meanwhile);
 * the bits above count waiters in ones' complement (each waiter subtracts 4). -1 is free,
 * -2 held, -6 held with one waiter. Recursion changes RecursionCount only.
 *
 * A release that finds waiters and no woken waiter takes one waiter off the count, clears
 * bit 1 and posts one token to the wait object (a counting semaphore on a private futex).
 * The woken thread then takes the lock if it is free, or counts itself as a waiter again.
 * Tokens are never lost: a token posted before its waiter sleeps is found when it looks.
 *
 * Like Windows, LeaveCriticalSection does not check who calls it: a thread that does not own
 * the section releases one level of it all the same, and a section that is not entered only
 * gets a negative RecursionCount (the next EnterCriticalSection sets it to 1 again).
 */
#include <sched.h>
#include <stdlib.h>

#include "intra.h"

#define CS_FREE 1u
#define CS_NONE_WOKEN 2u
#define CS_ONE_WAITER 4u
#define CS_UNLOCKED 0xFFFFFFFFu /* -1 */
#define CS_LOCKED 0xFFFFFFFEu   /* -2 */
#define CS_SPIN_MASK 0x00FFFFFFu
#define CS_DEFAULT_SPIN (RTL_CRITICAL_SECTION_FLAG_DYNAMIC_SPIN | 2000u) /* Windows' default */
#define CS_EX_ALLOWED_FLAGS 0x1FFFFFFFu
#define CS_EX_KEPT_FLAGS 0x0B000000u /* flags Windows records in SpinCount */
#define CS_NO_DEBUG_INFO ((PRTL_CRITICAL_SECTION_DEBUG)(LONG_PTR)-1)

/* The lazily created wait object behind LockSemaphore. */
struct cs_wait_object {
    uint32_t tokens;
};

static uint32_t *lock_word(LPCRITICAL_SECTION cs)
{
    return (uint32_t *)&cs->LockCount;
}

static uint32_t waiters(uint32_t word)
{
    return ~word >> 2;
}

static void init_section(LPCRITICAL_SECTION cs, ULONG_PTR spin_count)
{
    cs->DebugInfo = CS_NO_DEBUG_INFO;
    __atomic_store_n(lock_word(cs), CS_UNLOCKED, __ATOMIC_RELAXED);
    cs->RecursionCount = 0;
    __atomic_store_n(&cs->OwningThread, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&cs->LockSemaphore, NULL, __ATOMIC_RELAXED);
    cs->SpinCount = spin_count;
}

/* The number of CPUs online: Windows ignores spin counts on a single processor. */
static unsigned cpu_count(void)
{
    static unsigned cached;
    unsigned n = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (n == 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        n = online > 0 ? (unsigned)online : 1;
        __atomic_store_n(&cached, n, __ATOMIC_RELAXED);
    }
    return n;
}

/* The spin count Windows records: none on one CPU, the default when 0 is asked for. */
static ULONG_PTR effective_spin(DWORD requested)
{
    if (cpu_count() < 2)
        return 0;
    requested &= CS_SPIN_MASK;
    return requested ? requested : CS_DEFAULT_SPIN;
}

VOID WINAPI InitializeCriticalSection(LPCRITICAL_SECTION cs)
{
    init_section(cs, effective_spin(0));
}

BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs, DWORD spin_count)
{
    init_section(cs, effective_spin(spin_count)); /* the top byte (old flags) is ignored */
    return TRUE;
}

BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION cs, DWORD spin_count, DWORD flags)
{
    if ((spin_count & RTL_CRITICAL_SECTION_ALL_FLAG_BITS) || (flags & ~CS_EX_ALLOWED_FLAGS)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    init_section(cs, effective_spin(spin_count) | (flags & CS_EX_KEPT_FLAGS));
    return TRUE;
}

DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION cs, DWORD spin_count)
{
    ULONG_PTR previous = __atomic_exchange_n(
        &cs->SpinCount, cpu_count() < 2 ? 0 : (ULONG_PTR)spin_count, __ATOMIC_RELAXED);
    return (DWORD)previous;
}

static BOOL try_take(LPCRITICAL_SECTION cs)
{
    return (__atomic_fetch_and(lock_word(cs), ~CS_FREE, __ATOMIC_ACQUIRE) & CS_FREE) != 0;
}

static void become_owner(LPCRITICAL_SECTION cs, DWORD me)
{
    __atomic_store_n(&cs->OwningThread, (HANDLE)(ULONG_PTR)me, __ATOMIC_RELAXED);
    cs->RecursionCount = 1;
}

static DWORD owner(LPCRITICAL_SECTION cs)
{
    return (DWORD)(ULONG_PTR)__atomic_load_n(&cs->OwningThread, __ATOMIC_RELAXED);
}

/* The section's wait object, created by whoever needs it first; NULL when out of memory. */
static struct cs_wait_object *wait_object(LPCRITICAL_SECTION cs)
{
    struct cs_wait_object *w = __atomic_load_n(&cs->LockSemaphore, __ATOMIC_ACQUIRE);
    if (w)
        return w;
    struct cs_wait_object *fresh = calloc(1, sizeof *fresh);
    if (!fresh)
        return NULL;
    HANDLE expected = NULL;
    if (__atomic_compare_exchange_n(&cs->LockSemaphore, &expected, (HANDLE)fresh, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return fresh;
    free(fresh);
    return expected;
}

static void take_token(struct cs_wait_object *w)
{
    for (;;) {
        uint32_t tokens = __atomic_load_n(&w->tokens, __ATOMIC_ACQUIRE);
        if (tokens == 0)
            intra_futex_wait(&w->tokens, 0, NULL);
        else if (__atomic_compare_exchange_n(&w->tokens, &tokens, tokens - 1, 1, __ATOMIC_ACQUIRE,
                                             __ATOMIC_RELAXED))
            return;
    }
}

static void post_token(struct cs_wait_object *w)
{
    __atomic_fetch_add(&w->tokens, 1, __ATOMIC_RELEASE);
    intra_futex_wake(&w->tokens, 1);
}

/* Spins for up to the spin count while the owner may be about to leave. */
static BOOL spin_then_take(LPCRITICAL_SECTION cs)
{
    ULONG_PTR spins = __atomic_load_n(&cs->SpinCount, __ATOMIC_RELAXED) & CS_SPIN_MASK;
    for (; spins > 0; spins--) {
        uint32_t word = __atomic_load_n(lock_word(cs), __ATOMIC_RELAXED);
        if (waiters(word) > 0)
            return FALSE; /* others already sleep: the lock is held for long */
        if ((word & CS_FREE) && try_take(cs))
            return TRUE;
        intra_spin_pause();
    }
    return FALSE;
}

static void enter_contended(LPCRITICAL_SECTION cs)
{
    if (spin_then_take(cs))
        return;
    struct cs_wait_object *w = wait_object(cs);
    if (!w) { /* no memory for a wait object: yield until the lock is free */
        while (!try_take(cs))
            sched_yield();
        return;
    }
    uint32_t *word = lock_word(cs);
    uint32_t seen = __atomic_load_n(word, __ATOMIC_RELAXED);
    uint32_t woken = 0; /* CS_NONE_WOKEN once this thread was the woken waiter */
    for (;;) {
        if (seen & CS_FREE) {
            if (__atomic_compare_exchange_n(word, &seen, (seen & ~CS_FREE) | woken, 1,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
            continue;
        }
        /* Release: a leaver that sees this waiter also sees the wait object it created. */
        if (!__atomic_compare_exchange_n(word, &seen, (seen - CS_ONE_WAITER) | woken, 1,
                                         __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            continue;
        take_token(w);
        woken = CS_NONE_WOKEN;
        seen = __atomic_load_n(word, __ATOMIC_RELAXED);
    }
}

VOID WINAPI EnterCriticalSection(LPCRITICAL_SECTION cs)
{
    DWORD me = intra_thread_id();
    if (!try_take(cs)) {
        if (owner(cs) == me) {
            cs->RecursionCount++;
            return;
        }
        enter_contended(cs);
    }
    become_owner(cs, me);
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION cs)
{
    DWORD me = intra_thread_id();
    if (try_take(cs)) {
        become_owner(cs, me);
        return TRUE;
    }
    if (owner(cs) == me) {
        cs->RecursionCount++;
        return TRUE;
    }
    return FALSE;
}

static void release(LPCRITICAL_SECTION cs)
{
    uint32_t *word = lock_word(cs);
    uint32_t seen = CS_LOCKED;
    if (__atomic_compare_exchange_n(word, &seen, CS_UNLOCKED, 0, __ATOMIC_RELEASE,
                                    __ATOMIC_RELAXED))
        return;
    BOOL wake;
    uint32_t next;
    do {
        wake = waiters(seen) > 0 && (seen & CS_NONE_WOKEN);
        next = wake ? ((seen | CS_FREE) + CS_ONE_WAITER) & ~CS_NONE_WOKEN : seen | CS_FREE;
    } while (
        !__atomic_compare_exchange_n(word, &seen, next, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    if (wake) /* a waiter exists, so it created the wait object before counting itself */
        post_token(__atomic_load_n(&cs->LockSemaphore, __ATOMIC_ACQUIRE));
}

VOID WINAPI LeaveCriticalSection(LPCRITICAL_SECTION cs)
{
    LONG depth = --cs->RecursionCount;
    if (depth != 0)
        return; /* still entered, or (depth < 0) never entered: Windows changes nothing else */
    __atomic_store_n(&cs->OwningThread, NULL, __ATOMIC_RELAXED);
    release(cs);
}

VOID WINAPI DeleteCriticalSection(LPCRITICAL_SECTION cs)
{
    free(__atomic_exchange_n(&cs->LockSemaphore, NULL, __ATOMIC_ACQUIRE));
    init_section(cs, 0);
    cs->DebugInfo = NULL;
}
