"""The GitHub Classroom workflow, its steps run the way classroom-resources/autograding-command-grader@v1
runs them: `command` through /bin/sh from the repository root, with an environment holding only
PATH, HOME, FORCE_COLOR and DOTNET_CLI_HOME/DOTNET_NOLOGO, and max-score read with parseInt; a
step scores max-score when the command exits 0, else 0."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from grader import classroom, config
from grader.score import LabResult, Report, TestResult, report_to_dict
from tests.grader import support
from tests.grader.fixture import REPO

ACTION = "classroom-resources/autograding-command-grader@v1"


def parse_workflow(text):
    """The workflow's top-level keys and, per step, its `with:` inputs (enough YAML for the file
    `./grade github-classroom` writes: block mappings and lists, no flow style but [a, b])."""
    steps, current, in_with = [], None, False
    for line in text.splitlines():
        if re.match(r"^      - ", line):
            current = {"with": {}}
            steps.append(current)
            in_with = False
            line = "        " + line[8:]
        if current is None:
            continue
        match = re.match(r"^        (\S[^:]*):\s*(.*)$", line)
        if match:
            key, value = match.groups()
            in_with = key == "with"
            if not in_with:
                current[key] = value.strip().strip('"')
            continue
        match = re.match(r"^          ([\w-]+):\s*(.*)$", line)
        if match and in_with:
            current["with"][match.group(1)] = match.group(2).strip().strip('"')
    return steps


def parse_int(value):
    """JavaScript's parseInt on a decimal string: the leading integer, NaN as None."""
    match = re.match(r"\s*([+-]?\d+)", value)
    return int(match.group(1)) if match else None


