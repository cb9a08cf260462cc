/* Semaphores: counts, limits, ERROR_TOO_MANY_POSTS, previous count. */
#include "conformance.h"

static void invalid_creation_arguments(void)
{
    static const LONG args[][2] = {{0, 0}, {1, 0}, {-1, 1}, {2, 1}, {0, -1}};
    static const char *const names[] = {"max0", "init_over_max0", "negative_init", "init_over_max",
                                        "negative_max"};
    char check[64];
    for (int i = 0; i < 5; i++) {
        SetLastError(CF_SENTINEL);
        HANDLE s = CreateSemaphoreA(NULL, args[i][0], args[i][1], NULL);
        snprintf(check, sizeof check, "%s_null", names[i]);
        CHECK_TRUE(check, s == NULL);
        snprintf(check, sizeof check, "%s_err", names[i]);
        CHECK_ERR(check, ERROR_INVALID_PARAMETER);
    }
}

static void each_wait_takes_one(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 2, 5, NULL);
    CHECK_EQ("wait1", WAIT_OBJECT_0, WaitForSingleObject(s, 0));
    CHECK_EQ("wait2", WAIT_OBJECT_0, WaitForSingleObject(s, 0));
    CHECK_EQ("wait3", WAIT_TIMEOUT, WaitForSingleObject(s, 0));
    CloseHandle(s);
}

static void release_reports_previous_count(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 1, 10, NULL);
    LONG prev = -7;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release3", TRUE, ReleaseSemaphore(s, 3, &prev));
    CHECK_ERR("release3_err", CF_SENTINEL);
    CHECK_EQ("prev1", 1, prev);
    CHECK_EQ("release_null_prev", TRUE, ReleaseSemaphore(s, 1, NULL));
    CHECK_EQ("release1", TRUE, ReleaseSemaphore(s, 1, &prev));
    CHECK_EQ("prev5", 5, prev);
    CloseHandle(s);
}

static void release_past_max_changes_nothing(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 2, 3, NULL);
    LONG prev = -7;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release2", FALSE, ReleaseSemaphore(s, 2, &prev));
    CHECK_ERR("release2_err", ERROR_TOO_MANY_POSTS);
    CHECK_EQ("prev_untouched", -7, prev);
    CHECK_EQ("release1", TRUE, ReleaseSemaphore(s, 1, &prev));
    CHECK_EQ("prev2", 2, prev);
    CHECK_EQ("full", FALSE, ReleaseSemaphore(s, 1, &prev));
    CHECK_ERR("full_err", ERROR_TOO_MANY_POSTS);
    CloseHandle(s);
}

static void release_overflow_is_too_many_posts(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 5, 0x7fffffff, NULL);
    LONG prev = -7;
    CHECK_EQ("release_max", FALSE, ReleaseSemaphore(s, 0x7fffffff, &prev));
    CHECK_ERR("release_max_err", ERROR_TOO_MANY_POSTS);
    CHECK_EQ("prev_untouched", -7, prev);
    CHECK_EQ("count_unchanged", TRUE, ReleaseSemaphore(s, 1, &prev));
    CHECK_EQ("prev5", 5, prev);
    CloseHandle(s);
}

static void release_zero_or_negative_is_invalid(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 0, 3, NULL);
    LONG prev = -7;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release0", FALSE, ReleaseSemaphore(s, 0, &prev));
    CHECK_ERR("release0_err", ERROR_INVALID_PARAMETER);
    CHECK_EQ("release_negative", FALSE, ReleaseSemaphore(s, -1, &prev));
    CHECK_ERR("release_negative_err", ERROR_INVALID_PARAMETER);
    CHECK_EQ("prev_untouched", -7, prev);
    CloseHandle(s);
}

static int ended_threads(const HANDLE *t, int n)
{
    int ended = 0;
    for (int i = 0; i < n; i++)
        ended += WaitForSingleObject(t[i], 0) == WAIT_OBJECT_0;
    return ended;
}

static void release_wakes_up_to_n_waiters(void)
{
    HANDLE s = CreateSemaphoreA(NULL, 0, 10, NULL);
    struct cf_waiter w[3];
    HANDLE t[3];
    for (int i = 0; i < 3; i++)
        t[i] = cf_start_waiter(&w[i], s, CF_LONG_MS, FALSE);
    CHECK_EQ("release2", TRUE, ReleaseSemaphore(s, 2, NULL));
    for (int waited = 0; ended_threads(t, 3) < 2 && waited < CF_LONG_MS; waited += 10)
        Sleep(10);
    Sleep(CF_QUIET_MS);
    CHECK_EQ("two_released", 2, ended_threads(t, 3));
    CHECK_EQ("release1", TRUE, ReleaseSemaphore(s, 1, NULL));
    CHECK_EQ("all_released", WAIT_OBJECT_0, WaitForMultipleObjects(3, t, TRUE, CF_LONG_MS));
    CHECK_EQ("count_zero", WAIT_TIMEOUT, WaitForSingleObject(s, 0));
    CHECK_TRUE("results", w[0].result == WAIT_OBJECT_0 && w[1].result == WAIT_OBJECT_0 &&
                              w[2].result == WAIT_OBJECT_0);
    for (int i = 0; i < 3; i++)
        cf_join(t[i]);
    CloseHandle(s);
}

CF_MAIN("semaphores", NULL, CF_TEST(invalid_creation_arguments), CF_TEST(each_wait_takes_one),
        CF_TEST(release_reports_previous_count), CF_TEST(release_past_max_changes_nothing),
        CF_TEST(release_overflow_is_too_many_posts), CF_TEST(release_zero_or_negative_is_invalid),
        CF_TEST(release_wakes_up_to_n_waiters))
