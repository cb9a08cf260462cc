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

#endif /* WSCHAIN_H */
