/* Handles: DuplicateHandle, pseudo-handles, inherit flag, closed and wrong-type handles. */
#include "rt.h"

TestSuite(handles, .timeout = RT_TIMEOUT);

static HANDLE duplicate(HANDLE h, BOOL inherit, DWORD options)
{
    HANDLE out = NULL;
    cr_assert(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &out, 0, inherit,
                              options | DUPLICATE_SAME_ACCESS),
              "DuplicateHandle: %u", (unsigned)GetLastError());
    return out;
}

Test(handles, a_duplicate_is_a_second_handle_that_keeps_the_object_alive)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE dup = duplicate(ev, FALSE, 0);
    cr_assert_neq(dup, ev);
    cr_assert_eq((uintptr_t)dup % 4, 0);
    cr_assert(SetEvent(ev));
    cr_assert_eq(WaitForSingleObject(dup, 0), WAIT_OBJECT_0);
    cr_assert(CloseHandle(ev));
    cr_assert(SetEvent(dup), "the object died with its first handle");
    cr_assert_eq(WaitForSingleObject(dup, 0), WAIT_OBJECT_0);
}

Test(handles, duplicate_close_source_closes_the_source)
{
    HANDLE sem = CreateSemaphoreA(NULL, 1, 1, NULL);
    HANDLE moved = duplicate(sem, FALSE, DUPLICATE_CLOSE_SOURCE);
    cr_assert_neq(moved, sem);
    SetLastError(0);
    cr_assert_not(CloseHandle(sem), "the source is still open");
    assert_last_error(ERROR_INVALID_HANDLE);
    cr_assert_eq(WaitForSingleObject(moved, 0), WAIT_OBJECT_0);
}

static DWORD WINAPI real_handle_to_self(LPVOID arg)
{
    *(HANDLE *)arg = duplicate(GetCurrentThread(), FALSE, 0);
    return 17;
}

Test(handles, duplicating_the_current_thread_pseudo_handle_gives_a_real_handle)
{
    HANDLE real = NULL;
    DWORD tid;
    HANDLE t = CreateThread(NULL, 0, real_handle_to_self, &real, 0, &tid);
    cr_assert_eq(WaitForSingleObject(t, WST_LONG_MS), WAIT_OBJECT_0);
    cr_assert_not_null(real);
    cr_assert_neq(real, GetCurrentThread());
    cr_assert_eq(GetThreadId(real), tid, "the real handle names the thread that made it");
    cr_assert_eq(WaitForSingleObject(real, 0), WAIT_OBJECT_0, "that thread has ended");
    DWORD code;
    cr_assert(GetExitCodeThread(real, &code));
    cr_assert_eq(code, 17);
    cr_assert_eq(GetThreadId(GetCurrentThread()), GetCurrentThreadId());
}

static int wait_on_parent(void *arg)
{
    HANDLE parent = arg;
    CHILD_CHECK(GetProcessId(parent) == (DWORD)getppid());
    CHILD_CHECK(WaitForSingleObject(parent, 20) == WAIT_TIMEOUT); /* it is alive */
    return 0;
}

Test(handles, duplicating_the_current_process_pseudo_handle_gives_a_real_handle)
{
    HANDLE real = duplicate(GetCurrentProcess(), FALSE, 0);
    cr_assert_neq(real, GetCurrentProcess());
    cr_assert_eq(GetProcessId(real), (DWORD)getpid());
    cr_assert_eq(GetProcessId(GetCurrentProcess()), GetCurrentProcessId());
    /* In a child, the pseudo-handle means the child; the real one still means us. */
    assert_child_ok(wst_spawn(wait_on_parent, real));
}

