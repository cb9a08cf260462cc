/*
 * ps-churn - a namespace that never stands still, for winsync-ps to read mid-change
 * (tests/tools/test_ps.py): four threads create, name, wait for, signal and close events, mutexes
 * and semaphores as fast as they can, some waits block for a moment on an object another thread
 * releases, until a line arrives on stdin. Prints "ready" once every thread runs; exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <windows.h>

#define THREADS 4

static volatile LONG stop, started;
static HANDLE shared_mutex, shared_semaphore;

static void *churn(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, round = 0;
    InterlockedIncrement(&started);
    while (!stop) {
        char name[64];
        snprintf(name, sizeof name, "ps-churn-%u-%u", id, round++ % 16);
        HANDLE e = CreateEventA(NULL, round % 2, FALSE, name);
        HANDLE m = CreateMutexA(NULL, TRUE, NULL);
        if (!e || !m)
            return (void *)1;
        SetEvent(e);
        WaitForSingleObject(e, 0);
        WaitForSingleObject(shared_mutex, 5);
        WaitForSingleObject(shared_semaphore, 2);
        ReleaseSemaphore(shared_semaphore, 1, NULL);
        ReleaseMutex(shared_mutex);
        ReleaseMutex(m);
        CloseHandle(m);
        CloseHandle(e);
    }
    return NULL;
}

int main(void)
{
    shared_mutex = CreateMutexA(NULL, FALSE, "ps-churn-mutex");
    shared_semaphore = CreateSemaphoreA(NULL, 1, 1, "ps-churn-semaphore");
    if (!shared_mutex || !shared_semaphore)
        return 1;
    pthread_t threads[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, churn, (void *)(uintptr_t)i) != 0)
            return 1;
    while (started < THREADS)
        Sleep(1);
    printf("{\"ready\": true}\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        fprintf(stderr, "ps-churn: stdin closed: ending\n");
    stop = 1;
    int status = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(threads[i], &r);
        status |= r != NULL;
    }
    return status;
}
