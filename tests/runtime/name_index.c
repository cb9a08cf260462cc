/* The name index and the free-slot hints (runtime/objects/object.c, handle.c): with thousands
 * of named objects every name still finds its own object, freed names and slots are reused,
 * and a process killed while it creates and closes names leaves the index whole. */
#include <signal.h>

#include "rt.h"

TestSuite(name_index, .timeout = RT_TIMEOUT);

enum { NAMED = 900 }; /* most of the 1,024 handles a process may hold: many chains share a bucket */

static void name_of(char *out, size_t size, const char *prefix, int i)
{
    snprintf(out, size, "name-index-%s-%d", prefix, i);
}

/* Sets the event behind `name` through a handle of its own, then checks that exactly
 * `expected` (and no other of `events`) is signalled; leaves every event reset. */
static void assert_name_reaches(const char *name, HANDLE *events, int count, int expected)
{
    HANDLE opened = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
    cr_assert_not_null(opened, "%s: OpenEventA failed with %lu", name,
                       (unsigned long)GetLastError());
    cr_assert(SetEvent(opened));
    CloseHandle(opened);
    for (int i = 0; i < count; i++)
        if (events[i])
            cr_assert_eq(WaitForSingleObject(events[i], 0),
                         i == expected ? WAIT_OBJECT_0 : WAIT_TIMEOUT, "%s reached event %d", name,
                         i);
}

Test(name_index, thousands_of_names_each_find_their_own_object, .timeout = 120)
{
    static HANDLE events[NAMED];
    char name[64];
    for (int i = 0; i < NAMED; i++) {
        name_of(name, sizeof name, "many", i);
        events[i] = CreateEventA(NULL, FALSE, FALSE, name); /* auto-reset: a wait resets it */
        cr_assert_not_null(events[i], "event %d: %lu", i, (unsigned long)GetLastError());
        cr_assert_eq(GetLastError(), 0);
    }
    for (int i = 0; i < NAMED; i += 97) {
        name_of(name, sizeof name, "many", i);
        assert_name_reaches(name, events, NAMED, i);
    }
    /* Close the odd ones: their names go, the even ones stay. */
    for (int i = 1; i < NAMED; i += 2) {
        cr_assert(CloseHandle(events[i]));
        events[i] = NULL;
    }
    for (int i = 0; i < NAMED; i++) {
        name_of(name, sizeof name, "many", i);
        HANDLE h = OpenEventA(SYNCHRONIZE, FALSE, name);
        if (i % 2) {
            cr_assert_null(h, "%s outlived its last handle", name);
            cr_assert_eq(GetLastError(), ERROR_FILE_NOT_FOUND);
        } else {
            cr_assert_not_null(h, "%s was lost when its neighbours closed", name);
            CloseHandle(h);
        }
    }
    /* The freed slots now get other names (other buckets); then every name, old and new, must
     * still be found: a chain left through a freed slot would lose the names behind it. */
    for (int i = 1; i < NAMED; i += 2) {
        name_of(name, sizeof name, "renamed", i);
        events[i] = CreateEventA(NULL, FALSE, FALSE, name);
        cr_assert_not_null(events[i]);
        cr_assert_eq(GetLastError(), 0, "%s existed before it was created", name);
    }
    for (int i = 0; i < NAMED; i++) {
        name_of(name, sizeof name, i % 2 ? "renamed" : "many", i);
        HANDLE again = CreateEventA(NULL, FALSE, FALSE, name);
        cr_assert_not_null(again);
        cr_assert_eq(GetLastError(), ERROR_ALREADY_EXISTS, "%s was not found", name);
        CloseHandle(again);
    }
    for (int i = 0; i < NAMED; i += 101) {
        name_of(name, sizeof name, i % 2 ? "renamed" : "many", i);
        assert_name_reaches(name, events, NAMED, i);
    }
    for (int i = 0; i < NAMED; i++)
        CloseHandle(events[i]);
}

Test(name_index, the_lowest_free_handle_value_is_reused_first)
{
    HANDLE h[8];
    for (int i = 0; i < 8; i++)
        cr_assert_not_null(h[i] = CreateEventA(NULL, TRUE, FALSE, NULL));
    cr_assert(CloseHandle(h[5]));
    cr_assert(CloseHandle(h[2]));
    HANDLE again = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_eq(again, h[2], "a new handle took %p, not the lowest free value %p", again, h[2]);
    HANDLE next = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_eq(next, h[5]);
    for (int i = 0; i < 8; i++)
        CloseHandle(h[i]);
}

/* A child creates and closes named events in a loop (each creation and close changes a chain
 * of the index under the dispatcher lock) until it is killed. */
static int churn_names(void *arg)
{
    struct wst_pipe *told = arg;
    char name[64];
    wst_send(told, 'v');
    for (unsigned i = 0;; i++) {
        name_of(name, sizeof name, "churn", (int)(i % 64));
        HANDLE h = CreateEventA(NULL, TRUE, FALSE, name);
        CHILD_CHECK(h != NULL);
        CloseHandle(h);
    }
}

Test(name_index, a_process_killed_while_changing_names_leaves_every_name_findable, .timeout = 90)
{
    enum { KEPT = 200 };
    static HANDLE kept[KEPT];
    char name[64];
    for (int i = 0; i < KEPT; i++) {
        name_of(name, sizeof name, "kept", i);
        cr_assert_not_null(kept[i] = CreateEventA(NULL, FALSE, FALSE, name));
    }
    struct wst_pipe told;
    rt_pipe(&told);
    unsigned seed = (unsigned)getpid();
    for (int round = 0; round < 20; round++) {
        pid_t pid = wst_spawn(churn_names, &told);
        cr_assert_eq(wst_recv(&told, WST_LONG_MS), 'v');
        usleep(1000 * (1 + rand_r(&seed) % 10));
        cr_assert_eq(kill(pid, SIGKILL), 0);
        cr_assert_eq(wst_reap(pid, WST_LONG_MS), 128 + SIGKILL);
        /* The dead child's names are gone once its death is seen; ours all still work. */
        for (int i = 0; i < KEPT; i += 13) {
            name_of(name, sizeof name, "kept", i);
            assert_name_reaches(name, kept, KEPT, i);
        }
        for (int k = 0; k < 64; k++) {
            name_of(name, sizeof name, "churn", k);
            HANDLE h = CreateEventA(NULL, TRUE, FALSE, name);
            cr_assert_not_null(h, "round %d: %s", round, name);
            cr_assert_eq(GetLastError(), 0, "round %d: %s outlived the dead child", round, name);
            CloseHandle(h);
        }
    }
    wst_pipe_close(&told);
    for (int i = 0; i < KEPT; i++)
        CloseHandle(kept[i]);
}
