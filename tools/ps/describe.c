/* describe.c - objects, threads, processes and the dispatcher lock of a snapshot, in words. */
#include <errno.h>
#include <signal.h>

#include "ps.h"

#define PS_LOCK_WAITERS 0x80000000u /* WS_LOCK_WAITERS in runtime/objects/lock.c */

const char *ps_type_name(unsigned type)
{
    static const char *const names[WS_TYPE_COUNT] = {
        [WS_TYPE_FREE] = "free",       [WS_TYPE_EVENT] = "event",
        [WS_TYPE_MUTEX] = "mutex",     [WS_TYPE_SEMAPHORE] = "semaphore",
        [WS_TYPE_THREAD] = "thread",   [WS_TYPE_PROCESS] = "process",
        [WS_TYPE_MAPPING] = "mapping", [WS_TYPE_TIMER] = "timer",
    };
    return type < WS_TYPE_COUNT ? names[type] : "unknown";
}

const char *ps_record_state(uint32_t state)
{
    switch (state) {
    case WS_REC_FREE:
        return "free";
    case WS_REC_STARTING:
        return "starting";
    case WS_REC_ALIVE:
        return "alive";
    case WS_REC_ENDED:
        return "ended";
    case WS_REC_CLAIMING:
        return "claiming";
    default:
        return "unknown";
    }
}

uint32_t ps_object_index(ws_view *seg, const struct ws_object *o)
{
    return (uint32_t)(o - ws_view_object(seg, 0));
}

void ps_object_label(ws_view *seg, const struct ws_object *o, char *buf, size_t size)
{
    int len;
    const char *name = ws_view_name(seg, o, &len);
    if (len)
        snprintf(buf, size, "%s \"%.*s\"", ps_type_name(o->header.type), len, name);
    else
        snprintf(buf, size, "%s #%u", ps_type_name(o->header.type), ps_object_index(seg, o));
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?'; /* a name's control characters would break the report's lines */
}

void ps_thread_label(ws_view *seg, uint32_t thread, char *buf, size_t size)
{
    const struct ws_thread *t = ws_view_thread(seg, thread);
    if (t)
        snprintf(buf, size, "thread %u (pid %d)", (unsigned)t->tid, (int)t->pid);
    else
        snprintf(buf, size, "thread record %u", (unsigned)thread);
}

int ps_mutex_depth(const struct ws_object *o)
{
    return o->u.mutex.owner == WS_NONE ? 0 : 1 - o->header.signal_state;
}

static const char *signaled(const struct ws_object *o)
{
    return o->header.signal_state > 0 ? "signaled" : "nonsignaled";
}

static void timer_state(const struct ws_object *o, uint64_t now_ns, char *buf, size_t size)
{
    const char *reset = o->u.timer.manual_reset ? "manual-reset" : "auto-reset";
    if (!o->u.timer.active) {
        snprintf(buf, size, "%s, %s, not set", reset, signaled(o));
        return;
    }
    long long ms = o->u.timer.due > now_ns ? (long long)((o->u.timer.due - now_ns) / 1000000u)
                                           : -(long long)((now_ns - o->u.timer.due) / 1000000u);
    snprintf(buf, size, "%s, %s, due in %lld ms, period %u ms%s", reset, signaled(o), ms,
             (unsigned)o->u.timer.period_ms, o->u.timer.apc_routine ? ", completion routine" : "");
}

void ps_object_state(ws_view *seg, const struct ws_object *o, uint64_t now_ns, char *buf,
                     size_t size)
{
    char owner[64];
    switch (o->header.type) {
    case WS_TYPE_EVENT:
        snprintf(buf, size, "%s, %s", o->u.event.manual_reset ? "manual-reset" : "auto-reset",
                 signaled(o));
        return;
    case WS_TYPE_SEMAPHORE:
        snprintf(buf, size, "count %d of %d", (int)o->header.signal_state,
                 (int)o->u.semaphore.maximum);
        return;
    case WS_TYPE_MUTEX:
        if (o->u.mutex.owner == WS_NONE) {
            snprintf(buf, size, "free%s", o->u.mutex.abandoned ? ", abandoned" : "");
            return;
        }
        ps_thread_label(seg, o->u.mutex.owner, owner, sizeof owner);
        snprintf(buf, size, "owned by %s, recursion %d%s", owner, ps_mutex_depth(o),
                 o->u.mutex.abandoned ? ", abandoned" : "");
        return;
    case WS_TYPE_THREAD:
        if (o->u.thread.exit_code == STILL_ACTIVE)
            snprintf(buf, size, "tid %u, running", (unsigned)o->u.thread.tid);
        else
            snprintf(buf, size, "tid %u, exited with %u", (unsigned)o->u.thread.tid,
                     (unsigned)o->u.thread.exit_code);
        return;
    case WS_TYPE_PROCESS:
        if (o->u.process.exit_code == STILL_ACTIVE)
            snprintf(buf, size, "pid %u, running", (unsigned)o->u.process.pid);
        else
            snprintf(buf, size, "pid %u, exited with %u%s", (unsigned)o->u.process.pid,
                     (unsigned)o->u.process.exit_code,
                     o->u.process.exit_code_guessed ? " (killed)" : "");
        return;
    case WS_TYPE_MAPPING:
        snprintf(buf, size, "%llu bytes, %s", (unsigned long long)o->u.mapping.size,
                 o->u.mapping.writable ? "read-write" : "read-only");
        return;
    case WS_TYPE_TIMER:
        timer_state(o, now_ns, buf, size);
        return;
    default:
        snprintf(buf, size, "signal state %d", (int)o->header.signal_state);
        return;
    }
}

bool ps_process_gone(const struct ws_process *p)
{
    return p->pid > 0 && kill(p->pid, 0) != 0 && errno == ESRCH;
}

uint32_t ps_lock_owner(ws_view *seg, bool *waiters)
{
    uint32_t word = seg->lock;
    *waiters = (word & PS_LOCK_WAITERS) != 0;
    word &= ~PS_LOCK_WAITERS;
    return word ? word - 1 : WS_NONE;
}

const char *ps_status_name(WCT_OBJECT_STATUS status)
{
    switch (status) {
    case WctStatusRunning:
        return "running";
    case WctStatusBlocked:
        return "blocked";
    case WctStatusOwned:
        return "owned";
    case WctStatusNotOwned:
        return "not-owned";
    case WctStatusAbandoned:
        return "abandoned";
    default:
        return "unknown";
    }
}
