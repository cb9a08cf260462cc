/*
 * killpoint.h - kill points chosen, not hoped for (lab 05's crash tests).
 *
 * An *event* is one call the queue makes into winsync (CreateMutexA, WaitForMultipleObjects,
 * ReleaseSemaphore, GetLastError...) or to memcpy/memmove, counted before the call runs, and,
 * on x86-64 Linux, one store instruction into a mapped view. A child process armed for event
 * N stops there and is killed with SIGKILL; kp_walk does that for N = 1, 2, ... until the
 * operation finishes before its N-th event, so every point between two events is a death that
 * a test checks. The same scenario in the same state makes the same events, so a failure
 * names its N, and WINSYNC_KILLPOINT=N replays that one kill point with a trace of the events.
 *
 * Faults, the same walk for errors (SQLite's fault injection applied to the queue): a child armed
 * for fault N makes the N-th *fallible* call fail instead of running it, as a real one can
 * (creating or opening an object or mapping a view: ERROR_NOT_ENOUGH_MEMORY; a wait:
 * WAIT_FAILED with ERROR_INVALID_HANDLE; releasing a semaphore: ERROR_TOO_MANY_POSTS; setting
 * an event: ERROR_INVALID_HANDLE), and the operation runs on to its end; kp_fault_walk does
 * that for N = 1, 2, ... until the operation makes fewer than N fallible calls.
 * WINSYNC_FAULT=N replays one fault with a trace of the fallible calls.
 *
 * Windows lets a function that succeeds change GetLastError() (its documentation: "some
 * functions also set the last-error code when they succeed"), and the handout warns that
 * ReleaseMutex may. This test build does it: every successful wait, release, signal, close,
 * map and unmap sets the last error to 0, so an error read one call too late is 0.
 *
 * The test binary is linked with -Wl,--wrap=<function> for every function killpoint.c wraps
 * (CMakeLists.txt reads the list from killpoint.c).
 */
#ifndef KILLPOINT_H
#define KILLPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <windows.h>

#define KP_WHAT 96        /* room for an event's description */
#define KP_MAX_EVENTS 600 /* an operation with more events than this is reported as looping */

/* What happened to one armed child. */
struct kp_outcome {
    unsigned event;     /* the kill point (or fault) asked for */
    bool fault;         /* a fault walk: the event was a call made to fail, not a death */
    bool injected;      /* fault walk: that call was reached and failed */
    DWORD error;        /* fault walk: the error it failed with */
    DWORD last_error;   /* fault walk: GetLastError() when operate() returned */
    bool stopped;       /* it reached that event and was killed there */
    bool hung;          /* it neither reached it nor finished within WST_LONG_MS */
    unsigned events;    /* events it made in all (when it finished) */
    int status;         /* its operate() result (when it finished) */
    char what[KP_WHAT]; /* the event it was killed at, e.g. "ReleaseMutex (call)", or the call
                           made to fail, or what operate() noted (kp_note) */
};

/* One operation to kill at every event. Each function gets `arg`. */
struct kp_scenario {
    const char *test;           /* "killpoints/push_killed_at_every_step", for the replay line */
    void (*setup)(void *arg);   /* parent, before each child: a fresh queue */
    int (*prepare)(void *arg);  /* child, not armed (open the queue); 0 = ready */
    int (*operate)(void *arg);  /* child, armed: the operation under test; 0 = done */
    void (*at_stop)(void *arg); /* parent, while the child is stopped (may be NULL) */
    void (*check)(void *arg, const struct kp_outcome *o); /* parent, after; asserts, cleans up */
    void *arg;
};

/* Run the scenario's kill points (only WINSYNC_KILLPOINT's, when it is set). Returns the number
 * of events the operation made (the kill point, when only one was run and it was reached). */
unsigned kp_walk(const struct kp_scenario *s);

/* Run the scenario once per fallible call of its operation, that call failing (only
 * WINSYNC_FAULT's, when it is set). check() sees each outcome, then one with injected false:
 * the run that made fewer fallible calls. Returns the number of fallible calls. */
unsigned kp_fault_walk(const struct kp_scenario *s);

/* From operate() in a fault walk: whether the call made to fail has been reached yet. */
bool kp_injected(void);

/* From operate(): a note for the parent, in kp_outcome.what (e.g. what was left open). */
void kp_note(const char *what);

/* Calls this thread has made so far, armed or not, that create or open an object or map a view. */
unsigned kp_opens(void);

/* The line a failure message ends with: how to replay this kill point (or fault) alone. */
const char *kp_replay(const struct kp_scenario *s, const struct kp_outcome *o);

/* True when stores into mapped views are events too (x86-64 Linux). */
bool kp_traces_stores(void);

/* Handles and views, this thread: from kp_track_begin, every handle a wrapped call returns and
 * every view it maps is recorded until closed or unmapped. kp_track_end describes what is still
 * open into out and returns how many. */
void kp_track_begin(void);
int kp_track_end(char *out, size_t size);

#endif /* KILLPOINT_H */
