/*
 * killpoint.c - the events of killpoint.h: wrappers around every winsync function a queue may
 * call and around memcpy/memmove (the linker's --wrap sends every reference to them here), and,
 * on x86-64 Linux, a trap on each store into a mapped view.
 *
 * Stores: while armed, the child's writable views are read-only. A store faults; the SIGSEGV
 * handler counts it as an event, makes the views writable and sets the trap flag, so that the
 * store runs and the very next instruction traps (SIGTRAP), where the views become read-only
 * again. A store is therefore an event before it happens, like a call.
 *
 * Every line starting with KP_CALL, KP_OPENS, KP_VOID or KP_MEMORY below defines the wrapper of
 * the function it names; CMakeLists.txt links the test binary with --wrap for each of them.
 */
#include "killpoint.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <windows.h>

#include "wstest.h"

/* ---- Counting ------------------------------------------------------------------------ */

struct kp_report {
    bool stopped;
    bool injected;
    unsigned events;
    int status;
    DWORD error, last_error;
    char what[KP_WHAT];
};

static _Thread_local bool armed;
static _Thread_local bool failing;   /* a fault walk: seen counts fallible calls only */
static _Thread_local unsigned depth; /* wrapped calls in progress: only the outermost counts */
static _Thread_local unsigned seen, target, opens;
static _Thread_local int report_fd;
static _Thread_local bool tracing;
static _Thread_local struct kp_report fault; /* what a fault walk's child injected and noted */

void WINAPI __real_SetLastError(DWORD e);

static void arm_stores(bool on);

/* One event: counted, traced, and where the target is, the end of this process. */
static void kp_event(const char *what, const char *detail)
{
    if (!armed || failing)
        return;
    int saved = errno;
    seen++;
    if (tracing)
        dprintf(2, "killpoint: event %u: %s%s\n", seen, what, detail);
    if (seen == target) {
        struct kp_report r = {.stopped = true, .events = seen};
        snprintf(r.what, sizeof r.what, "%s%s", what, detail);
        if (write(report_fd, &r, sizeof r) != (ssize_t)sizeof r)
            _exit(120);
        for (;;)
            pause(); /* the parent kills us here */
    }
    errno = saved;
}

static void kp_enter(const char *name)
{
    if (depth++ == 0)
        kp_event(name, " (call)");
}

unsigned kp_opens(void)
{
    return opens;
}

/* A fallible call: true when a fault walk has reached the one that must fail (with `error`). */
static bool kp_fails(const char *name, DWORD error)
{
    if (!armed || !failing || depth != 1)
        return false;
    seen++;
    if (tracing)
        dprintf(2, "killpoint: fallible call %u: %s%s\n", seen, name,
                seen == target ? " (made to fail)" : "");
    if (seen != target)
        return false;
    fault.injected = true;
    fault.error = error;
    snprintf(fault.what, sizeof fault.what, "%s made to fail with error %lu", name,
             (unsigned long)error);
    __real_SetLastError(error);
    return true;
}

/* After a call that succeeded: the last error a successful call may leave (see killpoint.h). */
static void kp_succeeded(void)
{
    if (depth == 1)
        __real_SetLastError(ERROR_SUCCESS);
}

bool kp_injected(void)
{
    return fault.injected;
}

void kp_note(const char *what)
{
    if (!fault.injected)
        snprintf(fault.what, sizeof fault.what, "%s", what);
    else
        snprintf(fault.what + strlen(fault.what), sizeof fault.what - strlen(fault.what), "; %s",
                 what);
}

/* ---- Handles and views opened while tracking ------------------------------------------- */

#define KP_TRACKED 64

struct tracked {
    HANDLE handle; /* or NULL */
    const void *view;
    const char *from;
};

static _Thread_local bool tracking;
static _Thread_local struct tracked open_things[KP_TRACKED];

static void track_add(HANDLE handle, const void *view, const char *from)
{
    if (!tracking || (handle == NULL && view == NULL))
        return;
    for (int i = 0; i < KP_TRACKED; i++) {
        if (open_things[i].from == NULL) {
            open_things[i] = (struct tracked){handle, view, from};
            return;
        }
    }
}

static void track_remove(HANDLE handle, const void *view)
{
    for (int i = 0; i < KP_TRACKED; i++) {
        struct tracked *t = &open_things[i];
        if (t->from != NULL && ((handle && t->handle == handle) || (view && t->view == view)))
            t->from = NULL;
    }
}

