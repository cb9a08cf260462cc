/* SRW locks: shared and exclusive modes, no recursion, no owner, waiting for a release. */
#include "conformance.h"

static SRWLOCK shared_lock = SRWLOCK_INIT;

static DWORD WINAPI try_shared(LPVOID arg)
{
    (void)arg;
    BOOLEAN got = TryAcquireSRWLockShared(&shared_lock);
    if (got)
        ReleaseSRWLockShared(&shared_lock);
    return got ? 1 : 0;
}

static DWORD WINAPI try_exclusive(LPVOID arg)
{
    (void)arg;
    BOOLEAN got = TryAcquireSRWLockExclusive(&shared_lock);
    if (got)
        ReleaseSRWLockExclusive(&shared_lock);
    return got ? 1 : 0;
}

static DWORD WINAPI release_exclusive(LPVOID arg)
{
    (void)arg;
    ReleaseSRWLockExclusive(&shared_lock);
    return 0;
}

static DWORD in_thread(LPTHREAD_START_ROUTINE body)
{
    DWORD code = CF_SENTINEL;
    HANDLE t = CreateThread(NULL, 0, body, NULL, 0, NULL);
    if (WaitForSingleObject(t, CF_LONG_MS) == WAIT_OBJECT_0)
        GetExitCodeThread(t, &code);
    CloseHandle(t);
    return code;
}

static void one_pointer(void)
{
    SRWLOCK lock = SRWLOCK_INIT;
    CHECK_EQ("size", sizeof(void *), sizeof(SRWLOCK));
    CHECK_TRUE("static_init_is_null", lock.Ptr == NULL);
    lock.Ptr = (PVOID)&lock;
    InitializeSRWLock(&lock);
    CHECK_TRUE("initialize_clears", lock.Ptr == NULL);
    AcquireSRWLockExclusive(&lock);
    ReleaseSRWLockExclusive(&lock);
    CHECK_TRUE("free_again_is_null", lock.Ptr == NULL);
}

static void exclusive_excludes_everyone(void)
{
    AcquireSRWLockExclusive(&shared_lock);
    CHECK_EQ("other_shared", 0, in_thread(try_shared));
    CHECK_EQ("other_exclusive", 0, in_thread(try_exclusive));
    CHECK_EQ("same_thread_exclusive", 0, TryAcquireSRWLockExclusive(&shared_lock));
    CHECK_EQ("same_thread_shared", 0, TryAcquireSRWLockShared(&shared_lock));
    ReleaseSRWLockExclusive(&shared_lock);
    CHECK_EQ("exclusive_after_release", 1, in_thread(try_exclusive));
}

static void shared_admits_readers(void)
{
    AcquireSRWLockShared(&shared_lock);
    CHECK_EQ("other_shared", 1, in_thread(try_shared));
    CHECK_EQ("other_exclusive", 0, in_thread(try_exclusive));
    CHECK_TRUE("same_thread_shared_again", TryAcquireSRWLockShared(&shared_lock) != 0);
    ReleaseSRWLockShared(&shared_lock);
    CHECK_EQ("same_thread_exclusive", 0, TryAcquireSRWLockExclusive(&shared_lock));
    ReleaseSRWLockShared(&shared_lock);
    CHECK_EQ("exclusive_after_release", 1, in_thread(try_exclusive));
}

static void release_from_another_thread(void)
{
    AcquireSRWLockExclusive(&shared_lock);
    in_thread(release_exclusive);
    CHECK_TRUE("free_after_other_release", TryAcquireSRWLockExclusive(&shared_lock) != 0);
    ReleaseSRWLockExclusive(&shared_lock);
}

struct acquirer {
    BOOL exclusive;
    HANDLE acquired;
};

static DWORD WINAPI acquire_signal_release(LPVOID arg)
{
    struct acquirer *a = arg;
    if (a->exclusive)
        AcquireSRWLockExclusive(&shared_lock);
    else
        AcquireSRWLockShared(&shared_lock);
    SetEvent(a->acquired);
    if (a->exclusive)
        ReleaseSRWLockExclusive(&shared_lock);
    else
        ReleaseSRWLockShared(&shared_lock);
    return 0;
}

static void waits_for_release(BOOL hold_exclusive, BOOL want_exclusive, const char *blocked,
                              const char *after)
{
    struct acquirer a = {want_exclusive, CreateEventA(NULL, TRUE, FALSE, NULL)};
    if (hold_exclusive)
        AcquireSRWLockExclusive(&shared_lock);
    else
        AcquireSRWLockShared(&shared_lock);
    HANDLE t = CreateThread(NULL, 0, acquire_signal_release, &a, 0, NULL);
    CHECK_EQ(blocked, WAIT_TIMEOUT, WaitForSingleObject(a.acquired, CF_QUIET_MS));
    if (hold_exclusive)
        ReleaseSRWLockExclusive(&shared_lock);
    else
        ReleaseSRWLockShared(&shared_lock);
    CHECK_EQ(after, WAIT_OBJECT_0, WaitForSingleObject(a.acquired, CF_LONG_MS));
    cf_join(t);
    CloseHandle(a.acquired);
}

static void blocked_acquires_get_the_lock(void)
{
    waits_for_release(TRUE, TRUE, "exclusive_waits_for_exclusive", "exclusive_after");
    waits_for_release(TRUE, FALSE, "shared_waits_for_exclusive", "shared_after");
    waits_for_release(FALSE, TRUE, "exclusive_waits_for_shared", "exclusive_after_shared");
}

CF_MAIN("srw_locks", NULL, CF_TEST(one_pointer), CF_TEST(exclusive_excludes_everyone),
        CF_TEST(shared_admits_readers), CF_TEST(release_from_another_thread),
        CF_TEST(blocked_acquires_get_the_lock))
