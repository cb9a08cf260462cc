/* wct.c - the wait chain view: reads thread records, wait blocks and mutex owners of a segment.
 *
 * A thread node, then the object it waits on, then the thread that object waits for (a mutex's
 * owner, a thread object's thread), and so on, as Windows' Wait Chain Traversal does. A wait on
 * several objects follows the first one that has an owner, else shows the first one. Events,
 * semaphores, timers and processes have no owner: the chain ends at them. The segment is passed in
 * (see wct.h): under the lock it is this process's mapping, for winsync-ps a copy taken without
 * the lock, so every index is checked (objects/view.h) and every loop is bounded. */
#include "wct/wct.h"

#include <stdio.h>

uint32_t ws_wct_find_thread_in(ws_view *seg, DWORD tid)
{
    uint32_t high = ws_view_thread_high(seg);
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_view_thread(seg, i);
        if (ws_thread_state(t) == WS_REC_ALIVE && t->tid == tid)
            return i;
    }
    return WS_NONE;
}

/* The thread record an object makes its waiters wait for, or WS_NONE. */
static uint32_t owner_of(const struct ws_object *o)
{
    switch (o->header.type) {
    case WS_TYPE_MUTEX:
        return o->u.mutex.owner;
    case WS_TYPE_THREAD:
        return o->u.thread.slot;
    default:
        return WS_NONE;
    }
}

static void describe(ws_view *seg, const struct ws_object *o, struct ws_wct_node *n)
{
    int len;
    const char *name = ws_view_name(seg, o, &len);
    const char *q = len ? "\"" : "";
    bool signaled = o->header.signal_state > 0;
    n->status = WctStatusUnknown;
    switch (o->header.type) {
    case WS_TYPE_MUTEX:
        n->type = WctMutexType;
        n->status = o->u.mutex.abandoned          ? WctStatusAbandoned
                    : o->u.mutex.owner != WS_NONE ? WctStatusOwned
                                                  : WctStatusNotOwned;
        snprintf(n->name, sizeof n->name, "%.*s", len, name);
        return;
    case WS_TYPE_THREAD:
        n->type = WctThreadWaitType;
        snprintf(n->name, sizeof n->name, "Thread %u", (unsigned)o->u.thread.tid);
        return;
    case WS_TYPE_PROCESS:
        n->type = WctProcessWaitType;
        snprintf(n->name, sizeof n->name, "Process %u", (unsigned)o->u.process.pid);
        return;
    case WS_TYPE_EVENT:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "Event %s%.*s%s (%s, %s)", q, len, name, q,
                 o->u.event.manual_reset ? "manual-reset" : "auto-reset",
                 signaled ? "signaled" : "nonsignaled");
        return;
    case WS_TYPE_SEMAPHORE:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "Semaphore %s%.*s%s (count %d of %d)", q, len, name, q,
                 (int)o->header.signal_state, (int)o->u.semaphore.maximum);
        return;
    case WS_TYPE_TIMER:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "Timer %s%.*s%s (%s, %s)", q, len, name, q,
                 o->u.timer.active ? "set" : "not set", signaled ? "signaled" : "nonsignaled");
        return;
    default:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "%.*s", len, name);
        return;
    }
}

/* The object a blocked thread's chain goes on with. */
static const struct ws_object *waited_object(ws_view *seg, const struct ws_thread *t)
{
    const struct ws_object *first = NULL;
    for (uint32_t i = 0; i < t->wait.count && i < MAXIMUM_WAIT_OBJECTS; i++) {
        const struct ws_object *o = ws_view_wait_object(seg, t, i);
        if (!o)
            continue;
        uint32_t owner = owner_of(o);
        if (owner != WS_NONE && ws_view_thread(seg, owner) && ws_view_thread(seg, owner) != t)
            return o;
        if (!first)
            first = o;
    }
    return first;
}

unsigned ws_wct_chain_in(ws_view *seg, uint32_t thread, bool out_of_proc, int32_t pid,
                         struct ws_wct_node *out, unsigned max, bool *cycle)
{
    uint32_t seen[WCT_MAX_NODE_COUNT]; /* the threads met so far */
    unsigned n = 0, threads = 0;
    *cycle = false;
    while (ws_view_thread(seg, thread) && n < WCT_MAX_NODE_COUNT) {
        const struct ws_thread *t = ws_view_thread(seg, thread);
        struct ws_wct_node node = {
            .type = WctThreadType, .pid = (DWORD)t->pid, .tid = t->tid, .index = thread};
        const struct ws_object *o = t->wait.blocked ? waited_object(seg, t) : NULL;
        bool blocked = o != NULL;
        for (unsigned i = 0; i < threads; i++)
            if (seen[i] == thread)
                *cycle = true;
        bool foreign = t->pid != pid && !out_of_proc;
        node.status = foreign ? WctStatusPidOnly : blocked ? WctStatusBlocked : WctStatusRunning;
        if (n < max)
            out[n] = node;
        n++;
        if (*cycle || foreign || !blocked)
            break;
        seen[threads++] = thread;
        if (n == WCT_MAX_NODE_COUNT)
            break;
        struct ws_wct_node object = {.alertable = t->wait.alertable,
                                     .index = (uint32_t)(o - ws_view_object(seg, 0))};
        describe(seg, o, &object);
        if (n < max)
            out[n] = object;
        n++;
        thread = owner_of(o);
    }
    return n;
}
