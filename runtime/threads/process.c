/*
 * process.c - process records (EPROCESS), process end, the reaper and repair.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "threads/process.h"

static struct ws_process *alloc_record(void)
{
    uint32_t max = ws_config()->max_processes;
    for (uint32_t i = 0; i < max; i++) {
        struct ws_process *p = ws_process_at(i);
        if (p->state != WS_REC_FREE)
            continue;
        memset(p, 0, sizeof *p);
        p->index = i;
        p->creator = WS_NONE;
        p->pending_thread = WS_NONE;
        return p;
    }
    ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
    return NULL;
}

struct ws_process *ws_process_create_locked(int32_t pid, uint32_t state)
{
    struct ws_process *p = alloc_record();
    if (!p)
        return NULL;
    struct ws_object *obj = ws_object_alloc(WS_TYPE_PROCESS);
    if (!obj)
        return NULL;
    obj->refs = 1; /* held by the live process, dropped when it ends */
    obj->u.process.slot = p->index;
    obj->u.process.pid = (uint32_t)pid;
    obj->u.process.exit_code = STILL_ACTIVE;
    p->object = obj->index;
    p->pid = pid;
    p->state = state;
    return p;
}

/* A CreateProcess child claims the record its creator prepared (WINSYNC_SPAWN=i:token). */
static struct ws_process *claim_spawned(void)
{
    const char *spec = getenv("WINSYNC_SPAWN");
    if (!spec)
        return NULL;
    unsigned index, token;
    int ok = sscanf(spec, "%u:%u", &index, &token) == 2;
    unsetenv("WINSYNC_SPAWN"); /* grandchildren are not this process */
    if (!ok || index >= ws_config()->max_processes)
        return NULL;
    struct ws_process *p = ws_process_at(index);
    if (p->state != WS_REC_STARTING || p->spawn_token != token)
        return NULL;
    p->state = WS_REC_ALIVE;
    p->pid = getpid();
    ws_object_at(p->object)->u.process.pid = (uint32_t)p->pid;
    return p;
}

/* The fork child starts with a copy of every handle of its parent, at the same values. */
static void copy_handles(uint32_t from, uint32_t to)
{
    struct ws_handle_entry *src = ws_handles_of(from);
    uint32_t max = ws_config()->max_handles;
    for (uint32_t i = 0; i < max; i++)
        if (src[i].object)
            ws_handle_copy_entry(to, i, &src[i]);
}

bool ws_process_attach_locked(uint32_t fork_parent)
{
    ws_reap_locked();
    struct ws_process *p = fork_parent == WS_NONE ? claim_spawned() : NULL;
    if (!p)
        p = ws_process_create_locked(getpid(), WS_REC_ALIVE);
    if (!p)
        return false;
    ws_guard_note_process_locked(p, fork_parent != WS_NONE);
    if (fork_parent != WS_NONE && ws_process_at(fork_parent)->state == WS_REC_ALIVE)
        copy_handles(fork_parent, p->index);
    ws_g.process = p->index;
    ws_g.pid = getpid();
    ws_g.objects = ws_objects();
    ws_g.handles = ws_handles_of(p->index);
    ws_g.max_handles = ws_config()->max_handles;
    return true;
}

void ws_process_end_locked(struct ws_process *p, DWORD exit_code)
{
    if (p->state != WS_REC_ALIVE && p->state != WS_REC_STARTING)
        return;
    p->state = WS_REC_ENDED; /* ending: nothing below may end it again */
    if (p->exit_code_set)
        exit_code = p->exit_code;
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_thread *t = ws_thread_at(i);
        if (ws_thread_state(t) == WS_REC_ALIVE && t->process == p->index)
            ws_thread_end_locked(t, exit_code);
    }
    if (p->pending_thread != WS_NONE) {
        /* Its main thread never attached (not a winsync program, or died first). */
        struct ws_object *t = ws_object_at(p->pending_thread);
        t->u.thread.exit_code = exit_code;
        t->header.signal_state = 1;
        ws_dispatch_signal(t);
        ws_object_unref(t);
        p->pending_thread = WS_NONE;
    }
    ws_handle_close_all(p->index);
    struct ws_object *obj = ws_object_at(p->object);
    obj->u.process.slot = WS_NONE;
    obj->u.process.exit_code = exit_code;
    obj->header.signal_state = 1;
    ws_dispatch_signal(obj);
    ws_object_unref(obj);
    p->state = WS_REC_FREE;
}

const char *ws_proc_stat_fields(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    const char *after = strrchr(buf, ')');
    return after && after[1] == ' ' ? after + 2 : NULL;
}

