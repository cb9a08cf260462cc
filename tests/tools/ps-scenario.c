/*
 * ps-scenario - a namespace for winsync-ps to inspect (tests/tools/test_ps.py).
 *
 * This process creates a named manual-reset event (set), a named auto-reset event (a child waits
 * on it), a named semaphore (count 1 of 3) and a named mutex it owns twice over, which a second
 * child waits for; two more children take one mutex each of a pair and then wait for the other's:
 * a deadlock across two processes. Once every child is blocked in its wait it prints one line of
 * JSON (its pid, the names, the children's pids) and waits for a line on stdin; then it kills the
 * children and exits 0. A named timer is set an hour ahead. Exit 1: something could not be set up
 * (said on stderr).
 */
#include <stdio.h>
#include <windows.h>

#include "wstest.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "ps-scenario:%d: %s failed (GetLastError %u)\n", __LINE__, #cond,      \
                    (unsigned)GetLastError());                                                     \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

struct take_then_wait {
    HANDLE first, second;
    struct wst_pipe ready, go;
};

static int wait_forever(void *handle)
{
    return WaitForSingleObject(handle, INFINITE) == WAIT_FAILED;
}

/* Take `first`, say so, wait for the go, then wait for `second` (never given). */
static int take_then_wait(void *arg)
{
    struct take_then_wait *d = arg;
    if (WaitForSingleObject(d->first, 0) != WAIT_OBJECT_0)
        return 1;
    wst_send(&d->ready, 'r');
    if (wst_recv(&d->go, WST_LONG_MS) != 'g')
        return 1;
    return WaitForSingleObject(d->second, INFINITE) == WAIT_FAILED;
}

int main(void)
{
    char event[64], gate[64], sem[64], mutex[64], dl_a[64], dl_b[64], timer[64];
    wst_name(event, sizeof event, "ps-event");
    wst_name(gate, sizeof gate, "ps-gate");
    wst_name(sem, sizeof sem, "ps-sem");
    wst_name(mutex, sizeof mutex, "ps-mutex");
    wst_name(dl_a, sizeof dl_a, "ps-deadlock-a");
    wst_name(dl_b, sizeof dl_b, "ps-deadlock-b");
    wst_name(timer, sizeof timer, "ps-timer");
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, event);
    HANDLE g = CreateEventA(NULL, FALSE, FALSE, gate);
    HANDLE s = CreateSemaphoreA(NULL, 1, 3, sem);
    HANDLE m = CreateMutexA(NULL, TRUE, mutex);
    HANDLE a = CreateMutexA(NULL, FALSE, dl_a), b = CreateMutexA(NULL, FALSE, dl_b);
    HANDLE t = CreateWaitableTimerA(NULL, TRUE, timer);
    CHECK(e && g && s && m && a && b && t);
    LARGE_INTEGER hour = {.QuadPart = -36000000000LL};
    CHECK(SetWaitableTimer(t, &hour, 0, NULL, NULL, FALSE));
    CHECK(WaitForSingleObject(m, 0) == WAIT_OBJECT_0); /* recursion 2 */

    pid_t gate_waiter = wst_spawn(wait_forever, g);
    pid_t mutex_waiter = wst_spawn(wait_forever, m);
    struct take_then_wait first = {.first = a, .second = b}, second = {.first = b, .second = a};
    CHECK(wst_pipe_open(&first.ready) == 0 && wst_pipe_open(&first.go) == 0);
    CHECK(wst_pipe_open(&second.ready) == 0 && wst_pipe_open(&second.go) == 0);
    pid_t dl_first = wst_spawn(take_then_wait, &first);
    pid_t dl_second = wst_spawn(take_then_wait, &second);
    CHECK(gate_waiter > 0 && mutex_waiter > 0 && dl_first > 0 && dl_second > 0);
    CHECK(wst_recv(&first.ready, WST_LONG_MS) == 'r' &&
          wst_recv(&second.ready, WST_LONG_MS) == 'r');
    wst_send(&first.go, 'g');
    wst_send(&second.go, 'g');
    pid_t children[] = {gate_waiter, mutex_waiter, dl_first, dl_second};
    for (int i = 0; i < 4; i++)
        CHECK(wst_await_blocked(children[i]));

    printf("{\"pid\": %d, \"tid\": %d, \"event\": \"%s\", \"gate\": \"%s\", \"semaphore\": \"%s\", "
           "\"mutex\": \"%s\", \"deadlock_a\": \"%s\", \"deadlock_b\": \"%s\", \"gate_waiter\": "
           "%d, \"mutex_waiter\": %d, \"deadlock_first\": %d, \"deadlock_second\": %d, "
           "\"timer\": \"%s\"}\n",
           (int)getpid(), (int)GetCurrentThreadId(), event, gate, sem, mutex, dl_a, dl_b,
           (int)gate_waiter, (int)mutex_waiter, (int)dl_first, (int)dl_second, timer);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        fprintf(stderr, "ps-scenario: stdin closed: ending\n");
    for (int i = 0; i < 4; i++) {
        kill(children[i], SIGKILL);
        wst_reap(children[i], WST_LONG_MS);
    }
    CHECK(ReleaseMutex(m) && ReleaseMutex(m));
    return 0;
}
