/*
 * spawn.c - CreateProcess.
 *
 * The creator prepares the child's process record (STARTING), its process and main
 * thread objects, and, with bInheritHandles, copies its inheritable handles into the
 * child's table at the same values. The child claims that record when it first uses
 * winsync (WINSYNC_SPAWN in its environment). A watcher thread in the creator reaps
 * the child and records its exit, so even a program that never uses winsync has a
 * process object that is signalled when it ends.
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "threads/process.h"
#include "threads/spawn.h"

extern char **environ;

/* The watcher names the process object by index and generation and holds no
 * reference: it may outlive nothing, and repair need not know about it. */
struct watch_args {
    pid_t pid;
    uint32_t object;
    uint32_t generation;
};

static void *watch_child(void *arg)
{
    struct watch_args a = *(struct watch_args *)arg;
    free(arg);
    int status;
    pid_t r;
    while ((r = waitpid(a.pid, &status, 0)) < 0 && errno == EINTR)
        ;
    /* ECHILD: the program reaps its own children (or ignores SIGCHLD); the reaper will
     * see the pid gone, we just cannot know the code. */
    bool known = r == a.pid;
    DWORD code = !known              ? WS_EXIT_CODE_KILLED
                 : WIFEXITED(status) ? (DWORD)WEXITSTATUS(status)
                                     : 128u + (DWORD)WTERMSIG(status);
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    ws_lock(self);
    struct ws_object *obj = ws_object_at(a.object);
    if (obj->generation == a.generation && obj->header.type == WS_TYPE_PROCESS) {
        if (obj->header.signal_state == 0 && obj->u.process.slot != WS_NONE) {
            struct ws_process *p = ws_process_at(obj->u.process.slot);
            if (!p->exit_code_set && known) {
                p->exit_code = code;
                p->exit_code_set = 1;
            }
            obj->u.process.exit_code_guessed = !p->exit_code_set;
            ws_process_end_locked(p, code);
        } else if (obj->u.process.exit_code_guessed && known) {
            obj->u.process.exit_code = code; /* the reaper saw the end first */
            obj->u.process.exit_code_guessed = false;
        }
    }
    ws_unlock();
    return NULL;
}

static void copy_inheritable(uint32_t from, uint32_t to)
{
    struct ws_handle_entry *src = ws_handles_of(from);
    uint32_t max = ws_config()->max_handles;
    for (uint32_t i = 0; i < max; i++)
        if (src[i].object && (src[i].flags & HANDLE_FLAG_INHERIT))
            ws_handle_copy_entry(to, i, &src[i]);
}

/* The child's environment: the block given (or ours), without a stale WINSYNC_SPAWN,
 * with our namespace and the claim ticket. */
static char **child_environment(const char *block, const char *ticket)
{
    size_t n = 0;
    if (block)
        for (const char *e = block; *e; e += strlen(e) + 1)
            n++;
    else
        while (environ[n])
            n++;
    char **envp = calloc(n + 3, sizeof *envp);
    if (!envp)
        return NULL;
    size_t k = 0;
    bool has_namespace = false;
    const char *e = block;
    for (size_t i = 0; i < n; i++) {
        const char *var = block ? e : environ[i];
        if (block)
            e += strlen(e) + 1;
        if (strncmp(var, "WINSYNC_SPAWN=", 14) == 0)
            continue;
        has_namespace |= strncmp(var, "WINSYNC_NAMESPACE=", 18) == 0;
        envp[k++] = (char *)var;
    }
    static _Thread_local char namespace_var[WS_NAMESPACE_MAX + 32];
    const char *ns = getenv("WINSYNC_NAMESPACE");
    if (!has_namespace && ns) {
        snprintf(namespace_var, sizeof namespace_var, "WINSYNC_NAMESPACE=%s", ns);
        envp[k++] = namespace_var;
    }
    envp[k++] = (char *)ticket;
    envp[k] = NULL;
    return envp;
}

static DWORD spawn_error(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return ERROR_FILE_NOT_FOUND;
    case EACCES:
    case EPERM:
        return ERROR_ACCESS_DENIED;
    case ENOMEM:
        return ERROR_NOT_ENOUGH_MEMORY;
    default:
        return ERROR_GEN_FAILURE;
    }
}

