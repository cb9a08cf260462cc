/*
 * futex.c - sleeping on several shared futex words at once.
 *
 * A waiter sleeps on its own wake word and on the life words of the threads whose
 * death must end its wait (futex_waitv, Linux 5.16+). Where futex_waitv is missing
 * (old kernels, valgrind) it sleeps on its own word alone, in short slices, so a
 * death is still noticed, only later.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define WS_FUTEX2_SIZE_U32 0x02u
#define WS_FALLBACK_SLICE_NS 20000000L /* 20 ms */

struct ws_waitv_entry { /* struct futex_waitv */
    uint64_t val;
    uint64_t uaddr;
    uint32_t flags;
    uint32_t reserved;
};

static int waitv_missing;

static int wait_single(uint32_t *word, uint32_t expected, const struct timespec *deadline,
                       int limit_slice)
{
    struct timespec slice;
    const struct timespec *until = deadline;
    if (limit_slice) {
        clock_gettime(CLOCK_MONOTONIC, &slice);
        slice.tv_nsec += WS_FALLBACK_SLICE_NS;
        if (slice.tv_nsec >= 1000000000L) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000L;
        }
        if (!deadline || slice.tv_sec < deadline->tv_sec ||
            (slice.tv_sec == deadline->tv_sec && slice.tv_nsec < deadline->tv_nsec))
            until = &slice;
    }
    long r =
        syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, until, NULL, FUTEX_BITSET_MATCH_ANY);
    if (r == 0 || errno == EAGAIN)
        return 0;
    if (errno == ETIMEDOUT)
        return until == deadline ? ETIMEDOUT : 0;
    return errno == EINTR ? EINTR : 0;
}

int ws_futex_waitv(const struct ws_futex_wait *waits, unsigned count,
                   const struct timespec *deadline)
{
    if (count == 1 || waitv_missing)
        return wait_single(waits[0].word, waits[0].expected, deadline, count > 1);

    struct ws_waitv_entry entries[WS_WATCH_MAX + 1];
    for (unsigned i = 0; i < count; i++) {
        entries[i].val = waits[i].expected;
        entries[i].uaddr = (uint64_t)(uintptr_t)waits[i].word;
        entries[i].flags = WS_FUTEX2_SIZE_U32;
        entries[i].reserved = 0;
    }
    long r = syscall(SYS_futex_waitv, entries, count, 0, deadline, CLOCK_MONOTONIC);
    if (r >= 0 || errno == EAGAIN)
        return 0;
    if (errno == ENOSYS) {
        __atomic_store_n(&waitv_missing, 1, __ATOMIC_RELAXED);
        return wait_single(waits[0].word, waits[0].expected, deadline, 1);
    }
    if (errno == ETIMEDOUT)
        return ETIMEDOUT;
    return errno == EINTR ? EINTR : 0;
}

void ws_futex_wake(uint32_t *word, int count)
{
    syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
}
