/*
 * Race puzzle: two waits instead of one wait-all, and a process killed between them.
 *
 * A shared store holds items. A named mutex guards its header, which counts the items, and a
 * semaphore holds one unit per item. The invariant, while nobody holds the lock or is between
 * its waits: the semaphore's count equals the header's count. A consumer must take a unit
 * (there is an item for it) and the lock (to take it out).
 *
 * Round 1: the consumer takes them with two waits, the unit first, then the lock, and is
 * killed between the two. It took a unit and never owned the mutex, so the mutex is not
 * abandoned: nobody is told. The header still counts 1 item, the semaphore holds 0 units,
 * and every later consumer would wait for ever for an item that is there.
 *
 * Round 2: the consumer takes both in one WaitForMultipleObjects(wait-all) and is killed
 * before or during that wait. A wait-all takes nothing until it can take everything, so
 * either way the unit is still there.
 *
 * The interleaving is forced: the parent holds the lock, so the child cannot get past the
 * lock; an event says when the child has reached the point where it is killed. No sleeps.
 * (Lab 05's queue is built on round 2; what its next owner must do after a kill while
 * holding both is the lab's Step 6, not shown here.)
 *
 * Chapter: docs/concepts/07-wait-multiple.md
 */
#include "example.h"

#define MAPPING_NAME "docs-example-lost-unit-store"
#define LOCK_NAME "docs-example-lost-unit-lock"
#define UNITS_NAME "docs-example-lost-unit-units"
#define REACHED_NAME "docs-example-lost-unit-reached"

struct store {
    LONG items; /* the header: how many items the store holds */
};

/* The consumer: "two-waits" or "wait-all". It is killed where it reports `reached`. */
static int consumer(const char *how)
{
    HANDLE lock = OpenMutexA(SYNCHRONIZE, FALSE, LOCK_NAME);
    HANDLE units = OpenSemaphoreA(SYNCHRONIZE, FALSE, UNITS_NAME);
    HANDLE reached = OpenEventA(EVENT_MODIFY_STATE, FALSE, REACHED_NAME);
    if (lock == NULL || units == NULL || reached == NULL)
        return 2;
    if (strcmp(how, "two-waits") == 0) {
        if (WaitForSingleObject(units, INFINITE) != WAIT_OBJECT_0) /* got a unit... */
            return 3;
        SetEvent(reached);
        WaitForSingleObject(lock, INFINITE); /* ...and blocks here: the parent holds the lock */
    } else {
        HANDLE both[2] = {lock, units};
        SetEvent(reached);
        WaitForMultipleObjects(2, both, TRUE, INFINITE); /* blocks: the lock is held */
    }
    return 4; /* never reached: the parent kills this process first */
}

/* Holds the lock, starts a consumer, kills it at its `reached` point. */
static bool kill_a_consumer(const char *self, const char *how, HANDLE lock, HANDLE reached)
{
    PROCESS_INFORMATION pi;
    char arguments[64];
    snprintf(arguments, sizeof arguments, "consumer %s", how);
    ResetEvent(reached);
    if (WaitForSingleObject(lock, 10000) != WAIT_OBJECT_0 || !spawn_self(self, arguments, &pi))
        return false;
    bool killed = WaitForSingleObject(reached, 60000) == WAIT_OBJECT_0 &&
                  TerminateProcess(pi.hProcess, 9) &&
                  WaitForSingleObject(pi.hProcess, 10000) == WAIT_OBJECT_0;
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return ReleaseMutex(lock) && killed;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "consumer") == 0)
        return consumer(argv[2]);

    example_begin(
        argc, argv,
        "a process killed between two waits loses a semaphore unit unseen; one wait-all "
        "takes both objects or neither.",
        "A store's header counts 1 item and its semaphore holds 1 unit. A consumer process "
        "waits for the unit, then for the lock, and is killed between the two waits. "
        "Afterwards, how many items does the header count, how many units does the semaphore "
        "hold, and does the next owner of the lock get WAIT_ABANDONED? What changes if the "
        "consumer takes both with one WaitForMultipleObjects(wait-all)?",
        "Two waits: the header still counts 1 item, the semaphore holds 0 units, and the next "
        "owner of the lock gets WAIT_OBJECT_0, because the killed process never owned the "
        "mutex: the unit is lost and nobody is told. Every later consumer waits for an item "
        "that is there. One wait-all takes nothing until it can take both, so a process killed "
        "before or during it has taken nothing and the invariant holds. Whoever is killed "
        "after a wait-all owns the mutex, which is then abandoned: the next owner is told "
        "(chapters 5 and 7; lab 05, Steps 3 and 6).");

    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                        sizeof(struct store), MAPPING_NAME);
    struct store *store =
        mapping ? MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *store) : NULL;
    HANDLE lock = CreateMutexA(NULL, FALSE, LOCK_NAME);
    HANDLE units = CreateSemaphoreA(NULL, 1, 8, UNITS_NAME);
    HANDLE reached = CreateEventA(NULL, TRUE, FALSE, REACHED_NAME);
    bool created = store != NULL && lock != NULL && units != NULL && reached != NULL;
    expect(created, "created the store (header: 1 item), its lock and its semaphore (1 unit)");
    if (!created)
        return example_result();
    store->items = 1;

    printf("Round 1: the consumer takes the unit, then the lock, in two waits\n");
    expect(kill_a_consumer(argv[0], "two-waits", lock, reached),
           "killed the consumer after its first wait, while it waited for the lock");
    expect(WaitForSingleObject(lock, 10000) == WAIT_OBJECT_0,
           "the next owner of the lock gets WAIT_OBJECT_0: nothing says a consumer died");
    char fact[128];
    LONG previous = -1;
    ReleaseSemaphore(units, 1, &previous); /* reads the count (and adds one, taken back below) */
    WaitForSingleObject(units, 0);
    snprintf(fact, sizeof fact,
             "the header counts %ld item, the semaphore holds %ld units: a unit is lost",
             (long)store->items, (long)previous);
    expect(store->items == 1 && previous == 0, fact);
    ReleaseSemaphore(units, 1, NULL); /* put the lost unit back for round 2 */
    ReleaseMutex(lock);

    printf("Round 2: the consumer takes both in one wait-all\n");
    expect(kill_a_consumer(argv[0], "wait-all", lock, reached),
           "killed the consumer before or during its wait-all");
    expect(WaitForSingleObject(lock, 10000) == WAIT_OBJECT_0,
           "the next owner of the lock gets WAIT_OBJECT_0: the consumer never owned it");
    previous = -1;
    ReleaseSemaphore(units, 1, &previous);
    WaitForSingleObject(units, 0);
    snprintf(fact, sizeof fact,
             "the header counts %ld item, the semaphore holds %ld unit: nothing was taken",
             (long)store->items, (long)previous);
    expect(store->items == 1 && previous == 1, fact);
    ReleaseMutex(lock);

    UnmapViewOfFile(store);
    CloseHandle(reached);
    CloseHandle(units);
    CloseHandle(lock);
    CloseHandle(mapping);
    return example_result();
}
