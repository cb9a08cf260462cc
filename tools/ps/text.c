/* text.c - the report for people: the namespace, its lock, processes, threads, objects with their
 * waiters, handles, then each blocked thread's wait chain and the deadlocks. */
#include <stdlib.h>
#include <string.h>

#include "ps.h"

#define PS_LABEL 1200 /* a label holds a name of up to WS_NAME_BYTES - 1 bytes */
#define PS_WAITERS_SHOWN 64

static void print_header(FILE *out, const struct ps_snapshot *s)
{
    ws_view *seg = s->seg;
    fprintf(out, "winsync namespace \"%s\" (%s), layout %u, read without the lock\n", s->ns,
            s->path, (unsigned)seg->version);
    fprintf(out, "limits: %u objects, %u handles per process, %u processes, %u threads\n",
            (unsigned)seg->config.max_objects, (unsigned)seg->config.max_handles,
            (unsigned)seg->config.max_processes, (unsigned)seg->config.max_threads);
    bool waiters;
    uint32_t owner = ps_lock_owner(seg, &waiters);
    char label[PS_LABEL];
    if (owner == WS_NONE) {
        fprintf(out, "dispatcher lock: free\n");
        return;
    }
    ps_thread_label(seg, owner, label, sizeof label);
    fprintf(out, "dispatcher lock: held by %s%s\n", label, waiters ? ", others wait for it" : "");
}

static void print_processes(FILE *out, ws_view *seg)
{
    fprintf(out, "\nprocesses\n");
    for (uint32_t i = 0; i < seg->config.max_processes; i++) {
        const struct ws_process *p = ws_view_process(seg, i);
        if (p->state == WS_REC_FREE)
            continue;
        fprintf(out, "  pid %d: record %u, %s%s, %u threads, %u handles", (int)p->pid, (unsigned)i,
                ps_record_state(p->state),
                ps_process_gone(p) ? " (its pid is gone: not reaped yet)" : "",
                (unsigned)p->live_threads, (unsigned)p->handles_in_use);
        if (p->exit_code_set)
            fprintf(out, ", exit code %u", (unsigned)p->exit_code);
        if (p->terminating)
            fprintf(out, ", terminating");
        fprintf(out, "\n");
    }
}

static void print_wait(FILE *out, ws_view *seg, const struct ws_thread *t)
{
    uint32_t count = t->wait.count < MAXIMUM_WAIT_OBJECTS ? t->wait.count : MAXIMUM_WAIT_OBJECTS;
    fprintf(out, ", blocked in a wait for %s of %u%s", t->wait.wait_all ? "all" : "any",
            (unsigned)count, t->wait.alertable ? " (alertable)" : "");
    for (uint32_t i = 0; i < count; i++) {
        const struct ws_object *o = ws_view_wait_object(seg, t, i);
        char label[PS_LABEL];
        if (o)
            ps_object_label(seg, o, label, sizeof label);
        else
            snprintf(label, sizeof label, "object index %u (out of range)",
                     (unsigned)t->wait.blocks[i].object);
        fprintf(out, "%s%s", i ? ", " : ": ", label);
    }
}

static void print_threads(FILE *out, ws_view *seg)
{
    fprintf(out, "\nthreads\n");
    uint32_t high = ws_view_thread_high(seg);
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_view_thread(seg, i);
        if (t->state == WS_REC_FREE)
            continue;
        fprintf(out, "  thread %u (pid %d): record %u, %s", (unsigned)t->tid, (int)t->pid,
                (unsigned)i, ps_record_state(t->state));
        if (t->state == WS_REC_ALIVE && t->wait.blocked)
            print_wait(out, seg, t);
        else if (t->state == WS_REC_ALIVE)
            fprintf(out, ", running");
        if (t->in_dispatcher)
            fprintf(out, ", inside the dispatcher");
        if (t->terminating)
            fprintf(out, ", terminating");
        if (t->apc.count)
            fprintf(out, ", %u APCs queued", (unsigned)t->apc.count);
        fprintf(out, "\n");
    }
}

static void print_waiters(FILE *out, ws_view *seg, const struct ws_object *o)
{
    struct ps_waiter w[PS_WAITERS_SHOWN];
    unsigned n = ps_waiters(seg, o, w, PS_WAITERS_SHOWN);
    for (unsigned i = 0; i < n && i < PS_WAITERS_SHOWN; i++) {
        char label[PS_LABEL];
        ps_thread_label(seg, w[i].thread, label, sizeof label);
        const struct ws_thread *t = ws_view_thread(seg, w[i].thread);
        fprintf(out, "      waiter: %s, wait block %u of %u (wait-%s)\n", label,
                (unsigned)w[i].block, (unsigned)t->wait.count, t->wait.wait_all ? "all" : "any");
    }
    if (n > PS_WAITERS_SHOWN)
        fprintf(out, "      and %u more waiters\n", n - PS_WAITERS_SHOWN);
}

