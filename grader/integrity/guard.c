/*
 * Linked by the grader into every graded test binary.
 *
 * Criterion's runner is the parent of every test worker; only the workers run the student's
 * code. Before the first worker starts, the runner makes itself non-dumpable: a worker (same
 * uid) then cannot open /proc/<runner>/fd/N (the grader's results channel), read or write
 * /proc/<runner>/mem, or ptrace the runner. Workers are started with exec, which makes them
 * dumpable again, so tests can still look at their own children in /proc.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
    (void)tests;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        perror("grader guard: prctl(PR_SET_DUMPABLE)");
        abort();
    }
}
