/* chains.c - the wait chain of every blocked thread, with the runtime's own walk (wct/wct.c, the
 * one GetThreadWaitChain uses) over the snapshot, followed into every process; and which chains
 * are deadlocks to report, each cycle once. */
#include <stdlib.h>

#include "ps.h"

/* A chain that is a cycle through its first thread, reported from its lowest thread record (the
 * chains of the cycle's other threads are the same cycle, turned). */
static bool is_reported_deadlock(const struct ps_chain *c)
{
    if (!c->cycle || c->count < 3 || c->nodes[c->count - 1].index != c->thread)
        return false;
    for (unsigned i = 0; i + 1 < c->count; i += 2)
        if (c->nodes[i].index < c->thread)
            return false;
    return true;
}

struct ps_chain *ps_chains(ws_view *seg, unsigned *count)
{
    uint32_t high = ws_view_thread_high(seg);
    struct ps_chain *chains = calloc(high ? high : 1, sizeof *chains);
    *count = 0;
    if (!chains)
        return NULL;
    for (uint32_t i = 0; i < high; i++) {
        const struct ws_thread *t = ws_view_thread(seg, i);
        if (t->state != WS_REC_ALIVE || !t->wait.blocked)
            continue;
        struct ps_chain *c = &chains[*count];
        c->thread = i;
        unsigned n = ws_wct_chain_in(seg, i, true, t->pid, c->nodes, WCT_MAX_NODE_COUNT, &c->cycle);
        c->count = n < WCT_MAX_NODE_COUNT ? n : WCT_MAX_NODE_COUNT;
        if (c->count < 2)
            continue; /* blocked on nothing it can name (a torn record, or an alertable sleep) */
        c->deadlock = is_reported_deadlock(c);
        (*count)++;
    }
    return chains;
}
