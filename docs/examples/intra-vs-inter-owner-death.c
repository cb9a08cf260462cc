/*
 * One counter guarded two ways, and what each lock does when its owner dies.
 *
 * Part 1, one process: four threads add to a counter under a CRITICAL_SECTION. Then a
 * thread enters the section and ends without leaving it. Nothing notices: the section
 * stays entered, OwningThread still names the dead thread, and a thread that enters now
 * waits for ever (the program frees it with a Leave from a thread that never entered,
 * which Windows allows, to show that any "repair" is a guess: nobody was told).
 *
 * Part 2, two processes: a child adds to a counter in a named file mapping under a named
 * mutex, then takes the mutex once more, updates half of the data and is killed. The
 * mutex is abandoned: the parent's wait returns WAIT_ABANDONED, so the parent knows the
 * data may be half-updated, finds the half-done update and rolls it back.
 *
 * Chapter: docs/concepts/11-intra-vs-inter-process.md
 */
#include "example.h"

#define THREADS 4
#define INCREMENTS 10000
#define MAPPING_NAME "docs-example-owner-death-mapping"
#define MUTEX_NAME "docs-example-owner-death-mutex"
#define HALF_DONE_NAME "docs-example-owner-death-half-done"

static CRITICAL_SECTION section;
static LONG counter;

static DWORD WINAPI add_under_the_section(LPVOID unused)
{
    (void)unused;
    for (int i = 0; i < INCREMENTS; i++) {
        EnterCriticalSection(&section);
        counter = counter + 1; /* a plain read-modify-write: the section makes it safe */
        LeaveCriticalSection(&section);
    }
    return 0;
}

static DWORD WINAPI end_inside_the_section(LPVOID unused)
{
    (void)unused;
    EnterCriticalSection(&section);
    ExitThread(0); /* ends without LeaveCriticalSection */
}

static DWORD WINAPI enter_and_leave(LPVOID unused)
{
    (void)unused;
    EnterCriticalSection(&section);
    LeaveCriticalSection(&section);
    return 0;
}

/* The data the mutex guards. Its invariant, whenever nobody owns the mutex:
 * committed == counter. An update increments counter, then copies it to committed. */
struct shared {
    LONG counter;
    LONG committed;
};

static int child(void)
{
    HANDLE mapping = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, MAPPING_NAME);
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, MUTEX_NAME);
    HANDLE half_done = OpenEventA(EVENT_MODIFY_STATE, FALSE, HALF_DONE_NAME);
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (mapping == NULL || lock == NULL || half_done == NULL || never == NULL)
        return 2;
    struct shared *view = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *view);
    if (view == NULL)
        return 3;
    for (int i = 0; i < INCREMENTS; i++) {
        WaitForSingleObject(lock, INFINITE);
        view->counter = view->counter + 1;
        view->committed = view->counter;
        ReleaseMutex(lock);
    }
    WaitForSingleObject(lock, INFINITE);
    view->counter = view->counter + 1; /* half of an update: committed is not written yet */
    SetEvent(half_done);
    WaitForSingleObject(never, INFINITE); /* the parent kills this process here */
    return 4;
}

