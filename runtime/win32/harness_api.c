/* harness_api.c - <winsync_test.h>: a test harness's waits, for the stuck-test guard
 * (dispatcher/stuck.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "winsync_test.h"

/* Read once: before the process attaches, ws_g.guard is not set yet. */
static bool guard_requested(void)
{
    static int requested = -1;
    if (requested < 0) {
        const char *guard = getenv("WINSYNC_GUARD");
        requested = guard && strcmp(guard, "1") == 0;
    }
    return requested;
}

/* The calling thread, with the lock held; NULL (lock not held) when the guard is off. */
static struct ws_thread *lock_self(void)
{
    if (!guard_requested())
        return NULL;
    struct ws_thread *self = ws_self();
    if (!self)
        return NULL;
    ws_lock(self);
    return self;
}

BOOL WinsyncHarnessWait(DWORD remaining_ms, DWORD child_pid)
{
    struct ws_thread *self = lock_self();
    if (!self)
        return FALSE;
    bool give_up = self->harness_deadline == WS_HARNESS_GIVE_UP;
    if (!give_up) {
        /* Never 0 or WS_HARNESS_GIVE_UP, which mean something else. */
        self->harness_deadline = ws_monotonic_ns() + (uint64_t)remaining_ms * 1000000u + 2;
        self->harness_child = child_pid;
        give_up = ws_fast_forward_locked(self) && self->harness_deadline == WS_HARNESS_GIVE_UP;
    }
    if (give_up)
        self->harness_deadline = 0;
    ws_unlock();
    return give_up;
}

void WinsyncHarnessWaitEnd(void)
{
    struct ws_thread *self = lock_self();
    if (!self)
        return;
    self->harness_deadline = 0;
    ws_unlock();
}

/* Count one harness byte (the guard compares the two counts, dispatcher/stuck.c). */
static void count_byte(bool received)
{
    if (received)
        ws_g.seg->harness_received++;
    else
        ws_g.seg->harness_sent++;
}

void WinsyncHarnessSending(void)
{
    struct ws_thread *self = lock_self();
    if (!self)
        return;
    count_byte(false);
    ws_unlock();
}

void WinsyncHarnessReceived(void)
{
    struct ws_thread *self = lock_self();
    if (!self)
        return;
    self->harness_deadline = 0;
    count_byte(true);
    ws_unlock();
}
