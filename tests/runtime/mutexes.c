/* Mutexes: thread ownership, recursion, ERROR_NOT_OWNER, abandonment (threads and processes). */
#include "rt.h"

TestSuite(mutexes, .timeout = RT_TIMEOUT);

static int expect_wait_result(HANDLE h, DWORD expected)
{
    DWORD r = WaitForSingleObject(h, 0);
    CHILD_CHECK(r == expected);
    return 0;
}

static int expect_timeout(void *arg)
{
    return expect_wait_result(arg, WAIT_TIMEOUT);
}

static int expect_acquire_and_release(void *arg)
{
    CHILD_CHECK(expect_wait_result(arg, WAIT_OBJECT_0) == 0);
    CHILD_CHECK(ReleaseMutex(arg));
    return 0;
}

static int take_and_exit_owning(void *arg)
{
    return expect_wait_result(arg, WAIT_OBJECT_0);
}

static int release_must_fail_not_owner(void *arg)
{
    SetLastError(0);
    CHILD_CHECK(!ReleaseMutex(arg));
    CHILD_CHECK(GetLastError() == ERROR_NOT_OWNER);
    return 0;
}

Test(mutexes, recursive_owner_needs_one_release_per_level)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    cr_assert_not_null(m);
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(m, INFINITE), WAIT_OBJECT_0);
    /* Depth 3: another process cannot take it until all three levels are released. */
    for (int level = 3; level >= 1; level--) {
        assert_child_ok(wst_spawn(expect_timeout, m));
        cr_assert(ReleaseMutex(m), "release at depth %d", level);
    }
    SetLastError(0);
    cr_assert_not(ReleaseMutex(m), "one release too many succeeded");
    assert_last_error(ERROR_NOT_OWNER);
    assert_child_ok(wst_spawn(expect_acquire_and_release, m));
    CloseHandle(m);
}

static void *release_in_thread(void *arg)
{
    return (void *)(intptr_t)release_must_fail_not_owner(arg);
}

Test(mutexes, release_by_another_thread_or_process_fails_not_owner)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    pthread_t t;
    void *result;
    pthread_create(&t, NULL, release_in_thread, m);
    pthread_join(t, &result);
    cr_assert_eq(result, NULL, "another thread could release the mutex");
    assert_child_ok(wst_spawn(release_must_fail_not_owner, m));
    /* Still owned by this thread, once. */
    cr_assert(ReleaseMutex(m));
    assert_child_ok(wst_spawn(expect_acquire_and_release, m));
    /* Free now: a release by anyone fails. */
    SetLastError(0);
    cr_assert_not(ReleaseMutex(m));
    assert_last_error(ERROR_NOT_OWNER);
}

static DWORD WINAPI take_and_return(LPVOID arg)
{
    return WaitForSingleObject(arg, 0) == WAIT_OBJECT_0 ? 7 : 1;
}

static DWORD WINAPI take_and_exit_thread(LPVOID arg)
{
    if (WaitForSingleObject(arg, 0) == WAIT_OBJECT_0)
        ExitThread(8);
    return 1;
}

static void *take_and_pthread_exit(void *arg)
{
    if (WaitForSingleObject(arg, 0) == WAIT_OBJECT_0)
        pthread_exit(NULL);
    return (void *)1;
}

static void assert_abandoned_then_normal(HANDLE m)
{
    cr_assert_eq(WaitForSingleObject(m, WST_LONG_MS), WAIT_ABANDONED);
    cr_assert(ReleaseMutex(m), "WAIT_ABANDONED did not give ownership");
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_OBJECT_0, "the abandoned flag was not cleared");
    cr_assert(ReleaseMutex(m));
}

Test(mutexes, abandoned_when_owner_thread_returns_or_exits)
{
    LPTHREAD_START_ROUTINE bodies[] = {take_and_return, take_and_exit_thread};
    DWORD codes[] = {7, 8};
    for (int i = 0; i < 2; i++) {
        HANDLE m = CreateMutexA(NULL, FALSE, NULL);
        HANDLE t = CreateThread(NULL, 0, bodies[i], m, 0, NULL);
        cr_assert_not_null(t);
        cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
        DWORD code = 0;
        cr_assert(GetExitCodeThread(t, &code));
        cr_assert_eq(code, codes[i]);
        assert_abandoned_then_normal(m);
        CloseHandle(t);
        CloseHandle(m);
    }
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    pthread_t pt;
    void *result;
    pthread_create(&pt, NULL, take_and_pthread_exit, m);
    pthread_join(pt, &result);
    cr_assert_eq(result, NULL);
    assert_abandoned_then_normal(m);
}

Test(mutexes, abandoned_when_owner_process_exits)
{
    char name[96];
    wst_name(name, sizeof name, "mx-exit");
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "take-mutex", name, NULL});
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0, "the helper did not take the mutex");
    assert_abandoned_then_normal(m);
    CloseHandle(m);
}

Test(mutexes, a_poll_after_the_owner_process_ended_sees_it_abandoned)
{
    /* The owner's end abandons the mutex at once: no wait with a timeout is needed to
     * notice it. */
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    assert_child_ok(wst_spawn(take_and_exit_owning, m));
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_ABANDONED);
    cr_assert(ReleaseMutex(m));
}

struct owner_args {
    HANDLE mutex;
    struct wst_pipe *go, *owned;
};

/* Takes the mutex, reports, and exits owning it when told to. */
static int own_until_told(void *arg)
{
    struct owner_args *a = arg;
    CHILD_CHECK(WaitForSingleObject(a->mutex, 0) == WAIT_OBJECT_0);
    wst_send(a->owned, 'o');
    CHILD_CHECK(wst_recv(a->go, WST_LONG_MS) == 'g');
    return 0;
}

