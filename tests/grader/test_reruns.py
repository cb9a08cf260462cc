"""Which failing tests the grader runs again: a re-run only says whether a failure is
intermittent, so a test that timed out or failed slowly (it would cost that time again) is not
re-run."""

import secrets
import unittest
from types import SimpleNamespace
from unittest import mock

from grader import run
from tests.grader import support
from tests.grader.fixture import adder

UNSCANNED = mock.patch("grader.scan.check")  # the marker files below need open() and access()


def tests_of(report):
    return {t.id: t for t in report.labs[0].tests}


class TimedOutTestsAreNotRunAgain(unittest.TestCase):
    def test_a_hang_runs_once_and_a_fast_failure_three_times(self):
        # adder/negative hangs, adder/small fails at once, adder_hidden/sum3 passes.
        body = "    if (a < 0)\n        for (;;) {}\n    if (a == 2)\n        return 0;\n    return a + b;"
        report = support.grade_files({"01": {"adder.c": adder(body)}})
        tests = tests_of(report)
        self.assertEqual(tests["adder/negative"].runs, ["timeout"])
        self.assertEqual(tests["adder/negative"].status, "timeout")
        self.assertIn("timed out", tests["adder/negative"].message)
        self.assertEqual(tests["adder/small"].runs, ["failed", "failed", "failed"])
        self.assertEqual(tests["adder_hidden/sum3"].runs, ["passed"])
        self.assertEqual(report.score, 2)

    def test_a_slow_failure_runs_once(self):
        # adder/negative fails after waiting 2 s (like a wait of the test that expires), over the
        # threshold made 1 s here; adder/small fails at once and is re-run.
        body = "    if (a < 0) {\n        sleep(2);\n        return 0;\n    }\n    if (a == 2)\n        return 0;\n" \
               "    return a + b;"
        with UNSCANNED, mock.patch("grader.run.SLOW_FAILURE", 1.0):
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <unistd.h>")}})
        tests = tests_of(report)
        self.assertEqual(tests["adder/negative"].runs, ["failed"])
        self.assertGreaterEqual(tests["adder/negative"].time, 1.0)
        self.assertEqual(tests["adder/small"].runs, ["failed", "failed", "failed"])
        self.assertEqual(report.score, 2)

    def test_a_test_that_times_out_in_a_re_run_is_not_run_a_third_time(self):
        # The first negative number fails at once (the run folder, kept between the runs of one
        # lab, remembers it); every later one hangs.
        marker = f"grader-then-hang-{secrets.token_hex(4)}"
        body = (f'    if (a < 0 && access("{marker}", F_OK) == 0)\n        for (;;) {{}}\n'
                f'    if (a < 0) {{\n        close(open("{marker}", O_CREAT | O_WRONLY, 0666));\n'
                "        return 0;\n    }\n    return a + b;")
        with UNSCANNED:
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <fcntl.h>\n#include <unistd.h>")}})
        negative = tests_of(report)["adder/negative"]
        self.assertEqual(negative.runs, ["failed", "timeout"])
        self.assertEqual(negative.status, "failed")  # the first failure is the one reported
        self.assertEqual(negative.score, 0)
        self.assertEqual(report.score, 4)

    def test_a_passing_test_that_hangs_when_confirmed_keeps_no_points(self):
        marker = f"grader-confirm-hang-{secrets.token_hex(4)}"
        body = (f'    if (a < 0 && access("{marker}", F_OK) == 0)\n        for (;;) {{}}\n'
                f'    if (a < 0)\n        close(open("{marker}", O_CREAT | O_WRONLY, 0666));\n'
                "    return a + b;")
        with UNSCANNED:
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <fcntl.h>\n#include <unistd.h>")}},
                                         confirm=True)
        negative = tests_of(report)["adder/negative"]
        self.assertEqual(negative.runs, ["passed", "timeout"])
        self.assertTrue(negative.intermittent)
        self.assertEqual(negative.score, 0)
        self.assertEqual(report.score, 4)

    def test_nothing_is_re_run_when_a_sentinel_hangs(self):
        # The sentinels call adder_add(1, 2), which hangs (as does adder_hidden/sum3): every re-run
        # would wait for them again. adder/small fails at once, adder/negative passes.
        body = "    if (a == 1 && b == 2)\n        for (;;) {}\n    if (a == 2)\n        return 0;\n    return a + b;"
        report = support.grade_files({"01": {"adder.c": adder(body)}})
        tests = tests_of(report)
        self.assertEqual(tests["adder/small"].runs, ["failed"])
        self.assertEqual(tests["adder/negative"].runs, ["passed"])
        self.assertEqual(tests["adder_hidden/sum3"].runs, ["timeout"])
        self.assertEqual(report.labs[0].status, "graded")  # the sentinels failed, as they must
        self.assertEqual(report.score, 1)

    def test_nothing_is_re_run_after_the_lock_guard_ended_a_test(self):
        # adder/negative prints what winsync's lock guard prints when lab code loops inside the
        # dispatcher lock, and aborts, as the guard does; adder/small fails at once. Neither is
        # run again: each re-run would cost the guard's time once more.
        body = (f'    if (a < 0) {{\n        fprintf(stderr, "winsync: thread 3 {run.LOCK_GUARD_REPORT} '
                '501 ms\\n");\n        abort();\n    }\n    if (a == 2)\n        return 0;\n'
                "    return a + b;")
        report = support.grade_files({"01": {"adder.c": adder(body, "#include <stdio.h>\n#include <stdlib.h>")}})
        tests = tests_of(report)
        self.assertEqual(tests["adder/negative"].runs, ["crashed"])
        self.assertEqual(tests["adder/small"].runs, ["failed"])
        self.assertEqual(tests["adder_hidden/sum3"].runs, ["passed"])
        self.assertEqual(report.score, 2)


class WallLimit(unittest.TestCase):
    def test_the_limit_leaves_room_for_every_test_and_sentinel_to_time_out(self):
        tests = [SimpleNamespace(timeout=t) for t in (20, 30, 60, 90)]
        for jobs in (1, 2, 8):
            everything = sum(t.timeout for t in tests) + 2 * 90
            self.assertGreater(run.wall_limit(tests, jobs, sentinels=2), everything / jobs + 90)


if __name__ == "__main__":
    unittest.main()
