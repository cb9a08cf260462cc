"""Grading real submissions built in temporary folders against the fixture tree."""

import secrets
import time
import unittest
from unittest import mock

from tests.grader import support
from tests.grader.fixture import ADDER_SOLUTION, COUNTER_SOLUTION, adder

UNSCANNED = mock.patch("grader.scan.check")  # to test what the sandbox does on its own


def lab(report, number=1):
    return next(l for l in report.labs if l.number == number)


class FullAndZero(unittest.TestCase):
    def test_solutions_get_full_marks(self):
        report = support.grade_files({"01": {"adder.c": ADDER_SOLUTION}, "02": {"counter.c": COUNTER_SOLUTION}},
                                     lab_keys=("01", "02"))
        self.assertEqual(report.score, report.max_score)
        self.assertEqual(report.max_score, 9)
        for test in lab(report).tests:
            self.assertEqual(test.runs, ["passed"])

    def test_skeletons_get_zero(self):
        root = support.tree()
        report = support.grade_files({"01": {"adder.c": (root / "labs/01-adder/adder.c").read_text()},
                                      "02": {"counter.c": (root / "labs/02-counter/counter.c").read_text()}},
                                     lab_keys=("01", "02"))
        self.assertEqual(report.score, 0)
        self.assertTrue(all(t.status == "failed" for l in report.labs for t in l.tests))

    def test_mutant_loses_some_points(self):
        report = support.grade_files({"01": {"adder.c": adder("    return a < 0 ? -(a + b) : a + b;")}})
        statuses = {t.id: t.status for t in lab(report).tests}
        self.assertEqual(statuses, {"adder/small": "passed", "adder/negative": "failed",
                                    "adder_hidden/sum3": "passed"})
        self.assertEqual(report.score, 4)

    def test_missing_file_is_reported(self):
        report = support.grade_files({})
        self.assertEqual(lab(report).status, "missing")
        self.assertIn("adder.c", lab(report).message)
        self.assertEqual(report.score, 0)


