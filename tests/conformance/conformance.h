/*
 * conformance.h - a tiny test harness that builds two ways: against winsync's <windows.h>
 * with gcc, and against the real <windows.h> with x86_64-w64-mingw32-gcc (run under Wine).
 *
 * Every check prints one line, "CHECK <suite>/<test>/<check>: ok" or
 * "CHECK <suite>/<test>/<check>: FAIL expected X got Y", which report.py compares side by
 * side. The expected values are Windows behaviour (see docs in known-differences.toml for the
 * places where Wine is known to differ). A program exits 0 when every check passed.
 *
 * A test file defines its tests as `static void name(void)` and ends with
 *   CF_MAIN("suite", child_main_or_NULL, CF_TEST(a), CF_TEST(b), ...)
 * child_main, when given, runs instead of the tests when the program is started as
 * "prog --child ARGS...", so a test can CreateProcess its own binary.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a check waits for something that must happen (never a pass/fail timing). */
#define CF_LONG_MS 10000
/* How long a check watches for something that must NOT happen. */
#define CF_QUIET_MS 200
/* Put in GetLastError() before a call to see whether the call changed it. */
#define CF_SENTINEL 0xDEADBEEFu

struct cf_test {
    const char *name;
    void (*run)(void);
};

static const char *cf_suite = "";
static const char *cf_test_name = "";
static unsigned cf_failed;
static const char *cf_argv0 = "";

static inline void cf_report(const char *check, int ok, uint32_t expected, uint32_t got)
{
    if (ok)
        printf("CHECK %s/%s/%s: ok\n", cf_suite, cf_test_name, check);
    else
        printf("CHECK %s/%s/%s: FAIL expected %lu got %lu\n", cf_suite, cf_test_name, check,
               (unsigned long)expected, (unsigned long)got);
    fflush(stdout);
    if (!ok)
        cf_failed++;
}

/* Compares two 32-bit values (DWORD, BOOL, LONG, error codes). */
#define CHECK_EQ(check, expected, actual)                                                          \
    do {                                                                                           \
        uint32_t cf_e_ = (uint32_t)(expected), cf_a_ = (uint32_t)(actual);                         \
        cf_report(check, cf_e_ == cf_a_, cf_e_, cf_a_);                                            \
    } while (0)

/* A condition; "expected 1 got 0" when false. */
#define CHECK_TRUE(check, cond)                                                                    \
    do {                                                                                           \
        int cf_c_ = (cond) ? 1 : 0;                                                                \
        cf_report(check, cf_c_, 1, (uint32_t)cf_c_);                                               \
    } while (0)

/* Compares two strings (a formatted result). */
#define CHECK_STR(check, expected, actual)                                                         \
    do {                                                                                           \
        const char *cf_se_ = (expected), *cf_sa_ = (actual);                                       \
        if (strcmp(cf_se_, cf_sa_) == 0) {                                                         \
            cf_report(check, 1, 0, 0);                                                             \
        } else {                                                                                   \
            printf("CHECK %s/%s/%s: FAIL expected '%s' got '%s'\n", cf_suite, cf_test_name, check, \
                   cf_se_, cf_sa_);                                                                \
            fflush(stdout);                                                                        \
            cf_failed++;                                                                           \
        }                                                                                          \
    } while (0)

/* The thread's last-error value. */
#define CHECK_ERR(check, expected) CHECK_EQ(check, expected, GetLastError())

/* A fresh object name, unique across the processes and runs sharing one namespace. */
static inline const char *cf_name(char *buf, size_t size, const char *tag)
{
    static unsigned counter;
    snprintf(buf, size, "cf-%lu-%u-%s", (unsigned long)GetCurrentProcessId(), ++counter, tag);
    return buf;
}

/* Starts this program again as "argv0 --child ARGS" (ARGS already formatted). */
static inline BOOL cf_spawn_child(const char *args, BOOL inherit, PROCESS_INFORMATION *pi)
{
    char cmdline[1024];
    STARTUPINFOA si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    snprintf(cmdline, sizeof cmdline, "\"%s\" --child %s", cf_argv0, args);
    return CreateProcessA(cf_argv0, cmdline, NULL, NULL, inherit, 0, NULL, NULL, &si, pi);
}

/* A thread body used by several suites: wait on *handle and store the result. */
struct cf_waiter {
    HANDLE object;
    DWORD timeout;
    BOOL alertable;
    DWORD result;
};

static inline DWORD WINAPI cf_wait_thread(LPVOID arg)
{
    struct cf_waiter *w = arg;
    w->result = WaitForSingleObjectEx(w->object, w->timeout, w->alertable);
    return 0;
}

/* Starts a thread that waits on object; join it with cf_join(). */
static inline HANDLE cf_start_waiter(struct cf_waiter *w, HANDLE object, DWORD timeout,
                                     BOOL alertable)
{
    w->object = object;
    w->timeout = timeout;
    w->alertable = alertable;
    w->result = CF_SENTINEL;
    return CreateThread(NULL, 0, cf_wait_thread, w, 0, NULL);
}

/* Waits for a thread to end (bounded) and closes its handle. Returns the wait result. */
static inline DWORD cf_join(HANDLE thread)
{
    DWORD r = WaitForSingleObject(thread, CF_LONG_MS);
    CloseHandle(thread);
    return r;
}

/* An ASCII name as a wide string (WCHAR is 16 bits on Windows, 32 on Linux). */
static inline const WCHAR *cf_wide(WCHAR *buf, size_t size, const char *ascii)
{
    size_t i = 0;
    for (; ascii[i] && i + 1 < size; i++)
        buf[i] = (WCHAR)ascii[i];
    buf[i] = 0;
    return buf;
}

static inline int cf_main(int argc, char **argv, const char *suite, int (*child)(int, char **),
                          const struct cf_test *tests, size_t count)
{
    cf_argv0 = argv[0];
    cf_suite = suite;
    if (argc >= 2 && strcmp(argv[1], "--child") == 0 && child)
        return child(argc - 2, argv + 2);
    for (size_t i = 0; i < count; i++) {
        /* An optional filter: run only the tests named on the command line. */
        int selected = argc < 2;
        for (int a = 1; a < argc; a++)
            selected |= strcmp(argv[a], tests[i].name) == 0;
        if (!selected)
            continue;
        cf_test_name = tests[i].name;
        tests[i].run();
    }
    printf("DONE %s: %s\n", suite, cf_failed ? "FAIL" : "ok");
    fflush(stdout);
    return cf_failed ? 1 : 0;
}

#define CF_TEST(fn)                                                                                \
    {                                                                                              \
#fn, fn                                                                                    \
    }
#define CF_MAIN(suite, child, ...)                                                                 \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        static const struct cf_test tests[] = {__VA_ARGS__};                                       \
        return cf_main(argc, argv, suite, child, tests, sizeof tests / sizeof tests[0]);           \
    }

#endif /* CONFORMANCE_H */
