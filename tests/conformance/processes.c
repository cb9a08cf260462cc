/* Processes: CreateProcess of this binary in a child mode, exit codes, the process handle as
 * a waitable object, TerminateProcess, handle inheritance, abandonment by process exit. */
#include "conformance.h"

/* Child modes: "exit N", "exitprocess N", "set HANDLE_HEX", "setname NAME",
 * "block READY_NAME NEVER_NAME", "own MUTEX_NAME", "waitkind e|s|m NAME READY_NAME" (wait for
 * ever on an event, semaphore or mutex), "exitthread N" (ExitThread on the only thread),
 * "exitthreadthen N M" (a second thread returns M after the main thread's ExitThread(N)). */
static DWORD WINAPI return_after_main(LPVOID arg)
{
    HANDLE *p = arg;
    WaitForSingleObject(p[0], INFINITE);
    return (DWORD)(uintptr_t)p[1];
}

static int child_main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "exit") == 0)
        return atoi(argv[1]);
    if (argc == 2 && strcmp(argv[0], "exitprocess") == 0)
        ExitProcess((UINT)atoi(argv[1]));
    if (argc == 2 && strcmp(argv[0], "set") == 0) {
        HANDLE h = (HANDLE)(uintptr_t)strtoul(argv[1], NULL, 16);
        if (SetEvent(h))
            return 0;
        return GetLastError() == ERROR_INVALID_HANDLE ? 1 : 2;
    }
    if (argc == 2 && strcmp(argv[0], "setname") == 0) {
        HANDLE h = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[1]);
        return h && SetEvent(h) ? 0 : 1;
    }
    if (argc == 3 && strcmp(argv[0], "block") == 0) {
        HANDLE ready = OpenEventA(EVENT_ALL_ACCESS, FALSE, argv[1]);
        HANDLE never = OpenEventA(EVENT_ALL_ACCESS, FALSE, argv[2]);
        SetEvent(ready);
        WaitForSingleObject(never, 3 * CF_LONG_MS);
        return 3;
    }
    if (argc == 4 && strcmp(argv[0], "waitkind") == 0) {
        HANDLE h = argv[1][0] == 'e'   ? OpenEventA(SYNCHRONIZE, FALSE, argv[2])
                   : argv[1][0] == 's' ? OpenSemaphoreA(SYNCHRONIZE, FALSE, argv[2])
                                       : OpenMutexA(SYNCHRONIZE, FALSE, argv[2]);
        HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[3]);
        if (!h || !ready)
            return 1;
        SetEvent(ready);
        WaitForSingleObject(h, INFINITE);
        return 4;
    }
    if (argc == 2 && strcmp(argv[0], "exitthread") == 0)
        ExitThread((DWORD)atoi(argv[1]));
    if (argc == 3 && strcmp(argv[0], "exitthreadthen") == 0) {
        static HANDLE args[2];
        if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &args[0],
                             0, FALSE, DUPLICATE_SAME_ACCESS))
            return 1;
        args[1] = (HANDLE)(uintptr_t)atoi(argv[2]);
        if (!CreateThread(NULL, 0, return_after_main, args, 0, NULL))
            return 1;
        ExitThread((DWORD)atoi(argv[1]));
    }
    if (argc == 2 && strcmp(argv[0], "own") == 0) {
        HANDLE m = OpenMutexA(MUTEX_ALL_ACCESS, FALSE, argv[1]);
        return m && WaitForSingleObject(m, CF_LONG_MS) == WAIT_OBJECT_0 ? 0 : 1;
    }
    return 99;
}

