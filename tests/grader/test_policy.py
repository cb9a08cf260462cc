"""The course policy: course.toml (late policy, optional labs, point overrides), adjustments.csv,
and the submission time taken from git or an archive. Nothing here grades: the reports are made."""

import datetime
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from grader import config, policy
from grader.config import ConfigError
from tests.grader import fixture
from tests.grader.test_reports import sample

COURSE = """
[late]
penalty_per_day = 10
grace_hours = 2
cap = 25

[labs.01]
due = "2026-09-18T23:59:00-04:00"
points = { "adder/small" = 4 }

[labs.counter]
due = "2026-09-25T23:59:00Z"
late = { penalty_per_day = 50, cap = 100 }
optional = true
"""


def _time(text):
    return datetime.datetime.fromisoformat(text)


class CoursePolicy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = Path(tempfile.mkdtemp(prefix="policy-"))
        cls.root = fixture.make_tree(cls.base / "tree")
        cls.labs = config.load_labs(cls.root)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, True)

    def course(self, text=COURSE):
        path = self.base / "course.toml"
        path.write_text(text)
        return policy.load_course(path, self.labs)

    def refused(self, text, *words):
        with self.assertRaises(ConfigError) as caught:
            self.course(text)
        for word in words:
            self.assertIn(word, str(caught.exception))

    def test_the_file_is_read_with_defaults_and_overrides(self):
        course = self.course()
        adder, counter = course.lab(1), course.lab(2)
        self.assertEqual(adder.due, _time("2026-09-18T23:59:00-04:00"))
        self.assertEqual(adder.late, policy.LatePolicy(10, 2, 25))
        self.assertEqual(adder.points, {"adder/small": 4.0})
        self.assertFalse(adder.optional)
        self.assertEqual(counter.late, policy.LatePolicy(50, 2, 100))  # grace_hours from [late]
        self.assertTrue(counter.optional)

    def test_mistakes_are_named(self):
        self.refused('[labs.07]\ndue = "2026-01-01T00:00:00Z"\n', "[labs.07]", "no lab called '07'")
        self.refused('[labs.01]\ndue = "2026-09-18 23:59"\n', "has no UTC offset")
        self.refused('[labs.01]\ndue = "next friday"\n', "is not a date and time")
        self.refused('[labs.01]\npoints = { "adder/nothing" = 2 }\n', "no test 'adder/nothing'")
        self.refused('[labs.01]\ndeadline = "x"\n', "unknown key `deadline`")
        self.refused('[late]\npenalty_per_day = -5\n', "`penalty_per_day` must be a number of at least 0")
        self.refused('[late]\ncap = 150\n', "at most 100")
        self.refused('[labs.01]\noptional = "yes"\n', "`optional` must be true or false")
        self.refused('[grades]\nx = 1\n', "unknown table [grades]")
        self.refused('[labs.01\n', "fix the TOML syntax")

    def test_days_late_count_started_days_after_the_grace_period(self):
        late, due = policy.LatePolicy(10, 2, 25), _time("2026-09-18T23:59:00-04:00")
        self.assertEqual(late.days_late(due, _time("2026-09-18T20:00:00-04:00")), 0)  # early
        self.assertEqual(late.days_late(due, _time("2026-09-19T01:59:00-04:00")), 0)  # within the grace
        self.assertEqual(late.days_late(due, _time("2026-09-19T06:00:00+00:00")), 1)  # 2:01 late
        self.assertEqual(late.days_late(due, _time("2026-09-21T01:59:00-04:00")), 2)
        self.assertEqual(late.days_late(due, _time("2026-09-21T02:00:00-04:00")), 3)
        self.assertEqual([late.percent(d) for d in (0, 1, 2, 3, 9)], [0, 10, 20, 25, 25])  # capped

    def test_apply_overrides_penalties_extra_credit_and_adjustments(self):
        report = sample()  # 01-adder: adder/small (2 pt) passed; 02-counter did not compile
        report.labs[1].status = "graded"
        report.labs[1].tests[0].status = "passed"  # counter/first: 1 point
        adjustments = [policy.Adjustment("alice", "01-adder", 1.5, "regrade request", 2),
                       policy.Adjustment("alice", "", -1, "late quiz", 3),
                       policy.Adjustment("alice", "03-other", 5, "a lab this report does not have", 4)]
        submitted = _time("2026-09-20T12:00:00-04:00")  # 2 days late for 01; before 02's due date
        scored, outcome = policy.apply(report, self.course(), submitted, adjustments)
        self.assertEqual(report.labs[0].tests[0].points, 2)  # the raw report is not changed
        self.assertEqual(scored.labs[0].tests[0].points, 4)
        adder, counter = outcome.labs
        self.assertEqual((adder.raw, adder.max_score, adder.days_late, adder.percent_off, adder.penalty),
                         (4, 7, 2, 20, 0.8))
        self.assertEqual(adder.score, 4 - 0.8 + 1.5)
        self.assertEqual((counter.raw, counter.days_late, counter.penalty, counter.optional), (1, 0, 0, True))
        self.assertEqual(outcome.max_score, 7)  # the optional lab adds nothing to the maximum
        self.assertAlmostEqual(outcome.score, 4.7 + 1 - 1)
        self.assertEqual(outcome.adjustments, 0.5)
        self.assertEqual(outcome.notes, [
            "01-adder: 2 day(s) late (due 2026-09-18T23:59:00-04:00): -20% (-0.8 points)",
            "adjustment 01-adder: +1.5 points (regrade request)",
            "adjustment course: -1 points (late quiz)"])
        lines = policy.describe(outcome, submitted, "the last git commit")
        self.assertEqual(lines[0], "Submitted: 2026-09-20T12:00:00-04:00 (the last git commit)")
        self.assertIn("  02-counter: optional, counted as extra credit", lines)
        self.assertEqual(lines[-1], "Total after the course policy: 4.7/7")

    def test_an_unknown_submission_time_is_never_late(self):
        _, outcome = policy.apply(sample(), self.course(), None)
        self.assertEqual(outcome.penalty, 0)
        self.assertEqual(policy.describe(outcome, None, "")[0], "Submitted: unknown")

    def test_adjustments_file(self):
        path = self.base / "adjustments.csv"
        path.write_text("student,lab,points,reason\nalice,adder,2,regrade\nbob,,-1.5,\n")
        found = policy.load_adjustments(path, self.labs)
        self.assertEqual(found, [policy.Adjustment("alice", "01-adder", 2, "regrade", 2),
                                 policy.Adjustment("bob", "", -1.5, "", 3)])
        with self.assertRaises(ConfigError) as caught:
            policy.check_students(found, {"alice"}, str(path))
        self.assertIn("adjustments.csv:3: no submission or roster student_id 'bob'", str(caught.exception))
        for text, words in (("student,lab,points\nalice,09,1\n", "no lab called '09'"),
                            ("student,lab,points\nalice,01,two\n", "points 'two' is not a number"),
                            ("name,points\nalice,1\n", "header student,lab,points,reason"),
                            ("student,lab,points\n,01,1\n", ":2: no student")):
            path.write_text(text)
            with self.assertRaises(ConfigError) as caught:
                policy.load_adjustments(path, self.labs)
            self.assertIn(words, str(caught.exception))


