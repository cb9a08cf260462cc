/* wct.h - the wait chain view of a segment: who waits on what, who owns it (see wct.c). */
#ifndef WS_WCT_VIEW_H
#define WS_WCT_VIEW_H

#include "internal.h"
#include "objects/view.h"
#include <wct.h>

/* One node of a wait chain, before it is turned into a WAITCHAIN_NODE_INFO. */
struct ws_wct_node {
    WCT_OBJECT_TYPE type;
    WCT_OBJECT_STATUS status;
    char name[WCT_OBJNAME_LENGTH]; /* object nodes: what the object is, its name and state */
    bool alertable;                /* object nodes: the waiter's wait is alertable */
    DWORD pid, tid;                /* thread nodes */
    uint32_t index;                /* the thread record or object index in the segment */
};

/* The functions below read the segment at `seg`: this process's mapping with the lock held
 * (GetThreadWaitChain), or a copy taken without it (winsync-ps). Every index is checked before
 * it is followed and every walk is bounded: an inconsistent copy gives a wrong chain at worst. */

/* The record of the live thread whose Windows thread id is tid, or WS_NONE. */
uint32_t ws_wct_find_thread_in(ws_view *seg, DWORD tid);

/* Fill out[0..max) with the wait chain of thread record `thread`: the thread, the object it waits
 * on, that object's owner thread, and so on. A thread of another process than `pid` ends the chain
 * (its node has status WctStatusPidOnly) unless out_of_proc. A thread met twice ends it too, and
 * sets *cycle. Returns the chain's length, which may exceed max. */
unsigned ws_wct_chain_in(ws_view *seg, uint32_t thread, bool out_of_proc, int32_t pid,
                         struct ws_wct_node *out, unsigned max, bool *cycle);

/* The same over this process's mapping. Lock held. */
static inline uint32_t ws_wct_find_thread(DWORD tid)
{
    return ws_wct_find_thread_in(ws_g.seg, tid);
}
static inline unsigned ws_wct_chain(uint32_t thread, bool out_of_proc, int32_t pid,
                                    struct ws_wct_node *out, unsigned max, bool *cycle)
{
    return ws_wct_chain_in(ws_g.seg, thread, out_of_proc, pid, out, max, cycle);
}

/* Write the "wait chain:" section of a failure message into buf (NUL-terminated, cut to size):
 * one line per blocked thread of the calling process and its descendants. Waits at most lock_ms
 * for the dispatcher lock (then says who holds it). Returns the length. Takes the lock itself.
 * Declared for tests in tests/support/wschain.h. */
size_t ws_wct_report(char *buf, size_t size, unsigned lock_ms);

#endif
