/*
 * stuck.c - the stuck-test guard: a test that can only wait out a timeout does so at once.
 *
 * With WINSYNC_GUARD=1 (the lab tests and the grader set it), when every thread of a test is
 * asleep in a wait that only its timeout can end, and nothing outside winsync can act, nothing
 * the test does before the first of those timeouts can differ from what it does at it. So the
 * wait that times out first is ended now with WAIT_TIMEOUT, as if the clock had jumped: a wrong
 * lab fails in milliseconds (with its wait chains) instead of sleeping out every timeout.
 *
 * "The test" is a Linux session: Criterion runs each test in a process that is the leader of
 * its own session, and the processes the test starts stay in it. Soundness comes first, so
 * anything that might still act vetoes the jump:
 *  - a thread of the session that is not asleep in a wait: running, in sleep() or read(),
 *    waiting for the dispatcher lock, kicked, suspended, dead, terminating;
 *  - a wait that a timer may end, or the first timeout less than WS_GUARD_MIN_MS away;
 *  - a task of a session process that is not one of its registered threads (a thread that
 *    never called winsync), except those it had before it attached (the test runner's own);
 *  - a process of the session that is not attached to this namespace, or a zombie that a
 *    harness wait of the test waits for;
 *  - a waited object that a process outside the session holds a handle to, or a mutex,
 *    thread or process of another session;
 *  - a byte of the harness's pipes sent and not yet received, in the whole namespace (a pipe
 *    may join two sessions), and a harness wait for a child outside the session
 *    (tests/support/wstest.h).
 * Not seen: a process of another session that has no handle yet but will open a named object
 * of the test by its name (a test that starts a child with setsid and shares objects by name).
 * The harness takes part through <winsync_test.h> (win32/harness_api.c): a thread waiting for
 * a child's byte or exit says so, and its wait may itself be the one that times out first.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define WS_GUARD_MIN_MS 1000 /* shorter timeouts are left to expire by themselves */

/* ---- What /proc says ------------------------------------------------------------------- */

/* The state letter and the session of /proc/<path>/stat. False when it is gone. */
static bool read_stat(const char *path, char *state, int *session)
{
    char buf[512];
    const char *fields = ws_proc_stat_fields(path, buf, sizeof buf);
    int ppid, pgrp;
    return fields && sscanf(fields, "%c %d %d %d", state, &ppid, &pgrp, session) == 4;
}

static long number_of(const char *name)
{
    char *end;
    long n = strtol(name, &end, 10);
    return *end == '\0' && n > 0 ? n : -1;
}

/* ---- Who belongs to the test ----------------------------------------------------------- */

static struct ws_process *alive_process_of_pid(long pid)
{
    uint32_t max = ws_config()->max_processes;
    for (uint32_t i = 0; i < max; i++) {
        struct ws_process *p = ws_process_at(i);
        if (p->state == WS_REC_ALIVE && p->pid == pid)
            return p;
    }
    return NULL;
}

struct ws_process *ws_guard_session_leader(int32_t session)
{
    struct ws_process *p = alive_process_of_pid(session);
    return p && p->session == session ? p : NULL;
}

static bool thread_in_session(uint32_t index, int32_t session)
{
    const struct ws_thread *t = ws_thread_at(index);
    return ws_thread_state(t) == WS_REC_ALIVE && ws_process_at(t->process)->session == session;
}

/* Does a harness wait of the session watch for child `pid`'s end? */
static bool harness_waits_for(long pid, int32_t session)
{
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_thread_at(i);
        if (ws_thread_state(t) == WS_REC_ALIVE && t->harness_deadline && t->harness_child == pid &&
            ws_process_at(t->process)->session == session)
            return true;
    }
    return false;
}

/* Every process of the session is alive and attached here, or a zombie nobody waits for (one
 * scan of /proc). A zombie can do nothing; only a thread that reaps it acts, and one in
 * waitpid() is not asleep in a wait, one in a harness wait says whom it waits for. */
