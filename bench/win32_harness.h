/*
 * win32_harness.h - what the Win32 benchmarks (winbench.c, scaling.c) share beside harness.h:
 * the clock from QueryPerformanceCounter and the reporting of a failed call. win32_harness.c
 * builds with winsync and with mingw for Wine.
 */
#ifndef BENCH_WIN32_HARNESS_H
#define BENCH_WIN32_HARNESS_H

#include <windows.h>

#include "harness.h"

/* Prints "<what> failed: error N" on stderr; returns -1 (a batch's failure). */
int bench_fail(const char *what);

/* Waits for h without a timeout: 0 when it was signalled, else bench_fail(what). */
int bench_wait(HANDLE h, const char *what);

#endif