def action_env(home):
    """The autograding-command-grader's environment: nothing else from the runner."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "FORCE_COLOR": "true", "DOTNET_CLI_HOME": "/tmp",
            "DOTNET_NOLOGO": "true"}


def run_step(step, repo, home):
    inputs = step["with"]
    result = subprocess.run(inputs["command"], shell=True, executable="/bin/sh", cwd=repo, env=action_env(home),
                            capture_output=True, text=True, timeout=float(inputs.get("timeout", 10)) * 60)
    max_score = parse_int(inputs.get("max-score", "0")) or 0
    return (max_score if result.returncode == 0 else 0), result


def report_for(labs, passed):
    """A JSON report as `./grade --format json` writes it, with the tests in `passed` passed."""
    results = []
    for lab in labs:
        tests = [TestResult(id=t.id, points=t.points, hidden=t.hidden, section=t.section,
                            status="passed" if t.id in passed else "failed",
                            message="" if t.id in passed else "assertion failed",
                            runs=["passed"] if t.id in passed else ["failed"] * 3)
                 for t in lab.tests]
        results.append(LabResult(number=lab.number, slug=lab.slug, title=lab.title, folder=lab.folder, tests=tests))
    return json.dumps(report_to_dict(Report(submission="student", labs=results)))


class Steps(unittest.TestCase):
    def setUp(self):
        self.root = support.tree()
        self.home = Path(tempfile.mkdtemp(prefix="classroom-home-"))
        out = Path(tempfile.mkdtemp()) / "classroom.yml"
        result = support.grade_cli("github-classroom", "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.text = out.read_text()
        self.steps = parse_workflow(self.text)
        self.graders = [s for s in self.steps if s.get("uses") == ACTION]
        self.labs = config.load_labs(self.root)

    def tearDown(self):
        (self.root / "grade-report.json").unlink(missing_ok=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def test_every_step_scores_its_points_in_the_actions_environment(self):
        # Problem 9: `$GRADE check ...` ran with $GRADE unset, so every step scored 0.
        public = [t for lab in self.labs for t in lab.public()]
        self.assertEqual([s["with"]["test-name"].split(": ", 1)[1] for s in self.graders], [t.id for t in public])
        passed = {"adder/small", "counter/sequence", "adder_hidden/sum3"}
        (self.root / "grade-report.json").write_text(report_for(self.labs, passed))
        scores = {}
        for step in self.graders:
            score, result = run_step(step, self.root, self.home)
            test_id = step["with"]["test-name"].split(": ", 1)[1]
            self.assertNotEqual(result.returncode, 127, result.stderr)  # the command itself was found
            scores[test_id] = score
            self.assertEqual(result.returncode == 0, test_id in passed, (test_id, result.stdout, result.stderr))
        self.assertEqual(scores, {t.id: int(t.points) if t.id in passed else 0 for t in public})
        self.assertEqual(sum(scores.values()), 2 + 3)  # hidden tests are not GitHub's business

    def test_a_missing_report_scores_zero(self):
        for step in self.graders:
            score, result = run_step(step, self.root, self.home)
            self.assertEqual(score, 0)
            self.assertIn("did the grading step run", result.stderr)

    def test_the_old_command_scored_zero(self):
        # What the previous workflow's steps did under the action: $GRADE is empty there.
        (self.root / "grade-report.json").write_text(report_for(self.labs, {"adder/small"}))
        result = subprocess.run("$GRADE check grade-report.json adder/small", shell=True, executable="/bin/sh",
                                cwd=self.root, env=action_env(self.home), capture_output=True, text=True)
        self.assertEqual(result.returncode, 127)
        for step in self.graders:  # the commands lean on no variable the action leaves out
            self.assertNotIn("$", step["with"]["command"])

    def test_points_are_whole_numbers_for_parseInt(self):
        for step in self.graders:
            self.assertRegex(step["with"]["max-score"], r"^\d+$")
            self.assertEqual(str(parse_int(step["with"]["max-score"])), step["with"]["max-score"])

    def test_triggers_and_bot_guard_like_classrooms_own_workflow(self):
        self.assertRegex(self.text, r"(?m)^'on':\n  - push\n  - repository_dispatch\n")
        self.assertIn("    if: github.actor != 'github-classroom[bot]'\n", self.text)
        self.assertIn("permissions:\n  checks: write\n  actions: read\n  contents: read\n", self.text)
        reporter = self.steps[-1]
        self.assertEqual(reporter.get("uses"), "classroom-resources/autograding-grading-reporter@v1")
        runners = reporter["with"]["runners"].split(",")
        self.assertEqual(runners, [s["id"] for s in self.graders])
        for step in self.graders:
            self.assertIn(f'{step["id"].upper()}_RESULTS: "${{{{ steps.{step["id"]}.outputs.result }}}}"', self.text)

    def test_pristine_grader_also_checks(self):
        grading = next(s for s in self.steps if s.get("name") == "Grade every lab")
        self.assertIsNotNone(grading)
        run = self.text.split("      - name: Grade every lab\n", 1)[1].split("      - name: \"", 1)[0]
        self.assertLess(run.index('--format json --out grade-report.json'), run.index('rm -rf grade grader'))
        self.assertIn('cp -R "$RUNNER_TEMP/grader/grade" "$RUNNER_TEMP/grader/grader" .', run)


class Points(unittest.TestCase):
    def test_fractional_points_are_refused(self):
        labs = config.load_labs(support.tree())
        lab = labs[0]
        test = lab.tests[0]
        odd = lab.__class__(**{**lab.__dict__, "tests": (test.__class__(**{**test.__dict__, "points": 1.5}),)
                               + lab.tests[1:]})
        with self.assertRaisesRegex(config.ConfigError, r"adder/small is worth 1.5 points.*parseInt would make it 1"):
            classroom.render([odd] + labs[1:])

    def test_fractional_points_write_nothing(self):
        root = support.tree()
        toml = root / "labs/01-adder/lab.toml"
        saved = toml.read_text()
        toml.write_text(re.sub(r"points = 2\b", "points = 2.5", saved, count=1))
        out = Path(tempfile.mkdtemp()) / "classroom.yml"
        try:
            result = support.grade_cli("github-classroom", "--out", str(out))
        finally:
            toml.write_text(saved)
        self.assertEqual(result.returncode, 2)
        self.assertIn("whole number", result.stderr)
        self.assertFalse(out.exists())

    def test_hidden_tests_may_have_fractional_points(self):
        labs = config.load_labs(support.tree())
        lab = labs[0]
        tests = tuple(t.__class__(**{**t.__dict__, "points": 0.5}) if t.hidden else t for t in lab.tests)
        self.assertIn("adder/small", classroom.render([lab.__class__(**{**lab.__dict__, "tests": tests})]))

    def test_the_real_labs_render(self):
        text = classroom.render(config.load_labs(REPO))
        self.assertEqual(text.count(ACTION), sum(len(lab.public()) for lab in config.load_labs(REPO)))


if __name__ == "__main__":
    unittest.main()