static bool session_processes_attached(int32_t session)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return false;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(proc))) {
        long pid = number_of(e->d_name);
        char path[64], state;
        int sid;
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        if (pid < 0 || !read_stat(path, &state, &sid) || sid != session)
            continue;
        if (state == 'Z' || state == 'X')
            ok = !harness_waits_for(pid, session);
        else
            ok = alive_process_of_pid(pid) != NULL;
    }
    closedir(proc);
    return ok;
}

static bool known_task(const struct ws_process *p, long tid)
{
    if (__atomic_load_n(&p->guard_tid, __ATOMIC_ACQUIRE) == tid)
        return true; /* the lock guard: it only watches (threads/lock_guard.c) */
    for (uint32_t i = 0; i < p->harness_count; i++)
        if (p->harness_tids[i] == tid)
            return true;
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_thread_at(i);
        if (t->process == p->index && (long)t->tid == tid && ws_thread_state(t) == WS_REC_ALIVE)
            return true;
    }
    return false;
}

/* Every task of p is a registered thread or one of the runner's. */
static bool tasks_known(const struct ws_process *p)
{
    if (p->harness_count > WS_HARNESS_TIDS_MAX)
        return false;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)p->pid);
    DIR *tasks = opendir(path);
    if (!tasks)
        return false;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(tasks))) {
        long tid = number_of(e->d_name);
        ok = tid < 0 || known_task(p, tid);
    }
    closedir(tasks);
    return ok;
}

/* Does a process outside the session hold a handle to object `index`? */
static bool handle_outside(uint32_t index, int32_t session)
{
    uint32_t max = ws_config()->max_processes, handles = ws_config()->max_handles;
    for (uint32_t i = 0; i < max; i++) {
        const struct ws_process *p = ws_process_at(i);
        if (p->state == WS_REC_FREE || (p->state == WS_REC_ALIVE && p->session == session))
            continue;
        const struct ws_handle_entry *table = ws_handles_of(i);
        for (uint32_t h = 0; h < handles; h++)
            if (table[h].object == index + 1)
                return true;
    }
    return false;
}

/* Can only the test's own threads change what t waits on? */
static bool waits_private(const struct ws_thread *t, int32_t session)
{
    for (uint32_t i = 0; i < t->wait.count; i++) {
        const struct ws_object *o = ws_object_at(t->wait.blocks[i].object);
        uint32_t slot = WS_NONE;
        if (o->header.type == WS_TYPE_MUTEX)
            slot = o->u.mutex.owner;
        else if (o->header.type == WS_TYPE_THREAD)
            slot = o->u.thread.slot;
        if (slot != WS_NONE && !thread_in_session(slot, session))
            return false;
        if (o->header.type == WS_TYPE_PROCESS && o->u.process.slot != WS_NONE &&
            ws_process_at(o->u.process.slot)->session != session)
            return false;
        if (handle_outside(o->index, session)) /* a timer is wait_timed, see below */
            return false;
    }
    return true;
}

/* ---- Asleep, and until when ------------------------------------------------------------ */

/* When t's sleep ends by itself (UINT64_MAX: never), or 0 when t might act before. */
/* Is the child a harness wait watches for (0: none) in the session, alive or a zombie? One
 * outside it may end when it likes, and end the wait. */
static bool in_session(uint32_t child, int32_t session)
{
    char path[64], state;
    int sid;
    snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)child);
    return child == 0 || (read_stat(path, &state, &sid) && sid == session);
}

static uint64_t sleeps_until(const struct ws_thread *t, const struct ws_thread *self,
                             int32_t session)
{
    if (t->harness_deadline == WS_HARNESS_GIVE_UP)
        return 0; /* told to give up: it is about to act */
    if (t != self &&
        (__atomic_load_n(&t->in_dispatcher, __ATOMIC_ACQUIRE) || ws_thread_life_dead(t)))
        return 0;
    if (ws_thread_suspended(t) || t->terminating != WS_TERM_NONE ||
        __atomic_load_n(&t->special_apc.count, __ATOMIC_ACQUIRE))
        return 0;
    if (t->harness_deadline)
        return in_session(t->harness_child, session) ? t->harness_deadline : 0;
    const struct ws_wait *w = &t->wait;
    if (!w->blocked || t->wait_timed ||
        (t != self && __atomic_load_n(&w->wake_word, __ATOMIC_ACQUIRE) != t->wait_armed))
        return 0; /* not in a wait, a timer may end it, or it was kicked */
    return t->wait_deadline;
}

