/* Critical sections: fields, recursion, ownership by a thread, spin counts, Leave by others. */
#include "conformance.h"

#include <stddef.h>

#define CS_NO_DEBUG_INFO ((PRTL_CRITICAL_SECTION_DEBUG)(LONG_PTR)-1)

static CRITICAL_SECTION shared_cs;

static DWORD WINAPI try_enter_and_leave(LPVOID arg)
{
    (void)arg;
    BOOL entered = TryEnterCriticalSection(&shared_cs);
    if (entered)
        LeaveCriticalSection(&shared_cs);
    return (DWORD)entered;
}

static DWORD WINAPI leave_once(LPVOID arg)
{
    (void)arg;
    LeaveCriticalSection(&shared_cs);
    return 0;
}

static DWORD WINAPI enter_and_exit(LPVOID arg)
{
    (void)arg;
    EnterCriticalSection(&shared_cs);
    return 0;
}

/* Runs `body` in a new thread and returns its exit code (CF_SENTINEL if it did not end). */
static DWORD in_thread(LPTHREAD_START_ROUTINE body, DWORD *thread_id)
{
    DWORD code = CF_SENTINEL, id = 0;
    HANDLE t = CreateThread(NULL, 0, body, NULL, 0, &id);
    if (WaitForSingleObject(t, CF_LONG_MS) == WAIT_OBJECT_0)
        GetExitCodeThread(t, &code);
    CloseHandle(t);
    if (thread_id)
        *thread_id = id;
    return code;
}

static void structure_sizes(void)
{
    CHECK_EQ("critical_section", 40, sizeof(CRITICAL_SECTION));
    CHECK_EQ("lock_count_offset", 8, offsetof(RTL_CRITICAL_SECTION, LockCount));
    CHECK_EQ("owning_thread_offset", 16, offsetof(RTL_CRITICAL_SECTION, OwningThread));
    CHECK_EQ("spin_count_offset", 32, offsetof(RTL_CRITICAL_SECTION, SpinCount));
}

static void fresh_section_fields(void)
{
    CRITICAL_SECTION cs;
    memset(&cs, 0x11, sizeof cs);
    InitializeCriticalSection(&cs);
    CHECK_EQ("lock_count", (DWORD)-1, cs.LockCount);
    CHECK_EQ("recursion", 0, cs.RecursionCount);
    CHECK_TRUE("no_owner", cs.OwningThread == NULL);
    CHECK_TRUE("no_wait_object", cs.LockSemaphore == NULL);
    /* Windows 8+: no debug information; Vista+ on several CPUs: a dynamic spin of 2000. */
    CHECK_TRUE("no_debug_info", cs.DebugInfo == CS_NO_DEBUG_INFO);
    CHECK_EQ("default_spin", 0x020007D0u, (DWORD)cs.SpinCount);
    DeleteCriticalSection(&cs);
}

static void recursion_and_fields(void)
{
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    HANDLE me = (HANDLE)(ULONG_PTR)GetCurrentThreadId();
    EnterCriticalSection(&cs);
    CHECK_EQ("recursion1", 1, cs.RecursionCount);
    CHECK_TRUE("owner1", cs.OwningThread == me);
    CHECK_EQ("lock_count_held", (DWORD)-2, cs.LockCount);
    EnterCriticalSection(&cs);
    CHECK_EQ("try_enter_own", TRUE, TryEnterCriticalSection(&cs));
    CHECK_EQ("recursion3", 3, cs.RecursionCount);
    CHECK_EQ("lock_count_recursive", (DWORD)-2, cs.LockCount);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    CHECK_EQ("recursion_back_to_1", 1, cs.RecursionCount);
    CHECK_TRUE("still_owner", cs.OwningThread == me);
    LeaveCriticalSection(&cs);
    CHECK_EQ("recursion0", 0, cs.RecursionCount);
    CHECK_TRUE("no_owner", cs.OwningThread == NULL);
    CHECK_EQ("lock_count_free", (DWORD)-1, cs.LockCount);
    DeleteCriticalSection(&cs);
}

static void other_thread_cannot_enter(void)
{
    InitializeCriticalSection(&shared_cs);
    EnterCriticalSection(&shared_cs);
    CHECK_EQ("try_enter_other_thread", FALSE, in_thread(try_enter_and_leave, NULL));
    LeaveCriticalSection(&shared_cs);
    CHECK_EQ("try_enter_after_leave", TRUE, in_thread(try_enter_and_leave, NULL));
    CHECK_EQ("free_again", (DWORD)-1, shared_cs.LockCount);
    DeleteCriticalSection(&shared_cs);
}

struct blocked_enter {
    CRITICAL_SECTION *cs;
    HANDLE entered;
    HANDLE may_leave;
};

static DWORD WINAPI enter_signal_leave(LPVOID arg)
{
    struct blocked_enter *b = arg;
    EnterCriticalSection(b->cs);
    SetEvent(b->entered);
    WaitForSingleObject(b->may_leave, CF_LONG_MS);
    LeaveCriticalSection(b->cs);
    return 0;
}

