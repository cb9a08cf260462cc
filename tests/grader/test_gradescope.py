"""The Gradescope autograder: its layout, its results.json, one assignment per lab, and what it
needs from the base image (Python 3.9+: tomlcompat; the version checks of setup.sh).

tests/delivery/gradescope_chroot.py runs the real thing in a Debian bullseye root file system."""

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

from grader import config, gradescope, tomlcompat
from grader.report import FORMATS
from grader.score import LabResult, Report, TestResult
from tests.grader import support
from tests.grader.fixture import ADDER_SOLUTION, REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.9/3.10: the comparisons with tomllib are skipped
    tomllib = None


def unpack_like_gradescope(archive, base):
    """Lay a zip out as Gradescope does: /autograder/source is the zip's content (modes kept, as
    unzip keeps them), /autograder/run_autograder a copy of its run_autograder, and empty
    submission/ and results/ folders."""
    source = base / "source"
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            path = Path(z.extract(info, source))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)
    shutil.copy2(source / "run_autograder", base / "run_autograder")
    (base / "submission").mkdir()
    (base / "results").mkdir()
    return base


def run_autograder(base, path_prefix=None, timeout=300):
    """Run /autograder/run_autograder the way Gradescope does: the copy, from /autograder."""
    env = dict(os.environ, AUTOGRADER=str(base))
    if path_prefix:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    result = subprocess.run([str(base / "run_autograder")], cwd=base, env=env, capture_output=True, text=True,
                            timeout=timeout)
    return result, json.loads((base / "results/results.json").read_text())


def make_zip(*args):
    base = Path(tempfile.mkdtemp(prefix="gradescope-test-"))
    result = support.grade_cli("gradescope", *args, "--out", str(base / "autograder.zip"))
    return base, result


class Layout(unittest.TestCase):
    def test_run_autograder_works_from_its_copy_in_autograder(self):
        # Problem 5: `cd "$(dirname "$0")/winsync"` from /autograder/run_autograder: status 127, 0 points.
        base, result = make_zip()
        self.assertEqual(result.returncode, 0, result.stderr)
        unpack_like_gradescope(base / "autograder.zip", base)
        (base / "submission" / "adder.c").write_text(ADDER_SOLUTION)
        run, results = run_autograder(base)
        self.assertNotIn("The grader failed", results.get("output", ""), run.stdout + run.stderr)
        self.assertEqual(results["score"], 5, run.stdout + run.stderr)
        names = {t["name"] for t in results["tests"]}
        self.assertIn("01 adder: adder_hidden/sum3", names)

    def test_scripts_name_the_real_paths(self):
        labs = config.load_labs(support.tree())
        for text in gradescope.scripts(labs, labs):
            self.assertIn('TREE="$AUTOGRADER/source/winsync"', text)
            self.assertNotIn("dirname", text)
            self.assertIn("python3 ./grade", text)  # no reliance on the exec bit surviving the unzip
        setup = gradescope.scripts(labs, labs)[0]
        self.assertIn("bubblewrap", setup)
        for package in "build-essential cmake python3 pkg-config binutils patch libcriterion-dev".split():
            self.assertIn(package, setup)

    def test_the_zip_holds_all_of_the_grader(self):
        # Found in the bullseye chroot: only grader/**/*.py was zipped, so grader/integrity/guard.c
        # was missing and every lab was "the grader failed on this lab".
        base, _ = make_zip()
        with zipfile.ZipFile(base / "autograder.zip") as z:
            names = set(z.namelist())
        here = support.tree() / "grader"
        for path in here.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                self.assertIn(f"winsync/grader/{path.relative_to(here).as_posix()}", names)

    def test_setup_restores_exec_bits_an_unzip_dropped(self):
        labs = config.load_labs(support.tree())
        setup = gradescope.scripts(labs, labs)[0]
        restore = setup.split("<<'MODES'\n", 1)[1].split("\nMODES\n", 1)[0]
        base, _ = make_zip()
        with zipfile.ZipFile(base / "autograder.zip") as z:
            z.extractall(base / "source")  # no modes, like an unzip that drops them
        tree = base / "source/winsync"
        self.assertFalse(os.access(tree / "grade", os.X_OK))
        subprocess.run([sys.executable, "-", str(tree)], input=restore, text=True, check=True)
        self.assertTrue(os.access(tree / "grade", os.X_OK))
        self.assertFalse(os.access(tree / "grader/cli.py", os.X_OK))

    def test_no_note_when_the_sandbox_works(self):
        if subprocess.run(["bwrap", "--unshare-all", "--ro-bind", "/", "/", "true"],
                          capture_output=True).returncode != 0:
            self.skipTest("bwrap does not work here")
        base, _ = make_zip()
        unpack_like_gradescope(base / "autograder.zip", base)
        (base / "submission" / "adder.c").write_text(ADDER_SOLUTION)
        run, results = run_autograder(base)
        self.assertEqual(results["score"], 5, run.stdout + run.stderr)
        self.assertFalse([t for t in results["tests"] if "score" not in t])
        self.assertNotIn("extra_data", results)

    def test_a_failing_grader_still_writes_results(self):
        base, _ = make_zip()
        unpack_like_gradescope(base / "autograder.zip", base)
        (base / "source/winsync/grade").write_text("import sys\nsys.exit(3)\n")
        run, results = run_autograder(base)
        self.assertEqual(results["score"], 0)
        self.assertIn("status 3", results["output"])
        self.assertEqual(results["tests"][0]["visibility"], "hidden")


