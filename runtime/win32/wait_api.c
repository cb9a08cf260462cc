/* wait_api.c - the wait functions, SignalObjectAndWait, Sleep(Ex), QueueUserAPC(2). */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static bool is_waitable(const struct ws_object *obj)
{
    return obj->header.type != WS_TYPE_MAPPING;
}

static struct ws_object *lookup_waitable(struct ws_thread *self, HANDLE h)
{
    struct ws_object *obj = ws_lookup(self, h, WS_TYPE_FREE, SYNCHRONIZE);
    if (obj && !is_waitable(obj)) {
        ws_set_error(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return obj;
}

DWORD WINAPI WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return WAIT_FAILED;
    ws_lock(self);
    struct ws_object *obj = lookup_waitable(self, h);
    if (!obj) {
        ws_unlock();
        return WAIT_FAILED;
    }
    return ws_wait_locked(self, &obj, 1, false, ms, alertable);
}

DWORD WINAPI WaitForSingleObject(HANDLE h, DWORD ms)
{
    return WaitForSingleObjectEx(h, ms, FALSE);
}

/* The same object twice in one wait-all is invalid. An open-addressing set of object
 * indices keeps this linear: it runs under the dispatcher lock. */
static bool has_duplicates(struct ws_object *const *objs, DWORD count)
{
    enum { SLOTS = 2 * MAXIMUM_WAIT_OBJECTS };
    uint32_t set[SLOTS];
    for (int i = 0; i < SLOTS; i++)
        set[i] = WS_NONE;
    for (DWORD i = 0; i < count; i++) {
        uint32_t key = objs[i]->index;
        uint32_t slot = (key * 2654435761u) % SLOTS;
        while (set[slot] != WS_NONE) {
            if (set[slot] == key)
                return true;
            slot = (slot + 1) % SLOTS;
        }
        set[slot] = key;
    }
    return false;
}

DWORD WINAPI WaitForMultipleObjectsEx(DWORD count, const HANDLE *handles, BOOL wait_all, DWORD ms,
                                      BOOL alertable)
{
    if (count == 0 || count > MAXIMUM_WAIT_OBJECTS || !handles) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return WAIT_FAILED;
    struct ws_object *objs[MAXIMUM_WAIT_OBJECTS];
    ws_lock(self);
    for (DWORD i = 0; i < count; i++) {
        /* Real Windows refuses pseudo-handles here (Wine accepts them). */
        if (handles[i] == WS_PSEUDO_PROCESS || handles[i] == WS_PSEUDO_THREAD) {
            ws_set_error(ERROR_INVALID_HANDLE);
            objs[i] = NULL;
        } else {
            objs[i] = lookup_waitable(self, handles[i]);
        }
        if (!objs[i]) {
            ws_unlock();
            return WAIT_FAILED;
        }
    }
    if (wait_all && has_duplicates(objs, count)) {
        ws_unlock();
        ws_set_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    return ws_wait_locked(self, objs, count, wait_all, ms, alertable);
}

DWORD WINAPI WaitForMultipleObjects(DWORD count, const HANDLE *handles, BOOL wait_all, DWORD ms)
{
    return WaitForMultipleObjectsEx(count, handles, wait_all, ms, FALSE);
}

/* The right SignalObjectAndWait needs on the object it signals. */
static uint32_t signal_access(int type)
{
    switch (type) {
    case WS_TYPE_EVENT:
        return EVENT_MODIFY_STATE;
    case WS_TYPE_SEMAPHORE:
        return SEMAPHORE_MODIFY_STATE;
    default:
        return SYNCHRONIZE; /* a mutex (ReleaseMutex alone needs no right) */
    }
}

/* The signal half of SignalObjectAndWait. ERROR_SUCCESS or the error. */
static DWORD signal_object(struct ws_object *obj, struct ws_thread *self)
{
    DWORD err = ERROR_SUCCESS;
    ws_slot_begin();
    switch (obj->header.type) {
    case WS_TYPE_EVENT:
        event_set(obj);
        break;
    case WS_TYPE_SEMAPHORE:
        err = semaphore_release(obj, 1, NULL);
        break;
    default:
        err = mutex_release(obj, self, NULL);
        break;
    }
    return ws_slot_unimplemented() ? ERROR_CALL_NOT_IMPLEMENTED : err;
}

/* Signal one object and start waiting on another as one step: no wake-up can slip in
 * between, because both happen under the dispatcher lock. Nothing changes unless every
 * check passes; they come in the order Wine's conformance runs show (tests/conformance):
 * a NULL object to signal, then the object to wait on (it must grant SYNCHRONIZE), then
 * the object to signal (it must exist, be an event, semaphore or mutex, and grant the
 * right to signal it). */
DWORD WINAPI SignalObjectAndWait(HANDLE to_signal, HANDLE to_wait, DWORD ms, BOOL alertable)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return WAIT_FAILED;
    ws_lock(self);
    struct ws_object *sig = NULL;
    struct ws_object *wait_obj = NULL;
    if (!to_signal)
        ws_set_error(ERROR_INVALID_HANDLE);
    else if ((wait_obj = lookup_waitable(self, to_wait)) != NULL &&
             !(sig = ws_handle_lookup(self, to_signal, WS_TYPE_FREE, 0)))
        wait_obj = NULL;
    if (wait_obj && sig->header.type != WS_TYPE_EVENT && sig->header.type != WS_TYPE_SEMAPHORE &&
        sig->header.type != WS_TYPE_MUTEX) {
        ws_set_error(ERROR_INVALID_HANDLE); /* STATUS_OBJECT_TYPE_MISMATCH */
        wait_obj = NULL;
    }
    if (wait_obj &&
        !ws_handle_lookup(self, to_signal, sig->header.type, signal_access(sig->header.type)))
        wait_obj = NULL;
    if (!wait_obj) {
        ws_unlock();
        return WAIT_FAILED; /* the lookups said why */
    }
    DWORD err = signal_object(sig, self);
    if (err != ERROR_SUCCESS) {
        ws_unlock();
        ws_set_error(err);
        return WAIT_FAILED;
    }
    return ws_wait_locked(self, &wait_obj, 1, false, ms, alertable);
}

VOID WINAPI Sleep(DWORD ms)
{
    if (ms == 0) {
        sched_yield();
        return;
    }
    if (ms == INFINITE) {
        for (;;)
            pause();
    }
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

DWORD WINAPI SleepEx(DWORD ms, BOOL alertable)
{
    struct ws_thread *self = alertable ? ws_self() : NULL;
    if (!self) {
        Sleep(ms);
        return 0;
    }
    ws_lock(self);
    DWORD r = ws_wait_locked(self, NULL, 0, false, ms, true);
    return r == WAIT_IO_COMPLETION ? WAIT_IO_COMPLETION : 0;
}

DWORD WINAPI QueueUserAPC(PAPCFUNC routine, HANDLE thread, ULONG_PTR data)
{
    if (!routine) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return 0;
    ws_lock(self);
    struct ws_object *obj = ws_handle_lookup(self, thread, WS_TYPE_THREAD, THREAD_SET_CONTEXT);
    DWORD err = ERROR_SUCCESS;
    if (obj) {
        struct ws_thread *target =
            obj->u.thread.slot == WS_NONE ? NULL : ws_thread_at(obj->u.thread.slot);
        if (target)
            ws_timers_expire_apcs_of(target); /* a timer APC already due goes first */
        ws_slot_begin();
        err = apc_queue(target, routine, data);
        if (ws_slot_unimplemented())
            err = ERROR_CALL_NOT_IMPLEMENTED;
    }
    ws_unlock();
    if (!obj)
        return 0;
    if (err != ERROR_SUCCESS) {
        ws_set_error(err);
        return 0;
    }
    return 1;
}

/* A special user APC: queued beside the normal ones, it runs whether or not its thread waits
 * alertably (threads/suspend.c says where). */
static BOOL queue_special_apc(PAPCFUNC routine, HANDLE thread, ULONG_PTR data)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    struct ws_object *obj = ws_handle_lookup(self, thread, WS_TYPE_THREAD, THREAD_SET_CONTEXT);
    if (!obj) {
        ws_unlock();
        return FALSE;
    }
    struct ws_thread *t = obj->u.thread.slot == WS_NONE ? NULL : ws_thread_at(obj->u.thread.slot);
    DWORD err = ERROR_SUCCESS;
    if (!t)
        err = ERROR_GEN_FAILURE; /* it has ended (as QueueUserAPC) */
    else if (t->special_apc.count == WS_APC_CAPACITY)
        err = ERROR_NOT_ENOUGH_MEMORY;
    if (err != ERROR_SUCCESS) {
        ws_unlock();
        ws_set_error(err);
        return FALSE;
    }
    struct ws_apc_queue *q = &t->special_apc;
    struct ws_apc *slot = &q->entries[(q->head + q->count) % WS_APC_CAPACITY];
    slot->routine = (uint64_t)(uintptr_t)routine;
    slot->argument = data;
    __atomic_store_n(&q->count, q->count + 1, __ATOMIC_RELEASE);
    /* An alertable wait ends now; a non-alertable one goes on and the APC runs after it. A
     * thread in no wait is interrupted where it runs. */
    bool interrupt = !t->wait.blocked;
    if (t->wait.blocked && t->wait.alertable)
        ws_thread_alert(t);
    pid_t pid = t->pid;
    pid_t tid = (pid_t)t->tid;
    ws_unlock();
    if (interrupt)
        syscall(SYS_tgkill, pid, tid, WS_SIG_ATTENTION);
    return TRUE;
}

BOOL WINAPI QueueUserAPC2(PAPCFUNC routine, HANDLE thread, ULONG_PTR data,
                          QUEUE_USER_APC_FLAGS flags)
{
    if (flags == QUEUE_USER_APC_FLAGS_NONE)
        return QueueUserAPC(routine, thread, data) != 0;
    if (flags & QUEUE_USER_APC_CALLBACK_DATA_CONTEXT) {
        ws_set_error(ERROR_NOT_SUPPORTED); /* winsync has no processor context to give */
        return FALSE;
    }
    if (flags != QUEUE_USER_APC_FLAGS_SPECIAL_USER_APC || !routine) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return queue_special_apc(routine, thread, data);
}
