/*
 * harness.h - the measuring loop shared by winbench (Win32) and posixbench (POSIX).
 *
 * A benchmark is a list of rows. Each row may set up a context (a child process, a shared
 * mapping), then runs batches of N operations. The harness calibrates N so that one batch
 * lasts about --time-ms milliseconds, then times --reps batches and prints one line per
 * batch: "<row> <nanoseconds per operation>". bench/run collects those lines.
 *
 * Plain C17 and libc only: the same file builds on Linux and with mingw for Wine.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stddef.h>

struct bench_row {
    const char *name;
    const char *what; /* one line, for --list */
    /* Returns the row's context, or NULL after printing why it cannot run. May be NULL. */
    void *(*setup)(void);
    /* Runs n operations (one operation = one pair or one round trip). Returns 0 on success,
     * -1 after printing what failed. */
    int (*batch)(void *ctx, long n);
    void (*teardown)(void *ctx); /* may be NULL */
};

/* Monotonic clock in nanoseconds; each program provides it from its own API. */
double bench_now_ns(void);

/* Parses --time-ms, --reps, --list, --help and row names, runs the selected rows.
 * Returns the process exit status: 0 when every selected row ran. */
int bench_main(int argc, char **argv, const struct bench_row *rows, size_t count);

#endif
