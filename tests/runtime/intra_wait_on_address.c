/* WaitOnAddress / WakeByAddress*: compare by size, timeouts, exactly-one wakes, addresses. */
#include "intra_threads.h"

TestSuite(intra_wait_on_address, .timeout = RT_TIMEOUT);

Test(intra_wait_on_address, a_different_value_returns_at_once_for_every_size)
{
    uint8_t v1 = 1, c1 = 2;
    uint16_t v2 = 0x100, c2 = 0x200;
    uint32_t v4 = 0x10000, c4 = 0x20000;
    uint64_t v8 = 1ull << 40, c8 = 1ull << 41;
    /* INFINITE: a wait that did not return at once would end the test by its timeout. */
    cr_assert(WaitOnAddress(&v1, &c1, 1, INFINITE));
    cr_assert(WaitOnAddress(&v2, &c2, 2, INFINITE));
    cr_assert(WaitOnAddress(&v4, &c4, 4, INFINITE));
    cr_assert(WaitOnAddress(&v8, &c8, 8, INFINITE), "the high half was not compared");
}

Test(intra_wait_on_address, sizes_other_than_1_2_4_8_are_invalid)
{
    uint64_t v = 0, c = 0;
    SIZE_T bad[] = {0, 3, 5, 16};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SetLastError(0);
        cr_assert_not(WaitOnAddress(&v, &c, bad[i], INFINITE), "size %zu", (size_t)bad[i]);
        assert_last_error(ERROR_INVALID_PARAMETER);
    }
}

Test(intra_wait_on_address, an_equal_value_times_out_with_error_timeout)
{
    uint64_t v = 7, c = 7;
    SetLastError(0);
    cr_assert_not(WaitOnAddress(&v, &c, 8, 20));
    assert_last_error(ERROR_TIMEOUT);
    SetLastError(0);
    cr_assert_not(WaitOnAddress(&v, &c, 8, 0));
    assert_last_error(ERROR_TIMEOUT);
}

static uint32_t word_a, word_b;

struct address_sleeper {
    uint32_t *address;
    struct wst_pipe done; /* 'w' returned TRUE, 't' timed out */
    DWORD timeout;
};

/* One wait, reported as is: nothing but wakes ends these sleeps. */
static void *wait_once(void *arg)
{
    struct address_sleeper *s = arg;
    uint32_t undesired = 0;
    BOOL woken = WaitOnAddress(s->address, &undesired, sizeof undesired, s->timeout);
    wst_send(&s->done, woken ? 'w' : 't');
    return NULL;
}

Test(intra_wait_on_address, wake_single_wakes_exactly_one_waiter_in_turn)
{
    enum { SLEEPERS = 3 };
    struct address_sleeper s = {.address = &word_a, .timeout = INFINITE};
    rt_pipe(&s.done);
    word_a = 0;
    struct intra_thread t[SLEEPERS];
    for (int i = 0; i < SLEEPERS; i++) {
        intra_start(&t[i], wait_once, &s);
        intra_assert_blocked(&t[i]);
    }
    for (int woken = 1; woken <= SLEEPERS; woken++) {
        WakeByAddressSingle(&word_a);
        cr_assert_eq(wst_recv(&s.done, WST_LONG_MS), 'w', "wake %d reached nobody", woken);
        cr_assert_eq(wst_recv(&s.done, WST_QUIET_MS), -1, "wake %d woke two", woken);
    }
    for (int i = 0; i < SLEEPERS; i++)
        intra_join(&t[i]);
    wst_pipe_close(&s.done);
}

Test(intra_wait_on_address, wake_all_wakes_only_the_waiters_of_that_address)
{
    enum { SLEEPERS = 3 };
    struct address_sleeper on_a = {.address = &word_a, .timeout = INFINITE};
    struct address_sleeper on_b = {.address = &word_b, .timeout = INFINITE};
    rt_pipe(&on_a.done);
    rt_pipe(&on_b.done);
    word_a = word_b = 0;
    struct intra_thread ta[SLEEPERS], tb;
    for (int i = 0; i < SLEEPERS; i++) {
        intra_start(&ta[i], wait_once, &on_a);
        intra_assert_blocked(&ta[i]);
    }
    intra_start(&tb, wait_once, &on_b);
    intra_assert_blocked(&tb);
    WakeByAddressAll(&word_a);
    for (int i = 0; i < SLEEPERS; i++)
        cr_assert_eq(wst_recv(&on_a.done, WST_LONG_MS), 'w', "waiter %d on a not woken", i);
    cr_assert_eq(wst_recv(&on_b.done, WST_QUIET_MS), -1, "a wake of a reached b");
    WakeByAddressSingle(&word_b);
    cr_assert_eq(wst_recv(&on_b.done, WST_LONG_MS), 'w');
    for (int i = 0; i < SLEEPERS; i++)
        intra_join(&ta[i]);
    intra_join(&tb);
    wst_pipe_close(&on_a.done);
    wst_pipe_close(&on_b.done);
}

Test(intra_wait_on_address, a_timed_out_waiter_is_gone_and_later_wakes_reach_the_others)
{
    struct address_sleeper quick = {.address = &word_a, .timeout = 50};
    struct address_sleeper patient = {.address = &word_a, .timeout = INFINITE};
    rt_pipe(&quick.done);
    rt_pipe(&patient.done);
    word_a = 0;
    struct intra_thread tq, tp;
    intra_start(&tq, wait_once, &quick);
    cr_assert_eq(wst_recv(&quick.done, WST_LONG_MS), 't', "the 50 ms wait did not time out");
    intra_join(&tq);
    intra_start(&tp, wait_once, &patient);
    intra_assert_blocked(&tp);
    WakeByAddressSingle(&word_a); /* must reach the patient waiter, not the gone one */
    cr_assert_eq(wst_recv(&patient.done, WST_LONG_MS), 'w');
    intra_join(&tp);
    wst_pipe_close(&quick.done);
    wst_pipe_close(&patient.done);
}

/* ---- a counter handed back and forth, each side waiting for its turn ---- */
static volatile LONG64 turn;

static void *take_turns(void *arg)
{
    LONG64 mine = (LONG64)(intptr_t)arg;
    for (int round = 0; round < 2000; round++) {
        LONG64 seen;
        while ((seen = turn) % 2 != mine)
            WaitOnAddress(&turn, &seen, sizeof seen, INFINITE);
        InterlockedIncrement64((LONGLONG volatile *)&turn);
        WakeByAddressSingle((PVOID)&turn);
    }
    return NULL;
}

Test(intra_wait_on_address, two_threads_pass_an_eight_byte_turn_without_losing_a_wake)
{
    turn = 0;
    struct intra_thread even, odd;
    intra_start(&even, take_turns, (void *)0);
    intra_start(&odd, take_turns, (void *)1);
    intra_join(&even);
    intra_join(&odd);
    cr_assert_eq(turn, 4000);
}
