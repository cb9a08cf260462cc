/*
 * kernel.h - the model kernel's interface between the dispatcher and the lab code.
 *
 * winsync models the NT dispatcher in user mode. Every waitable object lives in a
 * shared memory segment and starts with a dispatcher header, as every NT dispatcher
 * object starts with a DISPATCHER_HEADER (Windows Internals 6th ed., part 1, ch. 3).
 *
 * The dispatcher (runtime/dispatcher/) owns the wait lists. When a thread waits, it
 * asks the object's code "are you signalled for this thread?" and, when the answer
 * is yes, "satisfy this wait" (take the mutex, take one semaphore unit, reset an
 * auto-reset event). Operations that signal an object (SetEvent, ReleaseMutex, ...)
 * change the object's state and then call ws_dispatch_signal(), the wait test, which
 * satisfies waiters in arrival order for as long as the object stays signalled.
 *
 * Every function in this file is called with the dispatcher lock held, unless its
 * comment says otherwise. Lab code never sleeps and never takes the lock itself,
 * except apc_deliver_all().
 */
#ifndef WINSYNC_KERNEL_H
#define WINSYNC_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "winsync.h"

#define WS_NONE UINT32_MAX

enum ws_object_type {
    WS_TYPE_FREE = 0,
    WS_TYPE_EVENT,
    WS_TYPE_MUTEX,
    WS_TYPE_SEMAPHORE,
    WS_TYPE_THREAD,
    WS_TYPE_PROCESS,
    WS_TYPE_MAPPING,
    WS_TYPE_TIMER, /* waitable timers: given by the runtime (dispatcher/timer.c), not a lab */
    WS_TYPE_COUNT
};

/* A doubly linked list of wait blocks, by index (the segment holds no pointers). */
struct ws_list {
    uint32_t head;
    uint32_t tail;
};

/* DISPATCHER_HEADER: what the dispatcher knows of every waitable object. */
struct ws_dispatcher_header {
    uint8_t type; /* enum ws_object_type */
    uint8_t reserved[3];
    int32_t signal_state;     /* > 0 signalled. Events 0/1; semaphores the count;
                                 mutexes 1 - recursion depth (1 free, 0 owned once, -1 twice) */
    struct ws_list wait_list; /* wait blocks of the threads waiting, in arrival order */
};

struct ws_object {
    struct ws_dispatcher_header header; /* first, as in NT */
    /* The object-manager part (OBJECT_HEADER in NT). */
    uint32_t index;      /* slot in the object table */
    uint32_t generation; /* bumped when the slot is freed */
    uint32_t refs;       /* open handles + waits in progress + the live thread/process */
    uint32_t handles;    /* open handles alone: the name goes when they do */
    uint32_t name_hash;  /* 0 when the object has no name */
    union {
        struct {
            bool manual_reset; /* NotificationEvent (manual) or SynchronizationEvent (auto) */
        } event;
        struct {
            uint32_t owner; /* owning thread's index, WS_NONE when free */
            bool abandoned; /* owner ended while owning; cleared by the next acquire */
        } mutex;
        struct {
            int32_t maximum;
        } semaphore;
        struct {
            uint32_t slot;    /* thread record, WS_NONE once ended */
            uint32_t tid;     /* Linux thread id = Windows thread id */
            uint32_t process; /* the process object's index */
            DWORD exit_code;  /* STILL_ACTIVE while running */
        } thread;
        struct {
            uint32_t slot; /* process record, WS_NONE once ended */
            uint32_t pid;
            DWORD exit_code;
            bool exit_code_guessed; /* its end was seen, not its cause (kill -9) */
        } process;
        struct {
            uint64_t size;
            uint32_t serial; /* names the backing POSIX shared memory object */
            bool writable;   /* PAGE_READWRITE (else PAGE_READONLY) */
        } mapping;
        struct {
            uint64_t due;          /* next expiry, CLOCK_MONOTONIC ns; meaningful when active */
            uint64_t apc_routine;  /* PTIMERAPCROUTINE in the setter's process, 0 for none */
            uint64_t apc_argument; /* lpArgToCompletionRoutine */
            uint64_t apc_entry;    /* the runtime's APC trampoline, in the setter's process */
            uint64_t fired_at;     /* FILETIME of the expiry the queued APC reports */
            uint32_t period_ms;    /* 0: one-shot */
            uint32_t apc_thread;   /* thread record the APC goes to, WS_NONE for none */
            bool manual_reset;     /* NotificationTimer (manual) or SynchronizationTimer */
            bool active;           /* set and not yet expired (one-shot) or cancelled */
            bool apc_queued;       /* its APC is in apc_thread's queue (at most one) */
        } timer;
    } u;
};

