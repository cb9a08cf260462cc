/*
 * difftest_exec.h - executes one line of a differential-test script against the Win32 API
 * and formats the result, identically on winsync and on Wine.
 *
 * A script line is a call with symbolic arguments, e.g. "CreateEventA s2 1 0 n1" or
 * "WaitForMultipleObjects all s0 s3". Handles live in slots s0..s5: an empty slot is NULL,
 * a closed slot keeps its stale value ("use after close"; if that value was reused by a live
 * slot, a never-allocated value is used instead, because reuse policy is not Windows
 * semantics). Names n0..n2 map to names unique to the process and sequence. "-" is a NULL
 * name. A result is "<return> [extra] e=<GetLastError() or - if unchanged>", so traces from
 * two implementations compare with diff: handle values never appear in them.
 */
#ifndef DIFFTEST_EXEC_H
#define DIFFTEST_EXEC_H

#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DT_SLOTS 6
#define DT_NAMES 3
#define DT_SENTINEL 0xDEADBEEFu
/* A value no implementation hands out early in a process (multiple of 4, not a pseudo-handle). */
#define DT_NEVER_ALLOCATED ((HANDLE)(uintptr_t)0x3ffffc0u)

enum dt_slot_state { DT_EMPTY, DT_LIVE, DT_CLOSED };

struct dt_state {
    HANDLE value[DT_SLOTS];
    enum dt_slot_state state[DT_SLOTS];
    /* Which object each slot's handle refers to, and which object holds each name: just
     * enough bookkeeping to keep one object out of a wait-all twice (see dt_same_object). */
    int object[DT_SLOTS];
    int name_object[DT_NAMES];
    int next_object;
    /* name[k] and, at DT_NAMES + k, the same name with the "Local\\" prefix. */
    char name[2 * DT_NAMES][80];
    WCHAR wname[2 * DT_NAMES][80];
};

static inline void dt_begin(struct dt_state *st, unsigned long sequence)
{
    memset(st, 0, sizeof *st);
    for (int k = 0; k < 2 * DT_NAMES; k++) {
        snprintf(st->name[k], sizeof st->name[k], "%sdt-%lu-%lu-%d", k < DT_NAMES ? "" : "Local\\",
                 (unsigned long)GetCurrentProcessId(), sequence, k % DT_NAMES);
        size_t i = 0;
        for (; st->name[k][i]; i++)
            st->wname[k][i] = (WCHAR)st->name[k][i];
        st->wname[k][i] = 0;
    }
}

static inline void dt_end(struct dt_state *st)
{
    for (int i = 0; i < DT_SLOTS; i++)
        if (st->state[i] == DT_LIVE) {
            SetHandleInformation(st->value[i], HANDLE_FLAG_PROTECT_FROM_CLOSE, 0);
            CloseHandle(st->value[i]);
        }
    memset(st->state, 0, sizeof st->state);
    memset(st->name_object, 0, sizeof st->name_object);
}

static inline HANDLE dt_handle(const struct dt_state *st, int slot)
{
    if (st->state[slot] == DT_EMPTY)
        return NULL;
    if (st->state[slot] == DT_LIVE)
        return st->value[slot];
    for (int i = 0; i < DT_SLOTS; i++)
        if (st->state[i] == DT_LIVE && st->value[i] == st->value[slot])
            return DT_NEVER_ALLOCATED;
    return st->value[slot];
}

/* After a slot stops referring to its object: the last handle gone frees the object's name. */
static inline void dt_forget(struct dt_state *st, int object)
{
    for (int i = 0; i < DT_SLOTS; i++)
        if (st->state[i] == DT_LIVE && st->object[i] == object)
            return;
    for (int k = 0; k < DT_NAMES; k++)
        if (st->name_object[k] == object)
            st->name_object[k] = 0;
}

static inline void dt_closed(struct dt_state *st, int slot)
{
    st->state[slot] = DT_CLOSED;
    dt_forget(st, st->object[slot]);
}

/* Puts a new handle (or NULL) to object in a slot; a live handle it replaces is closed,
 * untraced, after the slot holds the new one (so a name the new handle keeps alive stays). */
