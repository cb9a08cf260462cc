/*
 * ps.h - winsync-ps, the namespace inspector: what its parts share.
 *
 * winsync-ps reads a namespace's segment without taking part in it: it maps the segment read-only,
 * copies it once into private memory (a snapshot) and works on the copy only. It never takes the
 * dispatcher lock, never registers as a process, and never writes to the segment, so it cannot
 * block or change a live namespace, even one whose lock is held by a stuck process. The copy may be
 * inconsistent (a writer was half way through a change): every index is checked before it is
 * followed (runtime/objects/view.h) and every walk is bounded.
 */
#ifndef WINSYNC_PS_H
#define WINSYNC_PS_H

#include <stdio.h>

#include "objects/view.h"
#include "wct/wct.h"

/* Exit codes. */
enum {
    PS_EXIT_OK = 0,
    PS_EXIT_USAGE = 1,      /* a bad option or namespace name, or the report could not be written */
    PS_EXIT_NO_SEGMENT = 2, /* the namespace has no segment: nothing uses it */
    PS_EXIT_UNUSABLE = 3,   /* the segment is foreign, corrupt, of another layout, or unreadable */
};

/* ---- snapshot.c: finding the namespace and copying its segment ---- */
struct ps_snapshot {
    char ns[WS_NAMESPACE_MAX + 1];
    char path[WS_NAMESPACE_MAX + 48]; /* the segment's file, /dev/shm/winsync-<uid>-<ns> */
    ws_view *seg;                     /* the private copy */
    size_t size;
    uint64_t now_ns; /* CLOCK_MONOTONIC when the copy was taken (timer due times) */
};
/* The namespace to inspect: `option` (--namespace), else WINSYNC_NAMESPACE, else "default".
 * PS_EXIT_OK, or PS_EXIT_USAGE with a message on stderr. */
int ps_namespace_pick(const char *option, struct ps_snapshot *s);
/* Copy the segment of s->ns. PS_EXIT_OK, or an exit code with a message on stderr. */
int ps_snapshot_take(struct ps_snapshot *s);
void ps_snapshot_free(struct ps_snapshot *s);

/* ---- namespaces.c: the namespaces of this user, for the "no segment" message ---- */
void ps_list_namespaces(FILE *out);

/* ---- describe.c: objects, threads and processes in words ---- */
const char *ps_type_name(unsigned type); /* "event", "mutex", ... */
const char *ps_record_state(uint32_t state);
const char *ps_status_name(WCT_OBJECT_STATUS status); /* "owned", "not-owned", ... "unknown" */
/* `event "name"`, or `event #12` for an unnamed object. */
void ps_object_label(ws_view *seg, const struct ws_object *o, char *buf, size_t size);
/* The object's state: `manual-reset, signaled`, `count 1 of 3`, `owned by thread 12 (pid 10),
 * recursion 2`, ... */
void ps_object_state(ws_view *seg, const struct ws_object *o, uint64_t now_ns, char *buf,
                     size_t size);
/* `thread 1234 (pid 1230)`, or `thread record 7` for an index out of range. */
void ps_thread_label(ws_view *seg, uint32_t thread, char *buf, size_t size);
/* The mutex's recursion depth (0 when free). */
int ps_mutex_depth(const struct ws_object *o);
/* Is process record p's pid gone (the reaper has not seen its death yet)? */
bool ps_process_gone(const struct ws_process *p);
/* The dispatcher lock's owner thread record, WS_NONE when free; *waiters: somebody sleeps on it. */
uint32_t ps_lock_owner(ws_view *seg, bool *waiters);
/* The object's index in the table. */
uint32_t ps_object_index(ws_view *seg, const struct ws_object *o);

/* ---- waiters.c: an object's wait list ---- */
struct ps_waiter {
    uint32_t thread; /* thread record */
    uint32_t block;  /* which of its wait blocks */
};
/* The wait blocks linked on o's wait list, in arrival order: the first max go to out. Returns
 * how many were found (a torn or looping list ends the walk). */
unsigned ps_waiters(ws_view *seg, const struct ws_object *o, struct ps_waiter *out, unsigned max);

/* ---- chains.c: every blocked thread's wait chain, and the deadlocks among them ---- */
struct ps_chain {
    uint32_t thread;
    unsigned count; /* nodes, at most WCT_MAX_NODE_COUNT */
    bool cycle;     /* it ends at a thread met before */
    bool deadlock;  /* a cycle through its first thread, the lowest record in it: report it */
    struct ws_wct_node nodes[WCT_MAX_NODE_COUNT];
};
/* The chains of the live blocked threads, in record order (malloc'd array, *count of them). */
struct ps_chain *ps_chains(ws_view *seg, unsigned *count);

/* ---- text.c, json.c: the reports ---- */
void ps_print_text(FILE *out, const struct ps_snapshot *s);
void ps_print_json(FILE *out, const struct ps_snapshot *s);

#endif
