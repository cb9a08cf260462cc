"""Every report format, rendered from a known report and checked against what reads it."""

import csv
import io
import json
import tempfile
import unittest
from pathlib import Path
import xml.etree.ElementTree as ET

from grader.report import FORMATS, csv_report, errors, html
from grader.score import LabResult, Report, TestResult, report_from_dict, report_to_dict

NASTY = 'expected "5" <got> & ]]> \x01 control'


def sample(name="alice"):
    lab1 = LabResult(number=1, slug="adder", title="Adding", folder="01-adder", tests=[
        TestResult(id="adder/small", points=2, section="Step 1", status="passed", runs=["passed"]),
        TestResult(id="adder/negative", points=1, section="Step 2", status="failed", message=NASTY,
                   runs=["failed", "passed"]),
        TestResult(id="adder_hidden/sum3", points=2, hidden=True, status="timeout", message="timed out",
                   runs=["timeout", "timeout", "timeout"]),
    ], log="/tmp/log.txt", seconds=1.5)
    lab2 = LabResult(number=2, slug="counter", title="Counting", folder="02-counter", status="compile_error",
                     message="counter.c does not compile:\nerror", tests=[
                         TestResult(id="counter/first", points=1, message="counter.c does not compile")])
    return Report(submission=name, labs=[lab1, lab2], seconds=3.2, graded_at="2026-01-01T00:00:00+00:00",
                  grader_version="1.0")


class Messages(unittest.TestCase):
    def test_paths_are_relative_to_the_tree(self):
        from grader.grade import tidy_paths

        src = "/cache/k/src"
        self.assertEqual(tidy_paths("../../../cache/k/src/tests/labs/a.c:3: x", src), "tests/labs/a.c:3: x")
        self.assertEqual(tidy_paths("/cache/k/src/tests/labs/01/hidden/../w.h:9: y", src), "tests/labs/01/w.h:9: y")
        self.assertEqual(tidy_paths("see ../README.md", src), "see ../README.md")

    def test_a_failure_that_names_one_step_points_to_it(self):
        from grader.grade import section_named_by, step_headings

        with tempfile.TemporaryDirectory() as folder:
            readme = Path(folder) / "README.md"
            readme.write_text("# Lab\n\n## Step 1: Layout\n\nx\n\n### Step 3: Push and pop\n\n"
                              "### Hints for Step 3\n")
            steps = step_headings(readme)
            self.assertEqual(steps, {"1": "Step 1: Layout", "3": "Step 3: Push and pop"})
            self.assertEqual(step_headings(Path(folder) / "missing.md"), {})
        default = "Step 1: Layout"
        self.assertEqual(section_named_by("pop kept the lock (Step 3)", default, steps), "Step 3: Push and pop")
        self.assertEqual(section_named_by("no step named", default, steps), default)
        self.assertEqual(section_named_by("Step 1 or Step 3?", default, steps), default)  # two: keep
        self.assertEqual(section_named_by("see Step 9", default, steps), default)  # not in the handout
        self.assertEqual(section_named_by("(Steps 2 and 3)", default, steps), default)


