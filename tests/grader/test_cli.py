"""The ./grade commands end to end on the fixture tree: reports, batch, release, Gradescope,
GitHub Classroom, mutants."""

import csv
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from grader import release
from tests.grader import support
from tests.grader.fixture import ADDER_SOLUTION, COUNTER_SOLUTION, submission


class Help(unittest.TestCase):
    def test_every_command_has_help(self):
        for command in ([], ["release"], ["gradescope"], ["github-classroom"], ["mutants"], ["check"]):
            result = support.grade_cli(*command, "--help")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("usage:", result.stdout)

    def test_unknown_lab_says_which_exist(self):
        result = support.grade_cli("99")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no lab called '99'", result.stderr)
        self.assertIn("01 (adder)", result.stderr)


class Submissions(unittest.TestCase):
    def test_submission_folder_in_every_format(self):
        folder = submission({"labs/01-adder/adder.c": ADDER_SOLUTION, "counter.c": COUNTER_SOLUTION})
        before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
        out = Path(tempfile.mkdtemp())
        for fmt in ("json", "junit"):  # every format's rendering is checked in test_reports
            result = support.grade_cli("--submission", str(folder), "--format", fmt, "--out", str(out / fmt))
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(p.relative_to(folder) for p in folder.rglob("*")), before)  # untouched
        self.assertEqual(json.loads((out / "json").read_text())["score"], 9)
        self.assertEqual(ET.parse(out / "junit").getroot().get("failures"), "0")
        self.assertTrue((out / "json-logs" / "01-adder.log").exists())

    def test_submission_cannot_replace_tests_or_rubric(self):
        root = support.tree()
        fake_test = ('#include <criterion/criterion.h>\nTest(adder, small, .timeout = 3) { cr_assert(1); }\n'
                     'Test(adder, negative, .timeout = 3) { cr_assert(1); }\n')
        folder = submission({
            "labs/01-adder/adder.c": '#include "kernel.h"\nint adder_add(int a, int b) { (void)a; (void)b; return 0; }\n',
            "tests/labs/01-adder/adder_tests.c": fake_test,
            "labs/01-adder/lab.toml": (root / "labs/01-adder/lab.toml").read_text().replace("points = 2", "points = 0"),
            "labs/01-adder/kernel.h": "#define adder_add(a, b) ((a) + (b))\n",
        })
        result = support.grade_cli("--submission", str(folder), "--format", "json", "1")
        data = json.loads(result.stdout)
        self.assertEqual((data["score"], data["max_score"]), (0, 5))
        self.assertNotEqual((root / "tests/labs/01-adder/adder_tests.c").read_text(), fake_test)

    def test_symbolic_link_is_refused(self):
        root = support.tree()
        folder = Path(tempfile.mkdtemp())
        os.symlink(root / "solutions/01-adder/adder.c", folder / "adder.c")
        result = support.grade_cli("--submission", str(folder), "--format", "json", "1")
        lab = json.loads(result.stdout)["labs"][0]
        self.assertEqual(lab["score"], 0)
        self.assertIn("symbolic link", lab["message"])

    def test_require_full_and_check(self):
        out = Path(tempfile.mkdtemp()) / "report.json"
        result = support.grade_cli("--solutions", "--require-full", "--format", "json", "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(support.grade_cli("check", str(out), "adder/small").returncode, 0)
        self.assertEqual(support.grade_cli("check", str(out), "nope/nope").returncode, 2)
        self.assertIn("**9/9**", support.grade_cli("check", str(out), "--summary").stdout)
        self.assertEqual(support.grade_cli("--require-full", "1").returncode, 1)  # the skeleton


class Batch(unittest.TestCase):
    def test_a_class_folder(self):
        root = support.tree()
        base = Path(tempfile.mkdtemp())
        classroom = base / "class"
        (classroom / "alice").mkdir(parents=True)
        (classroom / "alice" / "adder.c").write_text(ADDER_SOLUTION)
        (classroom / "alice" / "counter.c").write_text(COUNTER_SOLUTION)
        (classroom / "bob").mkdir()
        shutil.copy(root / "labs/01-adder/adder.c", classroom / "bob")
        with zipfile.ZipFile(classroom / "carol.zip", "w") as z:
            z.writestr("carol/labs/01-adder/adder.c", ADDER_SOLUTION)
            z.writestr("../evil/adder.c", "int x;")
        with tarfile.open(classroom / "dave.tar.gz", "w:gz") as t:
            t.add(root / "solutions/02-counter/counter.c", arcname="dave/counter.c")
        out = base / "out"
        result = support.grade_cli("--batch", str(classroom), "--jobs", "2", "--out", str(out), "--no-similarity")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("[4/4]", result.stderr)
        self.assertIn("ETA", result.stderr)
        rows = list(csv.DictReader((out / "grades.csv").read_text().splitlines()))
        scores = {row["submission"]: (row["01-adder"], row["02-counter"], row["total"]) for row in rows}
        self.assertEqual(scores, {"alice": ("5", "4", "9"), "bob": ("0", "0", "0"),
                                  "carol": ("5", "0", "5"), "dave": ("0", "4", "4")})
        for name in scores:
            for report in ("report.txt", "report.json", "junit.xml", "results.json"):
                self.assertTrue((out / "students" / name / report).exists(), (name, report))
        page = (out / "summary.html").read_text()
        self.assertIn("adder/negative", page)
        self.assertFalse((base / "evil").exists())
        self.assertFalse((out / "similarity.html").exists())  # --no-similarity


class Release(unittest.TestCase):
    def test_every_instructor_page_is_left_out(self):
        """docs/instructor/ of this repository (the guide, the answers, the find-the-bug sheet that
        shows nearly complete lab functions, and its answers) never reaches the handout."""
        repo = Path(__file__).resolve().parents[2]
        folder = repo / "docs" / "instructor"
        if not folder.is_dir():
            self.skipTest("a student handout: it has no docs/instructor/")
        pages = sorted(p.relative_to(repo).as_posix() for p in folder.rglob("*") if p.is_file())
        self.assertIn("docs/instructor/find-the-bug/answers.md", pages)
        self.assertEqual([p for p in pages if not release.excluded(p, release.EXCLUDED)], [])

    def test_handout_has_no_secrets_and_grades(self):
        support.tree()
        handout = Path(tempfile.mkdtemp()) / "handout"
        result = support.grade_cli("release", "--out", str(handout))
        self.assertEqual(result.returncode, 0, result.stderr)
        names = {p.relative_to(handout).as_posix() for p in handout.rglob("*") if p.is_file()}
        self.assertFalse([n for n in names if n.startswith(("solutions/", "tests/mutants/")) or "/hidden/" in n])
        self.assertNotIn("docs/instructor-guide.md", names)
        self.assertIn("docs/workbook.md", names)
        self.assertIn("reference/01-adder/adder.c.o", names)
        self.assertNotIn("adder_hidden", (handout / "labs/01-adder/lab.toml").read_text())
        self.assertFalse((handout / "solutions").exists())
        # The handout grades on its own: skeleton zero, a correct file full marks on public tests.
        graded = subprocess.run([str(handout / "grade"), "--format", "json"], cwd=handout, capture_output=True,
                                text=True, timeout=300)
        data = json.loads(graded.stdout)
        self.assertEqual((data["score"], data["max_score"]), (0, 7))
        (handout / "labs/01-adder/adder.c").write_text(ADDER_SOLUTION)
        graded = subprocess.run([str(handout / "grade"), "--format", "json", "adder"], cwd=handout,
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(json.loads(graded.stdout)["score"], 3)
        self.assertEqual(support.grade_cli("release", "--out", str(handout)).returncode, 2)  # not empty


class Autograders(unittest.TestCase):
    def test_gradescope_zip_runs(self):
        base = Path(tempfile.mkdtemp())
        result = support.grade_cli("gradescope", "--out", str(base / "autograder.zip"))
        self.assertEqual(result.returncode, 0, result.stderr)
        with zipfile.ZipFile(base / "autograder.zip") as z:
            names = set(z.namelist())
            self.assertLessEqual({"setup.sh", "run_autograder", "winsync/grade", "winsync/grader/cli.py",
                                  "winsync/tests/labs/01-adder/hidden/adder_hidden.c"}, names)
            self.assertIn("libcriterion-dev", z.read("setup.sh").decode())
            z.extractall(base / "source")
        (base / "source/run_autograder").chmod(0o755)
        (base / "source/winsync/grade").chmod(0o755)
        (base / "submission").mkdir()
        (base / "submission" / "adder.c").write_text(ADDER_SOLUTION)
        env = dict(os.environ, AUTOGRADER=str(base))
        subprocess.run([str(base / "source/run_autograder")], env=env, timeout=300, capture_output=True)
        results = json.loads((base / "results/results.json").read_text())
        self.assertEqual(results["score"], 5)
        self.assertEqual(len(results["tests"]), 5)

    def test_github_classroom_workflow(self):
        out = Path(tempfile.mkdtemp()) / "classroom.yml"
        result = support.grade_cli("github-classroom", "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        text = out.read_text()
        self.assertEqual(text.count("autograding-command-grader@v1"), 4)  # public tests only
        self.assertNotIn("adder_hidden", text)
        self.assertIn("runners: t1,t2,t3,t4", text)
        self.assertIn("python3 ./grade check grade-report.json adder/negative", text)


class Mutants(unittest.TestCase):
    def test_mutants_table_and_a_survivor(self):
        root = support.tree()
        patch = ("--- a/solutions/01-adder/adder.c\n+++ b/solutions/01-adder/adder.c\n@@ -2,4 +2,4 @@\n"
                 " int adder_add(int a, int b)\n {{\n-    return a + b;\n+    return {};\n }}\n")
        made = {
            # equivalent to the solution: no test can catch it
            "survivor": "# Mutant: adds in the other order.\n# Caught by: adder/small\n" + patch.format("b + a"),
            # caught, but not by the test its header promises
            "wrong_promise": "# Mutant: off by one for negatives.\n# Caught by: adder/small\n"
                             + patch.format("a < 0 ? a + b + 1 : a + b"),
            # caught, but its header promises nothing
            "no_promise": "# Mutant: off by one for negatives.\n" + patch.format("a < 0 ? a + b - 1 : a + b"),
        }
        for name, text in made.items():
            (root / f"tests/mutants/01-adder/{name}.diff").write_text(text)
        try:
            result = support.grade_cli("mutants")
        finally:
            for name in made:
                (root / f"tests/mutants/01-adder/{name}.diff").unlink()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"negative_wrong +\| 4/5 +\| ok +\| adder/negative")
        self.assertRegex(result.stdout, r"starts_at_zero +\| 0/4 +\| ok +\| counter/first, counter/sequence")
        self.assertRegex(result.stdout, r"01 adder +\| skeleton +\| 0/5 +\| ok")
        self.assertRegex(result.stdout, r"02 counter +\| solution +\| 4/4 +\| ok")
        self.assertRegex(result.stdout, r"survivor +\| 5/5 +\| FAIL: survives")
        self.assertRegex(result.stdout, r"wrong_promise +\| 4/5 +\| FAIL: not caught by adder/small")
        self.assertRegex(result.stdout, r"no_promise +\| 4/5 +\| FAIL: no '# Caught by:' line")
        self.assertIn("5 mutants, 3 problem(s).", result.stdout)


if __name__ == "__main__":
    unittest.main()