class Sandbox(unittest.TestCase):
    def test_no_bwrap_grades_and_tells_the_instructors_only(self):
        base, _ = make_zip()
        unpack_like_gradescope(base / "autograder.zip", base)
        (base / "submission" / "adder.c").write_text(ADDER_SOLUTION)
        fake = base / "fake-bin"
        fake.mkdir()
        (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
        (fake / "bwrap").chmod(0o755)
        run, results = run_autograder(base, path_prefix=fake)
        self.assertIn("bubblewrap cannot create its sandbox", run.stdout)
        notes = [t for t in results["tests"] if t["name"].startswith("Grader note")]
        self.assertEqual(len(notes), 1, results)
        self.assertEqual(notes[0]["visibility"], "hidden")  # never shown to students
        self.assertNotIn("score", notes[0])
        self.assertNotIn("bubblewrap", results["output"])
        self.assertTrue(results["extra_data"]["grader_notes"])
        help_text = support.grade_cli("--help").stdout
        if "--unsafe-no-sandbox" in help_text:
            self.assertIn("--unsafe-no-sandbox", notes[0]["output"])
            self.assertEqual(results["score"], 5, run.stdout + run.stderr)
        else:  # a grader without the flag: it is not passed (the grader would refuse it)
            self.assertNotIn("--unsafe-no-sandbox", notes[0]["output"])

    def test_the_flag_is_passed_only_when_the_probe_fails(self):
        labs = config.load_labs(support.tree())
        run = gradescope.scripts(labs, labs)[1]
        probe = run.index("bwrap --unshare-all --ro-bind / / true")
        self.assertLess(probe, run.index("sandbox=(--unsafe-no-sandbox)"))
        self.assertRegex(run, r'if ! bwrap --unshare-all --ro-bind / / true')
        self.assertIn('python3 ./grade "${sandbox[@]}"', run)


def sample():
    lab = LabResult(number=1, slug="adder", title="Adding", folder="01-adder", tests=[
        TestResult(id="adder/small", points=2, status="passed", runs=["passed"]),
        TestResult(id="adder/negative", points=1, section="Step 2", status="failed", message="expected -5",
                   runs=["failed"] * 3),
        TestResult(id="adder_hidden/sum3", points=4, hidden=True, section="Step 3", status="failed",
                   message="secret assertion 6 == 7", runs=["failed"] * 3),
        TestResult(id="adder_hidden/sum4", points=3, hidden=True, status="passed", runs=["passed"]),
    ], log="/autograder/results/logs/01/log.txt", seconds=1.0)
    return Report(submission="s", labs=[lab], seconds=2.0)


class Results(unittest.TestCase):
    def test_hidden_tests_and_totals_wait_for_the_due_date(self):
        # Problem 6: the visible output named failing hidden tests with their points, and its
        # per-lab totals counted hidden tests.
        results = json.loads(FORMATS["gradescope"](sample()))
        self.assertEqual(results["visibility"], "visible")
        self.assertEqual(results["stdout_visibility"], "hidden")
        self.assertEqual(results["score"], 5)  # Gradescope hides it while tests are hidden
        output = results["output"]
        for secret in ("adder_hidden", "sum3", "sum4", "secret assertion", "(4 pt)", "/10", "5/"):
            self.assertNotIn(secret, output)
        self.assertRegex(output, r"01 adder +1/2 +2/3")  # public tests only
        self.assertIn("shown after the due date", output)
        self.assertIn("adder/negative", output)
        by_name = {t["name"]: t for t in results["tests"]}
        self.assertEqual(len(by_name), 4)
        for name, test in by_name.items():
            expected = "after_due_date" if "hidden" in name else "visible"
            self.assertEqual(test["visibility"], expected, name)
        hidden = by_name["01 adder: adder_hidden/sum3"]
        self.assertNotIn("secret", hidden["output"])
        self.assertEqual((hidden["score"], hidden["max_score"]), (0, 4))
        self.assertIn("expected -5", by_name["01 adder: adder/negative"]["output"])

    def test_no_hidden_tests_no_note(self):
        report = sample()
        report.labs[0].tests = report.labs[0].tests[:2]
        self.assertNotIn("due date", json.loads(FORMATS["gradescope"](report))["output"])

    def test_add_note(self):
        path = Path(tempfile.mkdtemp()) / "results.json"
        path.write_text(FORMATS["gradescope"](sample()))
        gradescope.add_note(path, "no sandbox")
        results = json.loads(path.read_text())
        self.assertEqual(results["tests"][-1], {"name": "Grader note (instructors only)", "output": "no sandbox",
                                                "visibility": "hidden"})
        self.assertEqual(results["score"], 5)


class OneLabPerAssignment(unittest.TestCase):
    def test_zip_for_one_lab(self):
        # Problem 8: `./grade gradescope 03 --out lab03.zip` was refused.
        base, result = make_zip("01")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("01 adder", result.stderr)
        with zipfile.ZipFile(base / "autograder.zip") as z:
            setup, run = z.read("setup.sh").decode(), z.read("run_autograder").decode()
        self.assertRegex(setup, r"--require-full --jobs 2 01\n")
        self.assertRegex(run, r"--log-dir \"\$AUTOGRADER/results/logs\" 01\n")
        unpack_like_gradescope(base / "autograder.zip", base)
        (base / "submission" / "adder.c").write_text(ADDER_SOLUTION)
        run, results = run_autograder(base)
        self.assertEqual(results["score"], 5, run.stdout + run.stderr)
        self.assertTrue(all(t["name"].startswith("01 adder") for t in results["tests"]), results["tests"])

    def test_several_labs_and_unknown_ones(self):
        base, result = make_zip("counter")
        self.assertEqual(result.returncode, 0, result.stderr)
        with zipfile.ZipFile(base / "autograder.zip") as z:
            self.assertRegex(z.read("run_autograder").decode(), r"logs\" 02\n")
        base, result = make_zip("02", "adder")  # both labs of the fixture: the same as none
        self.assertEqual(result.returncode, 0, result.stderr)
        with zipfile.ZipFile(base / "autograder.zip") as z:
            self.assertRegex(z.read("run_autograder").decode(), r"logs\"\n")
        base, result = make_zip("07")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no lab called '07'", result.stderr)
        self.assertFalse((base / "autograder.zip").exists())

    def test_all_labs_by_default(self):
        labs = config.load_labs(support.tree())
        for text in gradescope.scripts(labs, labs):
            self.assertNotRegex(text, r" 0[12]\n")


class OldPython(unittest.TestCase):
    """Problem 7: the grader must run on Python 3.9 (Debian bullseye) and 3.10 (Ubuntu 22.04)."""

    def lab_tomls(self):
        found = sorted(REPO.glob("labs/*/lab.toml")) + sorted(support.tree().glob("labs/*/lab.toml"))
        self.assertGreaterEqual(len(found), 6)
        return found

    @unittest.skipIf(tomllib is None, "needs tomllib (Python 3.11+) to compare with")
    def test_tomlcompat_reads_every_lab_toml_as_tomllib_does(self):
        for path in self.lab_tomls() + sorted(REPO.glob("tests/**/*.toml")):
            text = path.read_text()
            self.assertEqual(tomlcompat.loads(text), tomllib.loads(text), path)

    @unittest.skipIf(tomllib is None, "needs tomllib (Python 3.11+) to compare with")
    def test_tomlcompat_matches_tomllib_on_the_subset(self):
        documents = [
            '[lab]\nnumber = 1 # c\nslug = "x"\nlist = ["a", \'b\', ]\n',
            "[[tests]]\nid = 'a/b'\npoints = 2.5\nhidden = true\n[[tests]]\nid = \"c/d\"\npoints = -1\n",
            'a = [\n  1,  # one\n  2,\n]\nb = { c = "d", e.f = 1e3 }\n',
            '[a.b]\nc = 1\n[a]\nd = 2\n"q k" = "\\u00e9\\t\\"x\\""\nx.y = 0x1f\nz = 1_000\n',
            's = """\nline\\\n   joined"""\nt = \'\'\'\nraw \\n\'\'\'\nu = """q""""\n',
            "[[t]]\n[t.sub]\nv = false\n[[t]]\n",
            "empty = []\nneg = -0.5\nexp = 5E-2\ninf = -inf\n",
        ]
        for text in documents:
            self.assertEqual(tomlcompat.loads(text), tomllib.loads(text), text)

    def test_tomlcompat_refuses_what_it_cannot_read(self):
        for text in ("a = 1\na = 2", "[x]\n[x]", "a = ", 'a = "x', "a = 01", "a = [1 2]", "a = 1 b = 2",
                     "x = {a = 1}\n[x]", "a = tru", "a = 1979-05-27", "x = [1]\n[[x]]", 'a = "\\q"'):
            with self.assertRaises(tomlcompat.TOMLDecodeError, msg=text):
                tomlcompat.loads(text)
        with self.assertRaisesRegex(tomlcompat.TOMLDecodeError, r"line 3, column"):
            tomlcompat.loads("a = 1\n\nb = @")

    def test_config_uses_tomlcompat_without_tomllib(self):
        # A copy of grader/config.py of its own, loaded while `import tomllib` fails: reloading
        # the shared grader.config would give it a new ConfigError class, which the modules
        # that imported the old one (grader.policy...) would then no longer catch.
        saved = sys.modules.get("tomllib")
        sys.modules["tomllib"] = None  # import tomllib now raises ModuleNotFoundError
        try:
            spec = importlib.util.spec_from_file_location("config_without_tomllib", config.__file__)
            copy = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(copy)
        finally:
            if saved is None:
                del sys.modules["tomllib"]
            else:
                sys.modules["tomllib"] = saved
        self.assertIs(copy.tomllib, tomlcompat)
        labs = copy.load_labs(REPO)
        self.assertEqual([lab.key for lab in labs], ["01", "02", "03", "04", "05", "06"])
        bad = Path(tempfile.mkdtemp()) / "lab.toml"
        bad.write_text("[lab\n")
        with self.assertRaisesRegex(copy.ConfigError, "fix the TOML syntax"):
            copy.load_lab(bad)

    def test_grader_modules_parse_as_python_3_9(self):
        newer = re.compile(r"^\s*(import tomllib|from tomllib)|process_group=|hashlib\.file_digest|"
                           r"itertools\.pairwise|contextlib\.chdir|datetime\.UTC|StrEnum|ExceptionGroup|"
                           r"TaskGroup|zip\(.*strict=|\bkw_only=|\bslots=True", re.M)
        for path in sorted((REPO / "grader").rglob("*.py")):
            text = path.read_text()
            try:
                tree = ast.parse(text, feature_version=(3, 9))
            except SyntaxError as error:
                self.fail(f"{path}: not Python 3.9 syntax: {error}")
            for node in ast.walk(tree):  # `X | Y` annotations are evaluated on 3.9 (no __future__)
                if isinstance(node, (ast.AnnAssign, ast.arg)) and isinstance(node.annotation, ast.BinOp):
                    if "from __future__ import annotations" not in text:
                        self.fail(f"{path}:{node.lineno}: `X | Y` annotation needs Python 3.10")
            for match in newer.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if path.name == "config.py" and "tomllib" in match.group():
                    continue  # the guarded import
                self.fail(f"{path}:{line}: {match.group().strip()} needs Python 3.10 or 3.11")


class SetupChecks(unittest.TestCase):
    """setup.sh stops with a clear message on an image whose tools are too old."""

    def run_check(self, versions, cmake_minimum="3.18"):
        labs = config.load_labs(support.tree())
        setup = gradescope.scripts(labs, labs)[0]
        check = setup.split("<<'CHECK'\n", 1)[1].split("\nCHECK\n", 1)[0]
        base = Path(tempfile.mkdtemp(prefix="setup-check-"))
        (base / "CMakeLists.txt").write_text(f"cmake_minimum_required(VERSION {cmake_minimum})\nproject(x C)\n")
        bin_dir = base / "bin"
        bin_dir.mkdir()
        for name, text in versions.items():
            (bin_dir / name).write_text(f"#!/bin/sh\necho '{text}'\n")
            (bin_dir / name).chmod(0o755)
        env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
        return subprocess.run([sys.executable, "-", str(base)], input=check, env=env, capture_output=True,
                              text=True, timeout=60)

    GOOD = {"cmake": "cmake version 3.18.4", "cc": "10.2.1", "pkg-config": "2.3.3"}

    def test_bullseye_versions_pass(self):
        result = self.run_check(self.GOOD)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_old_tools_are_named(self):
        result = self.run_check({"cmake": "cmake version 3.16.3", "cc": "9.4.0", "pkg-config": "2.3.2"})
        self.assertEqual(result.returncode, 1)
        self.assertIn("CMake 3.16.3 found; CMakeLists.txt asks for 3.18.0", result.stderr)
        self.assertIn("gcc 9.4.0 found; the grader needs 10 or newer", result.stderr)
        self.assertIn("Criterion 2.3.2 found", result.stderr)
        self.assertIn("Choose a newer base image", result.stderr)

    def test_cmake_minimum_of_the_tree_counts(self):
        result = self.run_check(self.GOOD, cmake_minimum="3.25...3.28")
        self.assertEqual(result.returncode, 1)
        self.assertIn("CMake 3.18.4 found; CMakeLists.txt asks for 3.25.0", result.stderr)

    def test_missing_tool(self):
        result = self.run_check(dict(self.GOOD, **{"pkg-config": ""}))
        self.assertEqual(result.returncode, 1)
        self.assertIn("Criterion is missing", result.stderr)


if __name__ == "__main__":
    unittest.main()