class Formats(unittest.TestCase):
    def test_every_format_renders(self):
        for name, render in FORMATS.items():
            self.assertTrue(render(sample()).strip(), name)

    def test_json_round_trips(self):
        data = json.loads(FORMATS["json"](sample()))
        self.assertEqual(data["score"], 2)
        self.assertEqual(data["max_score"], 6)
        negative = data["labs"][0]["tests"][1]
        self.assertTrue(negative["intermittent"])
        self.assertEqual(negative["runs"], ["failed", "passed"])
        again = report_from_dict(data)
        self.assertEqual(report_to_dict(again), report_to_dict(sample()))

    def test_gradescope_results_fields(self):
        data = json.loads(FORMATS["gradescope"](sample()))
        self.assertEqual(data["score"], 2)
        self.assertIsInstance(data["execution_time"], int)
        self.assertIn(data["visibility"], ("visible", "hidden", "after_due_date", "after_published"))
        self.assertEqual(len(data["tests"]), 4)
        for test in data["tests"]:
            self.assertLessEqual({"name", "score", "max_score", "visibility"}, set(test))
            self.assertIn(test["visibility"], ("visible", "after_due_date"))
            self.assertLessEqual(test["score"], test["max_score"])
        by_name = {t["name"]: t for t in data["tests"]}
        hidden = by_name["01 adder: adder_hidden/sum3"]
        self.assertEqual(hidden["visibility"], "after_due_date")
        self.assertNotIn("timed out", hidden["output"])
        self.assertIn('expected "5"', by_name["01 adder: adder/negative"]["output"])
        self.assertNotIn("timed out", data["output"])  # hidden messages stay out of the summary

    def test_junit_parses(self):
        root = ET.fromstring(FORMATS["junit"](sample()).encode())
        self.assertEqual(root.tag, "testsuites")
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites], ["01-adder", "02-counter"])
        self.assertEqual(suites[0].get("tests"), "3")
        self.assertEqual(suites[0].get("failures"), "2")
        cases = suites[0].findall("testcase")
        self.assertIsNone(cases[0].find("failure"))
        self.assertIn("]]>", cases[1].find("failure").text)
        self.assertEqual(cases[2].find("failure").get("type"), "timeout")

    def test_csv_columns(self):
        rows = list(csv.reader(io.StringIO(csv_report.render_many([sample("alice"), sample("bob")]))))
        self.assertEqual(rows[0], ["submission", "01-adder", "02-counter", "total", "max_total"])
        self.assertEqual(rows[1], ["alice", "2", "0", "2", "6"])
        self.assertEqual(len(rows), 3)

    def test_text_names_failures_and_where_to_look(self):
        out = FORMATS["text"](sample())
        self.assertIn("01 adder", out)
        self.assertIn("2/5", out)
        self.assertIn("does not compile", out)
        self.assertIn('"Step 2"', out)
        self.assertIn("log: logs/log.txt", out)  # not the grader's own path
        self.assertIn("[intermittent: failed, passed]", out)

    def test_students_see_no_more_of_a_hidden_test_than_its_name(self):
        report = sample()
        hidden = next(t for lab in report.labs for t in lab.tests if t.hidden)
        hidden.status, hidden.message = "failed", "tests/labs/01-adder/hidden/adder_hidden.c:3: expected 6"
        report.labs[1].status, report.labs[1].message = "tampered", "sentinel adder/xyz was reported passed"
        student, instructor = FORMATS["text"](report), FORMATS["instructor"](report)
        self.assertIn("adder_hidden/sum3 [hidden] (2 pt): failed", student)
        self.assertNotIn("hidden/adder_hidden.c", student)
        self.assertNotIn("sentinel", student)
        self.assertIn("could not trust", student)
        self.assertIn("hidden/adder_hidden.c:3", instructor)
        self.assertIn("sentinel adder/xyz", instructor)
        self.assertIn("/tmp/log.txt", instructor)

    def test_text_ends_with_what_to_do_next(self):
        report = sample()
        self.assertEqual(FORMATS["text"](report).splitlines()[-1],
                         'Next: lab 01 adder: make adder/negative pass; read labs/01-adder/README.md, "Step 2".')
        self.assertNotIn("Next:", FORMATS["instructor"](report))

    def test_a_fresh_clone_starts_with_the_first_lab(self):
        report = sample()
        for test in report.labs[0].tests:
            test.status = "failed"
        self.assertEqual(FORMATS["text"](report).splitlines()[-1], "Next: start with labs/01-adder/README.md.")

    def test_next_is_the_first_unfinished_lab(self):
        report = sample()
        for test in report.labs[0].tests:
            test.status = "passed"
        last = FORMATS["text"](report).splitlines()[-1]
        self.assertEqual(last, "Next: lab 02 counter does not compile: fix what its message above says, "
                               "then run ./grade 02 again.")
        report.labs[1].status = "graded"
        report.labs[1].tests[0].status = "passed"
        self.assertEqual(FORMATS["text"](report).splitlines()[-1], "Next: every test graded here passes.")

    def test_next_prefers_a_public_test_to_a_hidden_one(self):
        report = sample()
        lab = report.labs[0]
        lab.tests[1].status = "passed"
        self.assertIn("make adder_hidden/sum3 pass", FORMATS["text"](report).splitlines()[-1])
        lab.tests[0].status = "failed"
        self.assertIn("make adder/small pass", FORMATS["text"](report).splitlines()[-1])

    def test_html_summary_is_offline(self):
        page = html.render_summary([sample("alice"), sample("bob <b>")])
        self.assertIn("adder/negative", page)
        self.assertIn("bob &lt;b&gt;", page)
        self.assertNotIn("<script", page)
        self.assertNotIn("http", page)
        self.assertLess(page.index("adder/negative"), page.index("adder/small"))  # most failed first


