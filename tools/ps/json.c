/* json.c - the report for tools: the same as text.c, as one JSON object (see winsync-ps --help). */
#include <stdlib.h>
#include <string.h>

#include "ps.h"

/* A JSON string of s[0..len): valid UTF-8 as is, control characters escaped, a byte that is not
 * part of valid UTF-8 as U+FFFD. */
static void json_string(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    fputc('"', out);
    while (p < end) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, out);
            p++;
        } else {
            size_t extra = c >= 0xF0 && c < 0xF5   ? 3
                           : c >= 0xE0             ? 2
                           : c >= 0xC2 && c < 0xE0 ? 1
                                                   : 0;
            size_t ok = extra && (size_t)(end - p) > extra;
            for (size_t i = 1; ok && i <= extra; i++)
                ok = (p[i] & 0xC0) == 0x80;
            if (ok) {
                fwrite(p, 1, extra + 1, out);
                p += extra + 1;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}

static void json_cstring(FILE *out, const char *s)
{
    json_string(out, s, strlen(s));
}

static void json_bool(FILE *out, const char *key, bool v)
{
    fprintf(out, ", \"%s\": %s", key, v ? "true" : "false");
}

/* "tid" and "pid" of thread record `thread`, or nulls. */
static void thread_ids(FILE *out, ws_view *seg, const char *prefix, uint32_t thread)
{
    const struct ws_thread *t = ws_view_thread(seg, thread);
    if (t)
        fprintf(out, "\"%sthread\": %u, \"%stid\": %u, \"%spid\": %d", prefix, (unsigned)thread,
                prefix, (unsigned)t->tid, prefix, (int)t->pid);
    else
        fprintf(out, "\"%sthread\": null, \"%stid\": null, \"%spid\": null", prefix, prefix,
                prefix);
}

static void print_lock(FILE *out, ws_view *seg)
{
    bool waiters;
    uint32_t owner = ps_lock_owner(seg, &waiters);
    fprintf(out, "  \"lock\": {\"held\": %s, ", owner != WS_NONE ? "true" : "false");
    thread_ids(out, seg, "owner_", owner);
    json_bool(out, "waiters", waiters);
    fprintf(out, "},\n");
}

static void print_processes(FILE *out, ws_view *seg)
{
    fprintf(out, "  \"processes\": [");
    unsigned n = 0;
    for (uint32_t i = 0; i < seg->config.max_processes; i++) {
        const struct ws_process *p = ws_view_process(seg, i);
        if (p->state == WS_REC_FREE)
            continue;
        fprintf(out, "%s\n    {\"record\": %u, \"pid\": %d, \"state\": \"%s\", \"object\": %u",
                n++ ? "," : "", (unsigned)i, (int)p->pid, ps_record_state(p->state),
                (unsigned)p->object);
        fprintf(out, ", \"threads\": %u, \"handles\": %u", (unsigned)p->live_threads,
                (unsigned)p->handles_in_use);
        json_bool(out, "gone", ps_process_gone(p));
        json_bool(out, "terminating", p->terminating != 0);
        if (p->exit_code_set)
            fprintf(out, ", \"exit_code\": %u}", (unsigned)p->exit_code);
        else
            fprintf(out, ", \"exit_code\": null}");
    }
    fprintf(out, "\n  ],\n");
}

static void print_threads(FILE *out, ws_view *seg)
{
    fprintf(out, "  \"threads\": [");
    uint32_t high = ws_view_thread_high(seg);
    unsigned n = 0;
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_view_thread(seg, i);
        if (t->state == WS_REC_FREE)
            continue;
        bool blocked = t->state == WS_REC_ALIVE && t->wait.blocked;
        fprintf(out,
                "%s\n    {\"record\": %u, \"tid\": %u, \"pid\": %d, \"process\": %u, \"object\": "
                "%u, \"state\": \"%s\"",
                n++ ? "," : "", (unsigned)i, (unsigned)t->tid, (int)t->pid, (unsigned)t->process,
                (unsigned)t->object, ps_record_state(t->state));
        json_bool(out, "blocked", blocked);
        json_bool(out, "in_dispatcher", t->in_dispatcher != 0);
        json_bool(out, "terminating", t->terminating != 0);
        fprintf(out, ", \"apcs_queued\": %u", (unsigned)t->apc.count);
        if (blocked) {
            fprintf(out, ", \"wait\": {\"all\": %s", t->wait.wait_all ? "true" : "false");
            json_bool(out, "alertable", t->wait.alertable);
            fprintf(out, ", \"objects\": [");
            uint32_t count = t->wait.count;
            for (uint32_t b = 0; b < count && b < MAXIMUM_WAIT_OBJECTS; b++)
                fprintf(out, "%s%u", b ? ", " : "", (unsigned)t->wait.blocks[b].object);
            fprintf(out, "]}");
        }
        fprintf(out, "}");
    }
    fprintf(out, "\n  ],\n");
}

