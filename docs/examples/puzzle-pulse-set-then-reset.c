/*
 * Race puzzle: PulseEvent written as SetEvent then ResetEvent.
 *
 * A consumer looks at a flag and, when the work is not ready, waits on a manual-reset event.
 * The producer makes the work ready, then "pulses" the event: SetEvent, then ResetEvent. A
 * consumer already blocked in its wait is released by the SetEvent. But one that has looked
 * at the flag and not yet called WaitForSingleObject misses the pulse, and sleeps with the
 * work ready: a lost wake-up, the same one a real PulseEvent has.
 *
 * A race like this happens once in a million runs. Here two more events force the losing
 * interleaving every time: the consumer reports that it has looked, the producer makes the
 * work ready and pulses, and only then does the consumer go on to its wait. No sleeps. A
 * timeout of one second stands for "for ever": once the pulse is over nobody sets the event.
 * The second round keeps the same interleaving and leaves the event set (the event is the
 * state): the wait is satisfied whenever it starts.
 *
 * Chapter: docs/concepts/04-events.md
 */
#include "example.h"

struct round {
    HANDLE wake;    /* manual-reset: the event the consumer waits on */
    HANDLE looked;  /* the consumer has read the flag */
    HANDLE go_wait; /* the producer lets it go on to its wait */
    LONG ready;     /* the work: 1 when it is ready */
    LONG seen;      /* what the consumer read */
    DWORD result;   /* what its wait returned */
};

static DWORD WINAPI consumer(LPVOID argument)
{
    struct round *r = argument;
    r->seen = InterlockedCompareExchange(&r->ready, 0, 0);
    SetEvent(r->looked);
    WaitForSingleObject(r->go_wait, INFINITE); /* the forced interleaving: the producer runs */
    if (r->seen)
        return 0; /* ready already: no need to wait (not what happens here) */
    r->result = WaitForSingleObject(r->wake, 1000);
    return 0;
}

/* Runs one round; `pulse` is how the producer signals. */
static void run_round(struct round *r, BOOL pulse)
{
    r->wake = CreateEventA(NULL, TRUE, FALSE, NULL);
    r->looked = CreateEventA(NULL, TRUE, FALSE, NULL);
    r->go_wait = CreateEventA(NULL, TRUE, FALSE, NULL);
    r->ready = 0;
    r->seen = -1;
    r->result = WAIT_FAILED;
    HANDLE thread = CreateThread(NULL, 0, consumer, r, 0, NULL);
    WaitForSingleObject(r->looked, INFINITE); /* the consumer read "not ready" */
    InterlockedExchange(&r->ready, 1);        /* the producer: the work is ready... */
    SetEvent(r->wake);                        /* ...and it signals */
    if (pulse)
        ResetEvent(r->wake); /* the "pulse": nobody is waiting at this instant */
    SetEvent(r->go_wait);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    CloseHandle(r->go_wait);
    CloseHandle(r->looked);
    CloseHandle(r->wake);
}

int main(int argc, char **argv)
{
    example_begin(
        argc, argv,
        "PulseEvent built from SetEvent then ResetEvent loses a wake-up; SetEvent alone does not.",
        "A consumer reads a flag (not ready) and then waits on a manual-reset event. Between "
        "the read and the wait, the producer sets the flag, calls SetEvent and then "
        "ResetEvent. Does the consumer's wait return? And if the producer leaves out the "
        "ResetEvent?",
        "With SetEvent then ResetEvent the wait times out, with the work ready: the event was "
        "signalled only while nobody waited, and a pulse is not remembered. Only threads "
        "already blocked in the wait at the SetEvent are released, and nothing tells the "
        "producer whether the consumer has got that far. Without the ResetEvent the event "
        "stays signalled and the wait returns at once: keep the state in the event (or "
        "check the flag and wait under one lock, as a condition variable does), never in a "
        "pulse. Microsoft's PulseEvent page says the same of the real PulseEvent: it is "
        "unreliable and should not be used (chapter 4).");

    struct round r;
    printf("Round 1: the producer pulses (SetEvent, then ResetEvent)\n");
    run_round(&r, TRUE);
    expect(r.seen == 0, "the consumer read the flag before the producer set it: not ready");
    expect(r.result == WAIT_TIMEOUT,
           "its wait times out (nobody will ever set the event again): the pulse was missed");
    expect(r.ready == 1, "...while the work is ready: a lost wake-up");

    printf("Round 2: the same interleaving, the producer only calls SetEvent\n");
    run_round(&r, FALSE);
    expect(r.seen == 0, "the consumer read the flag before the producer set it: not ready");
    expect(r.result == WAIT_OBJECT_0,
           "its wait is satisfied at once: the signalled event remembered the wake-up");
    return example_result();
}
