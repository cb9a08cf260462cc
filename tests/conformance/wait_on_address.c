/* WaitOnAddress / WakeByAddress*: value compare by size, timeouts, wakes of one or all. */
#include "conformance.h"

static void bad_size_is_invalid(void)
{
    LONG64 value = 0, compare = 0;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("size3", FALSE, WaitOnAddress(&value, &compare, 3, 0));
    CHECK_ERR("size3_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("size16", FALSE, WaitOnAddress(&value, &compare, 16, 0));
    CHECK_ERR("size16_err", ERROR_INVALID_PARAMETER);
}

static void different_value_returns_at_once(void)
{
    static const SIZE_T sizes[] = {1, 2, 4, 8};
    static const char *names[] = {"size1", "size2", "size4", "size8"};
    for (int i = 0; i < 4; i++) {
        LONG64 value = 1, compare = 0;
        /* INFINITE: a wait that does not return at once never ends and the run times out. */
        CHECK_EQ(names[i], TRUE, WaitOnAddress(&value, &compare, sizes[i], INFINITE));
    }
}

static void same_value_times_out(void)
{
    static const SIZE_T sizes[] = {1, 2, 4};
    static const char *names[] = {"size1", "size2", "size4"};
    static const char *errs[] = {"size1_err", "size2_err", "size4_err"};
    for (int i = 0; i < 3; i++) {
        /* Only the low `size` bytes are compared: the rest of `compare` differs. */
        LONG64 value = 0, compare = (LONG64)(~0ull << (sizes[i] * 8));
        SetLastError(CF_SENTINEL);
        CHECK_EQ(names[i], FALSE, WaitOnAddress(&value, &compare, sizes[i], 10));
        CHECK_ERR(errs[i], ERROR_TIMEOUT);
    }
    LONG64 value = 5, compare = 5;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("size8_zero_timeout", FALSE, WaitOnAddress(&value, &compare, 8, 0));
    CHECK_ERR("size8_zero_timeout_err", ERROR_TIMEOUT);
}

static void wake_without_waiters(void)
{
    LONG value = 0;
    WakeByAddressSingle(&value);
    WakeByAddressAll(&value);
    WakeByAddressSingle(NULL);
    WakeByAddressAll(NULL);
    CHECK_EQ("nothing_happened", 0, value);
}

static volatile LONG flag;
static HANDLE started;

/* Waits until flag is no longer 0, re-checking after each return as callers must. */
static DWORD WINAPI wait_for_flag(LPVOID arg)
{
    (void)arg;
    LONG undesired = 0;
    ReleaseSemaphore(started, 1, NULL);
    while (flag == 0)
        if (!WaitOnAddress(&flag, &undesired, sizeof flag, CF_LONG_MS))
            return 2;
    return 1;
}

#define WAITERS 3

static int wake_waiters(int n, BOOL all)
{
    HANDLE t[WAITERS];
    flag = 0;
    started = CreateSemaphoreA(NULL, 0, WAITERS, NULL);
    for (int i = 0; i < n; i++)
        t[i] = CreateThread(NULL, 0, wait_for_flag, NULL, 0, NULL);
    for (int i = 0; i < n; i++)
        WaitForSingleObject(started, CF_LONG_MS);
    InterlockedExchange((LONG *)&flag, 1);
    if (all)
        WakeByAddressAll((PVOID)&flag);
    else
        for (int i = 0; i < n; i++)
            WakeByAddressSingle((PVOID)&flag);
    int woken = 0;
    for (int i = 0; i < n; i++) {
        DWORD code = 0;
        if (WaitForSingleObject(t[i], CF_LONG_MS) == WAIT_OBJECT_0 &&
            GetExitCodeThread(t[i], &code))
            woken += code == 1;
        CloseHandle(t[i]);
    }
    CloseHandle(started);
    return woken;
}

static void wakes_end_waits(void)
{
    CHECK_EQ("single", 1, wake_waiters(1, FALSE));
    CHECK_EQ("single_each", WAITERS, wake_waiters(WAITERS, FALSE));
    CHECK_EQ("all", WAITERS, wake_waiters(WAITERS, TRUE));
}

CF_MAIN("wait_on_address", NULL, CF_TEST(bad_size_is_invalid),
        CF_TEST(different_value_returns_at_once), CF_TEST(same_value_times_out),
        CF_TEST(wake_without_waiters), CF_TEST(wakes_end_waits))
