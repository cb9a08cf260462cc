/* Lab 03 (hidden): waiters and releasers in separate processes, on a named semaphore. */
#include "../semaphore_waiters.h"

/* A child that opens the semaphore by name and releases it on command: a command byte n
 * (1..9) means ReleaseSemaphore(n); 0 means quit. Answers 'k' and the previous count, or
 * 'e' and 'T' for ERROR_TOO_MANY_POSTS ('x' for any other error). */
struct releaser {
    const char *name;
    struct wst_pipe commands, answers;
};

static int releaser_main(void *arg)
{
    struct releaser *r = arg;
    HANDLE sem = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, r->name);
    if (sem == NULL)
        return 2;
    for (;;) {
        int n = wst_recv(&r->commands, WST_LONG_MS * 2);
        if (n == 0)
            return 0;
        if (n < 0)
            return 3;
        LONG prev = UNTOUCHED;
        if (ReleaseSemaphore(sem, n, &prev)) {
            wst_send(&r->answers, 'k');
            wst_send(&r->answers, (char)prev);
        } else {
            wst_send(&r->answers, 'e');
            wst_send(&r->answers, GetLastError() == ERROR_TOO_MANY_POSTS ? 'T' : 'x');
        }
    }
}

/* Ask the releasing process to release n; returns the previous count, or -1 when it
 * failed with ERROR_TOO_MANY_POSTS. */
static int remote_release(struct releaser *r, int n)
{
    cr_assert_eq(wst_send(&r->commands, (char)n), 0);
    int status = wst_recv(&r->answers, WST_LONG_MS);
    int detail = wst_recv(&r->answers, WST_LONG_MS);
    cr_assert(status == 'k' || status == 'e', "the releasing process did not answer");
    if (status == 'e') {
        cr_assert_eq(detail, 'T', "a failed release must fail with ERROR_TOO_MANY_POSTS");
        return -1;
    }
    return detail;
}

Test(semaphores, named_semaphore_across_processes, .timeout = 40)
{
    char name[96];
    wst_name(name, sizeof name, "lab03-named");
    HANDLE sem = CreateSemaphoreA(NULL, 0, 10, name);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    struct releaser r = {.name = name};
    cr_assert_eq(wst_pipe_open(&r.commands), 0);
    cr_assert_eq(wst_pipe_open(&r.answers), 0);
    pid_t releaser = wst_spawn(releaser_main, &r);
    cr_assert_gt(releaser, 0);

    struct waiters g;
    start_waiters(&g, 3, NULL, name);
    cr_assert_eq(count_wakes(&g, 0), 0, "waits on a named semaphore at 0 must block");

    cr_expect_eq(remote_release(&r, 2), 0, "previous count seen by the releasing process");
    cr_assert_eq(count_wakes(&g, 2), 2, "another process released 2: exactly 2 must wake");
    cr_expect_eq(remote_release(&r, 5), 0, "previous count seen by the releasing process");
    cr_assert_eq(count_wakes(&g, 1), 1, "the last waiter must wake");
    reap_waiters(&g);
    expect_units(sem, 4, "5 released, 1 taken: the count must be 4");
    cr_expect_eq(remote_release(&r, 7), -1, "4 + 7 passes the maximum 10");
    cr_expect_eq(remote_release(&r, 6), 4, "4 + 6 reaches the maximum exactly");

    cr_assert_eq(wst_send(&r.commands, 0), 0);
    cr_assert_eq(wst_reap(releaser, WST_LONG_MS), 0, "the releasing process did not end cleanly");
    wst_pipe_close(&r.commands);
    wst_pipe_close(&r.answers);
    CloseHandle(sem);
}

Test(semaphores, previous_count_with_waiters, .timeout = 30)
{
    HANDLE sem = CreateSemaphoreA(NULL, 0, 10, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    struct waiters g;
    start_waiters(&g, 2, sem, NULL);

    LONG prev = UNTOUCHED;
    cr_assert(ReleaseSemaphore(sem, 1, &prev));
    cr_expect_eq(prev, 0, "previous count %d, expected 0", prev);
    cr_assert_eq(count_wakes(&g, 1), 1, "releasing 1 must wake exactly one waiter");
    cr_assert(ReleaseSemaphore(sem, 3, &prev));
    cr_expect_eq(prev, 0, "the count is 0 while waiters block: previous count %d", prev);
    cr_assert_eq(count_wakes(&g, 1), 1, "the other waiter must wake");
    reap_waiters(&g);
    cr_assert(ReleaseSemaphore(sem, 1, &prev));
    cr_expect_eq(prev, 2, "3 released, 1 taken: previous count %d, expected 2", prev);
    CloseHandle(sem);
}

Test(semaphores, maximum_checked_before_waking_waiters, .timeout = 30)
{
    HANDLE sem = CreateSemaphoreA(NULL, 0, 1, NULL);
    cr_assert_not_null(sem, "CreateSemaphoreA failed: %u", GetLastError());
    struct waiters g;
    start_waiters(&g, 2, sem, NULL);

    LONG prev = UNTOUCHED;
    SetLastError(0);
    cr_assert_not(ReleaseSemaphore(sem, 2, &prev),
                  "count 0 + 2 passes the maximum 1, even with waiters ready to take both");
    cr_expect_eq(GetLastError(), ERROR_TOO_MANY_POSTS);
    cr_expect_eq(prev, UNTOUCHED, "a failed release must not write *lpPreviousCount");
    cr_assert_eq(count_wakes(&g, 0), 0, "a failed release woke a waiter");

    cr_assert(ReleaseSemaphore(sem, 1, NULL));
    cr_assert_eq(count_wakes(&g, 1), 1);
    cr_assert(ReleaseSemaphore(sem, 1, NULL));
    cr_assert_eq(count_wakes(&g, 1), 1);
    reap_waiters(&g);
    CloseHandle(sem);
}
