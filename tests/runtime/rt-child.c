/*
 * rt-child - the helper program the runtime suites start with CreateProcess or fork+exec.
 * It is a fresh winsync process: whatever it shares with the test, it shares through
 * names, inherited handles or the exit code. Exit codes: 0 done, 1 a check failed,
 * 2 a wait timed out, otherwise as documented per command.
 *
 *   set-event NAME          OpenEventA + SetEvent
 *   set-event-w NAME        OpenEventW + SetEvent (NAME is ASCII, widened here)
 *   wait-event NAME MS      OpenEventA + WaitForSingleObject: 0 signalled, 2 timed out
 *   take-mutex NAME         OpenMutexA + wait, then exit while owning it: 0, or 3 abandoned
 *   release-sem NAME N      OpenSemaphoreA + ReleaseSemaphore(N)
 *   map-rw NAME             OpenFileMappingA: expects "from-parent" at 0, writes "from-child" at 64
 *   set-handles H...        SetEvent on each inherited handle value (hex); the exit code has
 *                           bit i set when SetEvent(H[i]) succeeded
 *   wait-handle H           WaitForSingleObject(H, INFINITE) on an inherited handle
 *   wait-timer NAME MS      OpenWaitableTimerA + WaitForSingleObject: 0 signalled, 2 timed out
 *   set-timer NAME MS APC   OpenWaitableTimerA + SetWaitableTimer(-MS ms, a completion routine
 *                           when APC is 1), then exit without waiting
 *   set-timer-block NAME MS EVENT   the same with a routine, then SetEvent(EVENT) and block
 *   exit N                  return N from main
 *   exit-process N          ExitProcess(N)
 *   block                   Sleep(INFINITE)
 *   wait-kind K NAME        open the event (K = e), semaphore (s) or mutex (m) NAME and wait
 *                           for it for ever; 0 if the wait returned
 *   exit-thread N           ExitThread(N) on the only thread
 *   exit-thread-then N M    start a thread that waits for the main thread's end and returns M,
 *                           then ExitThread(N) on the main thread
 *   terminate-self N        TerminateThread(GetCurrentThread(), N) on the only thread
 *   exit-from-handler N     a thread busy in the dispatcher gets a signal whose handler calls
 *                           exit(N), often while it holds the dispatcher lock
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <windows.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "rt-child %s:%d: check failed: %s (GetLastError %u)\n", __FILE__,      \
                    __LINE__, #cond, (unsigned)GetLastError());                                    \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static HANDLE parse_handle(const char *text)
{
    return (HANDLE)(uintptr_t)strtoull(text, NULL, 16);
}

static int set_event(const char *name)
{
    HANDLE h = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
    CHECK(h != NULL);
    CHECK(SetEvent(h));
    CHECK(CloseHandle(h));
    return 0;
}

static int set_event_w(const char *name)
{
    WCHAR wide[MAX_PATH];
    size_t n = strlen(name);
    CHECK(n < MAX_PATH);
    for (size_t i = 0; i <= n; i++)
        wide[i] = (WCHAR)name[i];
    HANDLE h = OpenEventW(EVENT_MODIFY_STATE, FALSE, wide);
    CHECK(h != NULL);
    CHECK(SetEvent(h));
    return 0;
}

static int wait_event(const char *name, DWORD ms)
{
    HANDLE h = OpenEventA(SYNCHRONIZE, FALSE, name);
    CHECK(h != NULL);
    DWORD r = WaitForSingleObject(h, ms);
    CHECK(r == WAIT_OBJECT_0 || r == WAIT_TIMEOUT);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

static int take_mutex(const char *name)
{
    HANDLE h = OpenMutexA(SYNCHRONIZE, FALSE, name);
    CHECK(h != NULL);
    DWORD r = WaitForSingleObject(h, 10000);
    CHECK(r == WAIT_OBJECT_0 || r == WAIT_ABANDONED);
    return r == WAIT_OBJECT_0 ? 0 : 3; /* exits owning it: the mutex is abandoned */
}

static int release_semaphore(const char *name, LONG n)
{
    HANDLE h = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, name);
    CHECK(h != NULL);
    CHECK(ReleaseSemaphore(h, n, NULL));
    return 0;
}

static int map_rw(const char *name)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    CHECK(m != NULL);
    char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    CHECK(view != NULL);
    CHECK(strcmp(view, "from-parent") == 0);
    strcpy(view + 64, "from-child");
    CHECK(UnmapViewOfFile(view));
    CHECK(CloseHandle(m));
    return 0;
}

static int set_handles(int count, char **values)
{
    int mask = 0;
    for (int i = 0; i < count && i < 7; i++)
        if (SetEvent(parse_handle(values[i])))
            mask |= 1 << i;
    return mask;
}

static int wait_handle(const char *value)
{
    CHECK(WaitForSingleObject(parse_handle(value), INFINITE) == WAIT_OBJECT_0);
    return 0;
}

static int wait_timer(const char *name, DWORD ms)
{
    HANDLE h = OpenWaitableTimerA(SYNCHRONIZE, FALSE, name);
    CHECK(h != NULL);
    DWORD r = WaitForSingleObject(h, ms);
    CHECK(r == WAIT_OBJECT_0 || r == WAIT_TIMEOUT);
    return r == WAIT_OBJECT_0 ? 0 : 2;
}

