/*
 * condition_variable.c - CONDITION_VARIABLE: sleep with a critical section or an SRW lock
 * released, until a wake or a timeout.
 *
 * The pointer holds two 32-bit words: a wake counter that sleepers sleep on, and the number
 * of sleepers, so that a wake with nobody asleep makes no system call. A sleeper reads the
 * counter before releasing the lock, so a wake sent after that is never missed. As on
 * Windows, a sleeper may also return without a wake (a wake sent to someone else, a signal):
 * callers re-check their condition in a loop.
 */
#include <limits.h>

#include "intra.h"

static uint32_t *wakes_of(PCONDITION_VARIABLE cv)
{
    return intra_word(cv, 0);
}

static uint32_t *sleepers_of(PCONDITION_VARIABLE cv)
{
    return intra_word(cv, 1);
}

VOID WINAPI InitializeConditionVariable(PCONDITION_VARIABLE cv)
{
    __atomic_store_n(wakes_of(cv), 0, __ATOMIC_RELAXED);
    __atomic_store_n(sleepers_of(cv), 0, __ATOMIC_RELAXED);
}

struct cv_lock {
    void (*release)(void *lock);
    void (*acquire)(void *lock);
    void *lock;
};

static BOOL sleep_released(PCONDITION_VARIABLE cv, const struct cv_lock *held, DWORD ms)
{
    struct timespec buf;
    const struct timespec *deadline = intra_deadline(ms, &buf);
    /* Sequentially consistent with the waker's increment-then-read: one of the two sees
     * the other. */
    __atomic_fetch_add(sleepers_of(cv), 1, __ATOMIC_SEQ_CST);
    uint32_t seen = __atomic_load_n(wakes_of(cv), __ATOMIC_SEQ_CST);
    held->release(held->lock);
    int result = intra_futex_wait(wakes_of(cv), seen, deadline);
    __atomic_fetch_sub(sleepers_of(cv), 1, __ATOMIC_RELAXED);
    held->acquire(held->lock);
    if (result == ETIMEDOUT) {
        SetLastError(ERROR_TIMEOUT);
        return FALSE;
    }
    return TRUE;
}

static void leave_cs(void *lock)
{
    LeaveCriticalSection(lock);
}

static void enter_cs(void *lock)
{
    EnterCriticalSection(lock);
}

static void release_exclusive(void *lock)
{
    ReleaseSRWLockExclusive(lock);
}

static void acquire_exclusive(void *lock)
{
    AcquireSRWLockExclusive(lock);
}

static void release_shared(void *lock)
{
    ReleaseSRWLockShared(lock);
}

static void acquire_shared(void *lock)
{
    AcquireSRWLockShared(lock);
}

BOOL WINAPI SleepConditionVariableCS(PCONDITION_VARIABLE cv, PCRITICAL_SECTION cs, DWORD ms)
{
    const struct cv_lock held = {leave_cs, enter_cs, cs};
    return sleep_released(cv, &held, ms);
}

BOOL WINAPI SleepConditionVariableSRW(PCONDITION_VARIABLE cv, PSRWLOCK lock, DWORD ms, ULONG flags)
{
    /* Any value but CONDITION_VARIABLE_LOCKMODE_SHARED means exclusive mode (Microsoft's
     * documentation; Wine tests the bit alone, as here). */
    const struct cv_lock exclusive = {release_exclusive, acquire_exclusive, lock};
    const struct cv_lock shared = {release_shared, acquire_shared, lock};
    return sleep_released(cv, (flags & CONDITION_VARIABLE_LOCKMODE_SHARED) ? &shared : &exclusive,
                          ms);
}

static void wake(PCONDITION_VARIABLE cv, int count)
{
    __atomic_fetch_add(wakes_of(cv), 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(sleepers_of(cv), __ATOMIC_SEQ_CST) != 0)
        intra_futex_wake(wakes_of(cv), count);
}

VOID WINAPI WakeConditionVariable(PCONDITION_VARIABLE cv)
{
    wake(cv, 1);
}

VOID WINAPI WakeAllConditionVariable(PCONDITION_VARIABLE cv)
{
    wake(cv, INT_MAX);
}