static void print_objects(FILE *out, const struct ps_snapshot *s)
{
    ws_view *seg = s->seg;
    fprintf(out, "\nobjects\n");
    uint32_t high =
        seg->object_high < seg->config.max_objects ? seg->object_high : seg->config.max_objects;
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_object *o = ws_view_object(seg, i);
        if (o->header.type == WS_TYPE_FREE)
            continue;
        char label[PS_LABEL], state[PS_LABEL];
        ps_object_label(seg, o, label, sizeof label);
        ps_object_state(seg, o, s->now_ns, state, sizeof state);
        fprintf(out, "  #%u %s: %s; %u handles, %u references\n", (unsigned)i, label, state,
                (unsigned)o->handles, (unsigned)o->refs);
        print_waiters(out, seg, o);
    }
}

/* One line per process (wrapped): each handle's value and object, as the object list numbers it. */
static void print_handles(FILE *out, ws_view *seg)
{
    fprintf(out, "\nhandles (value -> object)\n");
    for (uint32_t p = 0; p < seg->config.max_processes; p++) {
        const struct ws_process *proc = ws_view_process(seg, p);
        if (proc->state != WS_REC_ALIVE && proc->state != WS_REC_STARTING)
            continue;
        const struct ws_handle_entry *table = ws_view_handles(seg, p);
        fprintf(out, "  pid %d:", (int)proc->pid);
        unsigned shown = 0;
        for (uint32_t i = 0; i < seg->config.max_handles; i++) {
            const struct ws_object *o =
                table[i].object ? ws_view_object(seg, table[i].object - 1) : NULL;
            if (!o)
                continue;
            fprintf(out, "%s0x%x -> #%u%s%s",
                    shown == 0  ? " "
                    : shown % 8 ? ", "
                                : ",\n    ",
                    (unsigned)(i + 1) << 2, (unsigned)(table[i].object - 1),
                    table[i].flags & HANDLE_FLAG_INHERIT ? " (inheritable)" : "",
                    table[i].generation != o->generation ? " (stale: object reused)" : "");
            shown++;
        }
        fprintf(out, "%s\n", shown ? "" : " none");
    }
}

/* The chain's nodes, as `thread 12 (pid 10) -> mutex "m" [owned] -> ...`; with `statuses`, an
 * object's status (a mutex's) or state (the others'), and the last thread's. */
static void print_nodes(FILE *out, const struct ps_snapshot *s, const struct ps_chain *c,
                        bool statuses)
{
    for (unsigned i = 0; i < c->count; i++) {
        const struct ws_wct_node *n = &c->nodes[i];
        char label[PS_LABEL], state[PS_LABEL];
        const char *status = statuses ? ps_status_name(n->status) : NULL;
        if (status && strcmp(status, "unknown") == 0)
            status = NULL;
        if (n->type == WctThreadType) {
            ps_thread_label(s->seg, n->index, label, sizeof label);
            if (i + 1 < c->count)
                status = NULL;
        } else {
            const struct ws_object *o = ws_view_object(s->seg, n->index);
            ps_object_label(s->seg, o, label, sizeof label);
            if (statuses && !status) {
                ps_object_state(s->seg, o, s->now_ns, state, sizeof state);
                status = state;
            }
        }
        fprintf(out, "%s%s", i ? " -> " : "", label);
        if (status)
            fprintf(out, " [%s]", status);
    }
}

static void print_chains(FILE *out, const struct ps_snapshot *s)
{
    unsigned count;
    struct ps_chain *chains = ps_chains(s->seg, &count);
    fprintf(out, "\nwait chains\n");
    if (count == 0)
        fprintf(out, "  no thread is blocked\n");
    for (unsigned i = 0; i < count; i++) {
        fprintf(out, "  ");
        print_nodes(out, s, &chains[i], true);
        fprintf(out, "%s\n", chains[i].cycle ? " (cycle)" : "");
    }
    unsigned deadlocks = 0;
    for (unsigned i = 0; i < count; i++) {
        if (!chains[i].deadlock)
            continue;
        fprintf(out, "%sdeadlock: ", deadlocks++ ? "" : "\n");
        print_nodes(out, s, &chains[i], false);
        fprintf(out, "\n");
    }
    free(chains);
}

void ps_print_text(FILE *out, const struct ps_snapshot *s)
{
    print_header(out, s);
    print_processes(out, s->seg);
    print_threads(out, s->seg);
    print_objects(out, s);
    print_handles(out, s->seg);
    print_chains(out, s);
}
