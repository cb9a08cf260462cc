/*
 * Lab 05, hidden tests: races between creators, many processes and threads at once, and
 * processes killed with SIGKILL in the middle of push and pop.
 */
#include "../survival.h"

TestSuite(robustness, .timeout = 30);

/* ---- Racing creators -------------------------------------------------------------------- */

Test(robustness, create_race, .timeout = 60)
{
    qt_create_race(10);
}

/* ---- 4 producer and 4 consumer processes, 200,000 messages ------------------------------- */

Test(robustness, transfer_4x4_200k, .timeout = 180)
{
    char name[96];
    struct qt_transfer t = {.name = wst_name(name, sizeof name, "q05-4x4"),
                            .capacity = 32,
                            .message_size = 64,
                            .producers = 4,
                            .consumers = 4,
                            .per_producer = 50000};
    cr_assert(qt_run_transfer(&t, 150000), "setting up the transfer failed");
    qt_assert_transfer_ok(&t);
}

/* ---- kill -9 of random producers and consumers ------------------------------------------ */

Test(robustness, kill9_producers_and_consumers, .timeout = 120, .init = qt_use_private_namespace,
     .fini = qt_remove_private_namespace)
{
    qt_kill9_churn(40);
}
