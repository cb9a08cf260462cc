/* process_api.c - CreateProcess, ExitProcess, TerminateProcess, process ids and codes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "threads/attach.h"
#include "threads/spawn.h"
#include "win32/create.h"

BOOL WINAPI CreateProcessA(LPCSTR application, LPSTR command_line, LPSECURITY_ATTRIBUTES process_sa,
                           LPSECURITY_ATTRIBUTES thread_sa, BOOL inherit, DWORD flags,
                           LPVOID environment, LPCSTR directory, LPSTARTUPINFOA startup,
                           LPPROCESS_INFORMATION info)
{
    (void)process_sa, (void)thread_sa, (void)flags, (void)startup;
    return ws_create_process(application, command_line, inherit, environment, directory, info);
}

/* A wide environment block ("A=1\0B=2\0\0") as a UTF-8 one. */
static char *utf8_environment(const wchar_t *block)
{
    size_t len = 0;
    while (block[len] || block[len + 1])
        len++;
    return ws_utf8_dup(block, len + 2);
}

BOOL WINAPI CreateProcessW(LPCWSTR application, LPWSTR command_line,
                           LPSECURITY_ATTRIBUTES process_sa, LPSECURITY_ATTRIBUTES thread_sa,
                           BOOL inherit, DWORD flags, LPVOID environment, LPCWSTR directory,
                           LPSTARTUPINFOW startup, LPPROCESS_INFORMATION info)
{
    (void)process_sa, (void)thread_sa, (void)startup;
    char *app = application ? ws_utf8_dup(application, wcslen(application)) : NULL;
    char *cmd = command_line ? ws_utf8_dup(command_line, wcslen(command_line)) : NULL;
    char *dir = directory ? ws_utf8_dup(directory, wcslen(directory)) : NULL;
    char *env = NULL;
    if (environment)
        env = (flags & CREATE_UNICODE_ENVIRONMENT) ? utf8_environment(environment)
                                                   : (char *)environment;
    BOOL ok;
    if ((application && !app) || (command_line && !cmd) || (directory && !dir) ||
        (environment && !env)) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        ok = FALSE;
    } else {
        ok = ws_create_process(app, cmd, inherit, env, dir, info);
    }
    free(app);
    free(cmd);
    free(dir);
    if (env != environment)
        free(env);
    return ok;
}

VOID WINAPI ExitProcess(UINT code)
{
    /* Only lab code runs inside the dispatcher lock, and it must never end its process. */
    struct ws_thread *self = ws_self_if_attached();
    if (self && ws_lock_busy_here(self))
        fprintf(stderr,
                "winsync: ExitProcess(%u) was called inside the dispatcher lock, that is "
                "from a lab function (runtime/kernel.h): the process ends now\n",
                code);
    exit((int)code); /* the exit handler records the full 32-bit code */
}

BOOL WINAPI TerminateProcess(HANDLE h, UINT code)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    ws_reap_locked(); /* an ended process must not be "terminated" through a stale pid */
    struct ws_object *obj = ws_handle_lookup(self, h, WS_TYPE_PROCESS, PROCESS_TERMINATE);
    if (!obj) {
        ws_unlock();
        return FALSE;
    }
    if (obj->header.signal_state > 0 || obj->u.process.slot == WS_NONE) {
        ws_unlock();
        ws_set_error(ERROR_ACCESS_DENIED); /* it has already ended */
        return FALSE;
    }
    struct ws_process *p = ws_process_at(obj->u.process.slot);
    p->exit_code = code;
    p->exit_code_set = 1;
    pid_t pid = p->pid;
    if (p->index == ws_g.process) {
        ws_process_end_locked(p, code);
        ws_unlock();
        _exit((int)code);
    }
    /* Take its threads off their waits now, as NT does: SIGKILL lands later, and a signal sent
     * after we return must not be consumed by a thread that is about to die. A marked thread
     * that runs on changes nothing (ws_lock sends it to its end); threads that register later
     * are marked too. */
    p->terminating = 1;
    uint32_t high = ws_g.seg->thread_high;
    for (uint32_t i = 0; i < high; i++) {
        struct ws_thread *t = ws_thread_at(i);
        /* ALIVE only: a record changes from ALIVE only under the lock we hold. */
        if (ws_thread_state(t) == WS_REC_ALIVE && t->process == p->index)
            ws_thread_mark_terminating(t, WS_TERM_PROCESS, code);
    }
    ws_unlock();
    if (pid > 0)
        kill(pid, SIGKILL); /* its death is then noticed like any other kill -9 */
    return TRUE;
}

static DWORD process_exit_code(const struct ws_object *obj)
{
    return obj->u.process.exit_code;
}

static DWORD process_id(const struct ws_object *obj)
{
    return obj->u.process.pid;
}

BOOL WINAPI GetExitCodeProcess(HANDLE h, LPDWORD code)
{
    return ws_query_object(h, WS_TYPE_PROCESS, PROCESS_QUERY_LIMITED_INFORMATION, process_exit_code,
                           code);
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return WS_PSEUDO_PROCESS;
}

DWORD WINAPI GetCurrentProcessId(void)
{
    return (DWORD)getpid();
}

DWORD WINAPI GetProcessId(HANDLE h)
{
    DWORD pid = 0;
    ws_query_object(h, WS_TYPE_PROCESS, PROCESS_QUERY_LIMITED_INFORMATION, process_id, &pid);
    return pid;
}

HANDLE WINAPI OpenProcess(DWORD access, BOOL inherit, DWORD pid)
{
    return ws_open_by_id(WS_TYPE_PROCESS, access, inherit, pid);
}
