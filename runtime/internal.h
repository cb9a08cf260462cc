/*
 * internal.h - the model kernel's private structures and functions.
 *
 * Everything shared between processes lives in one POSIX shared memory segment per
 * namespace, laid out as:
 *
 *   header | object table | name table | process records | handle tables | thread records
 *
 * Processes map it at different addresses, so the segment holds indices, never
 * pointers. One dispatcher lock (a futex word in the header) protects all of it.
 */
#ifndef WINSYNC_INTERNAL_H
#define WINSYNC_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel.h"

#define WS_LAYOUT_VERSION                                                                          \
    7u /* 4: waitable timers (ws_object.u.timer, ws_thread.timer_apcs); 5: termination             \
          (ws_thread.terminating, ws_process.last_thread_code); 6: suspension and special APCs     \
          (ws_thread.suspend_count, special_apc); 7: the stuck-test guard                          \
          (ws_thread.wait_deadline..., ws_process.session...) */
#define WS_MAGIC "WINSYNC"
#define WS_NAME_BYTES (MAX_PATH * 4 + 4) /* a name's UTF-8 form and its NUL (see error.c) */
#define WS_NAMESPACE_MAX 64
#define WS_WATCH_MAX 16
#define WS_EXIT_CODE_KILLED 137u /* 128 + SIGKILL: a death nobody recorded a code for */

enum ws_record_state {
    WS_REC_FREE = 0,
    WS_REC_STARTING, /* process: created by CreateProcess, not yet attached;
                        thread: claimed and holding its life lock, not yet registered */
    WS_REC_ALIVE,
    WS_REC_ENDED,    /* thread: its end is processed; the thread may still be running */
    WS_REC_CLAIMING, /* thread: being claimed; the reaper leaves it alone */
};

/* A thread being terminated (ws_thread.terminating). Set under the lock, with the thread taken
 * off its wait: from then on it satisfies no wait and changes nothing (see threads/attach.c). */
enum ws_termination {
    WS_TERM_NONE = 0,
    WS_TERM_THREAD,  /* TerminateThread: the thread ends itself at once (WS_SIG_TERMINATE) */
    WS_TERM_PROCESS, /* TerminateProcess: SIGKILL is on its way */
};
/* The signal TerminateThread sends to its target (handled in every winsync process). */
#define WS_SIG_TERMINATE (SIGRTMAX - 3)
/* The signal SuspendThread and QueueUserAPC2(special) send: "look at your suspend count and
 * your special APCs" (threads/suspend.c). */
#define WS_SIG_ATTENTION (SIGRTMAX - 4)

/* Limits, fixed when a namespace's segment is created (WINSYNC_MAX_* variables). */
struct ws_config {
    uint32_t max_objects;
    uint32_t max_handles; /* per process */
    uint32_t max_processes;
    uint32_t max_threads;
};

struct ws_handle_entry {
    uint32_t object;     /* object index, WS_NONE when the entry is free */
    uint32_t generation; /* the object's generation when the handle was made */
    uint32_t access;
    uint32_t flags; /* HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE */
};

#define WS_HARNESS_TIDS_MAX 4

struct ws_process {
    uint32_t state;
    uint32_t index;
    int32_t pid;
    uint32_t object;        /* the process object */
    uint32_t live_threads;  /* registered threads not yet ended */
    uint32_t exit_code_set; /* exit_code holds ExitProcess/TerminateProcess's code */
    DWORD exit_code;
    uint32_t creator;          /* process index of the CreateProcess caller, or WS_NONE */
    uint32_t spawn_token;      /* proves a CreateProcess child's claim on this record */
    uint32_t pending_thread;   /* CreateProcess: the main thread's object, not yet claimed */
    uint32_t handles_in_use;   /* entries of its handle table in use */
    uint32_t handle_free_hint; /* no free entry below this index (a hint: see handle.c) */
    uint32_t terminating;      /* TerminateProcess marked it: threads that join are marked too */
    uint32_t last_thread_code_set; /* its last registered thread ended with last_thread_code */
    DWORD last_thread_code;
    /* The stuck-test guard (dispatcher/stuck.c). */
    int32_t session;        /* its Linux session: the test it belongs to */
    uint32_t harness_count; /* threads it had before it attached: the test runner's own */
    int32_t harness_tids[WS_HARNESS_TIDS_MAX];
    int32_t guard_tid; /* its lock guard's thread (threads/lock_guard.c), 0 until it runs */
};