void kp_track_begin(void)
{
    for (int i = 0; i < KP_TRACKED; i++)
        open_things[i].from = NULL;
    tracking = true;
}

int kp_track_end(char *out, size_t size)
{
    tracking = false;
    int left = 0;
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < KP_TRACKED; i++) {
        const struct tracked *t = &open_things[i];
        if (t->from == NULL)
            continue;
        left++;
        int n = snprintf(out + used, size - used, "%sa %s from %s", used ? ", " : "",
                         t->view ? "view" : "handle", t->from);
        used = n > 0 && (size_t)n < size - used ? used + (size_t)n : used;
    }
    return left;
}

/* ---- Views, for the store trap --------------------------------------------------------- */

#define KP_VIEWS 64

struct view {
    uint8_t *base; /* NULL: a free entry */
    size_t length; /* 0 until looked up in /proc/self/maps */
    bool writable;
};

static struct view views[KP_VIEWS];
static pthread_mutex_t views_mutex = PTHREAD_MUTEX_INITIALIZER;

static void view_add(void *base, DWORD access)
{
    if (base == NULL)
        return;
    pthread_mutex_lock(&views_mutex);
    static unsigned next;
    struct view *v = &views[next++ % KP_VIEWS];
    for (int i = 0; i < KP_VIEWS; i++)
        if (views[i].base == NULL) {
            v = &views[i];
            break;
        }
    *v = (struct view){base, 0, (access & FILE_MAP_WRITE) != 0};
    pthread_mutex_unlock(&views_mutex);
}

static void view_remove(const void *base)
{
    pthread_mutex_lock(&views_mutex);
    for (int i = 0; i < KP_VIEWS; i++)
        if (views[i].base == base)
            views[i].base = NULL;
    pthread_mutex_unlock(&views_mutex);
}

/* The length of the mapping that starts at base, from /proc/self/maps (0 if not found). */
static size_t mapping_length(const void *base)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return 0;
    unsigned long start, end;
    size_t length = 0;
    char line[512];
    while (fgets(line, sizeof line, maps) != NULL) {
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start == (uintptr_t)base) {
            length = end - start;
            break;
        }
    }
    fclose(maps);
    return length;
}

#if defined(__x86_64__) && defined(__linux__)
#define KP_STORES 1
#define KP_TRAP_FLAG 0x100

static bool stores_armed, stepping;
static struct sigaction old_segv, old_trap;

/* Look up the length of every view not measured yet (not from a signal handler: stdio). */
static void measure_views(void)
{
    for (int i = 0; i < KP_VIEWS; i++)
        if (views[i].base != NULL && views[i].length == 0)
            views[i].length = mapping_length(views[i].base);
}

static void protect_views(int prot)
{
    for (int i = 0; i < KP_VIEWS; i++) {
        const struct view *v = &views[i];
        if (v->base != NULL && v->writable && v->length > 0)
            mprotect(v->base, v->length, prot);
    }
}

static const struct view *view_holding(const uint8_t *address)
{
    for (int i = 0; i < KP_VIEWS; i++)
        if (views[i].base != NULL && address >= views[i].base &&
            address < views[i].base + views[i].length)
            return &views[i];
    return NULL;
}

static void hex(char *out, size_t value)
{
    char digits[2 * sizeof value + 1];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % 16];
        value /= 16;
    } while (value);
    *out++ = '0';
    *out++ = 'x';
    while (n)
        *out++ = digits[--n];
    *out = '\0';
}

static void on_store(int sig, siginfo_t *info, void *context)
{
    const struct view *v = stores_armed ? view_holding(info->si_addr) : NULL;
    if (v == NULL) { /* a real crash: let it happen as it would have */
        sigaction(sig, &old_segv, NULL);
        return;
    }
    char detail[48] = " (store at byte ";
    hex(detail + strlen(detail), (size_t)((const uint8_t *)info->si_addr - v->base));
    strcat(detail, " of a view)");
    depth++;
    kp_event("memory", detail);
    depth--;
    protect_views(PROT_READ | PROT_WRITE);
    stepping = true;
    ((ucontext_t *)context)->uc_mcontext.gregs[REG_EFL] |= KP_TRAP_FLAG;
}

static void on_step(int sig, siginfo_t *info, void *context)
{
    (void)info;
    if (!stepping) {
        sigaction(sig, &old_trap, NULL);
        raise(sig);
        return;
    }
    stepping = false;
    ((ucontext_t *)context)->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)KP_TRAP_FLAG;
    if (stores_armed)
        protect_views(PROT_READ);
}

