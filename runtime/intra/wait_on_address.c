/*
 * wait_on_address.c - WaitOnAddress, WakeByAddressSingle, WakeByAddressAll: sleep while a
 * 1-, 2-, 4- or 8-byte value still equals an undesired value, until a wake names its address.
 *
 * A futex only compares 4 bytes, so waiters are queued by address in a table of buckets (the
 * idea of Windows' own wait-on-address table). Each bucket has a small futex lock, a FIFO list
 * of waiters and a count of them; each waiter sleeps on its own word. The value is compared
 * under the bucket lock, and a waker takes the same lock, so a wake sent after the value
 * changed always finds the waiter, or the waiter sees the new value.
 *
 * A waiter may return TRUE without a wake (Windows allows it too): callers re-check the value.
 */
#include <string.h>

#include "intra.h"

#define BUCKET_BITS 8
#define BUCKET_SPINS 100

struct address_waiter {
    volatile void *address;
    uint32_t woken;
    struct address_waiter *next, *prev;
};

struct bucket {
    uint32_t lock; /* 0 free, 1 held, 2 held and someone sleeps on it */
    uint32_t count;
    struct address_waiter *head, *tail;
};

static struct bucket buckets[1u << BUCKET_BITS];

static struct bucket *bucket_of(volatile void *address)
{
    uint64_t key = (uint64_t)(uintptr_t)address * 0x9E3779B97F4A7C15ull;
    return &buckets[key >> (64 - BUCKET_BITS)];
}

static void bucket_lock(struct bucket *b)
{
    uint32_t seen = 0;
    if (__atomic_compare_exchange_n(&b->lock, &seen, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    for (int i = 0; i < BUCKET_SPINS && seen != 0; i++) {
        intra_spin_pause();
        seen = __atomic_load_n(&b->lock, __ATOMIC_RELAXED);
        if (seen == 0 &&
            __atomic_compare_exchange_n(&b->lock, &seen, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
    while (__atomic_exchange_n(&b->lock, 2, __ATOMIC_ACQUIRE) != 0)
        intra_futex_wait(&b->lock, 2, NULL);
}

static void bucket_unlock(struct bucket *b)
{
    if (__atomic_exchange_n(&b->lock, 0, __ATOMIC_RELEASE) == 2)
        intra_futex_wake(&b->lock, 1);
}

static void append(struct bucket *b, struct address_waiter *w)
{
    w->next = NULL;
    w->prev = b->tail;
    if (b->tail)
        b->tail->next = w;
    else
        b->head = w;
    b->tail = w;
    __atomic_add_fetch(&b->count, 1, __ATOMIC_SEQ_CST);
}

static void unlink_waiter(struct bucket *b, struct address_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        b->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        b->tail = w->prev;
    __atomic_sub_fetch(&b->count, 1, __ATOMIC_RELAXED); /* wakers read it without the lock */
}

static int value_equals(volatile void *address, const void *compare, SIZE_T size)
{
    switch (size) {
    case 1: {
        uint8_t v;
        memcpy(&v, compare, 1);
        return __atomic_load_n((volatile uint8_t *)address, __ATOMIC_SEQ_CST) == v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, compare, 2);
        return __atomic_load_n((volatile uint16_t *)address, __ATOMIC_SEQ_CST) == v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, compare, 4);
        return __atomic_load_n((volatile uint32_t *)address, __ATOMIC_SEQ_CST) == v;
    }
    default: {
        uint64_t v;
        memcpy(&v, compare, 8);
        return __atomic_load_n((volatile uint64_t *)address, __ATOMIC_SEQ_CST) == v;
    }
    }
}

/* Takes a waiter whose timeout passed off its bucket; FALSE if a wake took it first. */
static BOOL give_up(struct bucket *b, struct address_waiter *w)
{
    bucket_lock(b);
    BOOL queued = !__atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
    if (queued)
        unlink_waiter(b, w);
    bucket_unlock(b);
    return queued;
}

BOOL WINAPI WaitOnAddress(volatile VOID *address, PVOID compare, SIZE_T size, DWORD ms)
{
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    struct timespec buf;
    const struct timespec *deadline = intra_deadline(ms, &buf);
    struct bucket *b = bucket_of(address);
    struct address_waiter me = {.address = address};
    bucket_lock(b);
    append(b, &me);
    /* The count was raised (sequentially consistent) before the value is read; the waker
     * writes the value before it reads the count with a sequentially consistent
     * read-modify-write: one of the two sees the other. (Not fences: TSan has none.) */
    if (!value_equals(address, compare, size)) {
        unlink_waiter(b, &me);
        bucket_unlock(b);
        return TRUE;
    }
    bucket_unlock(b);
    while (!__atomic_load_n(&me.woken, __ATOMIC_ACQUIRE)) {
        if (intra_futex_wait(&me.woken, 0, deadline) == ETIMEDOUT && give_up(b, &me)) {
            SetLastError(ERROR_TIMEOUT);
            return FALSE;
        }
    }
    return TRUE;
}

/* Wakes the first waiter (or every waiter) on `address`. The wake is sent under the bucket
 * lock, so a waiter whose timeout passed waits for it before it returns. A waiter that sees
 * `woken` before the wake is sent (it was not asleep yet, or a signal ended its sleep) may
 * return first: the wake then falls on a word of its old stack, and whoever sleeps on that
 * word later sees a spurious wake, which every futex sleeper must accept anyway. */
static void wake(PVOID address, BOOL all)
{
    struct bucket *b = bucket_of(address);
    if (__atomic_fetch_add(&b->count, 0, __ATOMIC_SEQ_CST) == 0)
        return;
    bucket_lock(b);
    for (struct address_waiter *w = b->head, *next; w; w = next) {
        next = w->next;
        if (w->address != address)
            continue;
        unlink_waiter(b, w);
        __atomic_store_n(&w->woken, 1, __ATOMIC_RELEASE);
        intra_futex_wake(&w->woken, 1);
        if (!all)
            break;
    }
    bucket_unlock(b);
}

VOID WINAPI WakeByAddressSingle(PVOID address)
{
    wake(address, FALSE);
}

VOID WINAPI WakeByAddressAll(PVOID address)
{
    wake(address, TRUE);
}