struct ws_segment_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t total_size;
    struct ws_config config;
    uint64_t off_objects, off_names, off_name_index, off_processes, off_handles, off_threads;
    uint32_t layout_check; /* a hash of the fields above */
    uint32_t ready;        /* set last by the creator */
    int32_t creator_pid;
    uint32_t lock;    /* the dispatcher lock: 0 free, else (owner thread index + 1) | WAITERS */
    uint32_t repairs; /* times the lock was recovered from a dead owner */
    uint32_t mapping_serial;
    uint32_t object_high;      /* objects are allocated below this index */
    uint32_t object_free_hint; /* no free object below this index (a hint: see object.c) */
    uint32_t thread_high;      /* thread records are used below this index */
    /* Bytes the test harnesses' pipes carried, counted by the sender before writing and by the
     * reader after reading (dispatcher/stuck.c): for the whole namespace, since a pipe may join
     * processes of two sessions. */
    uint32_t harness_sent, harness_received;
};

/* ---- Process-local state ------------------------------------------------------------ */
struct ws_local {
    struct ws_segment_header *seg;
    size_t seg_size;
    char shm_name[WS_NAMESPACE_MAX + 32];
    int broken;       /* the segment is unusable: every call fails */
    uint32_t process; /* this process's record */
    pid_t pid;
    /* Cached from the segment for the hot path (set when the process attaches). */
    struct ws_object *objects;
    struct ws_handle_entry *handles; /* this process's table */
    uint32_t max_handles;
    bool guard; /* WINSYNC_GUARD=1: the stuck-test guard is on (dispatcher/stuck.c) */
    struct ws_process *lock_guard_pending; /* a fork child's lock guard, not started yet */
};
extern struct ws_local ws_g;

/* ---- Segment access (objects/segment.c) ---------------------------------------------- */
/* Attach this process (and register the calling thread) if needed. Returns the calling
 * thread's record, or NULL with the Win32 error set. Never takes the lock twice. */
struct ws_thread *ws_self(void);
/* The calling thread's record if it has one already (never attaches), else NULL. */
struct ws_thread *ws_self_if_attached(void);

static inline struct ws_object *ws_objects(void)
{
    return (struct ws_object *)((char *)ws_g.seg + ws_g.seg->off_objects);
}
static inline struct ws_object *ws_object_at(uint32_t index)
{
    return &ws_objects()[index];
}
static inline char *ws_name_at(uint32_t index)
{
    return (char *)ws_g.seg + ws_g.seg->off_names + (size_t)index * WS_NAME_BYTES;
}
/* The name index (objects/object.c): a hash table of chains through the named objects.
 * Buckets, then one link per object; a link is an object index + 1, 0 ends a chain, so a new
 * segment's zeroes are an empty index. */
static inline uint32_t ws_name_bucket_count(uint32_t max_objects)
{
    uint32_t n = 64;
    while (n < max_objects)
        n *= 2;
    return n;
}
static inline uint32_t *ws_name_buckets(void)
{
    return (uint32_t *)((char *)ws_g.seg + ws_g.seg->off_name_index);
}
static inline uint32_t *ws_name_links(void)
{
    return ws_name_buckets() + ws_name_bucket_count(ws_g.seg->config.max_objects);
}
static inline struct ws_process *ws_process_at(uint32_t index)
{
    return (struct ws_process *)((char *)ws_g.seg + ws_g.seg->off_processes) + index;
}
static inline struct ws_handle_entry *ws_handles_of(uint32_t process)
{
    return (struct ws_handle_entry *)((char *)ws_g.seg + ws_g.seg->off_handles) +
           (size_t)process * ws_g.seg->config.max_handles;
}
static inline struct ws_thread *ws_thread_at(uint32_t index)
{
    return (struct ws_thread *)((char *)ws_g.seg + ws_g.seg->off_threads) + index;
}
/* A thread record's state changes outside the lock too (claim, exit): read it atomically. */
static inline uint32_t ws_thread_state(const struct ws_thread *t)
{
    return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
}
static inline const struct ws_config *ws_config(void)
{
    return &ws_g.seg->config;
}

