/* timeout.h - a Win32 timeout in milliseconds as an absolute CLOCK_MONOTONIC deadline, for the
 * dispatcher's waits (dispatcher/wait.c) and the intra-process primitives (intra/). */
#ifndef WINSYNC_TIMEOUT_H
#define WINSYNC_TIMEOUT_H

#include <time.h>
#include <windows.h>

static inline void ws_deadline_after(struct timespec *ts, DWORD ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

#endif
