/*
 * ps-hold-lock - a process stuck inside the dispatcher lock (tests/tools/test_ps.py): it takes the
 * lock through the runtime's internal ws_lock, prints one line of JSON (its pid, tid and thread
 * record) and holds the lock until a line arrives on stdin. Every winsync call of the namespace
 * waits meanwhile; winsync-ps must not.
 */
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

int main(void)
{
    struct ws_thread *self = ws_self();
    if (!self) {
        fprintf(stderr, "ps-hold-lock: cannot join the namespace\n");
        return 1;
    }
    ws_lock(self);
    printf("{\"pid\": %d, \"tid\": %u, \"thread\": %u}\n", (int)getpid(), (unsigned)self->tid,
           (unsigned)self->index);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        fprintf(stderr, "ps-hold-lock: stdin closed: ending\n");
    ws_unlock();
    return 0;
}