/* ---- The dispatcher lock (objects/lock.c) --------------------------------------------- */
/* `caller` names the function that takes it, for the lock guard (threads/lock_guard.c). */
void ws_lock_from(struct ws_thread *self, const char *caller);
#define ws_lock(self) ws_lock_from((self), __func__)
/* Release the lock, then send the wakes queued while holding it. */
void ws_unlock(void);
/* Wake the sleeper on `word` once the lock is released. */
void ws_wake_after_unlock(uint32_t *word);
/* The exit hook's lock: an owner of this process that holds on for `ms` is taken over. */
void ws_lock_at_exit(struct ws_thread *self, unsigned ms);
/* The lock within `ms` (polling), for reports that must never hang; false with *holder set to
 * the owner's thread index (or WS_NONE) when it stayed held. */
bool ws_lock_within(struct ws_thread *self, unsigned ms, uint32_t *holder);
/* Is this thread between entering ws_lock and leaving ws_unlock (inside the lock, waiting
 * for it, or sending its wakes and freeing their list)? */
bool ws_lock_busy_here(const struct ws_thread *self);
/* Set while a thread ends itself (ws_lock does not divert it); TerminateThread's signal sets
 * ws_terminate_pending when it lands inside the lock, and ws_unlock then ends the thread. */
extern _Thread_local int ws_ending_self;
extern _Thread_local volatile sig_atomic_t ws_terminate_pending;

/* ---- Objects and names (objects/object.c) -------------------------------------------- */
/* Allocate an object of `type` with one reference. NULL: table full (error set). */
struct ws_object *ws_object_alloc(uint8_t type);
void ws_object_ref(struct ws_object *obj);
/* Drop one reference; the last one frees the object and its name. */
void ws_object_unref(struct ws_object *obj);
/* Find a named object. NULL if none. */
struct ws_object *ws_object_find(const char *name);
void ws_object_set_name(struct ws_object *obj, const char *name);
/* The object leaves the namespace (its last handle closed, or it is freed). */
void ws_object_drop_name(struct ws_object *obj);
/* Repair: rebuild the name index from the objects (a dead owner of the lock may have left
 * a chain half changed). */
void ws_name_index_rebuild(void);

/* ---- Handles (objects/handle.c) ------------------------------------------------------ */
#define WS_PSEUDO_PROCESS ((HANDLE)(LONG_PTR)-1)
#define WS_PSEUDO_THREAD ((HANDLE)(LONG_PTR)-2)

/* Add a handle for obj to a process's table (takes a reference). 0 when the table is full. */
HANDLE ws_handle_insert(uint32_t process, struct ws_object *obj, uint32_t access, uint32_t flags);
/* Find the entry for h in a process's table, or NULL. */
struct ws_handle_entry *ws_handle_entry(uint32_t process, HANDLE h);
/* Resolve h (pseudo handles included) to an object of `type` (WS_TYPE_FREE = any type)
 * whose handle grants `access`. NULL with the Win32 error set. */
struct ws_object *ws_handle_lookup(struct ws_thread *self, HANDLE h, int type, uint32_t access);
/* The hot path of ws_handle_lookup: a real handle of the right type (WS_TYPE_FREE: any)
 * and access. */
static inline struct ws_object *ws_lookup(struct ws_thread *self, HANDLE h, int type,
                                          uint32_t access)
{
    uintptr_t i = ((uintptr_t)h >> 2) - 1; /* pseudo-handles and NULL land out of range */
    if (i < ws_g.max_handles) {
        const struct ws_handle_entry *e = &ws_g.handles[i];
        if (e->object) {
            struct ws_object *o = &ws_g.objects[e->object - 1];
            if ((type == WS_TYPE_FREE || o->header.type == type) && (e->access & access) == access)
                return o;
        }
    }
    return ws_handle_lookup(self, h, type, access); /* pseudo-handles, errors */
}
/* Close an entry of a process's table (drops its reference). */
void ws_handle_close_entry(uint32_t process, struct ws_handle_entry *entry);
void ws_handle_close_all(uint32_t process);
/* Put a copy of *src at the same index of another process's table (fork, inheritance). */
void ws_handle_copy_entry(uint32_t to, uint32_t index, const struct ws_handle_entry *src);
uint32_t ws_type_all_access(int type);
/* A requested access as the rights it grants on a `type` object (generic rights mapped). */
uint32_t ws_map_access(int type, uint32_t access);

