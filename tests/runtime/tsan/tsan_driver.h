/*
 * tsan_driver.h - what the standalone ThreadSanitizer drivers share (Criterion cannot run
 * under TSan): TSan stops the run at its first report, and CHECK counts failed checks in
 * `failures` without stopping, for the driver's exit status.
 */
#ifndef TSAN_DRIVER_H
#define TSAN_DRIVER_H

#include <stdio.h>
#include <windows.h>

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "halt_on_error=1:exitcode=66";
}

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s (GetLastError %u)\n", __FILE__, __LINE__,     \
                    #cond, (unsigned)GetLastError());                                              \
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);                                    \
        }                                                                                          \
    } while (0)

#endif
