/*
 * wschain.h - the "wait chain:" section of a test's failure message.
 *
 * A helper that gives up on a waiter (a wake that never came, a child that did not exit) takes
 * the snapshot first, while the waiters are still blocked: for each blocked thread of the test
 * (its process and the children it forked), what it waits on, that object's state and owner, and
 * the chain to its end or around a cycle (DEADLOCK). Children wait for WST_WAITER_MS, longer than
 * the parent watches, so that they are still blocked when it looks.
 */
#ifndef WSCHAIN_H
#define WSCHAIN_H

#include <stddef.h>
#include <stdio.h>

#include "wstest.h"

/* runtime/wct/report.c (declared there in runtime/wct/wct.h). */
size_t ws_wct_report(char *buf, size_t size, unsigned lock_ms);

/* Under the grader's 2,000-character message limit with room for the message before it. */
#define WST_CHAIN_BYTES 1400
/* A report waits this long at most for the dispatcher lock. */
#define WST_CHAIN_LOCK_MS 1000

struct wst_chain {
    char text[WST_CHAIN_BYTES];
};

/* Take the snapshot now; returns the section's text ("wait chain: ..."). */
static inline const char *wst_wait_chain(struct wst_chain *c)
{
    ws_wct_report(c->text, sizeof c->text, WST_CHAIN_LOCK_MS);
    return c->text;
}

/* wst_reap, with a description of a child that did not end: returns the child's exit status
 * (128 + signal when killed) or -1 when it was still running after timeout_ms. Then c->text says
 * so and where the child was blocked, from a snapshot taken before the child is killed. */
static inline int wst_reap_described(pid_t pid, int timeout_ms, struct wst_chain *c)
{
    int code = wst_wait_exit(pid, timeout_ms);
    if (code == -2) {
        snprintf(c->text, sizeof c->text, "it is not a child of this test");
    } else if (code >= 0) {
        snprintf(c->text, sizeof c->text, "it ended with status %d", code);
    } else {
        int used = snprintf(c->text, sizeof c->text, "it did not exit within %d ms; ", timeout_ms);
        if (used > 0 && (size_t)used < sizeof c->text)
            ws_wct_report(c->text + used, sizeof c->text - (size_t)used, WST_CHAIN_LOCK_MS);
        wst_kill_and_reap(pid);
    }
    return code;
}

/* A child that must end with status 0: otherwise the test fails saying how it ended or, when
 * it is still running, where it was blocked. */
#define WST_EXPECT_CHILD_EXIT(pid, what)                                                           \
    do {                                                                                           \
        struct wst_chain wst_chain_;                                                               \
        int wst_status_ = wst_reap_described((pid), WST_LONG_MS, &wst_chain_);                     \
        cr_assert_eq(wst_status_, 0, "%s: %s", (what), wst_chain_.text);                           \
    } while (0)

#endif /* WSCHAIN_H */
