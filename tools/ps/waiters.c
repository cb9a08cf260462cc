/* waiters.c - an object's wait list: wait block ids are thread record * 64 + block index, linked
 * through the blocks (runtime/dispatcher/wait.c). Each step is checked: a block must belong to a
 * thread record in range, be one of its blocks in use and name this object; the walk stops at the
 * first that is not, and after as many steps as there can be blocks. */
#include "ps.h"

unsigned ps_waiters(ws_view *seg, const struct ws_object *o, struct ps_waiter *out, unsigned max)
{
    uint32_t self = ps_object_index(seg, o);
    uint64_t steps = (uint64_t)seg->config.max_threads * MAXIMUM_WAIT_OBJECTS;
    unsigned n = 0;
    for (uint32_t id = o->header.wait_list.head; id != WS_NONE && steps > 0; steps--) {
        uint32_t thread = id / MAXIMUM_WAIT_OBJECTS, block = id % MAXIMUM_WAIT_OBJECTS;
        const struct ws_thread *t = ws_view_thread(seg, thread);
        if (!t || block >= t->wait.count || t->wait.blocks[block].object != self)
            break;
        if (n < max)
            out[n] = (struct ps_waiter){thread, block};
        n++;
        id = t->wait.blocks[block].next;
    }
    return n;
}