/* Under the lock: the child's record, objects and the creator's two handles. */
static struct ws_process *prepare_child(bool inherit, HANDLE *hp, HANDLE *ht)
{
    if (ws_g.process == WS_NONE) {
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES); /* this process is exiting */
        return NULL;
    }
    struct ws_process *p = ws_process_create_locked(0, WS_REC_STARTING);
    if (!p)
        return NULL;
    struct ws_object *pobj = ws_object_at(p->object);
    struct ws_object *tobj = ws_object_alloc(WS_TYPE_THREAD);
    if (!tobj) {
        ws_process_end_locked(p, 0);
        return NULL;
    }
    tobj->refs = 1; /* the main thread's own reference */
    tobj->u.thread.slot = WS_NONE;
    tobj->u.thread.exit_code = STILL_ACTIVE;
    tobj->u.thread.process = pobj->index;
    p->pending_thread = tobj->index;
    p->creator = ws_g.process;
    if (getrandom(&p->spawn_token, sizeof p->spawn_token, 0) != sizeof p->spawn_token)
        p->spawn_token = (uint32_t)getpid() * 2654435761u ^ p->index;
    if (inherit)
        copy_inheritable(ws_g.process, p->index);
    *hp = ws_handle_insert(ws_g.process, pobj, PROCESS_ALL_ACCESS, 0);
    *ht = *hp ? ws_handle_insert(ws_g.process, tobj, THREAD_ALL_ACCESS, 0) : NULL;
    if (!*ht) {
        if (*hp)
            ws_handle_close_entry(ws_g.process, ws_handle_entry(ws_g.process, *hp));
        ws_process_end_locked(p, 0);
        ws_set_error(ERROR_NO_SYSTEM_RESOURCES);
        return NULL;
    }
    return p;
}

BOOL ws_create_process(const char *application, const char *command_line, bool inherit,
                       const char *environment, const char *directory, LPPROCESS_INFORMATION info)
{
    if (!info || (!application && !command_line)) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    char **argv = ws_split_command_line(command_line ? command_line : application);
    if (!argv || (!argv[0] && !application)) {
        ws_free_argv(argv);
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const char *program = application ? application : argv[0];
    struct ws_thread *self = ws_self();
    if (!self) {
        ws_free_argv(argv);
        return FALSE;
    }
    HANDLE hp, ht;
    ws_lock(self);
    ws_reap_locked();
    struct ws_process *p = prepare_child(inherit, &hp, &ht);
    uint32_t pobj = p ? p->object : WS_NONE, tobj = p ? p->pending_thread : WS_NONE;
    char ticket[48];
    if (p)
        snprintf(ticket, sizeof ticket, "WINSYNC_SPAWN=%u:%u", p->index, p->spawn_token);
    ws_unlock();
    if (!p) {
        ws_free_argv(argv);
        return FALSE;
    }

    char **envp = child_environment(environment, ticket);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (directory)
        posix_spawn_file_actions_addchdir_np(&actions, directory);
    pid_t pid = 0;
    int err = !envp                  ? ENOMEM
              : strchr(program, '/') ? posix_spawn(&pid, program, &actions, NULL, argv, envp)
                                     : posix_spawnp(&pid, program, &actions, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    free(envp);
    ws_free_argv(argv);

    ws_lock(self);
    struct ws_object *po = ws_object_at(pobj);
    if (err != 0) {
        if (po->u.process.slot != WS_NONE)
            ws_process_end_locked(ws_process_at(po->u.process.slot), 1);
        ws_handle_close_entry(ws_g.process, ws_handle_entry(ws_g.process, hp));
        ws_handle_close_entry(ws_g.process, ws_handle_entry(ws_g.process, ht));
        ws_unlock();
        ws_set_error(spawn_error(err));
        return FALSE;
    }
    if (po->header.signal_state == 0 && po->u.process.slot != WS_NONE) {
        struct ws_process *child = ws_process_at(po->u.process.slot);
        if (child->pid == 0)
            child->pid = pid;
    }
    po->u.process.pid = (uint32_t)pid;
    ws_object_at(tobj)->u.thread.tid = (uint32_t)pid; /* the main thread's id is the pid */
    uint32_t generation = po->generation;
    ws_unlock();

    struct watch_args *wa = malloc(sizeof *wa);
    pthread_t watcher;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (wa) {
        wa->pid = pid;
        wa->object = pobj;
        wa->generation = generation;
    }
    if (!wa || pthread_create(&watcher, &attr, watch_child, wa) != 0) {
        free(wa);
        fprintf(stderr,
                "winsync: cannot start a thread to watch process %d; its process "
                "object will be signalled only if it uses winsync\n",
                (int)pid);
    }
    pthread_attr_destroy(&attr);
    info->hProcess = hp;
    info->hThread = ht;
    info->dwProcessId = (DWORD)pid;
    info->dwThreadId = (DWORD)pid;
    return TRUE;
}
