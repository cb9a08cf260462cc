/* Lab 01, steps 1-2: the initial state, the signalled test and what a wait consumes. */
#include "event_waiters.h"

Test(events, initial_state, .timeout = 20)
{
    HANDLE auto_set = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE auto_clear = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE manual_set = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE manual_clear = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert(auto_set && auto_clear && manual_set && manual_clear, "CreateEventA failed: %u",
              GetLastError());

    cr_expect(try_wait(auto_set), "an auto-reset event created signalled must satisfy a wait");
    cr_expect_not(try_wait(auto_clear), "an event created non-signalled must not satisfy a wait");
    cr_expect(try_wait(manual_set), "a manual-reset event created signalled must satisfy a wait");
    cr_expect_not(try_wait(manual_clear), "an event created non-signalled must not satisfy a wait");

    CloseHandle(auto_set);
    CloseHandle(auto_clear);
    CloseHandle(manual_set);
    CloseHandle(manual_clear);
}

Test(events, wait_consumes_auto_reset_only, .timeout = 20)
{
    HANDLE autoev = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE manual = CreateEventA(NULL, TRUE, TRUE, NULL);
    cr_assert(autoev && manual, "CreateEventA failed: %u", GetLastError());

    cr_assert(try_wait(autoev), "a signalled auto-reset event must satisfy a wait");
    cr_expect_not(try_wait(autoev), "a satisfied wait must reset an auto-reset event");
    for (int i = 0; i < 3; i++)
        cr_expect(try_wait(manual), "wait %d: a wait must not reset a manual-reset event", i + 1);

    CloseHandle(autoev);
    CloseHandle(manual);
}
