/*
 * release_calls.c - lab 02 public tests: mutex_release and the owner of a free mutex, called
 * directly (runtime/kernel.h), under the dispatcher lock as the runtime calls them.
 *
 * The mutex is private (in no object table, with no waiters) and the threads are records made
 * up by the test: only their `index` matters to mutex.c. That is how these tests can give a
 * thread the index 0, which a real thread gets only when record 0 is free as it starts (the
 * runtime hands out the lowest free record: the first thread of a namespace, for instance).
 * Values are observed under the lock and asserted after it is released.
 */
#include <string.h>

#include "kernel.h"
#include "mutex_helpers.h"

#define UNTOUCHED 12345 /* what *previous_count holds before a release that must fail */

static void attach_runtime(void)
{
    HANDLE h = CreateMutexA(NULL, FALSE, NULL); /* maps the segment */
    cr_assert_not_null(h, "CreateMutexA failed (error %u)", (unsigned)GetLastError());
    CloseHandle(h);
}

static void private_mutex(struct ws_object *mutex, struct ws_thread *initial_owner)
{
    memset(mutex, 0, sizeof *mutex);
    mutex->header.type = WS_TYPE_MUTEX;
    mutex->header.wait_list.head = WS_NONE;
    mutex->header.wait_list.tail = WS_NONE;
    mutex->index = WS_NONE;
    mutex->refs = 1; /* ws_dispatch_signal takes and drops a reference: never let it free */
    mutex_initialize(mutex, initial_owner);
}

static struct ws_thread *fake_thread(struct ws_thread *t, uint32_t index)
{
    memset(t, 0, sizeof *t);
    t->index = index;
    t->tid = WS_NONE;
    return t;
}

/* A thread whose index is 0 must not pass for the owner of a free mutex. */
Test(mutexes, thread_index_0_does_not_own_a_free_mutex, .timeout = MUTEX_TEST_TIMEOUT)
{
    static struct ws_thread zero_record, other_record;
    struct ws_thread *zero = fake_thread(&zero_record, 0);
    struct ws_thread *other = fake_thread(&other_record, 7);
    struct ws_object mutex;
    DWORD created, after_release, after_abandon;
    bool taken, zero_let_in;
    LONG previous = UNTOUCHED;

    attach_runtime();
    ws_dispatcher_lock();
    private_mutex(&mutex, NULL);
    created = mutex_release(&mutex, zero, &previous); /* free since mutex_initialize */
    taken = mutex_is_signaled(&mutex, other);
    if (taken)
        mutex_satisfy(&mutex, other);
    zero_let_in = mutex_is_signaled(&mutex, zero); /* other owns it once: zero must wait */
    if (taken)
        mutex_release(&mutex, other, NULL);
    after_release = mutex_release(&mutex, zero, &previous); /* free since the last release */
    mutex_satisfy(&mutex, other);
    mutex_abandon(&mutex);
    after_abandon = mutex_release(&mutex, zero, &previous); /* free since mutex_abandon */
    ws_dispatcher_unlock();

    cr_expect_eq(created, ERROR_NOT_OWNER,
                 "thread index 0 released a new free mutex it never acquired (result %u): a free "
                 "mutex has no owner (WS_NONE), and 0 is a valid thread index",
                 (unsigned)created);
    cr_expect(taken, "a free mutex must be signalled for thread index 7");
    cr_expect_not(zero_let_in,
                  "once thread index 7 owned the mutex, it was still signalled for thread index 0: "
                  "the release by a non-owner added a level");
    cr_expect_eq(after_release, ERROR_NOT_OWNER,
                 "thread index 0 released a mutex freed by its owner's last release (result %u): "
                 "the last release must leave no owner (WS_NONE)",
                 (unsigned)after_release);
    cr_expect_eq(after_abandon, ERROR_NOT_OWNER,
                 "thread index 0 released a mutex freed by mutex_abandon (result %u): an abandoned "
                 "mutex has no owner (WS_NONE)",
                 (unsigned)after_abandon);
    cr_expect_eq(previous, UNTOUCHED, "a refused release wrote *previous_count (%d)",
                 (int)previous);
}

/* A release that fails with ERROR_NOT_OWNER changes nothing, not even *previous_count. */
Test(mutexes, refused_release_leaves_previous_count_alone, .timeout = MUTEX_TEST_TIMEOUT)
{
    static struct ws_thread owner_record, other_record;
    struct ws_thread *owner = fake_thread(&owner_record, 5);
    struct ws_thread *other = fake_thread(&other_record, 6);
    struct ws_object owned, free_mutex;
    LONG on_owned = UNTOUCHED, on_free = UNTOUCHED, by_owner = UNTOUCHED;
    DWORD refused_owned, refused_free, released;

    attach_runtime();
    ws_dispatcher_lock();
    private_mutex(&owned, owner);
    private_mutex(&free_mutex, NULL);
    refused_owned = mutex_release(&owned, other, &on_owned);
    refused_free = mutex_release(&free_mutex, other, &on_free);
    released = mutex_release(&owned, owner, &by_owner);
    ws_dispatcher_unlock();

    cr_expect_eq(refused_owned, ERROR_NOT_OWNER,
                 "a release by a thread that does not own the mutex returned %u, not "
                 "ERROR_NOT_OWNER",
                 (unsigned)refused_owned);
    cr_expect_eq(on_owned, UNTOUCHED,
                 "a refused release (not the owner) wrote %d to *previous_count: it must be "
                 "written only on success",
                 (int)on_owned);
    cr_expect_eq(refused_free, ERROR_NOT_OWNER,
                 "a release of a free mutex returned %u, not ERROR_NOT_OWNER",
                 (unsigned)refused_free);
    cr_expect_eq(on_free, UNTOUCHED,
                 "a refused release (free mutex) wrote %d to *previous_count: it must be written "
                 "only on success",
                 (int)on_free);
    cr_expect_eq(released, ERROR_SUCCESS, "the initial owner's release returned %u",
                 (unsigned)released);
    cr_expect_eq(by_owner, 0,
                 "the release of a mutex owned once must report the previous count 0, got %d",
                 (int)by_owner);
}

/* mutex_abandon leaves no owner: a thread that later gets the dead owner's record (the runtime
 * reuses a free record, index and all) must not be able to release the mutex it never took. */
Test(mutexes, abandoned_mutex_keeps_no_owner, .timeout = MUTEX_TEST_TIMEOUT)
{
    static struct ws_thread dead_record, heir_record;
    struct ws_thread *dead = fake_thread(&dead_record, 5);
    struct ws_object mutex;
    LONG previous = UNTOUCHED;
    DWORD by_heir;
    bool free_for_heir;

    attach_runtime();
    ws_dispatcher_lock();
    private_mutex(&mutex, dead);
    mutex_abandon(&mutex);
    struct ws_thread *heir = fake_thread(&heir_record, 5); /* dead's record, reused */
    by_heir = mutex_release(&mutex, heir, &previous);
    free_for_heir = mutex_is_signaled(&mutex, heir);
    ws_dispatcher_unlock();

    cr_expect_eq(by_heir, ERROR_NOT_OWNER,
                 "a new thread with the dead owner's index released the abandoned mutex (result "
                 "%u): mutex_abandon must leave no owner (WS_NONE)",
                 (unsigned)by_heir);
    cr_expect_eq(previous, UNTOUCHED, "a refused release wrote *previous_count (%d)",
                 (int)previous);
    cr_expect(free_for_heir, "the abandoned mutex must be free (signalled) for the next thread");
}