static inline void dt_assign(struct dt_state *st, int slot, HANDLE h, int object)
{
    int replaces = st->state[slot] == DT_LIVE && st->value[slot] != h;
    HANDLE old = st->value[slot];
    int old_object = st->object[slot];
    st->value[slot] = h;
    st->state[slot] = h ? DT_LIVE : DT_EMPTY;
    st->object[slot] = object;
    if (replaces) {
        CloseHandle(old);
        dt_forget(st, old_object);
    }
}

/* True when two of the slots refer to one object. Wine 8's server asserts (and dies) when a
 * wait-all names one semaphore twice; Windows fails such a wait with ERROR_INVALID_PARAMETER
 * (tested in waits.c), so the random tester leaves these waits out on both sides. */
static inline int dt_same_object(const struct dt_state *st, const int *slots, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (st->state[slots[i]] == DT_LIVE && st->state[slots[j]] == DT_LIVE &&
                st->object[slots[i]] == st->object[slots[j]])
                return 1;
    return 0;
}

/* Tokenized script line. */
struct dt_args {
    char fn[40];
    char tok[8][16];
    int n;
};

static inline int dt_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits "Fn arg arg ... [=> result]" into words. */
static inline int dt_parse(const char *line, struct dt_args *a)
{
    const char *end = strstr(line, " =>");
    if (!end)
        end = line + strlen(line);
    a->n = -1;
    for (const char *p = line; p < end;) {
        while (p < end && dt_is_space(*p))
            p++;
        const char *start = p;
        while (p < end && !dt_is_space(*p))
            p++;
        if (p == start)
            break;
        char *dst = a->n < 0 ? a->fn : a->tok[a->n];
        size_t cap = a->n < 0 ? sizeof a->fn : sizeof a->tok[0];
        if (a->n >= 8)
            break;
        snprintf(dst, cap, "%.*s", (int)(p - start), start);
        a->n++;
    }
    return a->n < 0 ? -1 : 0;
}

static inline int dt_slot(const struct dt_args *a, int i)
{
    if (i >= a->n || a->tok[i][0] != 's')
        return -1;
    int s = atoi(a->tok[i] + 1);
    return s >= 0 && s < DT_SLOTS ? s : -1;
}

static inline int dt_int(const struct dt_args *a, int i)
{
    return i < a->n ? atoi(a->tok[i]) : 0;
}

/* The name argument: NULL for "-", nK for the sequence's name K, lK for "Local\\" + name K
 * (the same object). */
static inline int dt_name_slot(const struct dt_args *a, int i)
{
    if (i >= a->n || (a->tok[i][0] != 'n' && a->tok[i][0] != 'l'))
        return -1;
    return atoi(a->tok[i] + 1) % DT_NAMES + (a->tok[i][0] == 'l' ? DT_NAMES : 0);
}

static inline const char *dt_name_a(const struct dt_state *st, const struct dt_args *a, int i)
{
    int k = dt_name_slot(a, i);
    return k < 0 ? NULL : st->name[k];
}

static inline const WCHAR *dt_name_w(const struct dt_state *st, const struct dt_args *a, int i)
{
    int k = dt_name_slot(a, i);
    return k < 0 ? NULL : st->wname[k];
}

/* Which name (0..DT_NAMES-1) an argument names, prefix or not; -1 for none. */
static inline int dt_name_index(const struct dt_args *a, int i)
{
    int k = dt_name_slot(a, i);
    return k < 0 ? -1 : k % DT_NAMES;
}

/* The access an Open* asks for: "sync" (SYNCHRONIZE only), "modify" (the type's modify right
 * only) or, by default, all access. */
static inline DWORD dt_access(const struct dt_args *a, int i, DWORD all, DWORD modify)
{
    if (i < a->n && !strcmp(a->tok[i], "sync"))
        return SYNCHRONIZE;
    if (i < a->n && !strcmp(a->tok[i], "modify"))
        return modify;
    return all;
}

static inline void dt_format(char *out, size_t size, const char *ret, const char *extra)
{
    DWORD e = GetLastError();
    char err[24];
    if (e == DT_SENTINEL)
        snprintf(err, sizeof err, "-");
    else
        snprintf(err, sizeof err, "%lu", (unsigned long)e);
    snprintf(out, size, "%s%s%s e=%s", ret, extra[0] ? " " : "", extra, err);
}

