/* report.c - the "wait chain:" section of a failure message (tests/support/wschain.h).
 *
 * One line per blocked thread of the calling process and its descendants (the other tests of a
 * run share the namespace): the chain of ws_wct_chain, each object with its state, each thread
 * with the mutexes it owns, and how the chain ends: at an object nobody owns, at a running
 * thread, or back at a thread already met (a deadlock). Taken under the dispatcher lock, which is
 * waited for a bounded time only: a report never hangs, it says who holds the lock instead. */
#include "wct/wct.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct out {
    char *buf;
    size_t size, used;
};

static void put(struct out *o, const char *format, ...)
{
    if (o->used + 1 >= o->size)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(o->buf + o->used, o->size - o->used, format, ap);
    va_end(ap);
    if (n > 0)
        o->used = o->used + (size_t)n < o->size ? o->used + (size_t)n : o->size - 1;
}

/* Is pid the caller or one of its descendants (a forked child, grandchild...)? */
static bool in_this_test(pid_t pid)
{
    pid_t me = getpid();
    for (int depth = 0; depth < 8 && pid > 1; depth++) {
        if (pid == me)
            return true;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        const char *fields = ws_proc_stat_fields(path, stat, sizeof stat);
        int parent;
        if (!fields || sscanf(fields, "%*c %d", &parent) != 1)
            return false;
        pid = parent;
    }
    return false;
}

/* ", owns Mutex "a"" for each mutex thread record `thread` owns (the first few). */
static void put_owned(struct out *o, uint32_t thread)
{
    unsigned shown = 0, more = 0;
    for (uint32_t i = 0; i < ws_g.seg->object_high; i++) {
        const struct ws_object *m = ws_object_at(i);
        if (m->header.type != WS_TYPE_MUTEX || m->u.mutex.owner != thread)
            continue;
        if (shown == 3) {
            more++;
            continue;
        }
        const char *name = m->name_hash ? ws_name_at(m->index) : "";
        put(o, "%s Mutex %s%s%s", shown++ ? "," : ", owns", *name ? "\"" : "", *name ? name : "",
            *name ? "\"" : "(unnamed)");
    }
    if (more)
        put(o, " and %u more", more);
}

static void put_thread(struct out *o, const struct ws_wct_node *n, bool first)
{
    uint32_t record = ws_wct_find_thread(n->tid);
    put(o, "thread %u (pid %u", (unsigned)n->tid, (unsigned)n->pid);
    if (!first && n->status == WctStatusBlocked)
        put(o, ", blocked");
    if (record != WS_NONE) {
        const struct ws_wait *w = &ws_thread_at(record)->wait;
        if (w->blocked && w->count > 1)
            put(o, ", waits for %s of %u objects", w->wait_all ? "all" : "any", (unsigned)w->count);
        put_owned(o, record);
    }
    put(o, ")");
}

static void put_object(struct out *o, const struct ws_wct_node *n, const struct ws_wct_node *next)
{
    if (n->type != WctMutexType) {
        put(o, "%s", n->name);
        return;
    }
    put(o, "Mutex %s%s%s", *n->name ? "\"" : "", *n->name ? n->name : "(unnamed)",
        *n->name ? "\"" : "");
    if (n->status == WctStatusAbandoned)
        put(o, " (abandoned)");
    else if (n->status == WctStatusOwned && next && next->type == WctThreadType)
        put(o, " (owned by thread %u)", (unsigned)next->tid);
    else
        put(o, " (not owned)");
}

/* One blocked thread's chain. */
static void put_chain(struct out *o, uint32_t thread)
{
    struct ws_wct_node nodes[WCT_MAX_NODE_COUNT];
    bool cycle = false;
    unsigned count = ws_wct_chain(thread, true, 0, nodes, WCT_MAX_NODE_COUNT, &cycle);
    if (count > WCT_MAX_NODE_COUNT)
        count = WCT_MAX_NODE_COUNT;
    put(o, "\n  ");
    for (unsigned i = 0; i < count; i++) {
        const struct ws_wct_node *n = &nodes[i], *next = i + 1 < count ? &nodes[i + 1] : NULL;
        if (i)
            put(o, " -> ");
        if (n->type != WctThreadType) {
            put_object(o, n, next);
            continue;
        }
        if (cycle && i + 1 == count) {
            put(o, "thread %u: DEADLOCK (a cycle: each waits for the next)", (unsigned)n->tid);
            return;
        }
        put_thread(o, n, i == 0);
        if (n->status == WctStatusRunning)
            put(o, " running (not in a wait)");
    }
    const struct ws_wct_node *last = &nodes[count - 1];
    if (last->type != WctThreadType)
        put(o, ": nobody owns it, the chain ends here");
    if (count == WCT_MAX_NODE_COUNT)
        put(o, " ...");
}

size_t ws_wct_report(char *buf, size_t size, unsigned lock_ms)
{
    struct out o = {buf, size, 0};
    if (size == 0)
        return 0;
    buf[0] = '\0';
    put(&o, "wait chain:");
    struct ws_thread *self = ws_self();
    if (!self) {
        put(&o, " unavailable (this process could not attach to the namespace)");
        return o.used;
    }
    uint32_t holder;
    if (!ws_lock_within(self, lock_ms, &holder)) {
        const struct ws_thread *h = holder == WS_NONE ? NULL : ws_thread_at(holder);
        put(&o, " unavailable: the dispatcher lock stayed held for %u ms", lock_ms);
        if (h)
            put(&o, " by thread %u (pid %d), inside a lab function or stopped there",
                (unsigned)h->tid, (int)h->pid);
        return o.used;
    }
    ws_reap_locked(); /* a killed owner's mutexes are abandoned */
    unsigned blocked = 0, shown = 0;
    size_t full = o.size;
    o.size = full > 80 ? full - 80 : full; /* room for the count of threads left out */
    for (uint32_t i = 0; i < ws_g.seg->thread_high; i++) {
        const struct ws_thread *t = ws_thread_at(i);
        if (ws_thread_state(t) != WS_REC_ALIVE || !t->wait.blocked || t->wait.count == 0 ||
            !in_this_test(t->pid))
            continue;
        blocked++;
        size_t before = o.used;
        if (shown == blocked - 1)
            put_chain(&o, i);
        if (o.used + 1 >= o.size) { /* no room for the whole line */
            o.used = before;
            buf[before] = '\0';
        } else if (o.used > before) {
            shown++;
        }
    }
    o.size = full;
    if (shown < blocked)
        put(&o, "\n  (%u more blocked threads not shown)", blocked - shown);
    ws_unlock();
    if (blocked == 0)
        put(&o, " no thread of this test is blocked in a winsync wait");
    return o.used;
}
