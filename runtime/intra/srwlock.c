/*
 * srwlock.c - SRWLOCK: a slim reader/writer lock in one pointer. Not recursive, not owned
 * (any thread may release it, as on Windows), and waiting writers go first: a shared
 * acquire waits while a writer holds the lock or waits for it.
 *
 * The pointer holds two 32-bit futex words: `state` (below) and `writer_wakes`, a counter
 * that writers sleep on, so that waking one writer never wakes the readers.
 *   state bit 0: held exclusively; bit 1: readers sleep; bit 2: writers sleep;
 *   bits 3..31: the number of shared holders.
 * Releasing a lock that is not held ends the process, as the exception Windows raises
 * (STATUS_RESOURCE_NOT_OWNED) does when nobody handles it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "intra.h"

#define SRW_WRITER 1u
#define SRW_READERS_WAITING 2u
#define SRW_WRITERS_WAITING 4u
#define SRW_ONE_READER 8u
#define SRW_HOLDERS (~(SRW_READERS_WAITING | SRW_WRITERS_WAITING)) /* writer bit + readers */

static uint32_t *state_of(PSRWLOCK lock)
{
    return intra_word(lock, 0);
}

static uint32_t *writer_wakes_of(PSRWLOCK lock)
{
    return intra_word(lock, 1);
}

static int may_read(uint32_t state)
{
    return !(state & (SRW_WRITER | SRW_WRITERS_WAITING));
}

static int is_free(uint32_t state)
{
    return !(state & SRW_HOLDERS);
}

_Noreturn static void not_held(const char *function)
{
    fprintf(stderr,
            "winsync: %s on an SRW lock that is not held that way: Windows raises "
            "STATUS_RESOURCE_NOT_OWNED here; the process ends\n",
            function);
    abort();
}

VOID WINAPI InitializeSRWLock(PSRWLOCK lock)
{
    __atomic_store_n(state_of(lock), 0, __ATOMIC_RELAXED);
    __atomic_store_n(writer_wakes_of(lock), 0, __ATOMIC_RELAXED);
}

BOOLEAN WINAPI TryAcquireSRWLockShared(PSRWLOCK lock)
{
    uint32_t state = __atomic_load_n(state_of(lock), __ATOMIC_RELAXED);
    while (may_read(state))
        if (__atomic_compare_exchange_n(state_of(lock), &state, state + SRW_ONE_READER, 1,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    return FALSE;
}

BOOLEAN WINAPI TryAcquireSRWLockExclusive(PSRWLOCK lock)
{
    uint32_t state = __atomic_load_n(state_of(lock), __ATOMIC_RELAXED);
    while (is_free(state))
        if (__atomic_compare_exchange_n(state_of(lock), &state, state | SRW_WRITER, 1,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    return FALSE;
}

static void acquire_shared_contended(PSRWLOCK lock)
{
    uint32_t *word = state_of(lock);
    uint32_t state = __atomic_load_n(word, __ATOMIC_RELAXED);
    for (;;) {
        if (may_read(state)) {
            if (__atomic_compare_exchange_n(word, &state, state + SRW_ONE_READER, 1,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
            continue;
        }
        if (!(state & SRW_READERS_WAITING) &&
            !__atomic_compare_exchange_n(word, &state, state | SRW_READERS_WAITING, 1,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue;
        intra_futex_wait(word, state | SRW_READERS_WAITING, NULL);
        state = __atomic_load_n(word, __ATOMIC_RELAXED);
    }
}

VOID WINAPI AcquireSRWLockShared(PSRWLOCK lock)
{
    if (!TryAcquireSRWLockShared(lock))
        acquire_shared_contended(lock);
}

static void acquire_exclusive_contended(PSRWLOCK lock)
{
    uint32_t *word = state_of(lock);
    uint32_t state = __atomic_load_n(word, __ATOMIC_RELAXED);
    /* Once this writer has slept, others may sleep too: keep their bit when taking the lock
     * (the release that woke this writer cleared it). */
    uint32_t keep = 0;
    for (;;) {
        if (is_free(state)) {
            if (__atomic_compare_exchange_n(word, &state, state | SRW_WRITER | keep, 1,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
            continue;
        }
        if (!(state & SRW_WRITERS_WAITING) &&
            !__atomic_compare_exchange_n(word, &state, state | SRW_WRITERS_WAITING, 1,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue;
        keep = SRW_WRITERS_WAITING;
        uint32_t wakes = __atomic_load_n(writer_wakes_of(lock), __ATOMIC_ACQUIRE);
        state = __atomic_load_n(word, __ATOMIC_RELAXED);
        if (is_free(state) || !(state & SRW_WRITERS_WAITING))
            continue; /* released meanwhile: a wake may already have been sent */
        intra_futex_wait(writer_wakes_of(lock), wakes, NULL);
        state = __atomic_load_n(word, __ATOMIC_RELAXED);
    }
}

VOID WINAPI AcquireSRWLockExclusive(PSRWLOCK lock)
{
    uint32_t expected = 0;
    if (!__atomic_compare_exchange_n(state_of(lock), &expected, SRW_WRITER, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        acquire_exclusive_contended(lock);
}

/* Wakes one sleeping writer; returns whether one was asleep. */
static int wake_writer(PSRWLOCK lock)
{
    __atomic_fetch_add(writer_wakes_of(lock), 1, __ATOMIC_RELEASE);
    return intra_futex_wake(writer_wakes_of(lock), 1) > 0;
}

/* After the last holder left (`state` has only waiting bits): one writer goes first, else
 * every reader. */
static void wake_after_release(PSRWLOCK lock, uint32_t state)
{
    uint32_t *word = state_of(lock);
    if (state == SRW_WRITERS_WAITING) {
        if (__atomic_compare_exchange_n(word, &state, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            wake_writer(lock);
            return;
        }
        /* Changed: taken again (its release wakes), or readers started waiting too. */
    }
    if (state == (SRW_WRITERS_WAITING | SRW_READERS_WAITING)) {
        if (!__atomic_compare_exchange_n(word, &state, SRW_READERS_WAITING, 0, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            return; /* taken again: its release wakes */
        if (wake_writer(lock))
            return;
        /* No writer was asleep yet (it will see the lock free): wake the readers as well. */
        state = SRW_READERS_WAITING;
    }
    if (state == SRW_READERS_WAITING &&
        __atomic_compare_exchange_n(word, &state, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        intra_futex_wake(word, INT_MAX);
}

VOID WINAPI ReleaseSRWLockShared(PSRWLOCK lock)
{
    uint32_t before = __atomic_fetch_sub(state_of(lock), SRW_ONE_READER, __ATOMIC_RELEASE);
    if ((before & ~SRW_WRITER) < SRW_ONE_READER || (before & SRW_WRITER))
        not_held("ReleaseSRWLockShared");
    uint32_t after = before - SRW_ONE_READER;
    if (is_free(after) && (after & SRW_WRITERS_WAITING))
        wake_after_release(lock, after);
}

VOID WINAPI ReleaseSRWLockExclusive(PSRWLOCK lock)
{
    uint32_t before = __atomic_fetch_sub(state_of(lock), SRW_WRITER, __ATOMIC_RELEASE);
    if (!(before & SRW_WRITER))
        not_held("ReleaseSRWLockExclusive");
    uint32_t after = before - SRW_WRITER;
    if (after & (SRW_READERS_WAITING | SRW_WRITERS_WAITING))
        wake_after_release(lock, after);
}
