/*
 * Race puzzle: two mutexes taken in two waits, in opposite orders, against one wait-all.
 *
 * Thread A needs mutexes 1 and 2 and takes 1, then 2; thread B needs the same two and takes 2,
 * then 1. When each has taken its first mutex before the other asks for its second, neither can
 * go on: a deadlock. A wait-all takes both mutexes in one step or neither, so two threads that
 * both wait for {1, 2} never hold one each.
 *
 * Round 1 forces the deadlock every time: each thread reports that it holds its first mutex and
 * waits for the other's report before it asks for its second. Its wait for the second has a
 * timeout (half a second, standing for "for ever"), and neither thread releases its first mutex
 * before both have given up, so neither wait can be satisfied whatever the timing. No sleeps.
 * Round 2: the same two threads each take {1, 2} with one WaitForMultipleObjects(wait-all).
 *
 * Chapter: docs/concepts/07-wait-multiple.md
 */
#include "example.h"

static HANDLE mutex[2];
static HANDLE holds_first[2]; /* manual-reset: thread i holds its first mutex */
static HANDLE gave_up[2];     /* manual-reset: thread i's wait for its second mutex has ended */
static DWORD second_wait[2];  /* what that wait returned */
static DWORD all_wait[2];     /* round 2: what each thread's wait-all returned */

/* Round 1: thread `me` (0 = A, 1 = B) takes mutex[me], then mutex[1 - me]. */
static DWORD WINAPI two_waits(LPVOID argument)
{
    int me = (int)(ULONG_PTR)argument, other = 1 - me;
    if (WaitForSingleObject(mutex[me], 10000) != WAIT_OBJECT_0)
        return 1;
    SetEvent(holds_first[me]);
    WaitForSingleObject(holds_first[other], INFINITE); /* the forced interleaving */
    second_wait[me] = WaitForSingleObject(mutex[other], 500);
    if (second_wait[me] == WAIT_OBJECT_0)
        ReleaseMutex(mutex[other]);
    SetEvent(gave_up[me]);
    WaitForSingleObject(gave_up[other], INFINITE); /* keep the first mutex until both gave up */
    ReleaseMutex(mutex[me]);
    return 0;
}

/* Round 2: both mutexes in one wait-all. */
static DWORD WINAPI one_wait_all(LPVOID argument)
{
    int me = (int)(ULONG_PTR)argument;
    all_wait[me] = WaitForMultipleObjects(2, mutex, TRUE, 10000);
    if (all_wait[me] == WAIT_OBJECT_0) {
        ReleaseMutex(mutex[0]);
        ReleaseMutex(mutex[1]);
    }
    return 0;
}

static void run_round(LPTHREAD_START_ROUTINE body)
{
    HANDLE threads[2];
    for (int i = 0; i < 2; i++)
        threads[i] = CreateThread(NULL, 0, body, (LPVOID)(ULONG_PTR)i, 0, NULL);
    WaitForMultipleObjects(2, threads, TRUE, INFINITE);
    for (int i = 0; i < 2; i++)
        CloseHandle(threads[i]);
}

int main(int argc, char **argv)
{
    example_begin(
        argc, argv,
        "two mutexes taken in two waits in opposite orders deadlock; one wait-all cannot.",
        "Thread A waits for mutex 1, then mutex 2; thread B waits for mutex 2, then mutex 1. "
        "Each has just taken its first. What do their second waits return (with a timeout)? "
        "And if each takes both mutexes with one WaitForMultipleObjects(wait-all)?",
        "Both second waits time out: A holds 1 and waits for 2, B holds 2 and waits for 1, and "
        "neither releases what it holds while it waits. Without the timeouts they would wait "
        "for ever. A wait-all takes both mutexes in one step or neither: whichever thread's "
        "wait-all is satisfied first owns both, the other owns nothing and waits, and both "
        "get through in turn. Taking locks in one fixed order is the other cure; a wait-all "
        "needs no agreed order (chapter 7).");
    for (int i = 0; i < 2; i++) {
        mutex[i] = CreateMutexA(NULL, FALSE, NULL);
        holds_first[i] = CreateEventA(NULL, TRUE, FALSE, NULL);
        gave_up[i] = CreateEventA(NULL, TRUE, FALSE, NULL);
        second_wait[i] = all_wait[i] = WAIT_FAILED;
    }

    printf("Round 1: A takes 1 then 2, B takes 2 then 1, in two waits each\n");
    run_round(two_waits);
    expect(second_wait[0] == WAIT_TIMEOUT, "A holds mutex 1; its wait for mutex 2 times out");
    expect(second_wait[1] == WAIT_TIMEOUT, "B holds mutex 2; its wait for mutex 1 times out");

    printf("Round 2: A and B each take {1, 2} in one wait-all\n");
    run_round(one_wait_all);
    expect(all_wait[0] == WAIT_OBJECT_0, "A's wait-all got both mutexes");
    expect(all_wait[1] == WAIT_OBJECT_0, "B's wait-all got both mutexes, in turn");
    expect(WaitForMultipleObjects(2, mutex, TRUE, 0) == WAIT_OBJECT_0,
           "both mutexes are free again afterwards");
    ReleaseMutex(mutex[0]);
    ReleaseMutex(mutex[1]);

    for (int i = 0; i < 2; i++) {
        CloseHandle(gave_up[i]);
        CloseHandle(holds_first[i]);
        CloseHandle(mutex[i]);
    }
    return example_result();
}
