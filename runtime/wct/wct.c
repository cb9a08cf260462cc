/* wct.c - the wait chain view: reads thread records, wait blocks and mutex owners (lock held).
 *
 * A thread node, then the object it waits on, then the thread that object waits for (a mutex's
 * owner, a thread object's thread), and so on, as Windows' Wait Chain Traversal does. A wait on
 * several objects follows the first one that has an owner, else shows the first one. Events,
 * semaphores, timers and processes have no owner: the chain ends at them. */
#include "wct/wct.h"

#include <stdio.h>

uint32_t ws_wct_find_thread(DWORD tid)
{
    for (uint32_t i = 0; i < ws_g.seg->thread_high; i++) {
        const struct ws_thread *t = ws_thread_at(i);
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

static void describe(const struct ws_object *o, struct ws_wct_node *n)
{
    const char *name = o->name_hash ? ws_name_at(o->index) : "";
    const char *q = *name ? "\"" : "";
    bool signaled = o->header.signal_state > 0;
    n->status = WctStatusUnknown;
    switch (o->header.type) {
    case WS_TYPE_MUTEX:
        n->type = WctMutexType;
        n->status = o->u.mutex.abandoned          ? WctStatusAbandoned
                    : o->u.mutex.owner != WS_NONE ? WctStatusOwned
                                                  : WctStatusNotOwned;
        snprintf(n->name, sizeof n->name, "%s", name);
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
        snprintf(n->name, sizeof n->name, "Event %s%s%s (%s, %s)", q, name, q,
                 o->u.event.manual_reset ? "manual-reset" : "auto-reset",
                 signaled ? "signaled" : "nonsignaled");
        return;
    case WS_TYPE_SEMAPHORE:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "Semaphore %s%s%s (count %d of %d)", q, name, q,
                 (int)o->header.signal_state, (int)o->u.semaphore.maximum);
        return;
    case WS_TYPE_TIMER:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "Timer %s%s%s (%s, %s)", q, name, q,
                 o->u.timer.active ? "set" : "not set", signaled ? "signaled" : "nonsignaled");
        return;
    default:
        n->type = WctUnknownType;
        snprintf(n->name, sizeof n->name, "%s", name);
        return;
    }
}

/* The object a blocked thread's chain goes on with. */
static const struct ws_object *waited_object(const struct ws_thread *t)
{
    const struct ws_wait *w = &t->wait;
    for (uint32_t i = 0; i < w->count; i++) {
        const struct ws_object *o = ws_object_at(w->blocks[i].object);
        uint32_t owner = owner_of(o);
        if (owner != WS_NONE && ws_thread_at(owner) != t)
            return o;
    }
    return ws_object_at(w->blocks[0].object);
}

unsigned ws_wct_chain(uint32_t thread, bool out_of_proc, int32_t pid, struct ws_wct_node *out,
                      unsigned max, bool *cycle)
{
    uint32_t seen[WCT_MAX_NODE_COUNT]; /* the threads met so far */
    unsigned n = 0, threads = 0;
    *cycle = false;
    while (thread != WS_NONE && n < WCT_MAX_NODE_COUNT) {
        const struct ws_thread *t = ws_thread_at(thread);
        struct ws_wct_node node = {.type = WctThreadType, .pid = (DWORD)t->pid, .tid = t->tid};
        bool blocked = t->wait.blocked && t->wait.count > 0;
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
        const struct ws_object *o = waited_object(t);
        struct ws_wct_node object = {.alertable = t->wait.alertable};
        describe(o, &object);
        if (n < max)
            out[n] = object;
        n++;
        thread = owner_of(o);
    }
    return n;
}