/* ---- The stuck-test guard (dispatcher/stuck.c) ----------------------------------------- */
#define WS_HARNESS_GIVE_UP 1u /* ws_thread.harness_deadline: the guard ended this harness wait */
/* At attach: read WINSYNC_GUARD, and note p's session and the threads it already has. */
void ws_guard_note_process_locked(struct ws_process *p, bool forked);
/* The calling thread is about to sleep, in a wait (wait_deadline, wait_armed and wait_timed
 * set) or in the harness's (harness_deadline set). When nothing of its test can act before a
 * timeout, end the wait that times out first, now. True when it ended one. */
bool ws_fast_forward_locked(struct ws_thread *self);
/* With the guard on: start this process's lock guard, which aborts the process when one of its
 * threads stays inside the dispatcher lock (threads/lock_guard.c). */
void ws_lock_guard_start(struct ws_process *p);
/* The session leader's record: where the harness's bytes are counted. NULL when not attached. */
struct ws_process *ws_guard_session_leader(int32_t session);

/* ---- Dispatcher (dispatcher/wait.c) --------------------------------------------------- */
/* The wait, entered with the lock held; returns with it released. The wait holds a
 * reference on each object while it blocks, so closing a handle never ends a wait. */
DWORD ws_wait_locked(struct ws_thread *self, struct ws_object **objects, uint32_t count,
                     bool wait_all, DWORD timeout_ms, bool alertable);
/* Something may have broken the watch set of waiters on obj (new mutex owner). */
void ws_dispatch_rewatch(struct ws_object *obj, const struct ws_thread *new_owner);
/* End t's wait with `status` and wake it (after the lock is released). */
void ws_complete_wait(struct ws_thread *t, DWORD status);
/* Unlink a thread's wait blocks from every wait list (repair, thread end). */
void ws_wait_unlink_all(struct ws_thread *t);
void ws_wait_rebuild_lists(void);
extern volatile int ws_unimplemented_seen;

/* ---- Waitable timers (dispatcher/timer.c) --------------------------------------------- */
/* Timers expire lazily: nothing runs at the due time unless somebody is waiting for it. A
 * waiter on a timer, or an alertable waiter whose timer APC is due, sleeps no later than the
 * due time and expires the timer itself; anyone else who looks (a wait, QueueUserAPC,
 * CancelWaitableTimer) expires it first. */
#define WS_NO_DUE UINT64_MAX
uint64_t ws_monotonic_ns(void);
void ws_timer_initialize(struct ws_object *timer, bool manual_reset);
/* Expire the timer if its due time has passed: signal it, queue its APC, re-arm a periodic one. */
void ws_timer_expire(struct ws_object *timer, uint64_t now);
/* Does this wait need the timers' care (a timer among objs, or an alertable wait of a thread
 * with timer APCs)? */
bool ws_wait_has_timers(const struct ws_thread *self, struct ws_object *const *objs, uint32_t n,
                        bool alertable);
/* Expire what this wait depends on (the timers among objs; with `alertable`, the timers whose
 * APC targets self) and return the earliest due time still ahead of them, or WS_NO_DUE. */
uint64_t ws_timers_expire_for_wait(struct ws_thread *self, struct ws_object *const *objs,
                                   uint32_t n, bool alertable);
/* Expire the timers whose APC targets t (before another APC is queued behind them). */
void ws_timers_expire_apcs_of(struct ws_thread *t);
/* SetWaitableTimer: due is absolute CLOCK_MONOTONIC ns. */
void ws_timer_set(struct ws_object *timer, struct ws_thread *self, uint64_t due, uint32_t period_ms,
                  uint64_t routine, uint64_t argument);
void ws_timer_cancel(struct ws_object *timer);
/* The timer object is being freed. */
void ws_timer_destroy(struct ws_object *timer);
/* t ended: its timers with a completion routine are cancelled (state unchanged). */
void ws_timers_thread_ended(struct ws_thread *t);
/* Repair: recount timer_apcs and the references of queued timer APCs. */
void ws_timers_repair(void);
/* Kick every waiter of obj to look again (its deadline changed). */
void ws_dispatch_kick_waiters(struct ws_object *obj);

