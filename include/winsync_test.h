/*
 * winsync_test.h - for test harnesses: fast failure of a test that can only wait out a timeout.
 *
 * With WINSYNC_GUARD=1 in the environment, when every thread of a test (its Linux session) is
 * asleep in a winsync wait that only a timeout can end, winsync ends the wait that times out
 * first at once, with WAIT_TIMEOUT, and says so on stderr. A thread that waits outside winsync
 * (a pipe, a child's exit) counts as "might still act", which is always safe but keeps the
 * guard from acting; these calls let a harness say what such a wait is for, so that it counts
 * as asleep too. Without WINSYNC_GUARD=1 they do nothing. Graded code may not call them.
 * tests/support/wstest.h is the harness that uses them; docs/debugging-a-hang.md explains the
 * guard.
 */
#ifndef WINSYNC_TEST_H
#define WINSYNC_TEST_H

#include "winsync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The calling thread waits, for at most remaining_ms more, for something only another thread
 * or process of the test can do: send it a byte (counted with WinsyncHarnessSending), or, when
 * child_pid is not 0, end the child process child_pid (which it watches without reaping, so that
 * the child stays a zombie until the wait is over). Call it again every so often while waiting
 * (each call may end the wait). Returns TRUE when the guard ended this wait because the test is
 * stuck: give up now, as on a timeout. */
BOOL WinsyncHarnessWait(DWORD remaining_ms, DWORD child_pid);
/* The wait above is over: the thread acts again. */
void WinsyncHarnessWaitEnd(void);
/* Before writing a byte that a WinsyncHarnessWait of the test waits for. */
void WinsyncHarnessSending(void);
/* After reading such a byte: also ends the calling thread's WinsyncHarnessWait. */
void WinsyncHarnessReceived(void);

#ifdef __cplusplus
}
#endif

#endif /* WINSYNC_TEST_H */