static void enter_waits_for_the_owner(void)
{
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    struct blocked_enter b = {&cs, CreateEventA(NULL, TRUE, FALSE, NULL),
                              CreateEventA(NULL, TRUE, FALSE, NULL)};
    EnterCriticalSection(&cs);
    DWORD id = 0;
    HANDLE t = CreateThread(NULL, 0, enter_signal_leave, &b, 0, &id);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(b.entered, CF_QUIET_MS));
    LeaveCriticalSection(&cs);
    CHECK_EQ("entered_after_leave", WAIT_OBJECT_0, WaitForSingleObject(b.entered, CF_LONG_MS));
    CHECK_TRUE("owner_is_other", cs.OwningThread == (HANDLE)(ULONG_PTR)id);
    CHECK_EQ("try_enter_while_other_owns", FALSE, TryEnterCriticalSection(&cs));
    SetEvent(b.may_leave);
    CHECK_EQ("joined", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("free_at_end", (DWORD)-1, cs.LockCount);
    CloseHandle(b.entered);
    CloseHandle(b.may_leave);
    DeleteCriticalSection(&cs);
}

static void leave_without_enter(void)
{
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    CHECK_EQ("recursion_minus1", (DWORD)-1, cs.RecursionCount);
    CHECK_EQ("lock_count_untouched", (DWORD)-1, cs.LockCount);
    LeaveCriticalSection(&cs);
    CHECK_EQ("recursion_minus2", (DWORD)-2, cs.RecursionCount);
    EnterCriticalSection(&cs);
    CHECK_EQ("enter_sets_recursion_1", 1, cs.RecursionCount);
    CHECK_TRUE("enter_sets_owner", cs.OwningThread == (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    LeaveCriticalSection(&cs);
    CHECK_EQ("free", (DWORD)-1, cs.LockCount);
    DeleteCriticalSection(&cs);
}

static void leave_by_non_owner_releases(void)
{
    InitializeCriticalSection(&shared_cs);
    EnterCriticalSection(&shared_cs);
    in_thread(leave_once, NULL);
    CHECK_EQ("recursion0", 0, shared_cs.RecursionCount);
    CHECK_TRUE("no_owner", shared_cs.OwningThread == NULL);
    CHECK_EQ("others_may_enter", TRUE, in_thread(try_enter_and_leave, NULL));
    DeleteCriticalSection(&shared_cs);
}

static void thread_exit_keeps_it_entered(void)
{
    InitializeCriticalSection(&shared_cs);
    DWORD id = 0;
    in_thread(enter_and_exit, &id);
    CHECK_TRUE("owner_is_dead_thread", shared_cs.OwningThread == (HANDLE)(ULONG_PTR)id);
    CHECK_EQ("recursion", 1, shared_cs.RecursionCount);
    CHECK_EQ("try_enter_fails", FALSE, TryEnterCriticalSection(&shared_cs));
    CHECK_EQ("other_thread_fails", FALSE, in_thread(try_enter_and_leave, NULL));
    DeleteCriticalSection(&shared_cs);
}

static void spin_counts(void)
{
    CRITICAL_SECTION cs;
    CHECK_EQ("and_spin_count", TRUE, InitializeCriticalSectionAndSpinCount(&cs, 0x1234));
    CHECK_EQ("spin_recorded", 0x1234, (DWORD)cs.SpinCount);
    CHECK_EQ("set_returns_previous", 0x1234, SetCriticalSectionSpinCount(&cs, 100));
    CHECK_EQ("set_again", 100, SetCriticalSectionSpinCount(&cs, 0));
    CHECK_EQ("spin_now_0", 0, (DWORD)cs.SpinCount);
    DeleteCriticalSection(&cs);
    CHECK_EQ("ex_no_debug_info", TRUE,
             InitializeCriticalSectionEx(&cs, 4000, CRITICAL_SECTION_NO_DEBUG_INFO));
    /* Windows 7+ also records the flag in the top byte; the count is the low 24 bits. */
    CHECK_EQ("ex_spin", 4000, (DWORD)cs.SpinCount & 0x00FFFFFFu);
    EnterCriticalSection(&cs);
    CHECK_EQ("ex_recursion", 1, cs.RecursionCount);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
}

static void ex_rejects_reserved_bits(void)
{
    CRITICAL_SECTION cs;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("spin_with_flag_bits", FALSE, InitializeCriticalSectionEx(&cs, 0x01000000, 0));
    CHECK_ERR("spin_with_flag_bits_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("unknown_flag", FALSE, InitializeCriticalSectionEx(&cs, 0, 0x80000000u));
    CHECK_ERR("unknown_flag_err", ERROR_INVALID_PARAMETER);
}

CF_MAIN("critical_sections", NULL, CF_TEST(structure_sizes), CF_TEST(fresh_section_fields),
        CF_TEST(recursion_and_fields), CF_TEST(other_thread_cannot_enter),
        CF_TEST(enter_waits_for_the_owner), CF_TEST(leave_without_enter),
        CF_TEST(leave_by_non_owner_releases), CF_TEST(thread_exit_keeps_it_entered),
        CF_TEST(spin_counts), CF_TEST(ex_rejects_reserved_bits))