/* Runs a child to its end; returns its exit code (or CF_SENTINEL). */
static DWORD run_child(const char *args, BOOL inherit)
{
    PROCESS_INFORMATION pi;
    DWORD code = CF_SENTINEL;
    if (!cf_spawn_child(args, inherit, &pi))
        return CF_SENTINEL;
    if (WaitForSingleObject(pi.hProcess, CF_LONG_MS) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

static void exit_code_from_main(void)
{
    PROCESS_INFORMATION pi;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("created", TRUE, cf_spawn_child("exit 42", FALSE, &pi));
    CHECK_TRUE("pid", pi.dwProcessId != 0 && GetProcessId(pi.hProcess) == pi.dwProcessId);
    CHECK_EQ("process_signalled", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    CHECK_EQ("thread_signalled", WAIT_OBJECT_0, WaitForSingleObject(pi.hThread, CF_LONG_MS));
    DWORD code = 0;
    CHECK_EQ("get_code", TRUE, GetExitCodeProcess(pi.hProcess, &code));
    CHECK_EQ("code", 42, code);
    CHECK_EQ("stays_signalled", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, 0));
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

static void exit_code_from_exit_process(void)
{
    CHECK_EQ("code", 7, run_child("exitprocess 7", FALSE));
}

static void still_active_then_terminated(void)
{
    char ready_name[64], never_name[64], args[200];
    HANDLE ready = CreateEventA(NULL, TRUE, FALSE, cf_name(ready_name, sizeof ready_name, "rd"));
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, cf_name(never_name, sizeof never_name, "nv"));
    snprintf(args, sizeof args, "block %s %s", ready_name, never_name);
    PROCESS_INFORMATION pi;
    CHECK_EQ("created", TRUE, cf_spawn_child(args, FALSE, &pi));
    CHECK_EQ("child_ready", WAIT_OBJECT_0, WaitForSingleObject(ready, CF_LONG_MS));
    DWORD code = 0;
    CHECK_EQ("get_code_running", TRUE, GetExitCodeProcess(pi.hProcess, &code));
    CHECK_EQ("still_active", STILL_ACTIVE, code);
    CHECK_EQ("not_signalled", WAIT_TIMEOUT, WaitForSingleObject(pi.hProcess, 0));
    CHECK_EQ("terminate", TRUE, TerminateProcess(pi.hProcess, 9));
    CHECK_EQ("signalled", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    CHECK_EQ("get_code", TRUE, GetExitCodeProcess(pi.hProcess, &code));
    CHECK_EQ("code", 9, code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(ready);
    CloseHandle(never);
}

static void inheritable_handle_is_inherited(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE e = CreateEventA(&sa, TRUE, FALSE, NULL);
    char args[64];
    snprintf(args, sizeof args, "set %lx", (unsigned long)(uintptr_t)e);
    CHECK_EQ("child_set_it", 0, run_child(args, TRUE));
    CHECK_EQ("signalled", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void inheritance_needs_both_flags(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE plain = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE inheritable = CreateEventA(&sa, TRUE, FALSE, NULL);
    char args[64];
    snprintf(args, sizeof args, "set %lx", (unsigned long)(uintptr_t)plain);
    CHECK_EQ("plain_not_inherited", 1, run_child(args, TRUE));
    CHECK_EQ("plain_not_set", WAIT_TIMEOUT, WaitForSingleObject(plain, 0));
    snprintf(args, sizeof args, "set %lx", (unsigned long)(uintptr_t)inheritable);
    CHECK_EQ("no_inherit_flag", 1, run_child(args, FALSE));
    CHECK_EQ("inheritable_not_set", WAIT_TIMEOUT, WaitForSingleObject(inheritable, 0));
    CloseHandle(plain);
    CloseHandle(inheritable);
}

static void named_objects_are_shared(void)
{
    char name[64], args[100];
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, cf_name(name, sizeof name, "shared"));
    snprintf(args, sizeof args, "setname %s", name);
    CHECK_EQ("child_ok", 0, run_child(args, FALSE));
    CHECK_EQ("signalled", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    CloseHandle(e);
}

static void mutex_abandoned_by_process_exit(void)
{
    char name[64], args[100];
    HANDLE m = CreateMutexA(NULL, FALSE, cf_name(name, sizeof name, "pmtx"));
    snprintf(args, sizeof args, "own %s", name);
    CHECK_EQ("child_took_it", 0, run_child(args, FALSE));
    CHECK_EQ("abandoned", WAIT_ABANDONED, WaitForSingleObject(m, CF_LONG_MS));
    CHECK_EQ("now_owned", TRUE, ReleaseMutex(m));
    CHECK_EQ("free", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    ReleaseMutex(m);
    CloseHandle(m);
}

static void terminate_twice_and_invalid(void)
{
    PROCESS_INFORMATION pi;
    CHECK_EQ("created", TRUE, cf_spawn_child("exit 3", FALSE, &pi));
    WaitForSingleObject(pi.hProcess, CF_LONG_MS);
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("code", 3, code);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("get_code_invalid", FALSE, GetExitCodeProcess(NULL, &code));
    CHECK_ERR("get_code_invalid_err", ERROR_INVALID_HANDLE);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

/* A child blocks on an object; TerminateProcess, then a signal: the signal must still be there
 * (termination took the child off its wait). One object of each consuming kind. */
static void terminate_takes_the_child_off_its_wait(void)
{
    static const char kinds[] = "esm";
    for (int k = 0; k < 3; k++) {
        char name[64], ready_name[64], args[200], check[64];
        HANDLE ready =
            CreateEventA(NULL, TRUE, FALSE, cf_name(ready_name, sizeof ready_name, "rd"));
        cf_name(name, sizeof name, "obj");
        HANDLE h = kinds[k] == 'e'   ? CreateEventA(NULL, FALSE, FALSE, name)
                   : kinds[k] == 's' ? CreateSemaphoreA(NULL, 0, 1, name)
                                     : CreateMutexA(NULL, TRUE, name);
        snprintf(args, sizeof args, "waitkind %c %s %s", kinds[k], name, ready_name);
        PROCESS_INFORMATION pi;
        snprintf(check, sizeof check, "%c_created", kinds[k]);
        CHECK_EQ(check, TRUE, cf_spawn_child(args, FALSE, &pi));
        snprintf(check, sizeof check, "%c_child_ready", kinds[k]);
        CHECK_EQ(check, WAIT_OBJECT_0, WaitForSingleObject(ready, CF_LONG_MS));
        snprintf(check, sizeof check, "%c_terminate", kinds[k]);
        CHECK_EQ(check, TRUE, TerminateProcess(pi.hProcess, 1));
        BOOL signalled = kinds[k] == 'e'   ? SetEvent(h)
                         : kinds[k] == 's' ? ReleaseSemaphore(h, 1, NULL)
                                           : ReleaseMutex(h);
        snprintf(check, sizeof check, "%c_signal", kinds[k]);
        CHECK_EQ(check, TRUE, signalled);
        snprintf(check, sizeof check, "%c_signal_kept", kinds[k]);
        CHECK_EQ(check, WAIT_OBJECT_0, WaitForSingleObject(h, 0));
        snprintf(check, sizeof check, "%c_child_ended", kinds[k]);
        CHECK_EQ(check, WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
        DWORD code = 0;
        GetExitCodeProcess(pi.hProcess, &code);
        snprintf(check, sizeof check, "%c_code", kinds[k]);
        CHECK_EQ(check, 1, code);
        if (kinds[k] == 'm')
            ReleaseMutex(h);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
        CloseHandle(h);
        CloseHandle(ready);
    }
}

/* ExitThread on the main thread: the process ends with its last thread, with that thread's
 * code. */
static void exit_thread_on_the_main_thread(void)
{
    PROCESS_INFORMATION pi;
    DWORD code = 0;
    CHECK_EQ("only_created", TRUE, cf_spawn_child("exitthread 316", FALSE, &pi));
    CHECK_EQ("only_ended", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("only_process_code", 316, code);
    CHECK_EQ("only_thread_signalled", WAIT_OBJECT_0, WaitForSingleObject(pi.hThread, CF_LONG_MS));
    code = 0;
    GetExitCodeThread(pi.hThread, &code);
    CHECK_EQ("only_thread_code", 316, code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    CHECK_EQ("two_created", TRUE, cf_spawn_child("exitthreadthen 316 5", FALSE, &pi));
    CHECK_EQ("two_ended", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("two_process_code", 5, code);
    code = 0;
    GetExitCodeThread(pi.hThread, &code);
    CHECK_EQ("two_main_thread_code", 316, code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

struct victim {
    HANDLE mutex, gate, ready;
};

static DWORD WINAPI own_then_wait(LPVOID arg)
{
    struct victim *v = arg;
    WaitForSingleObject(v->mutex, INFINITE);
    SetEvent(v->ready);
    WaitForSingleObject(v->gate, INFINITE);
    return 1;
}

/* TerminateThread: the thread ends with the code, its object is signalled, its mutex abandoned,
 * and a signal sent after the call is not consumed by it. */
static void terminate_thread(void)
{
    struct victim v = {CreateMutexA(NULL, FALSE, NULL), CreateEventA(NULL, FALSE, FALSE, NULL),
                       CreateEventA(NULL, TRUE, FALSE, NULL)};
    HANDLE t = CreateThread(NULL, 0, own_then_wait, &v, 0, NULL);
    CHECK_EQ("ready", WAIT_OBJECT_0, WaitForSingleObject(v.ready, CF_LONG_MS));
    CHECK_EQ("terminate", TRUE, TerminateThread(t, 77));
    CHECK_EQ("set", TRUE, SetEvent(v.gate));
    CHECK_EQ("signal_kept", WAIT_OBJECT_0, WaitForSingleObject(v.gate, 0));
    CHECK_EQ("thread_signalled", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    DWORD code = 0;
    CHECK_EQ("get_code", TRUE, GetExitCodeThread(t, &code));
    CHECK_EQ("code", 77, code);
    CHECK_EQ("mutex_abandoned", WAIT_ABANDONED, WaitForSingleObject(v.mutex, CF_LONG_MS));
    ReleaseMutex(v.mutex);
    HANDLE weak;
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &weak,
                    SYNCHRONIZE, FALSE, 0);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("no_right", FALSE, TerminateThread(weak, 1));
    CHECK_ERR("no_right_err", ERROR_ACCESS_DENIED);
    CloseHandle(weak);
    CloseHandle(t);
    CloseHandle(v.mutex);
    CloseHandle(v.gate);
    CloseHandle(v.ready);
}

CF_MAIN("processes", child_main, CF_TEST(exit_code_from_main), CF_TEST(exit_code_from_exit_process),
        CF_TEST(still_active_then_terminated), CF_TEST(inheritable_handle_is_inherited),
        CF_TEST(inheritance_needs_both_flags), CF_TEST(named_objects_are_shared),
        CF_TEST(mutex_abandoned_by_process_exit), CF_TEST(terminate_twice_and_invalid),
        CF_TEST(terminate_takes_the_child_off_its_wait), CF_TEST(exit_thread_on_the_main_thread),
        CF_TEST(terminate_thread))