class BrokenSubmissions(unittest.TestCase):
    def test_compile_error_scores_zero_with_the_compiler_message(self):
        report = support.grade_files({"01": {"adder.c": adder("    return a + b")}})
        self.assertEqual(lab(report).status, "compile_error")
        self.assertIn("expected ';'", lab(report).message.replace("‘", "'").replace("’", "'"))
        self.assertIn("labs/01-adder/adder.c", lab(report).message)
        self.assertEqual(report.score, 0)

    def test_warnings_do_not_fail_the_build(self):
        report = support.grade_files({"01": {"adder.c": adder("    int unused;\n    return a + b;")}})
        self.assertEqual(report.score, 5)

    def test_link_error_when_the_function_is_missing(self):
        report = support.grade_files({"01": {"adder.c": "#include \"kernel.h\"\nstatic int adder_sub(int a) { return a; }\n"}})
        self.assertEqual(lab(report).status, "link_error")
        self.assertIn("adder_add", lab(report).message)

    def test_infinite_loop_times_out_and_the_grader_moves_on(self):
        start = time.monotonic()
        report = support.grade_files({"01": {"adder.c": adder("    for (;;) {}\n    return a + b;")}})
        self.assertLess(time.monotonic() - start, 40)
        self.assertEqual(report.score, 0)
        self.assertTrue(all(t.status == "timeout" for t in lab(report).tests), lab(report).tests)
        self.assertIn("timed out", lab(report).tests[0].message)

    def test_fork_bomb_is_contained_and_cleaned_up(self):
        body = "    for (;;)\n        fork();\n    return a + b;"
        with support.Tagged() as tag, UNSCANNED:  # the sandbox itself must contain it
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <unistd.h>")}})
        self.assertEqual(report.score, 0)
        self.assertEqual(tag.alive(), [])

    def test_exit_zero_in_student_code_fails(self):
        report = support.grade_files({"01": {"adder.c": adder("    exit(0);", "#include <stdlib.h>")}})
        self.assertEqual(lab(report).status, "rejected")  # the scan refuses exit
        self.assertIn("exit", lab(report).message)
        with UNSCANNED:  # and were it reached without naming exit: zero assertions
            report = support.grade_files({"01": {"adder.c": adder("    exit(0);", "#include <stdlib.h>")}})
        self.assertEqual(report.score, 0)
        self.assertTrue(all(t.status == "no_assertions" for t in lab(report).tests))
        self.assertIn("exit()", lab(report).tests[0].message)

    def test_huge_output_is_capped(self):
        body = ("    static char line[4096];\n    memset(line, 'x', sizeof line);\n"
                "    for (int i = 0; i < 40000; i++)\n        fwrite(line, 1, sizeof line, stdout);\n"
                "    return a + b;")
        report = support.grade_files({"01": {"adder.c": adder(body, "#include <stdio.h>\n#include <string.h>")}})
        self.assertEqual(report.score, 0)
        self.assertIn("output limit", lab(report).message)
        self.assertIn("output limit", lab(report).tests[0].message)

    def test_some_output_is_fine(self):
        body = '    printf("debug %d %d\\n", a, b);\n    return a + b;'
        report = support.grade_files({"01": {"adder.c": adder(body, "#include <stdio.h>")}})
        self.assertEqual(report.score, 5)

    def test_code_cannot_delete_the_grader_files(self):
        root = support.tree()
        victim = root / "tests/labs/01-adder/adder_tests.c"
        cached = list(support.CACHE.glob("*/src/tests/labs/01-adder/adder_tests.c"))
        body = "".join(f'    remove("{p}");\n' for p in [victim, *cached]) + "    return a + b;"
        with UNSCANNED:  # the sandbox itself must protect them
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <stdio.h>")}})
        self.assertEqual(report.score, 5)
        self.assertTrue(victim.exists())
        self.assertTrue(all(p.exists() for p in cached))

    def test_intermittent_failure_counts_as_failed_and_is_reported(self):
        # Fails the first time it sees a negative number: the run folder (the only writable one,
        # kept between the runs of one lab) remembers that it did.
        marker = f"grader-flaky-{secrets.token_hex(4)}"
        body = (f'    if (a < 0 && access("{marker}", F_OK) != 0) {{\n'
                f'        close(open("{marker}", O_CREAT | O_WRONLY, 0666));\n'
                "        return 0;\n    }\n    return a + b;")
        with UNSCANNED:
            report = support.grade_files({"01": {"adder.c": adder(body, "#include <fcntl.h>\n#include <unistd.h>")}})
        negative = next(t for t in lab(report).tests if t.id == "adder/negative")
        self.assertEqual(negative.runs, ["failed", "passed"])
        self.assertTrue(negative.intermittent)
        self.assertEqual(negative.score, 0)
        self.assertIn("intermittent", negative.message)
        self.assertEqual(report.score, 4)

    def test_confirm_takes_the_points_of_a_test_that_passes_only_once(self):
        # Right the first time it sees a negative number, wrong afterwards (the run folder,
        # kept between the runs of one lab, remembers).
        marker = f"grader-racy-{secrets.token_hex(4)}"
        body = (f'    if (a < 0 && access("{marker}", F_OK) == 0)\n        return 0;\n'
                f'    if (a < 0)\n        close(open("{marker}", O_CREAT | O_WRONLY, 0666));\n'
                "    return a + b;")
        text = adder(body, "#include <fcntl.h>\n#include <unistd.h>")
        with UNSCANNED:
            plain = support.grade_files({"01": {"adder.c": text}})
            confirmed = support.grade_files({"01": {"adder.c": text}}, confirm=True)
        self.assertEqual(plain.score, 5)  # one run: the race is never seen
        negative = next(t for t in lab(confirmed).tests if t.id == "adder/negative")
        self.assertEqual(negative.runs[:2], ["passed", "failed"])
        self.assertEqual(negative.score, 0)
        self.assertIn("intermittent", negative.message)
        small = next(t for t in lab(confirmed).tests if t.id == "adder/small")
        self.assertEqual(small.runs, ["passed", "passed"])  # confirmed, points kept
        self.assertEqual(confirmed.score, 4)


class RejectedObjects(unittest.TestCase):
    def assert_rejected(self, text, words):
        report = support.grade_files({"01": {"adder.c": text}})
        self.assertEqual(lab(report).status, "rejected", lab(report).message)
        self.assertEqual(report.score, 0)
        for word in words:
            self.assertIn(word, lab(report).message)

    def test_criterion_report_hook(self):
        hook = ("#include <criterion/criterion.h>\n#include <criterion/hooks.h>\n"
                "ReportHook(POST_TEST)(struct criterion_test_stats *stats) { stats->test_status = CR_STATUS_PASSED; }\n")
        self.assert_rejected(adder("    return 0;", hook), ["cr_"])

    def test_constructor(self):
        ctor = "__attribute__((constructor)) static void early(void) {}\n"
        self.assert_rejected(adder("    return a + b;", ctor), [".init_array"])

    def test_runtime_symbol(self):
        self.assert_rejected(adder("    return a + b;", "int ws_sum3(int a, int b, int c) { return a + b + c; }"),
                             ["ws_sum3"])

    def test_c_library_symbol(self):
        self.assert_rejected(adder("    return a + b;", "#include <stddef.h>\nsize_t strlen(const char *s) { (void)s; return 0; }"),
                             ["strlen"])

    def test_main(self):
        self.assert_rejected(adder("    return a + b;", "int main(void) { return 0; }"), ["main"])

    def test_loading_code(self):
        self.assert_rejected(adder('    system("true");\n    return a + b;', "#include <stdlib.h>"), ["system"])


if __name__ == "__main__":
    unittest.main()
