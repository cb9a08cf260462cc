/*
 * recursion_hidden.c - lab 02 hidden tests: recursion counted through every kind of wait.
 */
#include "../mutex_helpers.h"

Test(mutexes, initial_owner_counts_as_one_level, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE mutex = CreateMutexA(NULL, TRUE, NULL);
    cr_assert_not_null(mutex);
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0,
                 "the initial owner's wait on its own mutex must succeed at once");
    cr_assert_eq(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);

    cr_assert(ReleaseMutex(mutex));
    cr_assert(ReleaseMutex(mutex));
    cr_assert_eq(other_thread_try_acquire(mutex), WAIT_TIMEOUT,
                 "the initial ownership is a level of its own: one release was still owed");
    cr_assert(ReleaseMutex(mutex));
    expect_release_fails(mutex, "the mutex was owned 3 levels (initial owner + 2 waits)");
    CloseHandle(mutex);
}

Test(mutexes, wait_multiple_by_the_owner_adds_levels, .timeout = MUTEX_TEST_TIMEOUT)
{
    HANDLE objects[2];
    objects[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
    objects[1] = CreateMutexA(NULL, FALSE, NULL);
    cr_assert_not_null(objects[0]);
    cr_assert_not_null(objects[1]);

    cr_assert_eq(WaitForMultipleObjects(2, objects, FALSE, 0), WAIT_OBJECT_0 + 1,
                 "wait-any must acquire the free mutex at index 1");
    cr_assert_eq(WaitForMultipleObjects(2, objects, FALSE, 0), WAIT_OBJECT_0 + 1,
                 "wait-any by the owner must acquire its own mutex again");
    SetEvent(objects[0]);
    cr_assert_eq(WaitForMultipleObjects(2, objects, TRUE, 0), WAIT_OBJECT_0,
                 "wait-all by the owner must count its own mutex as signalled");

    for (int level = 3; level > 1; level--)
        cr_assert(ReleaseMutex(objects[1]), "release at depth %d failed", level);
    cr_assert_eq(other_thread_try_acquire(objects[1]), WAIT_TIMEOUT,
                 "three acquisitions need three releases");
    cr_assert(ReleaseMutex(objects[1]));
    expect_release_fails(objects[1], "it was acquired 3 times and released 3 times");
    CloseHandle(objects[0]);
    CloseHandle(objects[1]);
}