class GuideExamples(unittest.TestCase):
    def test_the_guides_course_toml_fits_the_real_labs(self):
        guide = (fixture.REPO / "docs/instructor/guide.md").read_text()
        blocks = [block.split("\n", 1)[1] for block in guide.split("```toml")[1:]]
        examples = [block.split("```", 1)[0] for block in blocks if "[late]" in block]
        self.assertEqual(len(examples), 1)
        path = Path(tempfile.mkdtemp(prefix="policy-guide-")) / "course.toml"
        self.addCleanup(shutil.rmtree, path.parent, True)
        path.write_text(examples[0])
        course = policy.load_course(path, config.load_labs(fixture.REPO))
        self.assertTrue(course.lab(6).optional)
        self.assertEqual(course.lab(1).points, {"events/initial_state": 2})
        self.assertEqual(course.lab(1).late, policy.LatePolicy(10, 2, 50))


class SubmissionTime(unittest.TestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="policy-time-"))
        self.addCleanup(shutil.rmtree, self.base, True)

    def test_the_last_git_commit(self):
        repo = self.base / "alice"
        (repo / "labs/01-adder").mkdir(parents=True)
        (repo / "labs/01-adder/adder.c").write_text(fixture.ADDER_SOLUTION)
        env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@x", GIT_COMMITTER_NAME="a",
                   GIT_COMMITTER_EMAIL="a@x", GIT_COMMITTER_DATE="2026-09-19T01:30:00-04:00",
                   GIT_AUTHOR_DATE="2026-09-01T00:00:00+00:00", GIT_CONFIG_GLOBAL=os.devnull)
        for argv in (["init", "-q"], ["add", "."], ["commit", "-qm", "lab 01"]):
            subprocess.run(["git", "-C", str(repo), *argv], env=env, check=True, capture_output=True)
        when, where = policy.submission_time(repo, "folder", {"adder.c"})
        self.assertEqual((when, where), (_time("2026-09-19T01:30:00-04:00"), "the last git commit"))

    def test_a_git_config_cannot_run_a_program(self):
        repo = self.base / "mallory"
        repo.mkdir()
        env = dict(os.environ, GIT_AUTHOR_NAME="m", GIT_AUTHOR_EMAIL="m@x", GIT_COMMITTER_NAME="m",
                   GIT_COMMITTER_EMAIL="m@x", GIT_CONFIG_GLOBAL=os.devnull)
        (repo / "adder.c").write_text(fixture.ADDER_SOLUTION)

        def git(*argv, **options):
            return subprocess.run(["git", "-C", str(repo), *argv], env=env, check=True, capture_output=True,
                                  text=True, **options).stdout.strip()

        git("init", "-q")
        git("add", ".")
        tree = git("write-tree")
        signed = (f"tree {tree}\nauthor m <m@x> 1790000000 +0000\ncommitter m <m@x> 1790000000 +0000\n"
                  "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n")
        commit = git("hash-object", "-t", "commit", "-w", "--stdin", input=signed)
        git("update-ref", "HEAD", commit)
        proof = self.base / "ran"
        script = self.base / "evil.sh"
        script.write_text(f"#!/bin/sh\ntouch {proof}\ncat >/dev/null\nexit 1\n")
        script.chmod(0o755)
        with open(repo / ".git/config", "a") as f:
            f.write(f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n")
        subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%cI"], env=env, capture_output=True)
        self.assertTrue(proof.exists(), "the control: a plain git log runs the configured program")
        proof.unlink()
        when, where = policy.submission_time(repo, "folder", {"adder.c"})
        self.assertEqual((when, where), (datetime.datetime.fromtimestamp(1790000000, datetime.timezone.utc),
                                         "the last git commit"))
        self.assertFalse(proof.exists())

    def test_an_archive_and_plain_files(self):
        archive = self.base / "bob.zip"
        archive.write_bytes(b"PK")
        os.utime(archive, (0, 1790000000))
        self.assertEqual(policy.submission_time(archive, "archive"),
                         (datetime.datetime.fromtimestamp(1790000000, datetime.timezone.utc),
                          "the archive's modification time"))
        folder = self.base / "carol"
        (folder / "sub").mkdir(parents=True)
        for name, stamp in (("adder.c", 1790000100), ("sub/counter.c", 1790000200), ("notes.txt", 1790009999)):
            (folder / name).write_text("x")
            os.utime(folder / name, (0, stamp))
        self.assertEqual(policy.submission_time(folder, "folder", {"adder.c", "counter.c"}),
                         (datetime.datetime.fromtimestamp(1790000200, datetime.timezone.utc),
                          "the newest modification time of its lab files"))
        self.assertEqual(policy.submission_time(self.base / "nothing-here", "folder", {"adder.c"}), (None, ""))


if __name__ == "__main__":
    unittest.main()