/* ---- Threads and processes (threads/) ------------------------------------------------ */
/* A thread ended: abandon its mutexes, signal its object, end its process if last. */
void ws_thread_end_locked(struct ws_thread *t, DWORD exit_code);
void ws_process_end_locked(struct ws_process *p, DWORD exit_code);
/* Find and process threads and processes that died without telling anyone. */
void ws_reap_locked(void);
void ws_reap_threads_locked(void);
/* Is this process gone (no such pid, or a zombie)? */
/* The fields of /proc/<path> after the command (which may hold anything), starting with the
 * state letter, read into buf; NULL when the file is gone or unreadable. */
const char *ws_proc_stat_fields(const char *path, char *buf, size_t size);
bool ws_pid_gone(pid_t pid);
/* Give a thread record back (the only way a record becomes FREE). */
void ws_thread_record_free(struct ws_thread *t);
/* Lock-free claim of a thread record for the calling thread. */
struct ws_thread *ws_thread_claim(void);
/* Under the lock: create the thread object of a freshly claimed record. */
bool ws_thread_register_locked(struct ws_thread *t, uint32_t process);
bool ws_thread_life_dead(const struct ws_thread *t);
uint32_t *ws_thread_life_word(struct ws_thread *t);
void ws_repair_locked(void);
/* Take t off its wait and mark it terminating (enum ws_termination), under the lock. */
void ws_thread_mark_terminating(struct ws_thread *t, uint32_t how, DWORD code);
/* The calling thread was marked terminating: end it (thread) or its process. No return. */
_Noreturn void ws_terminated_self(struct ws_thread *self);

/* ---- Suspension and special user APCs (threads/suspend.c) ------------------------------ */
#define WS_MAXIMUM_SUSPEND_COUNT 127u
/* Set while the calling thread is inside a winsync wait (its wait state is in use): a special
 * APC then waits for the wait's end. */
extern _Thread_local int ws_in_wait;
/* Is t suspended (the dispatcher satisfies none of its waits, nor alerts it)? */
static inline bool ws_thread_suspended(const struct ws_thread *t)
{
    return __atomic_load_n(&t->suspend_count, __ATOMIC_ACQUIRE) != 0;
}
/* The calling thread, outside the lock: stop while suspended, then run its special APCs
 * (unless it is inside a wait). Called at every winsync call's entry and by WS_SIG_ATTENTION. */
void ws_suspend_point(struct ws_thread *self);
/* Run the calling thread's special APCs, oldest first, without the lock. */
void ws_deliver_special_apcs(struct ws_thread *self);
/* Under the lock: t's suspend count went to 0: re-run the wait test for its wait and alert it
 * if an APC is due, then wake it. */
void ws_thread_resumed_locked(struct ws_thread *t);

/* ---- Futexes (dispatcher/futex.c) ------------------------------------------------------ */
struct ws_futex_wait {
    uint32_t *word;
    uint32_t expected;
};
/* Sleep until one of the words changes, a wake, or the absolute CLOCK_MONOTONIC deadline
 * (NULL = none). Returns 0 woken/changed, ETIMEDOUT, or EINTR. */
int ws_futex_waitv(const struct ws_futex_wait *waits, unsigned count,
                   const struct timespec *deadline);
void ws_futex_wake(uint32_t *word, int count);

/* ---- Errors (win32/error.c) ---------------------------------------------------------- */
void ws_set_error(DWORD code);
/* Convert a Win32 name argument to the stored form. Returns ERROR_SUCCESS or the error. */
DWORD ws_name_from_a(const char *in, char *out);
DWORD ws_name_from_w(const wchar_t *in, char *out);
/* UTF-32 wchar_t to UTF-8: bytes written (out may be NULL to measure), or (size_t)-1. */
size_t ws_utf8_encode(const wchar_t *in, size_t count, char *out);
/* A malloc'd UTF-8 copy of count wide characters, or NULL. */
char *ws_utf8_dup(const wchar_t *in, size_t count);
/* Around a call into lab code: did it call ws_not_implemented()? */
extern _Thread_local int ws_slot_unimplemented_flag;
static inline void ws_slot_begin(void)
{
    ws_slot_unimplemented_flag = 0;
}
static inline bool ws_slot_unimplemented(void)
{
    return ws_slot_unimplemented_flag != 0;
}

#endif /* WINSYNC_INTERNAL_H */
