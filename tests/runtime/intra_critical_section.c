/* CRITICAL_SECTION: a thread's recursive lock, its fields, waiters, spin counts, Leave by others.
 */
#include <sys/wait.h>

#include "intra_threads.h"

TestSuite(intra_critical_section, .timeout = RT_TIMEOUT);

#define LOCK_FREE (-1)
#define LOCK_HELD (-2)
#define LOCK_HELD_ONE_WAITER (-6)
#define LOCK_HELD_TWO_WAITERS (-10)

static CRITICAL_SECTION cs;

static void *try_enter_and_leave(void *arg)
{
    (void)arg;
    BOOL entered = TryEnterCriticalSection(&cs);
    if (entered)
        LeaveCriticalSection(&cs);
    return (void *)(intptr_t)entered;
}

static BOOL try_enter_in_other_thread(void)
{
    struct intra_thread t;
    intra_start(&t, try_enter_and_leave, NULL);
    return (BOOL)(intptr_t)intra_join(&t);
}

Test(intra_critical_section, is_recursive_for_its_owner_and_counts_levels)
{
    InitializeCriticalSection(&cs);
    for (int level = 1; level <= 3; level++) {
        EnterCriticalSection(&cs);
        cr_assert_eq(cs.RecursionCount, level);
    }
    cr_assert(TryEnterCriticalSection(&cs), "the owner's TryEnter must succeed");
    cr_assert_eq(cs.RecursionCount, 4);
    cr_assert_eq(cs.OwningThread, (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    cr_assert_eq(cs.LockCount, LOCK_HELD, "recursion changes RecursionCount only");
    for (int level = 4; level >= 2; level--) {
        LeaveCriticalSection(&cs);
        cr_assert_not(try_enter_in_other_thread(), "free after %d of 4 leaves", 5 - level);
    }
    LeaveCriticalSection(&cs);
    cr_assert_eq(cs.LockCount, LOCK_FREE);
    cr_assert_null(cs.OwningThread);
    cr_assert(try_enter_in_other_thread(), "still held after the last leave");
    DeleteCriticalSection(&cs);
}

Test(intra_critical_section, uncontended_use_creates_no_wait_object)
{
    InitializeCriticalSection(&cs);
    for (int i = 0; i < 1000; i++) {
        EnterCriticalSection(&cs);
        LeaveCriticalSection(&cs);
    }
    cr_assert_null(cs.LockSemaphore);
    cr_assert_eq(cs.DebugInfo, (PRTL_CRITICAL_SECTION_DEBUG)(LONG_PTR)-1);
    DeleteCriticalSection(&cs);
}

struct entrant {
    struct wst_pipe entered;
    HANDLE may_leave; /* an event */
};

static void *enter_report_leave(void *arg)
{
    struct entrant *e = arg;
    EnterCriticalSection(&cs);
    wst_send(&e->entered, 'e');
    WaitForSingleObject(e->may_leave, INFINITE);
    LeaveCriticalSection(&cs);
    return NULL;
}

Test(intra_critical_section, waiters_are_counted_in_lock_count_and_get_the_lock_in_turn)
{
    InitializeCriticalSectionAndSpinCount(&cs, 1);
    struct entrant e = {.may_leave = CreateEventA(NULL, TRUE, FALSE, NULL)};
    rt_pipe(&e.entered);
    EnterCriticalSection(&cs);
    struct intra_thread first, second;
    intra_start(&first, enter_report_leave, &e);
    intra_assert_blocked(&first);
    cr_assert_eq(cs.LockCount, LOCK_HELD_ONE_WAITER);
    cr_assert_not_null(cs.LockSemaphore, "the first contention creates the wait object");
    intra_start(&second, enter_report_leave, &e);
    intra_assert_blocked(&second);
    cr_assert_eq(cs.LockCount, LOCK_HELD_TWO_WAITERS);
    LeaveCriticalSection(&cs);
    cr_assert_eq(wst_recv(&e.entered, WST_LONG_MS), 'e', "no waiter got the section");
    cr_assert_eq(cs.LockCount, LOCK_HELD_ONE_WAITER, "one woken and in, one still waiting");
    DWORD owner = (DWORD)(ULONG_PTR)cs.OwningThread;
    cr_assert(owner == (DWORD)intra_tid(&first) || owner == (DWORD)intra_tid(&second));
    cr_assert_eq(wst_recv(&e.entered, WST_QUIET_MS), -1, "both waiters were let in");
    SetEvent(e.may_leave);
    cr_assert_eq(wst_recv(&e.entered, WST_LONG_MS), 'e', "the second waiter never got in");
    intra_join(&first);
    intra_join(&second);
    cr_assert_eq(cs.LockCount, LOCK_FREE);
    CloseHandle(e.may_leave);
    wst_pipe_close(&e.entered);
    DeleteCriticalSection(&cs);
}

static long counter; /* not atomic: the section must order the increments */

static void *count_under_section(void *arg)
{
    long rounds = (long)(intptr_t)arg;
    for (long i = 0; i < rounds; i++) {
        EnterCriticalSection(&cs);
        EnterCriticalSection(&cs);
        counter++;
        LeaveCriticalSection(&cs);
        LeaveCriticalSection(&cs);
    }
    return NULL;
}

Test(intra_critical_section, excludes_other_threads_under_contention)
{
    enum { THREADS = 4, ROUNDS = 20000 };
    for (DWORD spin = 0; spin <= 4000; spin += 4000) {
        InitializeCriticalSectionAndSpinCount(&cs, spin);
        counter = 0;
        struct intra_thread t[THREADS];
        for (int i = 0; i < THREADS; i++)
            intra_start(&t[i], count_under_section, (void *)(intptr_t)ROUNDS);
        for (int i = 0; i < THREADS; i++)
            intra_join(&t[i]);
        cr_assert_eq(counter, (long)THREADS * ROUNDS, "spin %u: lost increments", (unsigned)spin);
        cr_assert_eq(cs.LockCount, LOCK_FREE);
        DeleteCriticalSection(&cs);
    }
}

static void *leave_once(void *arg)
{
    (void)arg;
    LeaveCriticalSection(&cs);
    return NULL;
}

/* winsync does what Windows does: Leave checks no owner. */
Test(intra_critical_section, leave_by_a_non_owner_releases_one_level_like_windows)
{
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    EnterCriticalSection(&cs);
    struct intra_thread t;
    intra_start(&t, leave_once, NULL);
    intra_join(&t);
    cr_assert_eq(cs.RecursionCount, 1);
    cr_assert_not(try_enter_in_other_thread(), "one level is still held");
    intra_start(&t, leave_once, NULL);
    intra_join(&t);
    cr_assert_null(cs.OwningThread);
    cr_assert(try_enter_in_other_thread(), "the second foreign leave released it");
    DeleteCriticalSection(&cs);
}

Test(intra_critical_section, leave_without_enter_only_makes_the_count_negative)
{
    InitializeCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    cr_assert_eq(cs.RecursionCount, -2);
    cr_assert_eq(cs.LockCount, LOCK_FREE);
    EnterCriticalSection(&cs);
    cr_assert_eq(cs.RecursionCount, 1);
    cr_assert_not(try_enter_in_other_thread());
    LeaveCriticalSection(&cs);
    cr_assert(try_enter_in_other_thread());
    DeleteCriticalSection(&cs);
}

static void *enter_and_end(void *arg)
{
    (void)arg;
    EnterCriticalSection(&cs);
    return NULL;
}

Test(intra_critical_section, a_thread_that_ends_inside_keeps_it_entered)
{
    InitializeCriticalSection(&cs);
    struct intra_thread t;
    intra_start(&t, enter_and_end, NULL);
    intra_join(&t);
    cr_assert_eq(cs.OwningThread, (HANDLE)(ULONG_PTR)intra_tid(&t), "no abandonment");
    cr_assert_not(TryEnterCriticalSection(&cs));
    cr_assert_not(try_enter_in_other_thread());
    DeleteCriticalSection(&cs);
}

static int owner_is_the_fork_child(void *arg)
{
    (void)arg;
    CRITICAL_SECTION local;
    InitializeCriticalSection(&local);
    EnterCriticalSection(&local);
    CHILD_CHECK(local.OwningThread == (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    EnterCriticalSection(&local);
    CHILD_CHECK(local.RecursionCount == 2);
    LeaveCriticalSection(&local);
    LeaveCriticalSection(&local);
    CHILD_CHECK(local.LockCount == LOCK_FREE);
    return 0;
}

Test(intra_critical_section, the_owner_after_fork_is_the_childs_thread)
{
    /* The parent's thread id is cached: the child's thread has another one. */
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    assert_child_ok(wst_spawn(owner_is_the_fork_child, NULL));
    DeleteCriticalSection(&cs);
}

Test(intra_critical_section, spin_counts_follow_windows)
{
    bool several_cpus = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    InitializeCriticalSection(&cs);
    cr_assert_eq(cs.SpinCount, several_cpus ? 0x020007D0u : 0u, "the default dynamic spin");
    cr_assert(InitializeCriticalSectionAndSpinCount(&cs, 0xFF000000u));
    cr_assert_eq(cs.SpinCount, several_cpus ? 0x020007D0u : 0u, "the top byte is ignored");
    cr_assert(InitializeCriticalSectionAndSpinCount(&cs, 0x1234));
    cr_assert_eq(cs.SpinCount, several_cpus ? 0x1234u : 0u);
    cr_assert_eq(SetCriticalSectionSpinCount(&cs, 50), several_cpus ? 0x1234u : 0u);
    cr_assert(InitializeCriticalSectionEx(&cs, 0x00FFFFFF, 0));
    cr_assert_eq(cs.SpinCount, several_cpus ? 0x00FFFFFFu : 0u);
    cr_assert(InitializeCriticalSectionEx(&cs, 10, RTL_CRITICAL_SECTION_FLAG_RESOURCE_TYPE));
    cr_assert_eq(cs.SpinCount & RTL_CRITICAL_SECTION_ALL_FLAG_BITS,
                 RTL_CRITICAL_SECTION_FLAG_RESOURCE_TYPE);
    SetLastError(0);
    cr_assert_not(InitializeCriticalSectionEx(&cs, 0x80000000u, 0));
    assert_last_error(ERROR_INVALID_PARAMETER);
    SetLastError(0);
    cr_assert_not(InitializeCriticalSectionEx(&cs, 0, 0x20000000u));
    assert_last_error(ERROR_INVALID_PARAMETER);
}

Test(intra_critical_section, delete_then_initialize_makes_it_usable_again)
{
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
    cr_assert_null(cs.LockSemaphore);
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    cr_assert_eq(cs.RecursionCount, 1);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
}