bool ws_fast_forward_locked(struct ws_thread *self)
{
    int32_t session = ws_process_at(self->process)->session;
    if (!ws_g.guard || session <= 0 || !ws_guard_session_leader(session))
        return false;
    struct ws_thread *first = NULL;
    uint64_t first_at = UINT64_MAX;
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_thread *t = ws_thread_at(i);
        uint32_t state = ws_thread_state(t);
        if (state == WS_REC_FREE || t->process >= ws_config()->max_processes)
            continue; /* not in use, or claimed and not registered yet: its task is unknown */
        if (ws_process_at(t->process)->session != session)
            continue;
        if (state == WS_REC_ENDED)
            continue; /* if it still runs, its task is unknown below */
        uint64_t until = state == WS_REC_ALIVE ? sleeps_until(t, self, session) : 0;
        if (until == 0 || (!t->harness_deadline && !waits_private(t, session)))
            return false;
        if (until < first_at) {
            first_at = until;
            first = t;
        }
    }
    uint64_t now = ws_monotonic_ns();
    if (!first || first_at == UINT64_MAX || first_at < now + WS_GUARD_MIN_MS * 1000000ull)
        return false;
    if (ws_g.seg->harness_sent != ws_g.seg->harness_received)
        return false; /* a byte is on its way (in this test or another) */
    uint32_t max = ws_config()->max_processes;
    for (uint32_t i = 0; i < max; i++) {
        const struct ws_process *p = ws_process_at(i);
        if (p->state == WS_REC_ALIVE && p->session == session && !tasks_known(p))
            return false;
    }
    if (!session_processes_attached(session))
        return false;

    bool harness = first->harness_deadline != 0;
    if (harness)
        first->harness_deadline = WS_HARNESS_GIVE_UP;
    else
        ws_complete_wait(first, WAIT_TIMEOUT);
    fprintf(stderr,
            "winsync: every thread of the test is blocked and only a timeout can end their "
            "waits: %s %u %s now, %llu ms early (WINSYNC_GUARD=1)\n",
            harness ? "the test harness's wait in thread" : "the wait of thread", first->tid,
            harness ? "gives up" : "times out", (unsigned long long)(first_at - now) / 1000000u);
    return true;
}

void ws_guard_note_process_locked(struct ws_process *p, bool forked)
{
    const char *guard = getenv("WINSYNC_GUARD");
    ws_g.guard = guard && strcmp(guard, "1") == 0;
    p->session = (int32_t)getsid(0);
    p->harness_count = 0;
    p->guard_tid = 0;
    if (!ws_g.guard)
        return;
    if (forked) {
        /* A fork child has only the thread that forked, and this runs in its fork handler,
         * where starting a thread is not safe (it hangs under ASan): the next ws_lock starts the
         * lock guard (objects/lock.c). */
        __atomic_store_n(&ws_g.lock_guard_pending, p, __ATOMIC_RELEASE);
        return;
    }
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks) {
        p->harness_count = WS_HARNESS_TIDS_MAX + 1; /* unknown: the guard stays off here */
        return;
    }
    long self = syscall(SYS_gettid);
    struct dirent *e;
    while ((e = readdir(tasks))) {
        long tid = number_of(e->d_name);
        if (tid < 0 || tid == self)
            continue;
        if (p->harness_count < WS_HARNESS_TIDS_MAX)
            p->harness_tids[p->harness_count] = (int32_t)tid;
        p->harness_count++;
    }
    closedir(tasks);
    ws_lock_guard_start(p); /* after the listing: its thread is not the runner's */
}
