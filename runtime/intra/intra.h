/*
 * intra.h - what the intra-process primitives (runtime/intra/) share: private futexes,
 * deadlines from Win32 timeouts, the caller's thread id, spinning.
 *
 * Nothing here touches the namespace's shared segment or the dispatcher lock: these objects
 * live in the caller's memory and are used by the threads of one process only.
 */
#ifndef WINSYNC_INTRA_PRIVATE_H
#define WINSYNC_INTRA_PRIVATE_H

#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <windows.h>

#include "timeout.h"

/* Sleeps while *word == expected, until *deadline (CLOCK_MONOTONIC) or for ever (NULL).
 * Returns ETIMEDOUT when the deadline passed, else 0 (woken, the word changed, or a signal
 * arrived): the caller looks at its state again. errno is left as it was. */
static inline int intra_futex_wait(uint32_t *word, uint32_t expected,
                                   const struct timespec *deadline)
{
    int saved = errno;
    long r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, deadline,
                     NULL, FUTEX_BITSET_MATCH_ANY);
    int timed_out = r == -1 && errno == ETIMEDOUT;
    errno = saved;
    return timed_out ? ETIMEDOUT : 0;
}

/* Wakes up to `count` threads sleeping on word; returns how many were woken. */
static inline int intra_futex_wake(uint32_t *word, int count)
{
    int saved = errno;
    long r = syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count, NULL, NULL, 0);
    errno = saved;
    return r > 0 ? (int)r : 0;
}

/* SRWLOCK and CONDITION_VARIABLE are one pointer, as on Windows: inside it, two 32-bit futex
 * words (GCC allows reading a union member other than the one last stored). */
union intra_words {
    PVOID ptr;
    uint32_t word[2];
};

static inline uint32_t *intra_word(void *pointer_sized, int i)
{
    return &((union intra_words *)pointer_sized)->word[i];
}

/* The absolute deadline `ms` milliseconds from now in *buf, or NULL for INFINITE. */
static inline const struct timespec *intra_deadline(DWORD ms, struct timespec *buf)
{
    if (ms == INFINITE)
        return NULL;
    ws_deadline_after(buf, ms);
    return buf;
}

/* The calling thread's id, as GetCurrentThreadId() returns it, cached per thread (and
 * refreshed in the child after fork). */
extern _Thread_local DWORD intra_cached_thread_id;
DWORD intra_thread_id_slow(void);
static inline DWORD intra_thread_id(void)
{
    DWORD id = intra_cached_thread_id;
    return id ? id : intra_thread_id_slow();
}

/* One step of a busy wait. */
static inline void intra_spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif /* WINSYNC_INTRA_PRIVATE_H */