/* A user APC waiting in a thread's queue. */
struct ws_apc {
    uint64_t routine;  /* PAPCFUNC, valid in the target thread's process */
    uint64_t argument; /* ULONG_PTR */
};

#define WS_APC_CAPACITY 64

/* The per-thread APC queue, a ring buffer: entries[head] is the oldest. */
struct ws_apc_queue {
    uint32_t head;
    uint32_t count;
    struct ws_apc entries[WS_APC_CAPACITY];
};

/* One wait block per object a thread waits on (KWAIT_BLOCK in NT). */
struct ws_wait_block {
    uint32_t object; /* object index */
    uint32_t next;   /* wait block id of the next waiter on the object, or WS_NONE */
    uint32_t prev;
};

/* The state of a thread's current wait (the wait fields of a KTHREAD). */
struct ws_wait {
    uint32_t count;     /* wait blocks in use */
    bool wait_all;      /* WaitForMultipleObjects(.., bWaitAll = TRUE) */
    bool alertable;     /* an alertable wait: an APC may interrupt it */
    bool blocked;       /* on the wait lists, asleep or about to sleep */
    uint32_t status;    /* result set by whoever ends the wait */
    uint32_t wake_word; /* futex word the thread sleeps on: 0 asleep, 1 woken */
    struct ws_wait_block blocks[MAXIMUM_WAIT_OBJECTS];
};

/* The thread record (KTHREAD), one per thread that has used winsync. */
struct ws_thread {
    /* What lab code uses. */
    uint32_t index; /* a mutex's owner field holds this */
    uint32_t tid;   /* Linux thread id = Windows thread id */
    struct ws_wait wait;
    struct ws_apc_queue apc;

    /* Runtime only (runtime/threads/). */
    uint32_t state;   /* enum ws_record_state */
    int32_t pid;      /* the Linux process the thread runs in */
    uint32_t process; /* process record index */
    uint32_t object;  /* the thread object's index */
    uint32_t watch_count;
    uint32_t watch[16];   /* other threads whose death ends this wait (see dispatcher/wait.c) */
    uint32_t timer_apcs;  /* timers whose completion APC targets this thread (dispatcher/timer.c) */
    uint32_t terminating; /* enum ws_termination: TerminateThread or TerminateProcess hit it */
    DWORD terminate_code; /* TerminateThread's exit code */
    uint32_t in_dispatcher; /* set from ws_lock's start to ws_unlock's end (see objects/lock.c) */
    uint32_t suspend_count; /* SuspendThread/CREATE_SUSPENDED; a futex word (threads/suspend.c) */
    struct ws_apc_queue special_apc; /* QueueUserAPC2's special user APCs (threads/suspend.c) */
    /* The sleep it is in, for the stuck-test guard (dispatcher/stuck.c, WINSYNC_GUARD=1). */
    uint64_t wait_deadline;    /* CLOCK_MONOTONIC ns its wait times out at, UINT64_MAX never */
    uint64_t harness_deadline; /* in a test harness's wait until then; 0 not, 1 told to give up */
    uint32_t wait_armed;       /* the wake word it sleeps on: a kick since changes the word */
    uint32_t wait_timed;       /* a timer may end the wait before its timeout */
    uint32_t harness_child;    /* the child process its harness wait watches for, 0 none */
    uint32_t lock_serial;      /* its acquisitions of the dispatcher lock (threads/lock_guard.c) */
    uint64_t lock_caller;      /* the function that took it last: a name in its own process */
    pthread_mutex_t life;      /* robust, process-shared; locked by the thread for its whole life,
                                  so the kernel marks it FUTEX_OWNER_DIED when the thread dies */
};

/* ---- Given by the runtime: what lab code may call ----------------------------------- */

/* The wait test: satisfy the waiters of `object` in arrival order while it stays
 * signalled, and wake them. Call it after any change that may signal an object. */
void ws_dispatch_signal(struct ws_object *object);

/* End `thread`'s wait with WAIT_IO_COMPLETION and wake it, whatever kind of wait it is.
 * Does nothing when the thread is not blocked in a wait. Checking that the wait is
 * alertable is the caller's job. */
void ws_thread_alert(struct ws_thread *thread);