static void threads_and_a_critical_section(void)
{
    printf("\nPart 1: threads of one process, a CRITICAL_SECTION\n");
    InitializeCriticalSection(&section);
    HANDLE threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        threads[i] = CreateThread(NULL, 0, add_under_the_section, NULL, 0, NULL);
    WaitForMultipleObjects(THREADS, threads, TRUE, INFINITE);
    for (int i = 0; i < THREADS; i++)
        CloseHandle(threads[i]);
    char fact[128];
    snprintf(fact, sizeof fact, "%d threads x %d increments under the section: counter = %ld",
             THREADS, INCREMENTS, (long)counter);
    expect(counter == THREADS * INCREMENTS, fact);

    DWORD dead_id = 0;
    HANDLE dead = CreateThread(NULL, 0, end_inside_the_section, NULL, 0, &dead_id);
    expect(WaitForSingleObject(dead, 10000) == WAIT_OBJECT_0,
           "a thread entered the section and ended without leaving it");
    CloseHandle(dead);
    expect(!TryEnterCriticalSection(&section),
           "the section is still entered: TryEnterCriticalSection fails");
    expect(section.OwningThread == (HANDLE)(ULONG_PTR)dead_id && section.RecursionCount == 1,
           "OwningThread still names the dead thread, RecursionCount is still 1");
    HANDLE waiter = CreateThread(NULL, 0, enter_and_leave, NULL, 0, NULL);
    expect(WaitForSingleObject(waiter, 500) == WAIT_TIMEOUT,
           "a thread that enters now waits, and would wait for ever: no call reports the death");
    LeaveCriticalSection(&section); /* allowed: Leave checks no owner (windows-semantics.md) */
    expect(WaitForSingleObject(waiter, 10000) == WAIT_OBJECT_0,
           "only a Leave by a thread that never entered frees it: a guess, not a repair");
    CloseHandle(waiter);
    DeleteCriticalSection(&section);
}

static void processes_and_a_mutex(const char *self)
{
    printf("\nPart 2: two processes, a named mutex and a file mapping\n");
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                        sizeof(struct shared), MAPPING_NAME);
    HANDLE lock = CreateMutexA(NULL, FALSE, MUTEX_NAME);
    HANDLE half_done = CreateEventA(NULL, TRUE, FALSE, HALF_DONE_NAME);
    struct shared *view =
        mapping ? MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *view) : NULL;
    PROCESS_INFORMATION pi;
    bool started =
        view != NULL && lock != NULL && half_done != NULL && spawn_self(self, "child", &pi);
    expect(started, "created the mapping, the mutex and the event, started the child");
    if (!started)
        return;
    expect(WaitForSingleObject(half_done, 60000) == WAIT_OBJECT_0,
           "the child owns the mutex, half-way through an update");
    expect(TerminateProcess(pi.hProcess, 9) &&
               WaitForSingleObject(pi.hProcess, 10000) == WAIT_OBJECT_0,
           "killed the child (TerminateProcess) while it owns the mutex");

    expect(WaitForSingleObject(lock, 10000) == WAIT_ABANDONED,
           "our wait returns WAIT_ABANDONED: we own the mutex, and we are told its owner died");
    char fact[128];
    snprintf(fact, sizeof fact, "the data shows the half-done update: counter %ld, committed %ld",
             (long)view->counter, (long)view->committed);
    expect(view->counter == INCREMENTS + 1 && view->committed == INCREMENTS, fact);
    view->counter = view->committed; /* the repair: roll the uncommitted update back */
    expect(ReleaseMutex(lock), "rolled it back and released the mutex");
    expect(WaitForSingleObject(lock, 0) == WAIT_OBJECT_0 && view->counter == view->committed,
           "the next owner gets WAIT_OBJECT_0 and consistent data");
    ReleaseMutex(lock);

    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    UnmapViewOfFile(view);
    CloseHandle(half_done);
    CloseHandle(lock);
    CloseHandle(mapping);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();

    example_begin(argc, argv,
                  "a critical section whose owner dies stays entered for ever; a mutex whose owner "
                  "dies is abandoned, and the next owner is told.",
                  "A thread enters a CRITICAL_SECTION and ends without leaving it; in another run, "
                  "a process is killed while it owns a named mutex. What does the next thread that "
                  "wants each lock see?",
                  "The critical section stays entered for ever: it is memory of the process, "
                  "nothing records the death, and the next thread waits for ever. The mutex is a "
                  "kernel object: the kernel ends the owner thread, abandons the mutex, and the "
                  "next wait returns WAIT_ABANDONED with ownership, a warning that the data may be "
                  "half-updated, so it can repair it (chapter 11).");
    threads_and_a_critical_section();
    processes_and_a_mutex(argv[0]);
    return example_result();
}
