/* Waits: any/all, lowest index, timeouts 0, argument errors, pseudo-handles, handle bits. */
#include "conformance.h"

static void wait_any_returns_lowest_signalled_index(void)
{
    HANDLE h[3] = {CreateEventA(NULL, FALSE, FALSE, NULL), CreateEventA(NULL, FALSE, TRUE, NULL),
                   CreateEventA(NULL, FALSE, TRUE, NULL)};
    SetLastError(CF_SENTINEL);
    CHECK_EQ("first", WAIT_OBJECT_0 + 1, WaitForMultipleObjects(3, h, FALSE, 0));
    CHECK_ERR("first_err", CF_SENTINEL);
    /* Only the object at the returned index was satisfied. */
    CHECK_EQ("second", WAIT_OBJECT_0 + 2, WaitForMultipleObjects(3, h, FALSE, 0));
    CHECK_EQ("none_left", WAIT_TIMEOUT, WaitForMultipleObjects(3, h, FALSE, 0));
    CHECK_ERR("timeout_err", CF_SENTINEL);
    for (int i = 0; i < 3; i++)
        CloseHandle(h[i]);
}

static void wait_any_over_64_objects(void)
{
    HANDLE h[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        h[i] = CreateEventA(NULL, i == 0, TRUE, NULL);
    CHECK_EQ("manual_first", WAIT_OBJECT_0, WaitForMultipleObjects(64, h, FALSE, 0));
    CHECK_EQ("manual_not_consumed", WAIT_OBJECT_0, WaitForMultipleObjects(64, h, FALSE, 0));
    ResetEvent(h[0]);
    int in_order = 1;
    for (int i = 1; i < MAXIMUM_WAIT_OBJECTS; i++)
        in_order &= WaitForMultipleObjects(64, h, FALSE, 0) == WAIT_OBJECT_0 + (DWORD)i;
    CHECK_TRUE("each_index_in_order", in_order);
    CHECK_EQ("all_consumed", WAIT_TIMEOUT, WaitForMultipleObjects(64, h, FALSE, 0));
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        CloseHandle(h[i]);
}

static void wait_all_changes_nothing_until_all_signalled(void)
{
    HANDLE h[3] = {CreateSemaphoreA(NULL, 1, 5, NULL), CreateEventA(NULL, FALSE, TRUE, NULL),
                   CreateEventA(NULL, TRUE, FALSE, NULL)};
    SetLastError(CF_SENTINEL);
    CHECK_EQ("timeout", WAIT_TIMEOUT, WaitForMultipleObjects(3, h, TRUE, 0));
    CHECK_ERR("timeout_err", CF_SENTINEL);
    LONG prev = -1;
    ReleaseSemaphore(h[0], 1, &prev);
    CHECK_EQ("semaphore_untouched", 1, prev);
    CHECK_EQ("auto_event_untouched", WAIT_OBJECT_0, WaitForSingleObject(h[1], 0));
    SetEvent(h[1]);
    SetEvent(h[2]);
    CHECK_EQ("all_signalled", WAIT_OBJECT_0, WaitForMultipleObjects(3, h, TRUE, 0));
    ReleaseSemaphore(h[0], 1, &prev);
    CHECK_EQ("semaphore_took_one", 1, prev);
    CHECK_EQ("auto_event_consumed", WAIT_TIMEOUT, WaitForSingleObject(h[1], 0));
    CHECK_EQ("manual_event_kept", WAIT_OBJECT_0, WaitForSingleObject(h[2], 0));
    for (int i = 0; i < 3; i++)
        CloseHandle(h[i]);
}

struct wait_all_args {
    HANDLE *handles;
    DWORD result;
};

static DWORD WINAPI wait_all_thread(LPVOID arg)
{
    struct wait_all_args *a = arg;
    a->result = WaitForMultipleObjects(2, a->handles, TRUE, CF_LONG_MS);
    return 0;
}

static void wait_all_waiter_released_when_last_object_signalled(void)
{
    HANDLE h[2] = {CreateEventA(NULL, FALSE, TRUE, NULL), CreateEventA(NULL, FALSE, FALSE, NULL)};
    struct wait_all_args args = {h, CF_SENTINEL};
    HANDLE t = CreateThread(NULL, 0, wait_all_thread, &args, 0, NULL);
    CHECK_EQ("blocked", WAIT_TIMEOUT, WaitForSingleObject(t, CF_QUIET_MS));
    SetEvent(h[1]);
    CHECK_EQ("released", WAIT_OBJECT_0, cf_join(t));
    CHECK_EQ("result", WAIT_OBJECT_0, args.result);
    CHECK_EQ("first_consumed", WAIT_TIMEOUT, WaitForSingleObject(h[0], 0));
    CHECK_EQ("second_consumed", WAIT_TIMEOUT, WaitForSingleObject(h[1], 0));
    CloseHandle(h[0]);
    CloseHandle(h[1]);
}

static void invalid_counts(void)
{
    HANDLE h[MAXIMUM_WAIT_OBJECTS + 1];
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        h[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("zero", WAIT_FAILED, WaitForMultipleObjects(0, h, FALSE, 0));
    CHECK_ERR("zero_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("sixty_five", WAIT_FAILED, WaitForMultipleObjects(65, h, FALSE, 0));
    CHECK_ERR("sixty_five_err", ERROR_INVALID_PARAMETER);
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        CloseHandle(h[i]);
}

static void same_object_twice_in_wait_all(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL), dup = NULL;
    DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &dup, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    HANDLE same[2] = {e, e}, dups[2] = {e, dup};
    SetLastError(CF_SENTINEL);
    CHECK_EQ("same_handle", WAIT_FAILED, WaitForMultipleObjects(2, same, TRUE, 0));
    CHECK_ERR("same_handle_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("duplicated_handle", WAIT_FAILED, WaitForMultipleObjects(2, dups, TRUE, 0));
    CHECK_ERR("duplicated_handle_err", ERROR_INVALID_PARAMETER);
    CHECK_EQ("wait_any_allows_it", WAIT_OBJECT_0, WaitForMultipleObjects(2, same, FALSE, 0));
    CloseHandle(e);
    CloseHandle(dup);
}

static void invalid_handles(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE closed = CreateEventA(NULL, TRUE, TRUE, NULL);
    CloseHandle(closed);
    HANDLE bogus = (HANDLE)(uintptr_t)0xdeadbee0u;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("null", WAIT_FAILED, WaitForSingleObject(NULL, 0));
    CHECK_ERR("null_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("bogus", WAIT_FAILED, WaitForSingleObject(bogus, 0));
    CHECK_ERR("bogus_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("closed", WAIT_FAILED, WaitForSingleObject(closed, 0));
    CHECK_ERR("closed_err", ERROR_INVALID_HANDLE);
    HANDLE mixed[2] = {e, bogus};
    SetLastError(CF_SENTINEL);
    CHECK_EQ("multiple_any", WAIT_FAILED, WaitForMultipleObjects(2, mixed, FALSE, 0));
    CHECK_ERR("multiple_any_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("multiple_all", WAIT_FAILED, WaitForMultipleObjects(2, mixed, TRUE, 0));
    CHECK_ERR("multiple_all_err", ERROR_INVALID_HANDLE);
    CloseHandle(e);
}

static void low_handle_bits_are_ignored(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    uintptr_t v = (uintptr_t)e;
    CHECK_EQ("multiple_of_4", 0, v & 3);
    CHECK_EQ("set_bit1", TRUE, SetEvent((HANDLE)(v | 1)));
    CHECK_EQ("wait_bit3", WAIT_OBJECT_0, WaitForSingleObject((HANDLE)(v | 3), 0));
    CHECK_EQ("wait_bit2", WAIT_TIMEOUT, WaitForSingleObject((HANDLE)(v | 2), 0));
    CloseHandle(e);
}

static void pseudo_handles(void)
{
    SetLastError(CF_SENTINEL);
    CHECK_EQ("single_process", WAIT_TIMEOUT, WaitForSingleObject(GetCurrentProcess(), 0));
    CHECK_EQ("single_thread", WAIT_TIMEOUT, WaitForSingleObject(GetCurrentThread(), 0));
    CHECK_ERR("single_err", CF_SENTINEL);
    HANDLE p = GetCurrentProcess(), t = GetCurrentThread();
    SetLastError(CF_SENTINEL);
    CHECK_EQ("multiple_process", WAIT_FAILED, WaitForMultipleObjects(1, &p, FALSE, 0));
    CHECK_ERR("multiple_process_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("multiple_thread", WAIT_FAILED, WaitForMultipleObjects(1, &t, FALSE, 0));
    CHECK_ERR("multiple_thread_err", ERROR_INVALID_HANDLE);
}

static void timeout_expires(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("single", WAIT_TIMEOUT, WaitForSingleObject(e, 30));
    CHECK_EQ("multiple", WAIT_TIMEOUT, WaitForMultipleObjects(1, &e, FALSE, 30));
    CHECK_ERR("err", CF_SENTINEL);
    CHECK_EQ("sleep_ex", 0, SleepEx(10, FALSE));
    CloseHandle(e);
}

static void waiting_on_thread_and_exit_code(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct cf_waiter w;
    HANDLE t = cf_start_waiter(&w, e, CF_LONG_MS, FALSE);
    DWORD code = 0;
    CHECK_EQ("running_code", TRUE, GetExitCodeThread(t, &code));
    CHECK_EQ("still_active", STILL_ACTIVE, code);
    CHECK_EQ("running", WAIT_TIMEOUT, WaitForSingleObject(t, 0));
    SetEvent(e);
    CHECK_EQ("ended", WAIT_OBJECT_0, WaitForSingleObject(t, CF_LONG_MS));
    CHECK_EQ("ended_code", TRUE, GetExitCodeThread(t, &code));
    CHECK_EQ("exit_code", 0, code);
    CHECK_EQ("stays_signalled", WAIT_OBJECT_0, WaitForSingleObject(t, 0));
    CloseHandle(t);
    CloseHandle(e);
}

CF_MAIN("waits", NULL, CF_TEST(wait_any_returns_lowest_signalled_index),
        CF_TEST(wait_any_over_64_objects), CF_TEST(wait_all_changes_nothing_until_all_signalled),
        CF_TEST(wait_all_waiter_released_when_last_object_signalled), CF_TEST(invalid_counts),
        CF_TEST(same_object_twice_in_wait_all), CF_TEST(invalid_handles),
        CF_TEST(low_handle_bits_are_ignored), CF_TEST(pseudo_handles), CF_TEST(timeout_expires),
        CF_TEST(waiting_on_thread_and_exit_code))
