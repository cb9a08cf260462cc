/* Mutexes: thread ownership, recursion, ERROR_NOT_OWNER, abandonment. */
#include "conformance.h"

struct call_result {
    HANDLE mutex;
    DWORD result;
    DWORD error;
};

static DWORD WINAPI release_in_thread(LPVOID arg)
{
    struct call_result *c = arg;
    SetLastError(CF_SENTINEL);
    c->result = (DWORD)ReleaseMutex(c->mutex);
    c->error = GetLastError();
    return 0;
}

/* Takes the mutex and ends while owning it. */
static DWORD WINAPI take_and_exit(LPVOID arg)
{
    struct call_result *c = arg;
    c->result = WaitForSingleObject(c->mutex, CF_LONG_MS);
    return 0;
}

static HANDLE abandoned_mutex(void)
{
    struct call_result c = {CreateMutexA(NULL, FALSE, NULL), 0, 0};
    cf_join(CreateThread(NULL, 0, take_and_exit, &c, 0, NULL));
    return c.mutex;
}

static void recursive_acquire_and_release(void)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    CHECK_EQ("wait1", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    CHECK_EQ("wait2", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    CHECK_EQ("wait3", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    CHECK_EQ("release1", TRUE, ReleaseMutex(m));
    CHECK_EQ("release2", TRUE, ReleaseMutex(m));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release3", TRUE, ReleaseMutex(m));
    CHECK_ERR("release3_err", CF_SENTINEL);
    CHECK_EQ("release4", FALSE, ReleaseMutex(m));
    CHECK_ERR("release4_err", ERROR_NOT_OWNER);
    CloseHandle(m);
}

static void initial_owner(void)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    CHECK_EQ("release", TRUE, ReleaseMutex(m));
    CHECK_EQ("release_again", FALSE, ReleaseMutex(m));
    CHECK_ERR("release_again_err", ERROR_NOT_OWNER);
    m = CreateMutexExA(NULL, NULL, CREATE_MUTEX_INITIAL_OWNER, MUTEX_ALL_ACCESS);
    CHECK_EQ("ex_release", TRUE, ReleaseMutex(m));
    CHECK_EQ("ex_release_again", FALSE, ReleaseMutex(m));
    CloseHandle(m);
}

static void owned_mutex_blocks_other_threads(void)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, m, CF_QUIET_MS, FALSE);
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("other_thread_timed_out", WAIT_TIMEOUT, w.result);
    t = cf_start_waiter(&w, m, CF_LONG_MS, FALSE);
    CHECK_EQ("release", TRUE, ReleaseMutex(m));
    CHECK_EQ("joined_after_release", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("other_thread_got_it", WAIT_OBJECT_0, w.result);
    CloseHandle(m);
}

static void release_by_non_owner_fails(void)
{
    struct call_result c = {CreateMutexA(NULL, TRUE, NULL), 0, 0};
    cf_join(CreateThread(NULL, 0, release_in_thread, &c, 0, NULL));
    CHECK_EQ("result", FALSE, c.result);
    CHECK_EQ("error", ERROR_NOT_OWNER, c.error);
    CHECK_EQ("owner_still_releases", TRUE, ReleaseMutex(c.mutex));
    CloseHandle(c.mutex);
}

static void abandoned_by_thread_exit(void)
{
    HANDLE m = abandoned_mutex();
    SetLastError(CF_SENTINEL);
    CHECK_EQ("first_wait", WAIT_ABANDONED, WaitForSingleObject(m, 0));
    CHECK_ERR("first_wait_err", CF_SENTINEL);
    /* The abandoned wait made us the owner. */
    CHECK_EQ("release", TRUE, ReleaseMutex(m));
    CHECK_EQ("second_wait", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    CHECK_EQ("release2", TRUE, ReleaseMutex(m));
    CloseHandle(m);
}

static void abandoned_in_wait_any_reports_index(void)
{
    HANDLE h[2] = {CreateEventA(NULL, FALSE, FALSE, NULL), abandoned_mutex()};
    CHECK_EQ("wait_any", WAIT_ABANDONED_0 + 1, WaitForMultipleObjects(2, h, FALSE, 0));
    CHECK_EQ("owned_after", TRUE, ReleaseMutex(h[1]));
    CloseHandle(h[0]);
    CloseHandle(h[1]);
}

static void abandoned_in_wait_all(void)
{
    HANDLE h[2] = {CreateEventA(NULL, FALSE, TRUE, NULL), abandoned_mutex()};
    DWORD r = WaitForMultipleObjects(2, h, TRUE, 0);
    CHECK_TRUE("wait_all_abandoned", r == WAIT_ABANDONED_0 || r == WAIT_ABANDONED_0 + 1);
    CHECK_EQ("event_consumed", WAIT_TIMEOUT, WaitForSingleObject(h[0], 0));
    CHECK_EQ("owned_after", TRUE, ReleaseMutex(h[1]));
    CloseHandle(h[0]);
    CloseHandle(h[1]);
}

static void closing_a_handle_keeps_ownership(void)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL), dup = NULL;
    CHECK_EQ("dup", TRUE,
             DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &dup, 0, FALSE,
                             DUPLICATE_SAME_ACCESS));
    CHECK_EQ("close_original", TRUE, CloseHandle(m));
    struct cf_waiter w;
    cf_join(cf_start_waiter(&w, dup, CF_QUIET_MS, FALSE));
    CHECK_EQ("still_owned", WAIT_TIMEOUT, w.result);
    CHECK_EQ("release_through_dup", TRUE, ReleaseMutex(dup));
    CloseHandle(dup);
}

struct create_owned {
    const char *name;
    DWORD error;
    DWORD release;
};

static DWORD WINAPI create_existing_with_owner(LPVOID arg)
{
    struct create_owned *c = arg;
    SetLastError(CF_SENTINEL);
    HANDLE m = CreateMutexA(NULL, TRUE, c->name);
    c->error = GetLastError();
    c->release = (DWORD)ReleaseMutex(m);
    CloseHandle(m);
    return 0;
}

static void create_existing_ignores_initial_owner(void)
{
    char name[64];
    struct create_owned c = {cf_name(name, sizeof name, "mutex"), 0, 0};
    HANDLE m = CreateMutexA(NULL, FALSE, c.name);
    cf_join(CreateThread(NULL, 0, create_existing_with_owner, &c, 0, NULL));
    CHECK_EQ("already_exists", ERROR_ALREADY_EXISTS, c.error);
    CHECK_EQ("not_owner", FALSE, c.release);
    CHECK_EQ("free_not_abandoned", WAIT_OBJECT_0, WaitForSingleObject(m, 0));
    ReleaseMutex(m);
    CloseHandle(m);
}

CF_MAIN("mutexes", NULL, CF_TEST(recursive_acquire_and_release), CF_TEST(initial_owner),
        CF_TEST(owned_mutex_blocks_other_threads), CF_TEST(release_by_non_owner_fails),
        CF_TEST(abandoned_by_thread_exit), CF_TEST(abandoned_in_wait_any_reports_index),
        CF_TEST(abandoned_in_wait_all), CF_TEST(closing_a_handle_keeps_ownership),
        CF_TEST(create_existing_ignores_initial_owner))