/* Is obj signalled for thread t? (Asks the object's own code: event_is_signaled, ...) */
bool ws_object_is_signaled(const struct ws_object *obj, const struct ws_thread *t);
/* Satisfy one object for t (event_satisfy, mutex_satisfy, ...). Returns true when t has
 * just acquired an abandoned mutex. */
bool ws_object_satisfy(struct ws_object *obj, struct ws_thread *t);

/* The dispatcher lock, for apc_deliver_all() only. */
void ws_dispatcher_lock(void);
void ws_dispatcher_unlock(void);

/* Called by a skeleton in place of code not written yet: reports it once and makes
 * any wait that would block fail at once, so an unfinished lab fails fast. */
void ws_not_implemented(const char *function);

/* ---- Lab 01: events (labs/01-events/event.c) --------------------------------------- */
void event_initialize(struct ws_object *event, bool manual_reset, bool initial_state);
bool event_is_signaled(const struct ws_object *event, const struct ws_thread *waiter);
void event_satisfy(struct ws_object *event, struct ws_thread *waiter);
LONG event_set(struct ws_object *event);   /* returns the previous state, 0 or 1 */
LONG event_reset(struct ws_object *event); /* returns the previous state */
LONG event_pulse(struct ws_object *event); /* returns the previous state */

/* ---- Lab 02: mutexes (labs/02-mutexes/mutex.c) ------------------------------------- */
void mutex_initialize(struct ws_object *mutex, struct ws_thread *initial_owner);
bool mutex_is_signaled(const struct ws_object *mutex, const struct ws_thread *waiter);
/* Returns true when the waiter acquired an abandoned mutex (WAIT_ABANDONED). */
bool mutex_satisfy(struct ws_object *mutex, struct ws_thread *waiter);
/* ERROR_SUCCESS or ERROR_NOT_OWNER. *previous_count (may be NULL) gets the NT count
 * before the release (1 - depth). */
DWORD mutex_release(struct ws_object *mutex, struct ws_thread *caller, LONG *previous_count);
/* The owner ended while owning the mutex: free it and mark it abandoned. */
void mutex_abandon(struct ws_object *mutex);

/* ---- Lab 03: semaphores (labs/03-semaphores/semaphore.c) ---------------------------- */
/* ERROR_SUCCESS, or ERROR_INVALID_PARAMETER for a bad initial or maximum count. */
DWORD semaphore_initialize(struct ws_object *semaphore, LONG initial_count, LONG maximum_count);
bool semaphore_is_signaled(const struct ws_object *semaphore, const struct ws_thread *waiter);
void semaphore_satisfy(struct ws_object *semaphore, struct ws_thread *waiter);
/* ERROR_SUCCESS, ERROR_INVALID_PARAMETER (count <= 0) or ERROR_TOO_MANY_POSTS.
 * *previous_count (may be NULL) is written only on success. */
DWORD semaphore_release(struct ws_object *semaphore, LONG count, LONG *previous_count);

/* ---- Lab 04: APCs (labs/04-apcs/apc.c) ---------------------------------------------- */
/* Queue a user APC. `target` is NULL when the thread has ended (ERROR_GEN_FAILURE).
 * Returns ERROR_SUCCESS, ERROR_GEN_FAILURE or ERROR_NOT_ENOUGH_MEMORY (queue full). */
DWORD apc_queue(struct ws_thread *target, PAPCFUNC routine, ULONG_PTR argument);
/* Should a wait with this `alertable` flag return WAIT_IO_COMPLETION now? */
bool apc_should_interrupt(const struct ws_thread *thread, bool alertable);
/* Run every queued APC of the calling thread, oldest first. Called WITHOUT the
 * dispatcher lock, by the thread itself. Returns how many ran. */
DWORD apc_deliver_all(struct ws_thread *self);

/* ---- Lab 06 (optional): the wait test (labs/06-wait-multiple/wait_test.c) ----------- */
/* Can `thread`'s wait on objects[0..count) be satisfied now? If so, satisfy it and store
 * the wait's result in *result: wait-any satisfies only the lowest signalled index i
 * (WAIT_OBJECT_0 + i, or WAIT_ABANDONED_0 + i for an abandoned mutex); wait-all
 * satisfies every object at once, and only when all are signalled (WAIT_OBJECT_0, or
 * WAIT_ABANDONED_0 if any was an abandoned mutex). Returns false, changing nothing,
 * when the wait must go on. count may be 0 (an alertable SleepEx): never satisfied. */
bool wait_test(struct ws_thread *thread, struct ws_object *const *objects, uint32_t count,
               bool wait_all, DWORD *result);

#endif /* WINSYNC_KERNEL_H */
