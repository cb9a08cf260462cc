/* Lab 01 (hidden): the same rules when every party is a separate process that opened a
 * named event by its name. */
#include "../event_waiters.h"

/* A child that opens the event by name and runs the commands it reads:
 * 's' SetEvent, 'p' PulseEvent, 'r' ResetEvent, 'q' quit. Acknowledges each with 'k'. */
struct signaler {
    const char *name;
    struct wst_pipe commands, acks;
};

static int signaler_main(void *arg)
{
    struct signaler *s = arg;
    HANDLE event = OpenEventA(EVENT_MODIFY_STATE, FALSE, s->name);
    if (event == NULL)
        return 2;
    for (;;) {
        int command = wst_recv(&s->commands, WST_LONG_MS * 2);
        BOOL ok;
        switch (command) {
        case 's':
            ok = SetEvent(event);
            break;
        case 'p':
            ok = PulseEvent(event);
            break;
        case 'r':
            ok = ResetEvent(event);
            break;
        case 'q':
            return 0;
        default:
            return 3;
        }
        wst_send(&s->acks, ok ? 'k' : FAILED);
    }
}

static void command(struct signaler *s, char what)
{
    cr_assert_eq(wst_send(&s->commands, what), 0);
    cr_assert_eq(wst_recv(&s->acks, WST_LONG_MS), 'k', "the signalling process failed '%c'", what);
}

static pid_t start_signaler(struct signaler *s, const char *name)
{
    s->name = name;
    cr_assert_eq(wst_pipe_open(&s->commands), 0);
    cr_assert_eq(wst_pipe_open(&s->acks), 0);
    pid_t pid = wst_spawn(signaler_main, s);
    cr_assert_gt(pid, 0);
    return pid;
}

static void stop_signaler(struct signaler *s, pid_t pid)
{
    cr_assert_eq(wst_send(&s->commands, 'q'), 0);
    cr_assert_eq(wst_reap(pid, WST_LONG_MS), 0, "the signalling process did not end cleanly");
    wst_pipe_close(&s->commands);
    wst_pipe_close(&s->acks);
}

Test(events, named_auto_event_across_processes, .timeout = 40)
{
    char name[96];
    wst_name(name, sizeof name, "lab01-auto");
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, name);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    struct signaler s;
    pid_t signaler = start_signaler(&s, name);

    struct waiter w = {
        .ready = new_ready_semaphore(), .name = name, .rounds = 1, .report = &report};
    pid_t pids[3];
    start_waiters(&w, 3, pids);
    cr_assert_eq(count_wakes(&report, 0), 0, "a waiter got through a non-signalled named event");

    command(&s, 's');
    cr_assert_eq(count_wakes(&report, 1), 1, "SetEvent from another process must release one");
    command(&s, 'p');
    cr_assert_eq(count_wakes(&report, 1), 1, "PulseEvent from another process must release one");
    command(&s, 's');
    cr_assert_eq(count_wakes(&report, 1), 1, "SetEvent from another process must release one");
    reap_all(pids, 3);
    cr_assert_not(try_wait(event), "the last release must have reset the auto-reset event");

    /* No waiters: set from one process, consumed by exactly one wait in another. */
    command(&s, 's');
    pid_t late;
    start_waiters(&w, 1, &late);
    cr_assert_eq(count_wakes(&report, 1), 1, "a set named event blocked a waiter");
    reap_all(&late, 1);
    cr_assert_not(try_wait(event), "the waiter must have consumed the auto-reset event");

    stop_signaler(&s, signaler);
    wst_pipe_close(&report);
    CloseHandle(event);
}

Test(events, named_manual_event_across_processes, .timeout = 40)
{
    char name[96];
    wst_name(name, sizeof name, "lab01-manual");
    HANDLE event = CreateEventA(NULL, TRUE, FALSE, name);
    cr_assert_not_null(event, "CreateEventA failed: %u", GetLastError());
    struct wst_pipe report;
    cr_assert_eq(wst_pipe_open(&report), 0);
    struct signaler s;
    pid_t signaler = start_signaler(&s, name);

    struct waiter w = {
        .ready = new_ready_semaphore(), .name = name, .rounds = 2, .report = &report};
    pid_t pids[3];
    start_waiters(&w, 3, pids);

    command(&s, 'p');
    expect_wakes(&report, 3, "PulseEvent from another process");
    await_waiting(w.ready, 3); /* the second round of waits */
    cr_assert_eq(count_wakes(&report, 0), 0, "PulseEvent left the named event signalled");

    command(&s, 's');
    expect_wakes(&report, 3, "SetEvent from another process");
    reap_all(pids, 3);
    cr_assert(try_wait(event), "a manual-reset event must stay set after SetEvent");
    command(&s, 'r');
    cr_assert_not(try_wait(event), "ResetEvent from another process did not reset the event");

    stop_signaler(&s, signaler);
    wst_pipe_close(&report);
    CloseHandle(event);
}