static VOID CALLBACK never_run(LPVOID arg, DWORD low, DWORD high)
{
    (void)arg, (void)low, (void)high;
}

static int set_timer(const char *name, LONGLONG ms, int apc)
{
    HANDLE h = OpenWaitableTimerA(TIMER_MODIFY_STATE, FALSE, name);
    CHECK(h != NULL);
    LARGE_INTEGER due = {.QuadPart = -ms * 10000};
    CHECK(SetWaitableTimer(h, &due, 0, apc ? never_run : NULL, NULL, FALSE));
    return 0;
}

static int set_timer_block(const char *name, LONGLONG ms, const char *event)
{
    CHECK(set_timer(name, ms, 1) == 0);
    HANDLE ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, event);
    CHECK(ev != NULL && SetEvent(ev));
    Sleep(INFINITE);
    return 0;
}

static int wait_kind(const char *kind, const char *name)
{
    HANDLE h = kind[0] == 'e'   ? OpenEventA(SYNCHRONIZE, FALSE, name)
               : kind[0] == 's' ? OpenSemaphoreA(SYNCHRONIZE, FALSE, name)
                                : OpenMutexA(SYNCHRONIZE, FALSE, name);
    CHECK(h != NULL);
    CHECK(WaitForSingleObject(h, INFINITE) != WAIT_FAILED);
    return 0;
}

static DWORD WINAPI wait_then_return(LPVOID arg)
{
    HANDLE *p = arg;
    WaitForSingleObject(p[0], INFINITE); /* the main thread's end */
    return (DWORD)(uintptr_t)p[1];
}

static int exit_thread_then(DWORD main_code, DWORD second_code)
{
    static HANDLE args[2];
    CHECK(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &args[0], 0,
                          FALSE, DUPLICATE_SAME_ACCESS));
    args[1] = (HANDLE)(uintptr_t)second_code;
    HANDLE t = CreateThread(NULL, 0, wait_then_return, args, 0, NULL);
    CHECK(t != NULL);
    ExitThread(main_code);
}

static int handler_code;
static volatile long churned;

static void exit_now(int sig)
{
    (void)sig;
    exit(handler_code); /* not async-signal-safe, which is the point: programs do it */
}

static void *churn(void *arg)
{
    HANDLE e = arg;
    for (;;) {
        SetEvent(e);
        ResetEvent(e);
        churned++;
    }
    return NULL;
}

static int exit_from_handler(int code)
{
    handler_code = code;
    signal(SIGUSR1, exit_now);
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK(e != NULL);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, churn, e) == 0);
    while (churned < 1000)
        ;
    pthread_kill(t, SIGUSR1);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 1;
    const char *cmd = argv[1];
    if (strcmp(cmd, "set-event") == 0 && argc == 3)
        return set_event(argv[2]);
    if (strcmp(cmd, "set-event-w") == 0 && argc == 3)
        return set_event_w(argv[2]);
    if (strcmp(cmd, "wait-event") == 0 && argc == 4)
        return wait_event(argv[2], (DWORD)strtoul(argv[3], NULL, 10));
    if (strcmp(cmd, "take-mutex") == 0 && argc == 3)
        return take_mutex(argv[2]);
    if (strcmp(cmd, "release-sem") == 0 && argc == 4)
        return release_semaphore(argv[2], (LONG)strtol(argv[3], NULL, 10));
    if (strcmp(cmd, "map-rw") == 0 && argc == 3)
        return map_rw(argv[2]);
    if (strcmp(cmd, "set-handles") == 0)
        return set_handles(argc - 2, argv + 2);
    if (strcmp(cmd, "wait-handle") == 0 && argc == 3)
        return wait_handle(argv[2]);
    if (strcmp(cmd, "wait-timer") == 0 && argc == 4)
        return wait_timer(argv[2], (DWORD)strtoul(argv[3], NULL, 10));
    if (strcmp(cmd, "set-timer") == 0 && argc == 5)
        return set_timer(argv[2], strtoll(argv[3], NULL, 10), atoi(argv[4]));
    if (strcmp(cmd, "set-timer-block") == 0 && argc == 5)
        return set_timer_block(argv[2], strtoll(argv[3], NULL, 10), argv[4]);
    if (strcmp(cmd, "exit") == 0 && argc == 3)
        return atoi(argv[2]);
    if (strcmp(cmd, "exit-process") == 0 && argc == 3)
        ExitProcess((UINT)atoi(argv[2]));
    if (strcmp(cmd, "wait-kind") == 0 && argc == 4)
        return wait_kind(argv[2], argv[3]);
    if (strcmp(cmd, "exit-thread") == 0 && argc == 3)
        ExitThread((DWORD)atoi(argv[2]));
    if (strcmp(cmd, "exit-thread-then") == 0 && argc == 4)
        return exit_thread_then((DWORD)atoi(argv[2]), (DWORD)atoi(argv[3]));
    if (strcmp(cmd, "terminate-self") == 0 && argc == 3) {
        TerminateThread(GetCurrentThread(), (DWORD)atoi(argv[2]));
        return 1;
    }
    if (strcmp(cmd, "exit-from-handler") == 0 && argc == 3)
        return exit_from_handler(atoi(argv[2]));
    if (strcmp(cmd, "block") == 0) {
        Sleep(INFINITE);
        return 0;
    }
    fprintf(stderr, "rt-child: unknown command %s\n", cmd);
    return 1;
}
