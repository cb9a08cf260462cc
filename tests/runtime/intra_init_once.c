/* INIT_ONCE: one run across racing threads, failure and retry, the others wait meanwhile. */
#include "intra_threads.h"

TestSuite(intra_init_once, .timeout = RT_TIMEOUT);

#define RACERS 8

static INIT_ONCE once;
static volatile LONG runs;
static BOOL succeed;
static HANDLE inside, may_finish; /* events: the callback is running / may return */

static BOOL CALLBACK slow_init(PINIT_ONCE o, PVOID parameter, PVOID *context)
{
    (void)o;
    InterlockedIncrement(&runs);
    SetEvent(inside);
    WaitForSingleObject(may_finish, INFINITE);
    if (succeed)
        *context = parameter;
    return succeed;
}

static void *run_once(void *arg)
{
    PVOID context = NULL;
    BOOL ok = InitOnceExecuteOnce(&once, slow_init, arg, &context);
    return ok ? context : NULL;
}

static void start_racers(struct intra_thread t[RACERS], void *parameter)
{
    for (int i = 0; i < RACERS; i++)
        intra_start(&t[i], run_once, parameter);
}

Test(intra_init_once, eight_racing_threads_run_the_callback_once_and_all_see_its_context)
{
    InitOnceInitialize(&once);
    runs = 0;
    succeed = TRUE;
    inside = CreateEventA(NULL, TRUE, FALSE, NULL);
    may_finish = CreateEventA(NULL, TRUE, FALSE, NULL);
    static int value;
    struct intra_thread t[RACERS];
    start_racers(t, &value);
    cr_assert_eq(WaitForSingleObject(inside, WST_LONG_MS), WAIT_OBJECT_0);
    /* Every racer is asleep: one in the callback (on may_finish), seven on the INIT_ONCE. */
    for (int i = 0; i < RACERS; i++)
        intra_assert_blocked(&t[i]);
    SetEvent(may_finish);
    for (int i = 0; i < RACERS; i++)
        cr_assert_eq(intra_join(&t[i]), &value, "racer %d did not get the context", i);
    cr_assert_eq(runs, 1);
    cr_assert_eq(once.Ptr, (PVOID)((uintptr_t)&value | 2));
    CloseHandle(inside);
    CloseHandle(may_finish);
}

Test(intra_init_once, a_failed_callback_lets_a_waiting_thread_run_it_again)
{
    InitOnceInitialize(&once);
    runs = 0;
    succeed = FALSE;
    inside = CreateEventA(NULL, FALSE, FALSE, NULL); /* auto-reset: one per run */
    may_finish = CreateEventA(NULL, TRUE, FALSE, NULL);
    static int value;
    struct intra_thread first, second;
    intra_start(&first, run_once, &value);
    cr_assert_eq(WaitForSingleObject(inside, WST_LONG_MS), WAIT_OBJECT_0);
    intra_start(&second, run_once, &value);
    intra_assert_blocked(&second);
    SetEvent(may_finish); /* the first run fails; the second thread then runs it */
    cr_assert_null(intra_join(&first));
    cr_assert_eq(WaitForSingleObject(inside, WST_LONG_MS), WAIT_OBJECT_0, "no second run");
    cr_assert_null(intra_join(&second));
    cr_assert_eq(runs, 2);
    cr_assert_null(once.Ptr, "a failed initialization starts over");
    succeed = TRUE;
    PVOID context = NULL;
    cr_assert(InitOnceExecuteOnce(&once, slow_init, &value, &context));
    cr_assert_eq(context, &value);
    cr_assert_eq(runs, 3);
    CloseHandle(inside);
    CloseHandle(may_finish);
}

Test(intra_init_once, begin_initialize_blocks_while_another_thread_initializes)
{
    InitOnceInitialize(&once);
    BOOL pending = FALSE;
    cr_assert(InitOnceBeginInitialize(&once, 0, &pending, NULL));
    cr_assert(pending);
    runs = 0;
    succeed = TRUE;
    inside = CreateEventA(NULL, TRUE, TRUE, NULL);
    may_finish = CreateEventA(NULL, TRUE, TRUE, NULL);
    static int value;
    struct intra_thread waiter;
    intra_start(&waiter, run_once, &value);
    intra_assert_blocked(&waiter);
    cr_assert(InitOnceComplete(&once, 0, &value));
    cr_assert_eq(intra_join(&waiter), &value, "the waiter did not see the completion");
    cr_assert_eq(runs, 0, "the callback ran although Begin/Complete did the work");
    CloseHandle(inside);
    CloseHandle(may_finish);
}
