/* SRWLOCK: concurrent readers, exclusive writers, waiting writers first, no recursion. */
#include <signal.h>
#include <sys/wait.h>

#include "intra_threads.h"

TestSuite(intra_srwlock, .timeout = RT_TIMEOUT);

static SRWLOCK lock = SRWLOCK_INIT;

struct holder {
    BOOL exclusive;
    struct wst_pipe acquired; /* gets 'a' once the lock is held */
    HANDLE may_release;       /* a manual-reset event */
};

static void *acquire_report_release(void *arg)
{
    struct holder *h = arg;
    if (h->exclusive)
        AcquireSRWLockExclusive(&lock);
    else
        AcquireSRWLockShared(&lock);
    wst_send(&h->acquired, 'a');
    WaitForSingleObject(h->may_release, INFINITE);
    if (h->exclusive)
        ReleaseSRWLockExclusive(&lock);
    else
        ReleaseSRWLockShared(&lock);
    return NULL;
}

static void holder_init(struct holder *h, BOOL exclusive)
{
    h->exclusive = exclusive;
    rt_pipe(&h->acquired);
    h->may_release = CreateEventA(NULL, TRUE, FALSE, NULL);
}

static void holder_close(struct holder *h)
{
    wst_pipe_close(&h->acquired);
    CloseHandle(h->may_release);
}

Test(intra_srwlock, shared_holders_are_concurrent)
{
    enum { READERS = 3 };
    struct holder h[READERS];
    struct intra_thread t[READERS];
    for (int i = 0; i < READERS; i++) {
        holder_init(&h[i], FALSE);
        intra_start(&t[i], acquire_report_release, &h[i]);
    }
    /* Every reader holds the lock at the same time: none releases before all have it. */
    for (int i = 0; i < READERS; i++)
        cr_assert_eq(wst_recv(&h[i].acquired, WST_LONG_MS), 'a', "reader %d never got in", i);
    cr_assert_not(TryAcquireSRWLockExclusive(&lock));
    cr_assert(TryAcquireSRWLockShared(&lock));
    ReleaseSRWLockShared(&lock);
    for (int i = 0; i < READERS; i++) {
        SetEvent(h[i].may_release);
        intra_join(&t[i]);
        holder_close(&h[i]);
    }
    cr_assert(TryAcquireSRWLockExclusive(&lock));
    ReleaseSRWLockExclusive(&lock);
}

Test(intra_srwlock, exclusive_excludes_readers_and_writers_and_is_not_recursive)
{
    struct holder reader, writer;
    holder_init(&reader, FALSE);
    holder_init(&writer, TRUE);
    AcquireSRWLockExclusive(&lock);
    cr_assert_not(TryAcquireSRWLockExclusive(&lock), "SRW locks are not recursive");
    cr_assert_not(TryAcquireSRWLockShared(&lock));
    struct intra_thread r, w;
    intra_start(&r, acquire_report_release, &reader);
    intra_start(&w, acquire_report_release, &writer);
    intra_assert_blocked(&r);
    intra_assert_blocked(&w);
    ReleaseSRWLockExclusive(&lock);
    /* The writer goes first (waiting writers are preferred), then the reader. */
    cr_assert_eq(wst_recv(&writer.acquired, WST_LONG_MS), 'a');
    cr_assert_eq(wst_recv(&reader.acquired, WST_QUIET_MS), -1, "reader in beside a writer");
    SetEvent(writer.may_release);
    cr_assert_eq(wst_recv(&reader.acquired, WST_LONG_MS), 'a');
    SetEvent(reader.may_release);
    intra_join(&r);
    intra_join(&w);
    holder_close(&reader);
    holder_close(&writer);
}

Test(intra_srwlock, a_waiting_writer_stops_new_readers)
{
    struct holder writer, late_reader;
    holder_init(&writer, TRUE);
    holder_init(&late_reader, FALSE);
    AcquireSRWLockShared(&lock);
    struct intra_thread w, r;
    intra_start(&w, acquire_report_release, &writer);
    intra_assert_blocked(&w);
    cr_assert_not(TryAcquireSRWLockShared(&lock), "a reader passed a waiting writer");
    intra_start(&r, acquire_report_release, &late_reader);
    intra_assert_blocked(&r);
    ReleaseSRWLockShared(&lock);
    cr_assert_eq(wst_recv(&writer.acquired, WST_LONG_MS), 'a');
    cr_assert_eq(wst_recv(&late_reader.acquired, WST_QUIET_MS), -1);
    SetEvent(writer.may_release);
    cr_assert_eq(wst_recv(&late_reader.acquired, WST_LONG_MS), 'a');
    SetEvent(late_reader.may_release);
    intra_join(&w);
    intra_join(&r);
    holder_close(&writer);
    holder_close(&late_reader);
}

static long guarded[2]; /* written together under the exclusive lock */
static volatile LONG torn_reads;

static void *mixed_worker(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < 20000; i++) {
        if ((i + id) % 8 == 0) {
            AcquireSRWLockExclusive(&lock);
            guarded[0]++;
            guarded[1]++;
            ReleaseSRWLockExclusive(&lock);
        } else {
            AcquireSRWLockShared(&lock);
            if (guarded[0] != guarded[1])
                InterlockedIncrement(&torn_reads);
            ReleaseSRWLockShared(&lock);
        }
    }
    return NULL;
}

Test(intra_srwlock, readers_never_see_a_writer_half_done)
{
    enum { THREADS = 4 };
    struct intra_thread t[THREADS];
    guarded[0] = guarded[1] = 0;
    torn_reads = 0;
    for (int i = 0; i < THREADS; i++)
        intra_start(&t[i], mixed_worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++)
        intra_join(&t[i]);
    cr_assert_eq(torn_reads, 0);
    cr_assert_eq(guarded[0], THREADS * 20000 / 8);
    cr_assert(TryAcquireSRWLockExclusive(&lock), "left held");
    ReleaseSRWLockExclusive(&lock);
}

static int release_unheld_exclusive(void *arg)
{
    (void)arg;
    SRWLOCK fresh = SRWLOCK_INIT;
    ReleaseSRWLockExclusive(&fresh);
    return 0;
}

static int release_shared_while_exclusive(void *arg)
{
    (void)arg;
    SRWLOCK fresh = SRWLOCK_INIT;
    AcquireSRWLockExclusive(&fresh);
    ReleaseSRWLockShared(&fresh);
    return 0;
}

static void assert_aborts(int (*body)(void *))
{
    pid_t pid = wst_spawn(body, NULL);
    cr_assert_gt(pid, 0);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d", status);
}

Test(intra_srwlock, releasing_a_lock_not_held_ends_the_process)
{
    assert_aborts(release_unheld_exclusive);
    assert_aborts(release_shared_while_exclusive);
}
