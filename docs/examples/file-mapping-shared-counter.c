/*
 * Shared memory between processes: a page-file-backed file mapping, opened by name in
 * two child processes, each adding to one counter under a named mutex. The parent
 * waits for both process objects, then reads the total through its own view.
 *
 * Chapter: docs/concepts/10-file-mappings.md
 */
#include "example.h"

#define MAPPING_NAME "docs-example-mapping-counter"
#define MUTEX_NAME "docs-example-mapping-lock"
#define CHILDREN 2
#define INCREMENTS 20000

struct shared {
    LONG counter;
};

static int child(void)
{
    HANDLE mapping = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, MAPPING_NAME);
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, MUTEX_NAME);
    if (mapping == NULL || lock == NULL)
        return 2;
    struct shared *view = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *view);
    if (view == NULL)
        return 3;
    for (int i = 0; i < INCREMENTS; i++) {
        WaitForSingleObject(lock, INFINITE);
        view->counter = view->counter + 1; /* a plain read-modify-write: the mutex makes it safe */
        ReleaseMutex(lock);
    }
    UnmapViewOfFile(view);
    CloseHandle(lock);
    CloseHandle(mapping);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();

    example_begin(
        argc, argv, "two processes update one counter in a named file mapping, under a mutex.",
        "Two processes each add 1 to a counter in a shared file mapping 20,000 times, "
        "each addition inside a named mutex. What does the counter read at the end? And "
        "without the mutex?",
        "40,000: the mutex makes each read-modify-write whole. Without it, updates would "
        "be lost whenever both processes read the same value, and the total would usually "
        "come out lower, by a different amount on each run (chapter 10).");
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                        sizeof(struct shared), MAPPING_NAME);
    HANDLE lock = CreateMutexA(NULL, FALSE, MUTEX_NAME);
    struct shared *view =
        mapping ? MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *view) : NULL;
    expect(view != NULL && lock != NULL,
           "parent: created the mapping and the mutex, mapped a view");
    if (view == NULL || lock == NULL)
        return example_result();
    expect(view->counter == 0, "parent: a new mapping is zero-filled");

    PROCESS_INFORMATION pi[CHILDREN];
    HANDLE processes[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        expect(spawn_self(argv[0], "child", &pi[i]), "parent: started a child process");
        processes[i] = pi[i].hProcess;
    }
    expect(WaitForMultipleObjects(CHILDREN, processes, TRUE, 60000) == WAIT_OBJECT_0,
           "parent: wait-all on both process objects: both children ended");
    for (int i = 0; i < CHILDREN; i++) {
        DWORD code = 1;
        expect(GetExitCodeProcess(pi[i].hProcess, &code) && code == 0,
               "parent: a child exited with 0");
        CloseHandle(pi[i].hThread);
        CloseHandle(pi[i].hProcess);
    }
    char fact[96];
    snprintf(fact, sizeof fact, "parent: the counter reads %ld = %d x %d, no update lost",
             (long)view->counter, CHILDREN, INCREMENTS);
    expect(view->counter == CHILDREN * INCREMENTS, fact);

    UnmapViewOfFile(view);
    CloseHandle(lock);
    CloseHandle(mapping);
    return example_result();
}
