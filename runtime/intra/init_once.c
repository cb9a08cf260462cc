/*
 * init_once.c - INIT_ONCE: run an initialization once, whoever asks first; the others wait
 * for it (synchronous mode) or race to complete it (INIT_ONCE_ASYNC).
 *
 * The pointer is the whole state, as on Windows: its low two bits say 0 not started, 1 being
 * initialized (synchronously), 2 done (the rest is the context, whose low two bits must be 0),
 * 3 being initialized asynchronously. While it is 1, bit 2 says that someone sleeps on the
 * pointer's low 32 bits (a futex word), so the common case wakes nobody.
 */
#include <limits.h>

#include "intra.h"

#define ONCE_STATE 3u
#define ONCE_NOT_STARTED 0u
#define ONCE_SYNC 1u
#define ONCE_DONE 2u
#define ONCE_ASYNC 3u
#define ONCE_SLEEPERS 4u
#define ONCE_CONTEXT_BITS ((uintptr_t)((1u << INIT_ONCE_CTX_RESERVED_BITS) - 1))

static uintptr_t *word_of(PINIT_ONCE once)
{
    return (uintptr_t *)&once->Ptr;
}

/* The low half of the pointer, which the kernel compares when we sleep on it (x86-64 and
 * arm64 are little-endian). */
static uint32_t *futex_of(PINIT_ONCE once)
{
    return (uint32_t *)(void *)&once->Ptr;
}

static BOOL fail(DWORD error)
{
    SetLastError(error);
    return FALSE;
}

VOID WINAPI InitOnceInitialize(PINIT_ONCE once)
{
    __atomic_store_n(word_of(once), 0, __ATOMIC_RELAXED);
}

static BOOL done(uintptr_t value, BOOL *pending, LPVOID *context)
{
    *pending = FALSE;
    if (context)
        *context = (LPVOID)(value & ~ONCE_CONTEXT_BITS);
    return TRUE;
}

BOOL WINAPI InitOnceBeginInitialize(LPINIT_ONCE once, DWORD flags, BOOL *pending, LPVOID *context)
{
    if (flags & ~(INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC))
        return fail(ERROR_INVALID_PARAMETER);
    uintptr_t value = __atomic_load_n(word_of(once), __ATOMIC_ACQUIRE);
    if (flags & INIT_ONCE_CHECK_ONLY) {
        if (flags & INIT_ONCE_ASYNC)
            return fail(ERROR_INVALID_PARAMETER);
        if ((value & ONCE_STATE) != ONCE_DONE)
            return fail(ERROR_GEN_FAILURE);
        return done(value, pending, context);
    }
    BOOL async = (flags & INIT_ONCE_ASYNC) != 0;
    for (;;) {
        switch (value & ONCE_STATE) {
        case ONCE_DONE:
            return done(value, pending, context);
        case ONCE_NOT_STARTED:
            if (!__atomic_compare_exchange_n(word_of(once), &value, async ? ONCE_ASYNC : ONCE_SYNC,
                                             1, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
                continue;
            *pending = TRUE;
            return TRUE;
        case ONCE_ASYNC:
            if (!async)
                return fail(ERROR_INVALID_PARAMETER);
            *pending = TRUE; /* every asynchronous caller may initialize; one completes */
            return TRUE;
        default: /* ONCE_SYNC: someone initializes; sleep until it completes or fails */
            if (async)
                return fail(ERROR_INVALID_PARAMETER);
            if (!(value & ONCE_SLEEPERS) &&
                !__atomic_compare_exchange_n(word_of(once), &value, value | ONCE_SLEEPERS, 1,
                                             __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
                continue;
            intra_futex_wait(futex_of(once), (uint32_t)(value | ONCE_SLEEPERS), NULL);
            value = __atomic_load_n(word_of(once), __ATOMIC_ACQUIRE);
        }
    }
}

BOOL WINAPI InitOnceComplete(LPINIT_ONCE once, DWORD flags, LPVOID context)
{
    BOOL async = (flags & INIT_ONCE_ASYNC) != 0, failed = (flags & INIT_ONCE_INIT_FAILED) != 0;
    if ((flags & ~(INIT_ONCE_ASYNC | INIT_ONCE_INIT_FAILED)) || (async && failed) ||
        ((uintptr_t)context & ONCE_CONTEXT_BITS) || (failed && context))
        return fail(ERROR_INVALID_PARAMETER);
    uintptr_t final = failed ? 0 : (uintptr_t)context | ONCE_DONE;
    uintptr_t value = __atomic_load_n(word_of(once), __ATOMIC_ACQUIRE);
    for (;;) {
        uintptr_t state = value & ONCE_STATE;
        if (state == ONCE_NOT_STARTED || state == ONCE_DONE)
            return fail(ERROR_GEN_FAILURE); /* nothing is being initialized */
        if ((state == ONCE_ASYNC) != async)
            return fail(ERROR_INVALID_PARAMETER); /* begun in the other mode */
        if (__atomic_compare_exchange_n(word_of(once), &value, final, 1, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    if (value & ONCE_SLEEPERS)
        intra_futex_wake(futex_of(once), INT_MAX);
    return TRUE;
}

BOOL WINAPI InitOnceExecuteOnce(PINIT_ONCE once, PINIT_ONCE_FN init, PVOID parameter,
                                LPVOID *context)
{
    BOOL pending;
    if (!InitOnceBeginInitialize(once, 0, &pending, context))
        return FALSE;
    if (!pending)
        return TRUE;
    if (init(once, parameter, context) && InitOnceComplete(once, 0, context ? *context : NULL))
        return TRUE;
    /* The callback failed (its last error stays), or gave a context with its reserved low
     * bits set: the next caller starts again. */
    InitOnceComplete(once, INIT_ONCE_INIT_FAILED, NULL);
    return FALSE;
}