Test(mutexes, blocked_waiters_get_abandoned_when_owner_process_exits)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    HANDLE unsignalled = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct wst_pipe go, owned, report, ready;
    rt_pipe(&go);
    rt_pipe(&owned);
    rt_pipe(&report);
    rt_pipe(&ready);
    struct owner_args a = {m, &go, &owned};
    pid_t owner = wst_spawn(own_until_told, &a);
    cr_assert_eq(wst_recv(&owned, WST_LONG_MS), 'o');

    /* A thread of ours waits on {event, mutex}: wait-any reports index 1 abandoned. */
    struct rt_wait w = {.count = 2,
                        .handles = {unsignalled, m},
                        .timeout = INFINITE,
                        .report = &report,
                        .ready = &ready};
    rt_start_waiter_thread(&w);
    rt_assert_blocked(&w, rt_await_ready(&w));
    wst_send(&go, 'g');
    assert_child_ok(owner);
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), rt_code(WAIT_ABANDONED_0 + 1));
}

static DWORD WINAPI take_and_return_plain(LPVOID arg)
{
    return WaitForSingleObject(arg, 0);
}

Test(mutexes, wait_all_on_an_abandoned_mutex_returns_wait_abandoned_0)
{
    HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, take_and_return_plain, m, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    HANDLE both[2] = {ev, m};
    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_ABANDONED_0);
    cr_assert(ReleaseMutex(m));
    cr_assert_eq(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    cr_assert(ReleaseMutex(m));
}

Test(mutexes, closing_a_handle_never_abandons_or_releases)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    HANDLE other;
    cr_assert(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &other, 0, FALSE,
                              DUPLICATE_SAME_ACCESS));
    cr_assert(CloseHandle(m));
    assert_child_ok(wst_spawn(expect_timeout, other)); /* still owned by this thread */
    cr_assert(ReleaseMutex(other));
    /* Released normally, not abandoned: the next owner gets WAIT_OBJECT_0. */
    assert_child_ok(wst_spawn(expect_acquire_and_release, other));
    CloseHandle(other);
}

static int create_existing_with_initial_owner(void *arg)
{
    HANDLE m = CreateMutexA(NULL, TRUE, arg);
    CHILD_CHECK(m != NULL);
    CHILD_CHECK(GetLastError() == ERROR_ALREADY_EXISTS);
    SetLastError(0);
    CHILD_CHECK(!ReleaseMutex(m)); /* bInitialOwner was ignored */
    CHILD_CHECK(GetLastError() == ERROR_NOT_OWNER);
    return 0;
}

Test(mutexes, create_of_an_existing_mutex_ignores_initial_owner)
{
    char name[96];
    wst_name(name, sizeof name, "mx-existing");
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    cr_assert_eq(GetLastError(), 0);
    assert_child_ok(wst_spawn(create_existing_with_initial_owner, name));
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_OBJECT_0, "the child became owner");
    cr_assert(ReleaseMutex(m));
}

Test(mutexes, release_needs_ownership_not_modify_access)
{
    char name[96];
    wst_name(name, sizeof name, "mx-access");
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    HANDLE sync_only = OpenMutexA(SYNCHRONIZE, FALSE, name);
    cr_assert_not_null(sync_only);
    cr_assert_eq(WaitForSingleObject(sync_only, 0), WAIT_OBJECT_0);
    cr_assert(ReleaseMutex(sync_only));
    CloseHandle(sync_only);
    CloseHandle(m);
}

Test(mutexes, release_wakes_a_waiter_in_another_process_only_at_depth_zero)
{
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    cr_assert_eq(WaitForSingleObject(m, 0), WAIT_OBJECT_0); /* depth 2 */
    struct wst_pipe report, ready;
    rt_pipe(&report);
    rt_pipe(&ready);
    struct rt_wait w = rt_wait_one(m, INFINITE, &report, &ready);
    pid_t pid = rt_spawn_waiter(&w);
    cr_assert_eq(wst_recv(&ready, WST_LONG_MS), 'r');
    rt_assert_blocked(&w, pid);
    cr_assert(ReleaseMutex(m));
    cr_assert_eq(wst_recv(&report, WST_QUIET_MS), -1, "woken while still owned once");
    cr_assert(ReleaseMutex(m));
    cr_assert_eq(wst_recv(&report, WST_LONG_MS), 0);
    assert_child_ok(pid); /* it exits owning the mutex */
    cr_assert_eq(WaitForSingleObject(m, WST_LONG_MS), WAIT_ABANDONED);
}

static DWORD WINAPI try_take(LPVOID arg)
{
    return WaitForSingleObject(arg, 0);
}

Test(mutexes, initial_owner_is_the_creating_thread)
{
    HANDLE m = CreateMutexExA(NULL, NULL, CREATE_MUTEX_INITIAL_OWNER, MUTEX_ALL_ACCESS);
    cr_assert_not_null(m);
    HANDLE t = CreateThread(NULL, 0, try_take, m, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    DWORD code;
    cr_assert(GetExitCodeThread(t, &code));
    cr_assert_eq(code, WAIT_TIMEOUT, "another thread took an owned mutex");
    cr_assert(ReleaseMutex(m));
    HANDLE free_m = CreateMutexW(NULL, FALSE, NULL);
    HANDLE t2 = CreateThread(NULL, 0, try_take, free_m, 0, NULL);
    cr_assert_eq(WaitForSingleObject(t2, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert(GetExitCodeThread(t2, &code));
    cr_assert_eq(code, WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(free_m, 0), WAIT_ABANDONED); /* t2 ended owning it */
}