/* The fields of each kind of object. */
static void object_fields(FILE *out, const struct ps_snapshot *s, const struct ws_object *o)
{
    ws_view *seg = s->seg;
    switch (o->header.type) {
    case WS_TYPE_EVENT:
        json_bool(out, "manual_reset", o->u.event.manual_reset);
        json_bool(out, "signaled", o->header.signal_state > 0);
        return;
    case WS_TYPE_SEMAPHORE:
        fprintf(out, ", \"count\": %d, \"maximum\": %d", (int)o->header.signal_state,
                (int)o->u.semaphore.maximum);
        return;
    case WS_TYPE_MUTEX:
        fprintf(out, ", ");
        thread_ids(out, seg, "owner_", o->u.mutex.owner);
        fprintf(out, ", \"recursion\": %d", ps_mutex_depth(o));
        json_bool(out, "abandoned", o->u.mutex.abandoned);
        return;
    case WS_TYPE_THREAD:
        fprintf(out, ", \"tid\": %u, \"record\": ", (unsigned)o->u.thread.tid);
        if (o->u.thread.slot == WS_NONE)
            fprintf(out, "null");
        else
            fprintf(out, "%u", (unsigned)o->u.thread.slot);
        json_bool(out, "running", o->u.thread.exit_code == STILL_ACTIVE);
        fprintf(out, ", \"exit_code\": %u", (unsigned)o->u.thread.exit_code);
        return;
    case WS_TYPE_PROCESS:
        fprintf(out, ", \"pid\": %u", (unsigned)o->u.process.pid);
        json_bool(out, "running", o->u.process.exit_code == STILL_ACTIVE);
        fprintf(out, ", \"exit_code\": %u", (unsigned)o->u.process.exit_code);
        return;
    case WS_TYPE_MAPPING:
        fprintf(out, ", \"size\": %llu", (unsigned long long)o->u.mapping.size);
        json_bool(out, "writable", o->u.mapping.writable);
        return;
    case WS_TYPE_TIMER:
        json_bool(out, "manual_reset", o->u.timer.manual_reset);
        json_bool(out, "signaled", o->header.signal_state > 0);
        json_bool(out, "active", o->u.timer.active);
        if (o->u.timer.active)
            fprintf(out, ", \"due_in_ms\": %lld",
                    (long long)(o->u.timer.due - s->now_ns) / 1000000);
        fprintf(out, ", \"period_ms\": %u", (unsigned)o->u.timer.period_ms);
        json_bool(out, "completion_routine", o->u.timer.apc_routine != 0);
        return;
    default:
        return;
    }
}

/* w has room for every wait block there can be (max). */
static void print_waiters(FILE *out, ws_view *seg, const struct ws_object *o, struct ps_waiter *w,
                          unsigned max)
{
    unsigned n = w ? ps_waiters(seg, o, w, max) : 0;
    fprintf(out, ", \"waiters\": [");
    for (unsigned i = 0; i < n && i < max; i++) {
        fprintf(out, "%s{", i ? ", " : "");
        thread_ids(out, seg, "", w[i].thread);
        fprintf(out, ", \"block\": %u}", (unsigned)w[i].block);
    }
    fprintf(out, "]");
}

static void print_objects(FILE *out, const struct ps_snapshot *s)
{
    ws_view *seg = s->seg;
    fprintf(out, "  \"objects\": [");
    uint32_t high =
        seg->object_high < seg->config.max_objects ? seg->object_high : seg->config.max_objects;
    unsigned n = 0, max = seg->config.max_threads * MAXIMUM_WAIT_OBJECTS;
    struct ps_waiter *waiters = malloc(max * sizeof *waiters);
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_object *o = ws_view_object(seg, i);
        if (o->header.type == WS_TYPE_FREE)
            continue;
        int len;
        const char *name = ws_view_name(seg, o, &len);
        char state[1200];
        ps_object_state(seg, o, s->now_ns, state, sizeof state);
        fprintf(out, "%s\n    {\"index\": %u, \"type\": \"%s\", \"name\": ", n++ ? "," : "",
                (unsigned)i, ps_type_name(o->header.type));
        if (len)
            json_string(out, name, (size_t)len);
        else
            fprintf(out, "null");
        fprintf(out, ", \"handles\": %u, \"refs\": %u, \"state\": ", (unsigned)o->handles,
                (unsigned)o->refs);
        json_cstring(out, state);
        object_fields(out, s, o);
        print_waiters(out, seg, o, waiters, max);
        fprintf(out, "}");
    }
    free(waiters);
    fprintf(out, "\n  ],\n");
}