class ErrorNames(unittest.TestCase):
    """Failure messages name the Win32 error codes they print."""

    def test_names_come_from_winsync_h(self):
        names = errors.names()
        self.assertEqual(names[120], "ERROR_CALL_NOT_IMPLEMENTED")
        self.assertEqual(names[87], "ERROR_INVALID_PARAMETER")
        self.assertEqual(names[0], "ERROR_SUCCESS")  # not NO_ERROR, defined after it

    def test_each_way_the_tests_print_a_code(self):
        self.assertEqual(errors.name_codes("ReleaseSemaphore failed: 298"),
                         "ReleaseSemaphore failed: 298 (ERROR_TOO_MANY_POSTS)")
        self.assertEqual(errors.name_codes("queue_initialize: error 87"),
                         "queue_initialize: error 87 (ERROR_INVALID_PARAMETER)")
        self.assertEqual(errors.name_codes("check failed (GetLastError 6)"),
                         "check failed (GetLastError 6 (ERROR_INVALID_HANDLE))")

    def test_other_numbers_are_left_alone(self):
        for message in ("only 2 of 4 waiters were released", "failed: 99999", "error 87 (named already)",
                        "The expression (wst_reap(child, 10000)) == (0) is false"):
            self.assertEqual(errors.name_codes(message), message)

    def test_not_implemented_names_the_unfinished_functions(self):
        message = "CreateEventA failed: 120"
        self.assertEqual(errors.name_codes(message, ["event_initialize"]),
                         "CreateEventA failed: 120 (ERROR_CALL_NOT_IMPLEMENTED: event_initialize still calls "
                         "ws_not_implemented)")
        self.assertEqual(errors.name_codes(message, ["event_set", "event_pulse"]),
                         "CreateEventA failed: 120 (ERROR_CALL_NOT_IMPLEMENTED: event_set, event_pulse still "
                         "call ws_not_implemented)")
        self.assertEqual(errors.name_codes(message),
                         "CreateEventA failed: 120 (ERROR_CALL_NOT_IMPLEMENTED: a function of your lab is "
                         "still the skeleton's stub)")

    def test_the_text_report_reads_the_unfinished_functions_from_the_log(self):
        line = ("winsync: {}() is not implemented yet: it is one of your lab's TODOs (see the lab's "
                "README.md). Calls that need it fail with ERROR_CALL_NOT_IMPLEMENTED.\n")
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "01-adder.log"
            log.write_text("[RUN ] adder::negative\n" + line.format("adder_add") * 2 + line.format("adder_sub"))
            report = sample()
            report.labs[0].log = str(log)
            report.labs[0].tests[1].message = "tests/labs/01-adder/adder.c:9: CreateEventA failed: 120\nmore"
            out = FORMATS["text"](report)
        self.assertIn("adder.c:9: CreateEventA failed: 120 (ERROR_CALL_NOT_IMPLEMENTED: adder_add, adder_sub "
                      "still call ws_not_implemented)", out)
        self.assertIn("adder_hidden/sum3 [hidden] (2 pt): timed out", out)

    def test_students_see_no_named_code_of_a_hidden_test(self):
        report = sample()
        hidden = report.labs[0].tests[2]
        hidden.status, hidden.message = "failed", "CreateEventA failed: 120"
        self.assertNotIn("ERROR_CALL_NOT_IMPLEMENTED", FORMATS["text"](report))
        self.assertIn("failed: 120 (ERROR_CALL_NOT_IMPLEMENTED", FORMATS["instructor"](report))


if __name__ == "__main__":
    unittest.main()