static void arm_stores(bool on)
{
    if (on) {
        struct sigaction sa = {.sa_sigaction = on_store, .sa_flags = SA_SIGINFO};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, &old_segv);
        sa.sa_sigaction = on_step;
        sigaction(SIGTRAP, &sa, &old_trap);
        stores_armed = true;
        measure_views();
        protect_views(PROT_READ);
    } else if (stores_armed) {
        stores_armed = false;
        protect_views(PROT_READ | PROT_WRITE);
        sigaction(SIGSEGV, &old_segv, NULL);
        sigaction(SIGTRAP, &old_trap, NULL);
    }
}

bool kp_traces_stores(void)
{
    return true;
}
#else
#define KP_STORES 0
static void arm_stores(bool on)
{
    (void)on;
}

bool kp_traces_stores(void)
{
    return false;
}
#endif

/* ---- The wrappers ----------------------------------------------------------------------- */

/* A call that is only counted. */
#define KP_CALL(name, ret, params, args)                                                           \
    ret WINAPI __real_##name params;                                                               \
    ret WINAPI __wrap_##name params;                                                               \
    ret WINAPI __wrap_##name params                                                                \
    {                                                                                              \
        kp_enter(#name);                                                                           \
        ret result = __real_##name args;                                                           \
        depth--;                                                                                   \
        return result;                                                                             \
    }
/* A call that returns `failure` when it fails: a fault walk can make it fail with `error`, and
 * when it succeeds it leaves the last error at 0. `error` 0: never made to fail. */
#define KP_FALLIBLE(name, ret, params, args, failure, error)                                       \
    ret WINAPI __real_##name params;                                                               \
    ret WINAPI __wrap_##name params;                                                               \
    ret WINAPI __wrap_##name params                                                                \
    {                                                                                              \
        kp_enter(#name);                                                                           \
        ret result = failure;                                                                      \
        if ((error) == 0 || !kp_fails(#name, error)) {                                             \
            result = __real_##name args;                                                           \
            if (result != (failure))                                                               \
                kp_succeeded();                                                                    \
        }                                                                                          \
        depth--;                                                                                   \
        return result;                                                                             \
    }
/* A call that creates or opens an object: fallible, and its handle is tracked. Its last error
 * on success means something (ERROR_ALREADY_EXISTS) and is left alone. */
#define KP_OPENS(name, params, args)                                                               \
    HANDLE WINAPI __real_##name params;                                                            \
    HANDLE WINAPI __wrap_##name params;                                                            \
    HANDLE WINAPI __wrap_##name params                                                             \
    {                                                                                              \
        kp_enter(#name);                                                                           \
        opens += depth == 1;                                                                       \
        HANDLE result = NULL;                                                                      \
        if (!kp_fails(#name, ERROR_NOT_ENOUGH_MEMORY)) {                                           \
            result = __real_##name args;                                                           \
            track_add(result, NULL, #name);                                                        \
        }                                                                                          \
        depth--;                                                                                   \
        return result;                                                                             \
    }
#define KP_VOID(name, params, args)                                                                \
    void WINAPI __real_##name params;                                                              \
    void WINAPI __wrap_##name params;                                                              \
    void WINAPI __wrap_##name params                                                               \
    {                                                                                              \
        kp_enter(#name);                                                                           \
        __real_##name args;                                                                        \
        depth--;                                                                                   \
    }
#define KP_MEMORY(name) KP_CALL(name, void *, (void *d, const void *s, size_t n), (d, s, n))
#define KP_WAIT(name, params, args)                                                                \
    KP_FALLIBLE(name, DWORD, params, args, WAIT_FAILED, ERROR_INVALID_HANDLE)
#define KP_SIGNAL(name, params, args)                                                              \
    KP_FALLIBLE(name, BOOL, params, args, FALSE, ERROR_INVALID_HANDLE)

KP_MEMORY(memcpy)
KP_MEMORY(memmove)
KP_CALL(GetLastError, DWORD, (void), ())
KP_VOID(SetLastError, (DWORD e), (e))
KP_CALL(GetTickCount, DWORD, (void), ())
KP_CALL(GetTickCount64, ULONGLONG, (void), ())
KP_OPENS(CreateEventA, (LPSECURITY_ATTRIBUTES a, BOOL m, BOOL s, LPCSTR n), (a, m, s, n))
KP_OPENS(CreateEventW, (LPSECURITY_ATTRIBUTES a, BOOL m, BOOL s, LPCWSTR n), (a, m, s, n))
KP_OPENS(CreateEventExA, (LPSECURITY_ATTRIBUTES a, LPCSTR n, DWORD f, DWORD d), (a, n, f, d))
KP_OPENS(CreateEventExW, (LPSECURITY_ATTRIBUTES a, LPCWSTR n, DWORD f, DWORD d), (a, n, f, d))
KP_OPENS(OpenEventA, (DWORD d, BOOL i, LPCSTR n), (d, i, n))
KP_OPENS(OpenEventW, (DWORD d, BOOL i, LPCWSTR n), (d, i, n))
KP_SIGNAL(SetEvent, (HANDLE h), (h))
KP_SIGNAL(ResetEvent, (HANDLE h), (h))
KP_SIGNAL(PulseEvent, (HANDLE h), (h))
KP_OPENS(CreateMutexA, (LPSECURITY_ATTRIBUTES a, BOOL o, LPCSTR n), (a, o, n))
KP_OPENS(CreateMutexW, (LPSECURITY_ATTRIBUTES a, BOOL o, LPCWSTR n), (a, o, n))
KP_OPENS(CreateMutexExA, (LPSECURITY_ATTRIBUTES a, LPCSTR n, DWORD f, DWORD d), (a, n, f, d))
KP_OPENS(CreateMutexExW, (LPSECURITY_ATTRIBUTES a, LPCWSTR n, DWORD f, DWORD d), (a, n, f, d))
KP_OPENS(OpenMutexA, (DWORD d, BOOL i, LPCSTR n), (d, i, n))
KP_OPENS(OpenMutexW, (DWORD d, BOOL i, LPCWSTR n), (d, i, n))
/* A mutex this thread owns cannot fail to be released: counted, never made to fail. */
KP_FALLIBLE(ReleaseMutex, BOOL, (HANDLE h), (h), FALSE, 0)
KP_OPENS(CreateSemaphoreA, (LPSECURITY_ATTRIBUTES a, LONG c, LONG m, LPCSTR n), (a, c, m, n))
KP_OPENS(CreateSemaphoreW, (LPSECURITY_ATTRIBUTES a, LONG c, LONG m, LPCWSTR n), (a, c, m, n))
KP_OPENS(CreateSemaphoreExA, (LPSECURITY_ATTRIBUTES a, LONG c, LONG m, LPCSTR n, DWORD f, DWORD d),
         (a, c, m, n, f, d))
KP_OPENS(CreateSemaphoreExW, (LPSECURITY_ATTRIBUTES a, LONG c, LONG m, LPCWSTR n, DWORD f, DWORD d),
         (a, c, m, n, f, d))
KP_OPENS(OpenSemaphoreA, (DWORD d, BOOL i, LPCSTR n), (d, i, n))
KP_OPENS(OpenSemaphoreW, (DWORD d, BOOL i, LPCWSTR n), (d, i, n))
KP_FALLIBLE(ReleaseSemaphore, BOOL, (HANDLE h, LONG c, LPLONG p), (h, c, p), FALSE,
            ERROR_TOO_MANY_POSTS)
KP_WAIT(WaitForSingleObject, (HANDLE h, DWORD t), (h, t))
KP_WAIT(WaitForSingleObjectEx, (HANDLE h, DWORD t, BOOL a), (h, t, a))
KP_WAIT(WaitForMultipleObjects, (DWORD c, const HANDLE *h, BOOL all, DWORD t), (c, h, all, t))
KP_WAIT(WaitForMultipleObjectsEx, (DWORD c, const HANDLE *h, BOOL all, DWORD t, BOOL a),
        (c, h, all, t, a))
KP_WAIT(SignalObjectAndWait, (HANDLE s, HANDLE w, DWORD t, BOOL a), (s, w, t, a))
KP_VOID(Sleep, (DWORD t), (t))
KP_CALL(SleepEx, DWORD, (DWORD t, BOOL a), (t, a))
KP_OPENS(CreateFileMappingA,
         (HANDLE f, LPSECURITY_ATTRIBUTES a, DWORD p, DWORD h, DWORD l, LPCSTR n),
         (f, a, p, h, l, n))
KP_OPENS(CreateFileMappingW,
         (HANDLE f, LPSECURITY_ATTRIBUTES a, DWORD p, DWORD h, DWORD l, LPCWSTR n),
         (f, a, p, h, l, n))
KP_OPENS(OpenFileMappingA, (DWORD d, BOOL i, LPCSTR n), (d, i, n))
KP_OPENS(OpenFileMappingW, (DWORD d, BOOL i, LPCWSTR n), (d, i, n))

/* The wrappers that also keep the books of handles and views. */

BOOL WINAPI __real_CloseHandle(HANDLE h);
BOOL WINAPI __wrap_CloseHandle(HANDLE h);
BOOL WINAPI __wrap_CloseHandle(HANDLE h) /* KP_CALL: CloseHandle */
{
    kp_enter("CloseHandle");
    BOOL closed = __real_CloseHandle(h);
    if (closed) {
        track_remove(h, NULL);
        kp_succeeded();
    }
    depth--;
    return closed;
}

BOOL WINAPI __real_DuplicateHandle(HANDLE sp, HANDLE s, HANDLE tp, LPHANDLE t, DWORD a, BOOL i,
                                   DWORD o);
BOOL WINAPI __wrap_DuplicateHandle(HANDLE sp, HANDLE s, HANDLE tp, LPHANDLE t, DWORD a, BOOL i,
                                   DWORD o);
BOOL WINAPI __wrap_DuplicateHandle(HANDLE sp, HANDLE s, HANDLE tp, LPHANDLE t, DWORD a, BOOL i,
                                   DWORD o) /* KP_CALL: DuplicateHandle */
{
    kp_enter("DuplicateHandle");
    opens += depth == 1;
    BOOL done = FALSE;
    if (!kp_fails("DuplicateHandle", ERROR_NOT_ENOUGH_MEMORY)) {
        done = __real_DuplicateHandle(sp, s, tp, t, a, i, o);
        if (done && (o & DUPLICATE_CLOSE_SOURCE))
            track_remove(s, NULL);
        if (done && t != NULL)
            track_add(*t, NULL, "DuplicateHandle");
        if (done)
            kp_succeeded();
    }
    depth--;
    return done;
}

LPVOID WINAPI __real_MapViewOfFile(HANDLE h, DWORD a, DWORD oh, DWORD ol, SIZE_T n);
LPVOID WINAPI __wrap_MapViewOfFile(HANDLE h, DWORD a, DWORD oh, DWORD ol, SIZE_T n);
LPVOID WINAPI __wrap_MapViewOfFile(HANDLE h, DWORD a, DWORD oh, DWORD ol,
                                   SIZE_T n) /* KP_CALL: MapViewOfFile */
{
    kp_enter("MapViewOfFile");
    opens += depth == 1;
    LPVOID view = NULL;
    if (!kp_fails("MapViewOfFile", ERROR_NOT_ENOUGH_MEMORY)) {
        view = __real_MapViewOfFile(h, a, oh, ol, n);
        view_add(view, a);
        track_add(NULL, view, "MapViewOfFile");
#if KP_STORES
        if (view != NULL && stores_armed) {
            measure_views();
            protect_views(PROT_READ);
        }
#endif
        if (view != NULL)
            kp_succeeded();
    }
    depth--;
    return view;
}

BOOL WINAPI __real_UnmapViewOfFile(LPCVOID base);
BOOL WINAPI __wrap_UnmapViewOfFile(LPCVOID base);
BOOL WINAPI __wrap_UnmapViewOfFile(LPCVOID base) /* KP_CALL: UnmapViewOfFile */
{
    kp_enter("UnmapViewOfFile");
    BOOL unmapped = __real_UnmapViewOfFile(base);
    if (unmapped) {
        view_remove(base);
        track_remove(NULL, base);
        kp_succeeded();
    }
    depth--;
    return unmapped;
}

/* ---- Arming a child, walking the kill points and faults ---------------------------------- */

static void kp_arm(unsigned at, int fd, bool trace, bool faults)
{
    seen = 0;
    target = at;
    report_fd = fd;
    tracing = trace;
    failing = faults;
    fault = (struct kp_report){.injected = false};
    armed = true;
    arm_stores(!faults && kp_traces_stores());
}

static unsigned kp_disarm(void)
{
    arm_stores(false);
    armed = false;
    return seen;
}

struct kp_child {
    const struct kp_scenario *s;
    unsigned target;
    bool trace, faults;
    struct wst_pipe report;
};

static int kp_child_main(void *arg)
{
    struct kp_child *c = arg;
    struct kp_report r = {.stopped = false};
    r.status = c->s->prepare ? c->s->prepare(c->s->arg) : 0;
    if (r.status == 0) {
        kp_arm(c->target, c->report.wr, c->trace, c->faults);
        r.status = c->s->operate(c->s->arg);
        r.last_error = GetLastError();
        r.events = kp_disarm();
        r.injected = fault.injected;
        r.error = fault.error;
        memcpy(r.what, fault.what, sizeof r.what);
    } else {
        snprintf(r.what, sizeof r.what, "preparing (before arming) failed");
    }
    return write(c->report.wr, &r, sizeof r) == (ssize_t)sizeof r ? r.status : 121;
}

static bool read_report(struct wst_pipe *p, struct kp_report *r)
{
    size_t got = 0;
    while (got < sizeof *r) {
        struct pollfd pfd = {.fd = p->rd, .events = POLLIN};
        if (poll(&pfd, 1, WST_LONG_MS) <= 0)
            return false;
        ssize_t n = read(p->rd, (char *)r + got, sizeof *r - got);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return true;
}

static void kp_run(const struct kp_scenario *s, unsigned at, bool trace, bool faults,
                   struct kp_outcome *o)
{
    struct kp_child c = {s, at, trace, faults, {-1, -1}};
    *o = (struct kp_outcome){.event = at, .fault = faults};
    cr_assert_eq(wst_pipe_open(&c.report), 0);
    pid_t pid = wst_spawn(kp_child_main, &c);
    cr_assert_gt(pid, 0, "fork failed");
    struct kp_report r;
    if (!read_report(&c.report, &r)) {
        o->hung = true;
        snprintf(o->what, sizeof o->what, "(no report)");
        kill(pid, SIGKILL);
    } else if (r.stopped) {
        o->stopped = true;
        memcpy(o->what, r.what, sizeof o->what);
        if (s->at_stop)
            s->at_stop(s->arg);
        kill(pid, SIGKILL);
    } else {
        o->events = r.events;
        o->status = r.status;
        o->injected = r.injected;
        o->error = r.error;
        o->last_error = r.last_error;
        memcpy(o->what, r.what, sizeof o->what);
        if (o->what[0] == '\0')
            snprintf(o->what, sizeof o->what, "it made %u %s", r.events,
                     faults ? "fallible calls" : "events");
    }
    wst_reap(pid, WST_LONG_MS);
    wst_pipe_close(&c.report);
}

const char *kp_replay(const struct kp_scenario *s, const struct kp_outcome *o)
{
    static char line[320];
    snprintf(line, sizeof line,
             "replay this %s alone, with a trace of its %s: %s=%u "
             "tests/support/run-isolated <the lab05-interprocess-queue test binary> --filter "
             "'%s'",
             o->fault ? "fault" : "kill point", o->fault ? "fallible calls" : "events",
             o->fault ? "WINSYNC_FAULT" : "WINSYNC_KILLPOINT", o->event, s->test);
    return line;
}

/* Kill points or faults 1, 2, ... (or only the one the environment variable names), until the
 * operation ends before reaching the next one. */
static unsigned walk(const struct kp_scenario *s, bool faults)
{
    const char *variable = faults ? "WINSYNC_FAULT" : "WINSYNC_KILLPOINT";
    const char *only = getenv(variable);
    unsigned first = 1, last = KP_MAX_EVENTS + 1;
    if (only != NULL && *only != '\0') {
        char *end;
        unsigned long n = strtoul(only, &end, 10);
        cr_assert(*end == '\0' && n >= 1 && n <= KP_MAX_EVENTS + 1,
                  "%s=%s: give one event number from 1 to %u", variable, only, KP_MAX_EVENTS + 1);
        first = last = (unsigned)n;
    }
    unsigned events = 0;
    for (unsigned at = first; at <= last; at++) {
        struct kp_outcome o;
        s->setup(s->arg);
        kp_run(s, at, first == last, faults, &o);
        s->check(s->arg, &o);
        bool reached = faults ? o.injected : o.stopped;
        events = reached ? at : o.events;
        if (!reached)
            break;
        cr_assert_lt(at, KP_MAX_EVENTS + 1,
                     "%s: the operation made more than %u %s (an endless loop?)", s->test,
                     KP_MAX_EVENTS, faults ? "fallible calls" : "events");
    }
    return events;
}

unsigned kp_walk(const struct kp_scenario *s)
{
    return walk(s, false);
}

unsigned kp_fault_walk(const struct kp_scenario *s)
{
    return walk(s, true);
}