bool ws_pid_gone(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    /* A zombie has ended too: only its parent has not collected it yet. */
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    const char *field = ws_proc_stat_fields(path, buf, sizeof buf); /* field 3, the state */
    if (!field)
        return true;
    if (field[0] != 'Z' && field[0] != 'X')
        return false;
    /* The leader is a zombie once its main thread ends (pthread_exit, ExitThread), but the
     * process lives while other threads run: num_threads, the 20th field, counts them. */
    for (int i = 3; i < 20 && field; i++) {
        field = strchr(field, ' ');
        if (field)
            field++;
    }
    return !field || atol(field) <= 1;
}

/* A process whose registered threads have all ended may still run threads that never
 * used winsync: it has ended only when its pid has. */
static void reap_process(struct ws_process *p)
{
    if (p->state == WS_REC_STARTING) {
        /* Its creator's watcher reaps it; if the creator is gone, ask the system. */
        if (p->creator != WS_NONE && ws_process_at(p->creator)->state == WS_REC_ALIVE)
            return;
        if (p->pid <= 0 || !ws_pid_gone(p->pid))
            return;
    } else if (p->state != WS_REC_ALIVE || p->live_threads > 0 || !ws_pid_gone(p->pid)) {
        return;
    }
    /* We saw that it ended, not how: its creator's watcher may know better. */
    ws_object_at(p->object)->u.process.exit_code_guessed = !p->exit_code_set;
    ws_process_end_locked(p, WS_EXIT_CODE_KILLED);
}

void ws_reap_locked(void)
{
    ws_reap_threads_locked();
    uint32_t max = ws_config()->max_processes;
    for (uint32_t i = 0; i < max; i++)
        reap_process(ws_process_at(i));
}

/* The lock's previous owner died inside a critical section. Everything derived is
 * rebuilt from what each record says of itself: wait lists from the waiters, object
 * references from the handle tables, waits and live threads and processes. */
void ws_repair_locked(void)
{
    struct ws_segment_header *h = ws_g.seg;
    static bool reported;
    if (!reported) {
        reported = true;
        fprintf(stderr,
                "winsync: a process died holding the dispatcher lock of /dev/shm%s; "
                "repaired (reported once per process)\n",
                ws_g.shm_name);
    }
    for (uint32_t i = 0; i < h->object_high; i++)
        ws_object_at(i)->refs = ws_object_at(i)->handles = 0;
    for (uint32_t p = 0; p < h->config.max_processes; p++) {
        struct ws_process *pr = ws_process_at(p);
        if (pr->state == WS_REC_FREE)
            continue;
        ws_object_at(pr->object)->refs++;
        if (pr->pending_thread != WS_NONE)
            ws_object_at(pr->pending_thread)->refs++;
        struct ws_handle_entry *table = ws_handles_of(p);
        uint32_t used = 0;
        for (uint32_t i = 0; i < h->config.max_handles; i++) {
            if (table[i].object) {
                ws_object_at(table[i].object - 1)->refs++;
                ws_object_at(table[i].object - 1)->handles++;
                used++;
            }
        }
        pr->handles_in_use = used;
        pr->handle_free_hint = 0;
    }
    for (uint32_t t = 0; t < h->thread_high; t++) {
        struct ws_thread *th = ws_thread_at(t);
        if (ws_thread_state(th) != WS_REC_ALIVE || th->object == WS_NONE)
            continue;
        ws_object_at(th->object)->refs++;
        if (th->wait.blocked)
            for (uint32_t i = 0; i < th->wait.count; i++)
                ws_object_at(th->wait.blocks[i].object)->refs++;
    }
    ws_timers_repair(); /* after the counts: a queued timer APC holds a reference */
    ws_wait_rebuild_lists();
    ws_name_index_rebuild();
    h->object_free_hint = 0; /* the dead owner may have left it past a free slot */
    for (uint32_t t = 0; t < h->thread_high; t++) {
        struct ws_thread *th = ws_thread_at(t);
        if (ws_thread_state(th) != WS_REC_ALIVE)
            continue;
        if (th->wait.blocked && th->wait.status != WAIT_FAILED)
            ws_complete_wait(th, th->wait.status); /* the dead owner was ending it */
        else if (__atomic_load_n(&th->wait.wake_word, __ATOMIC_ACQUIRE) & 1u)
            ws_wake_after_unlock(&th->wait.wake_word); /* its wake may never have been sent */
    }
    for (uint32_t i = 0; i < h->object_high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != WS_TYPE_FREE && o->refs == 0) {
            o->refs = 1;
            ws_object_unref(o);
        }
    }
    ws_reap_locked();
    /* The dead owner may have signalled an object without running the wait test. */
    for (uint32_t i = 0; i < h->object_high; i++) {
        struct ws_object *o = ws_object_at(i);
        if (o->header.type != WS_TYPE_FREE)
            ws_dispatch_signal(o);
    }
}