/* Executes one script line; writes the formatted result. Returns -1 for a malformed line. */
static inline int dt_exec(struct dt_state *st, const char *line, char *out, size_t size)
{
    struct dt_args a;
    if (dt_parse(line, &a) != 0)
        return -1;
    const char *fn = a.fn;
    size_t len = strlen(fn);
    int wide = len > 0 && fn[len - 1] == 'W';
    int d = dt_slot(&a, 0);
    char ret[32] = "", extra[48] = "";
    HANDLE h = NULL;
    int creates = 0, name_arg = -1;

    SetLastError(DT_SENTINEL);
    if (!strcmp(fn, "CreateEventA") || !strcmp(fn, "CreateEventW")) {
        h = wide ? CreateEventW(NULL, dt_int(&a, 1), dt_int(&a, 2), dt_name_w(st, &a, 3))
                 : CreateEventA(NULL, dt_int(&a, 1), dt_int(&a, 2), dt_name_a(st, &a, 3));
        creates = 1;
        name_arg = 3;
    } else if (!strcmp(fn, "CreateMutexA") || !strcmp(fn, "CreateMutexW")) {
        h = wide ? CreateMutexW(NULL, dt_int(&a, 1), dt_name_w(st, &a, 2))
                 : CreateMutexA(NULL, dt_int(&a, 1), dt_name_a(st, &a, 2));
        creates = 1;
        name_arg = 2;
    } else if (!strcmp(fn, "CreateSemaphoreA") || !strcmp(fn, "CreateSemaphoreW")) {
        h = wide ? CreateSemaphoreW(NULL, dt_int(&a, 1), dt_int(&a, 2), dt_name_w(st, &a, 3))
                 : CreateSemaphoreA(NULL, dt_int(&a, 1), dt_int(&a, 2), dt_name_a(st, &a, 3));
        creates = 1;
        name_arg = 3;
    } else if (!strcmp(fn, "CreateFileMappingA")) {
        h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                               dt_name_a(st, &a, 1));
        creates = 1;
        name_arg = 1;
    } else if (!strcmp(fn, "OpenEventA") || !strcmp(fn, "OpenEventW")) {
        DWORD access = dt_access(&a, 2, EVENT_ALL_ACCESS, EVENT_MODIFY_STATE);
        h = wide ? OpenEventW(access, FALSE, dt_name_w(st, &a, 1))
                 : OpenEventA(access, FALSE, dt_name_a(st, &a, 1));
        creates = 2;
        name_arg = 1;
    } else if (!strcmp(fn, "OpenMutexA") || !strcmp(fn, "OpenMutexW")) {
        DWORD access = dt_access(&a, 2, MUTEX_ALL_ACCESS, MUTEX_MODIFY_STATE);
        h = wide ? OpenMutexW(access, FALSE, dt_name_w(st, &a, 1))
                 : OpenMutexA(access, FALSE, dt_name_a(st, &a, 1));
        creates = 2;
        name_arg = 1;
    } else if (!strcmp(fn, "OpenSemaphoreA") || !strcmp(fn, "OpenSemaphoreW")) {
        DWORD access = dt_access(&a, 2, SEMAPHORE_ALL_ACCESS, SEMAPHORE_MODIFY_STATE);
        h = wide ? OpenSemaphoreW(access, FALSE, dt_name_w(st, &a, 1))
                 : OpenSemaphoreA(access, FALSE, dt_name_a(st, &a, 1));
        creates = 2;
        name_arg = 1;
    } else if (!strcmp(fn, "OpenFileMappingA")) {
        h = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, dt_name_a(st, &a, 1));
        creates = 2;
        name_arg = 1;
    } else if (!strcmp(fn, "SetEvent")) {
        snprintf(ret, sizeof ret, "%d", SetEvent(dt_handle(st, d)));
    } else if (!strcmp(fn, "ResetEvent")) {
        snprintf(ret, sizeof ret, "%d", ResetEvent(dt_handle(st, d)));
    } else if (!strcmp(fn, "PulseEvent")) {
        snprintf(ret, sizeof ret, "%d", PulseEvent(dt_handle(st, d)));
    } else if (!strcmp(fn, "ReleaseMutex")) {
        snprintf(ret, sizeof ret, "%d", ReleaseMutex(dt_handle(st, d)));
    } else if (!strcmp(fn, "ReleaseSemaphore")) {
        LONG prev = -12345;
        snprintf(ret, sizeof ret, "%d", ReleaseSemaphore(dt_handle(st, d), dt_int(&a, 1), &prev));
        snprintf(extra, sizeof extra, "prev=%ld", (long)prev);
    } else if (!strcmp(fn, "WaitForSingleObject")) {
        snprintf(ret, sizeof ret, "%lu", (unsigned long)WaitForSingleObject(dt_handle(st, d), 0));
    } else if (!strcmp(fn, "WaitForMultipleObjects")) {
        HANDLE hs[8];
        int slots[8];
        DWORD n = 0;
        for (int i = 1; i < a.n; i++)
            if (dt_slot(&a, i) >= 0) {
                slots[n] = dt_slot(&a, i);
                hs[n] = dt_handle(st, slots[n]);
                n++;
            }
        BOOL all = !strcmp(a.tok[0], "all");
        if (all && dt_same_object(st, slots, (int)n)) {
            snprintf(out, size, "SKIP same object twice in wait-all");
            return 0;
        }
        snprintf(ret, sizeof ret, "%lu", (unsigned long)WaitForMultipleObjects(n, hs, all, 0));
    } else if (!strcmp(fn, "SignalObjectAndWait")) {
        DWORD r = SignalObjectAndWait(dt_handle(st, d), dt_handle(st, dt_slot(&a, 1)), 0, FALSE);
        snprintf(ret, sizeof ret, "%lu", (unsigned long)r);
    } else if (!strcmp(fn, "DuplicateHandle")) {
        int src = dt_slot(&a, 1), close_source = dt_int(&a, 2) != 0;
        int object = st->object[src], source_live = st->state[src] == DT_LIVE;
        HANDLE out_h = NULL, src_h = dt_handle(st, src);
        DWORD opts = DUPLICATE_SAME_ACCESS | (close_source ? DUPLICATE_CLOSE_SOURCE : 0);
        BOOL ok = DuplicateHandle(GetCurrentProcess(), src_h, GetCurrentProcess(), &out_h, 0, FALSE,
                                  opts);
        DWORD e = GetLastError();
        snprintf(ret, sizeof ret, "%d", ok);
        snprintf(extra, sizeof extra, "%s", out_h ? "H" : "NULL");
        /* DUPLICATE_CLOSE_SOURCE closes the source even when the duplication fails. */
        if (close_source && source_live)
            st->state[src] = DT_CLOSED;
        dt_assign(st, d, ok ? out_h : NULL, object);
        if (close_source && source_live)
            dt_forget(st, object);
        SetLastError(e);
    } else if (!strcmp(fn, "CloseHandle")) {
        BOOL ok = CloseHandle(dt_handle(st, d));
        snprintf(ret, sizeof ret, "%d", ok);
        if (ok && st->state[d] == DT_LIVE)
            dt_closed(st, d);
    } else if (!strcmp(fn, "GetHandleInformation")) {
        DWORD flags = DT_SENTINEL;
        snprintf(ret, sizeof ret, "%d", GetHandleInformation(dt_handle(st, d), &flags));
        snprintf(extra, sizeof extra, "flags=%lu", (unsigned long)flags);
    } else if (!strcmp(fn, "SetHandleInformation")) {
        snprintf(
            ret, sizeof ret, "%d",
            SetHandleInformation(dt_handle(st, d), (DWORD)dt_int(&a, 1), (DWORD)dt_int(&a, 2)));
    } else {
        return -1;
    }
    if (creates) {
        DWORD e = GetLastError();
        int k = dt_name_index(&a, name_arg), object = ++st->next_object;
        if (h && k >= 0 && (creates == 2 || e == ERROR_ALREADY_EXISTS) && st->name_object[k])
            object = st->name_object[k];
        snprintf(ret, sizeof ret, "%s", h ? "H" : "NULL");
        dt_assign(st, d, h, object);
        if (h && k >= 0)
            st->name_object[k] = object;
        SetLastError(e);
    }
    dt_format(out, size, ret, extra);
    return 0;
}

#endif /* DIFFTEST_EXEC_H */