Test(handles, inherit_flag_follows_create_duplicate_and_set_handle_information)
{
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE plain = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE inheritable = CreateMutexA(&inherit, FALSE, NULL);
    DWORD flags = 99;
    cr_assert(GetHandleInformation(plain, &flags));
    cr_assert_eq(flags, 0);
    cr_assert(GetHandleInformation(inheritable, &flags));
    cr_assert_eq(flags, HANDLE_FLAG_INHERIT);

    cr_assert(SetHandleInformation(plain, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    cr_assert(GetHandleInformation(plain, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    cr_assert(SetHandleInformation(plain, HANDLE_FLAG_INHERIT, 0));
    cr_assert(GetHandleInformation(plain, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, 0);
    /* A mask without the inherit bit leaves it alone. */
    cr_assert(SetHandleInformation(plain, 0, HANDLE_FLAG_INHERIT));
    cr_assert(GetHandleInformation(plain, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, 0);

    HANDLE dup_inherit = duplicate(plain, TRUE, 0);
    cr_assert(GetHandleInformation(dup_inherit, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    HANDLE dup_plain = duplicate(inheritable, FALSE, 0);
    cr_assert(GetHandleInformation(dup_plain, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, 0, "the duplicate copied the source's flag");

    char name[96];
    wst_name(name, sizeof name, "inherit-open");
    HANDLE named = CreateSemaphoreA(NULL, 0, 1, name);
    HANDLE opened = OpenSemaphoreA(SYNCHRONIZE, TRUE, name);
    cr_assert(GetHandleInformation(opened, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    cr_assert(GetHandleInformation(named, &flags));
    cr_assert_eq(flags & HANDLE_FLAG_INHERIT, 0);
}

Test(handles, every_operation_on_a_closed_handle_fails_invalid_handle)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    HANDLE s = CreateSemaphoreA(NULL, 0, 5, NULL);
    HANDLE map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    cr_assert(CloseHandle(ev) && CloseHandle(m) && CloseHandle(s) && CloseHandle(map));
    DWORD flags;
#define EXPECT_INVALID(call)                                                                       \
    do {                                                                                           \
        SetLastError(0);                                                                           \
        cr_assert_not(call, #call " succeeded");                                                   \
        assert_last_error(ERROR_INVALID_HANDLE);                                                   \
    } while (0)
    EXPECT_INVALID(SetEvent(ev));
    EXPECT_INVALID(ResetEvent(ev));
    EXPECT_INVALID(PulseEvent(ev));
    EXPECT_INVALID(ReleaseMutex(m));
    EXPECT_INVALID(ReleaseSemaphore(s, 1, NULL));
    EXPECT_INVALID(CloseHandle(ev));
    EXPECT_INVALID(GetHandleInformation(s, &flags));
    EXPECT_INVALID(SetHandleInformation(s, HANDLE_FLAG_INHERIT, 0));
    EXPECT_INVALID(MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, 0));
    HANDLE out;
    EXPECT_INVALID(DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &out, 0, FALSE,
                                   DUPLICATE_SAME_ACCESS));
    SetLastError(0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_FAILED);
    assert_last_error(ERROR_INVALID_HANDLE);
}

static VOID CALLBACK never_runs(ULONG_PTR data)
{
    (void)data;
}

Test(handles, operations_on_the_wrong_type_fail_invalid_handle_and_change_nothing)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    HANDLE s = CreateSemaphoreA(NULL, 0, 5, NULL);
    HANDLE map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    HANDLE self = duplicate(GetCurrentThread(), FALSE, 0);
    HANDLE proc = duplicate(GetCurrentProcess(), FALSE, 0);
    EXPECT_INVALID(SetEvent(s));
    EXPECT_INVALID(SetEvent(m));
    EXPECT_INVALID(SetEvent(map));
    EXPECT_INVALID(SetEvent(self));
    EXPECT_INVALID(SetEvent(proc));
    EXPECT_INVALID(ResetEvent(s));
    EXPECT_INVALID(PulseEvent(m));
    EXPECT_INVALID(ReleaseMutex(ev));
    EXPECT_INVALID(ReleaseMutex(s));
    EXPECT_INVALID(ReleaseSemaphore(ev, 1, NULL));
    EXPECT_INVALID(ReleaseSemaphore(m, 1, NULL));
    EXPECT_INVALID(MapViewOfFile(ev, FILE_MAP_ALL_ACCESS, 0, 0, 0));
    DWORD code;
    EXPECT_INVALID(GetExitCodeThread(ev, &code));
    EXPECT_INVALID(GetExitCodeProcess(self, &code));
    EXPECT_INVALID(TerminateProcess(ev, 1));
    SetLastError(0);
    cr_assert_eq(QueueUserAPC(never_runs, s, 0), 0);
    assert_last_error(ERROR_INVALID_HANDLE);

    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    cr_assert(ReleaseMutex(m), "the mutex lost its owner");
    cr_assert_eq(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
}

/* Issue 12, bug 3: a generic right stands for the type's own rights, not for every right. */
Test(handles, generic_rights_grant_only_what_the_type_maps_them_to)
{
    HANDLE self = GetCurrentProcess();
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL), s = CreateSemaphoreA(NULL, 1, 9, NULL);
    HANDLE m = CreateMutexA(NULL, FALSE, NULL), d;
    cr_assert(DuplicateHandle(self, e, self, &d, GENERIC_READ, FALSE, 0));
    SetLastError(0);
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_FAILED);
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert_not(SetEvent(d));
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert(DuplicateHandle(self, e, self, &d, GENERIC_WRITE, FALSE, 0));
    cr_assert(ResetEvent(d));
    cr_assert(DuplicateHandle(self, e, self, &d, GENERIC_EXECUTE, FALSE, 0));
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_TIMEOUT);
    cr_assert_not(SetEvent(d));
    cr_assert(DuplicateHandle(self, s, self, &d, GENERIC_READ | GENERIC_WRITE, FALSE, 0));
    cr_assert(ReleaseSemaphore(d, 1, NULL));
    SetLastError(0);
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_FAILED);
    assert_last_error(ERROR_ACCESS_DENIED);
    cr_assert(DuplicateHandle(self, m, self, &d, GENERIC_WRITE, FALSE, 0));
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_FAILED);
    cr_assert(DuplicateHandle(self, m, self, &d, GENERIC_ALL, FALSE, 0));
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
    cr_assert(ReleaseMutex(d));
    cr_assert(DuplicateHandle(self, self, self, &d, GENERIC_EXECUTE, FALSE, 0));
    DWORD code;
    cr_assert(GetExitCodeProcess(d, &code));
    cr_assert_eq(WaitForSingleObject(d, 0), WAIT_TIMEOUT);
    cr_assert(DuplicateHandle(self, GetCurrentThread(), self, &d, GENERIC_WRITE, FALSE, 0));
    SetLastError(0);
    cr_assert_not(GetExitCodeThread(d, &code));
    assert_last_error(ERROR_ACCESS_DENIED);
    HANDLE f = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    cr_assert(DuplicateHandle(self, f, self, &d, GENERIC_READ, FALSE, 0));
    void *view = MapViewOfFile(d, FILE_MAP_READ, 0, 0, 0);
    cr_assert_not_null(view);
    UnmapViewOfFile(view);
    cr_assert_null(MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0));
}

Test(handles, open_with_no_access_fails_with_access_denied)
{
    char name[96];
    wst_name(name, sizeof name, "noaccess");
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
    cr_assert_not_null(e);
    SetLastError(0);
    cr_assert_null(OpenEventA(0, FALSE, name));
    assert_last_error(ERROR_ACCESS_DENIED);
    SetLastError(0);
    cr_assert_null(OpenMutexA(0, FALSE, name)); /* another type's name: as before */
    assert_last_error(ERROR_INVALID_HANDLE);
}
