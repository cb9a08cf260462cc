/* Bad input: every call fails with its Windows error and leaves other objects intact. */
#include "rt.h"

TestSuite(bad_input, .timeout = RT_TIMEOUT);

#define BOGUS ((HANDLE)(uintptr_t)0x7ffffff0)

#define EXPECT_FAIL(call, error)                                                                   \
    do {                                                                                           \
        SetLastError(0);                                                                           \
        cr_assert_not(call, #call " succeeded");                                                   \
        assert_last_error(error);                                                                  \
    } while (0)

#define EXPECT_WAIT_FAILED(call, error)                                                            \
    do {                                                                                           \
        SetLastError(0);                                                                           \
        cr_assert_eq(call, WAIT_FAILED, #call);                                                    \
        assert_last_error(error);                                                                  \
    } while (0)

Test(bad_input, wait_counts_of_zero_or_above_64_are_invalid_parameter)
{
    HANDLE ev[MAXIMUM_WAIT_OBJECTS + 1];
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        ev[i] = CreateEventA(NULL, FALSE, TRUE, NULL);
    DWORD counts[] = {0, MAXIMUM_WAIT_OBJECTS + 1, 1000, 0xFFFFFFFFu};
    for (int i = 0; i < 4; i++)
        for (int all = 0; all <= 1; all++) {
            EXPECT_WAIT_FAILED(WaitForMultipleObjects(counts[i], ev, all, 0),
                               ERROR_INVALID_PARAMETER);
            EXPECT_WAIT_FAILED(WaitForMultipleObjectsEx(counts[i], ev, all, 0, TRUE),
                               ERROR_INVALID_PARAMETER);
        }
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        cr_assert_eq(WaitForSingleObject(ev[i], 0), WAIT_OBJECT_0, "event %d was consumed", i);
}

Test(bad_input, the_same_object_twice_in_a_wait_all_is_invalid_parameter)
{
    HANDLE ev = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE other = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE alias;
    cr_assert(DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &alias, 0, FALSE,
                              DUPLICATE_SAME_ACCESS));
    HANDLE same[3] = {ev, other, ev};
    HANDLE dup[3] = {other, ev, alias};
    HANDLE low_bits[2] = {ev, (HANDLE)((uintptr_t)ev | 3)};
    EXPECT_WAIT_FAILED(WaitForMultipleObjects(3, same, TRUE, 0), ERROR_INVALID_PARAMETER);
    EXPECT_WAIT_FAILED(WaitForMultipleObjects(3, dup, TRUE, 0), ERROR_INVALID_PARAMETER);
    EXPECT_WAIT_FAILED(WaitForMultipleObjects(2, low_bits, TRUE, 0), ERROR_INVALID_PARAMETER);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0, "a failed wait-all consumed it");
    /* Wait-any accepts duplicates and satisfies the object once. */
    cr_assert(SetEvent(ev));
    HANDLE any[2] = {ev, alias};
    cr_assert_eq(WaitForMultipleObjects(2, any, FALSE, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
}

Test(bad_input, pseudo_handles_are_rejected_by_wait_for_multiple_objects)
{
    /* Wine accepts these; Windows rejects them (docs/reference/windows-semantics.md). */
    HANDLE ev = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE pseudo[3] = {GetCurrentProcess(), GetCurrentThread(), INVALID_HANDLE_VALUE};
    for (int i = 0; i < 3; i++) {
        HANDLE set[2] = {pseudo[i], ev};
        EXPECT_WAIT_FAILED(WaitForMultipleObjects(1, &pseudo[i], FALSE, 0), ERROR_INVALID_HANDLE);
        EXPECT_WAIT_FAILED(WaitForMultipleObjects(2, set, FALSE, 0), ERROR_INVALID_HANDLE);
        EXPECT_WAIT_FAILED(WaitForMultipleObjects(2, set, TRUE, 0), ERROR_INVALID_HANDLE);
    }
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    /* WaitForSingleObject takes them: INVALID_HANDLE_VALUE is GetCurrentProcess(). */
    cr_assert_eq(WaitForSingleObject(INVALID_HANDLE_VALUE, 0), WAIT_TIMEOUT);
}

Test(bad_input, an_invalid_handle_fails_the_whole_wait_and_satisfies_nothing)
{
    HANDLE before = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE after = CreateSemaphoreA(NULL, 1, 1, NULL);
    HANDLE closed = CreateEventA(NULL, FALSE, TRUE, NULL);
    CloseHandle(closed);
    HANDLE bad[3] = {NULL, BOGUS, closed};
    for (int i = 0; i < 3; i++) {
        HANDLE set[3] = {before, bad[i], after};
        EXPECT_WAIT_FAILED(WaitForMultipleObjects(3, set, FALSE, 0), ERROR_INVALID_HANDLE);
        EXPECT_WAIT_FAILED(WaitForMultipleObjects(3, set, TRUE, 0), ERROR_INVALID_HANDLE);
        EXPECT_WAIT_FAILED(WaitForSingleObject(bad[i], 0), ERROR_INVALID_HANDLE);
        EXPECT_WAIT_FAILED(WaitForSingleObjectEx(bad[i], 10, TRUE), ERROR_INVALID_HANDLE);
    }
    cr_assert_eq(WaitForSingleObject(before, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(after, 0), WAIT_OBJECT_0);
}

static VOID CALLBACK never_runs(ULONG_PTR data)
{
    (void)data;
}

Test(bad_input, invalid_handles_to_object_calls_fail_invalid_handle)
{
    HANDLE bad[2] = {NULL, BOGUS};
    for (int i = 0; i < 2; i++) {
        HANDLE h = bad[i];
        DWORD value;
        HANDLE out;
        EXPECT_FAIL(SetEvent(h), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(ResetEvent(h), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(PulseEvent(h), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(ReleaseMutex(h), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(ReleaseSemaphore(h, 1, NULL), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(CloseHandle(h), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(GetHandleInformation(h, &value), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &out, 0, FALSE,
                                    DUPLICATE_SAME_ACCESS),
                    ERROR_INVALID_HANDLE);
        EXPECT_FAIL(GetExitCodeThread(h, &value), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(GetExitCodeProcess(h, &value), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(TerminateProcess(h, 1), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(QueueUserAPC(never_runs, h, 0), ERROR_INVALID_HANDLE);
        EXPECT_FAIL(MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0), ERROR_INVALID_HANDLE);
        SetLastError(0);
        cr_assert_eq(GetThreadId(h), 0);
        assert_last_error(ERROR_INVALID_HANDLE);
        SetLastError(0);
        cr_assert_eq(GetProcessId(h), 0);
        assert_last_error(ERROR_INVALID_HANDLE);
    }
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE out;
    EXPECT_FAIL(
        DuplicateHandle(BOGUS, ev, GetCurrentProcess(), &out, 0, FALSE, DUPLICATE_SAME_ACCESS),
        ERROR_INVALID_HANDLE);
    EXPECT_FAIL(DuplicateHandle(GetCurrentProcess(), ev, ev, &out, 0, FALSE, DUPLICATE_SAME_ACCESS),
                ERROR_INVALID_HANDLE);
}

/* Windows faults on these NULL out-parameters; winsync must fail the call instead. */
static void assert_null_out_rejected(BOOL ok, const char *what)
{
    DWORD err = GetLastError();
    cr_assert_not(ok, "%s succeeded", what);
    cr_assert(err == ERROR_INVALID_PARAMETER || err == ERROR_NOACCESS,
              "%s: GetLastError() = %u, expected 87 or 998", what, (unsigned)err);
}

Test(bad_input, null_out_parameters_fail_cleanly)
{
    HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    SetLastError(0);
    assert_null_out_rejected(GetExitCodeThread(GetCurrentThread(), NULL), "GetExitCodeThread");
    SetLastError(0);
    assert_null_out_rejected(GetExitCodeProcess(GetCurrentProcess(), NULL), "GetExitCodeProcess");
    SetLastError(0);
    assert_null_out_rejected(GetHandleInformation(ev, NULL), "GetHandleInformation");
    SetLastError(0);
    assert_null_out_rejected(QueryPerformanceCounter(NULL), "QueryPerformanceCounter");
    SetLastError(0);
    assert_null_out_rejected(QueryPerformanceFrequency(NULL), "QueryPerformanceFrequency");
    SetLastError(0);
    assert_null_out_rejected(WaitForMultipleObjects(1, NULL, FALSE, 0) != WAIT_FAILED,
                             "WaitForMultipleObjects(lpHandles = NULL)");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s exit 0", RT_CHILD_PATH);
    STARTUPINFOA si = {.cb = sizeof si};
    SetLastError(0);
    assert_null_out_rejected(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, NULL),
                             "CreateProcessA(lpProcessInformation = NULL)");
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
}

Test(bad_input, process_thread_and_mapping_arguments)
{
    PROCESS_INFORMATION pi;
    STARTUPINFOA si = {.cb = sizeof si};
    char cmd[] = "/nonexistent/winsync-no-such-program arg";
    EXPECT_FAIL(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
                ERROR_FILE_NOT_FOUND);
    SetLastError(0);
    cr_assert_null(OpenProcess(PROCESS_ALL_ACCESS, FALSE, 0x7ffffff0));
    assert_last_error(ERROR_INVALID_PARAMETER);
    SetLastError(0);
    cr_assert_null(OpenThread(THREAD_ALL_ACCESS, FALSE, 0x7ffffff0));
    assert_last_error(ERROR_INVALID_PARAMETER);

    SetLastError(0);
    cr_assert_null(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL),
                   "a page-file mapping needs a size");
    assert_last_error(ERROR_INVALID_PARAMETER);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0);
    cr_assert_null(CreateFileMappingA(ev, NULL, PAGE_READWRITE, 0, 4096, NULL),
                   "an event is not a file");
    assert_last_error(ERROR_INVALID_HANDLE);
    int local;
    cr_assert_not(UnmapViewOfFile(&local), "unmapped something that is not a view");
}

Test(bad_input, failed_calls_leave_other_objects_intact)
{
    char name[96];
    wst_name(name, sizeof name, "intact");
    HANDLE ev = CreateEventA(NULL, TRUE, TRUE, name);
    HANDLE sem = CreateSemaphoreA(NULL, 2, 5, NULL);
    HANDLE m = CreateMutexA(NULL, TRUE, NULL);
    /* A burst of failures of every kind. */
    for (int i = 0; i < 100; i++) {
        SetEvent(BOGUS);
        ReleaseSemaphore(sem, 10, NULL);
        ReleaseSemaphore(sem, -1, NULL);
        CreateMutexA(NULL, FALSE, name);
        OpenSemaphoreA(SYNCHRONIZE, FALSE, name);
        HANDLE zero[1] = {ev};
        WaitForMultipleObjects(0, zero, FALSE, 0);
        CreateSemaphoreA(NULL, 3, 1, NULL);
    }
    cr_assert_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    cr_assert_eq(rt_semaphore_count(sem), 2);
    cr_assert(ReleaseMutex(m));
    HANDLE again = OpenEventA(SYNCHRONIZE, FALSE, name);
    cr_assert_not_null(again);
    cr_assert_eq(WaitForSingleObject(again, 0), WAIT_OBJECT_0);
}