static void print_handles(FILE *out, ws_view *seg)
{
    fprintf(out, "  \"handles\": [");
    unsigned n = 0;
    for (uint32_t p = 0; p < seg->config.max_processes; p++) {
        const struct ws_process *proc = ws_view_process(seg, p);
        if (proc->state != WS_REC_ALIVE && proc->state != WS_REC_STARTING)
            continue;
        const struct ws_handle_entry *table = ws_view_handles(seg, p);
        for (uint32_t i = 0; i < seg->config.max_handles; i++) {
            const struct ws_object *o =
                table[i].object ? ws_view_object(seg, table[i].object - 1) : NULL;
            if (!o)
                continue;
            fprintf(out,
                    "%s\n    {\"pid\": %d, \"process\": %u, \"handle\": %u, \"object\": %u, "
                    "\"access\": %u",
                    n++ ? "," : "", (int)proc->pid, (unsigned)p, (unsigned)(i + 1) << 2,
                    (unsigned)(table[i].object - 1), (unsigned)table[i].access);
            json_bool(out, "inheritable", table[i].flags & HANDLE_FLAG_INHERIT);
            json_bool(out, "stale", table[i].generation != o->generation);
            fprintf(out, "}");
        }
    }
    fprintf(out, "\n  ],\n");
}

static void print_chain(FILE *out, ws_view *seg, const struct ps_chain *c)
{
    fprintf(out, "\n    {");
    thread_ids(out, seg, "", c->thread);
    json_bool(out, "cycle", c->cycle);
    json_bool(out, "deadlock", c->deadlock);
    fprintf(out, ", \"nodes\": [");
    for (unsigned i = 0; i < c->count; i++) {
        const struct ws_wct_node *n = &c->nodes[i];
        fprintf(out, "%s{", i ? ", " : "");
        if (n->type == WctThreadType) {
            fprintf(out, "\"kind\": \"thread\", ");
            thread_ids(out, seg, "", n->index);
        } else {
            fprintf(out, "\"kind\": \"object\", \"object\": %u, \"type\": \"%s\", \"name\": ",
                    (unsigned)n->index, ps_type_name(ws_view_object(seg, n->index)->header.type));
            int len;
            const char *name = ws_view_name(seg, ws_view_object(seg, n->index), &len);
            if (len)
                json_string(out, name, (size_t)len);
            else
                fprintf(out, "null");
            fprintf(out, ", \"description\": ");
            json_cstring(out, n->name);
        }
        fprintf(out, ", \"status\": \"%s\"}", ps_status_name(n->status));
    }
    fprintf(out, "]}");
}

static void print_chains(FILE *out, ws_view *seg)
{
    unsigned count;
    struct ps_chain *chains = ps_chains(seg, &count);
    fprintf(out, "  \"wait_chains\": [");
    for (unsigned i = 0; i < count; i++) {
        if (i)
            fprintf(out, ",");
        print_chain(out, seg, &chains[i]);
    }
    fprintf(out, "\n  ],\n  \"deadlocks\": [");
    unsigned d = 0;
    for (unsigned i = 0; i < count; i++) {
        if (!chains[i].deadlock)
            continue;
        fprintf(out, "%s\n    {\"threads\": [", d++ ? "," : "");
        for (unsigned k = 0; k + 1 < chains[i].count; k += 2)
            fprintf(out, "%s%u", k ? ", " : "", (unsigned)chains[i].nodes[k].tid);
        fprintf(out, "], \"objects\": [");
        for (unsigned k = 1; k < chains[i].count; k += 2)
            fprintf(out, "%s%u", k > 1 ? ", " : "", (unsigned)chains[i].nodes[k].index);
        fprintf(out, "]}");
    }
    fprintf(out, "\n  ]\n");
    free(chains);
}

void ps_print_json(FILE *out, const struct ps_snapshot *s)
{
    ws_view *seg = s->seg;
    fprintf(out, "{\n  \"namespace\": ");
    json_cstring(out, s->ns);
    fprintf(out, ",\n  \"segment\": ");
    json_cstring(out, s->path);
    fprintf(out, ",\n  \"layout\": %u,\n", (unsigned)seg->version);
    fprintf(out,
            "  \"limits\": {\"objects\": %u, \"handles\": %u, \"processes\": %u, \"threads\": "
            "%u},\n",
            (unsigned)seg->config.max_objects, (unsigned)seg->config.max_handles,
            (unsigned)seg->config.max_processes, (unsigned)seg->config.max_threads);
    print_lock(out, seg);
    print_processes(out, seg);
    print_threads(out, seg);
    print_objects(out, s);
    print_handles(out, seg);
    print_chains(out, seg);
    fprintf(out, "}\n");
}
