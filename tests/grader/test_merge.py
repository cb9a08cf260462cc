"""A small class graded whole, then in two shards run by GNU parallel and merged: the merged
gradebook (grades.csv, canvas.csv) equals the whole one. The whole run also shows the course
policy at work: the submission times, a late penalty, an optional lab, a point override, an
adjustment and the roster's unknown and missing students, in every file they belong in."""

import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

from tests.grader import support
from tests.grader.fixture import ADDER_SOLUTION, COUNTER_SOLUTION
from tests.grader.test_batch import BROKEN_ADDER

COURSE = """
[late]
penalty_per_day = 10
cap = 50

[labs.01]
due = "2026-09-18T23:59:00Z"
points = { "adder/small" = 4 }

[labs.02]
optional = true
"""
ROSTER = ("submission,student_id,name,email\nalice,S1,Alice Ames,alice@example.edu\nbob.zip,S2,Bob Brown,\n"
          "carol,S3,Carol Cole,\nerin,S5,Erin Early,\n")
ADJUSTMENTS = "student,lab,points,reason\nS3,01,1.5,partial credit for a typo\n"
ON_TIME = datetime.datetime(2026, 9, 18, 22, 0, tzinfo=datetime.timezone.utc).timestamp()
TWO_DAYS_LATE = datetime.datetime(2026, 9, 20, 20, 0, tzinfo=datetime.timezone.utc).timestamp()


def _rows(path):
    return list(csv.DictReader(path.read_text().splitlines()))


class ShardAndMerge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = support.tree()
        cls.base = base = Path(tempfile.mkdtemp(prefix="merge-"))
        c = cls.classroom = base / "class"
        (c / "alice").mkdir(parents=True)
        (c / "alice/adder.c").write_text(ADDER_SOLUTION)
        (c / "alice/counter.c").write_text(COUNTER_SOLUTION)
        (c / "alice.zip").write_bytes(b"not a zip")  # a collision: graded as alice-2
        with zipfile.ZipFile(c / "bob.zip", "w") as z:
            z.writestr("bob/adder.c", ADDER_SOLUTION)
        (c / "carol").mkdir()
        (c / "carol/adder.c").write_text(BROKEN_ADDER)
        (c / "dave").mkdir()
        (c / "dave/counter.c").write_text(COUNTER_SOLUTION)
        for path, stamp in ((c / "alice/adder.c", ON_TIME), (c / "alice/counter.c", ON_TIME),
                            (c / "bob.zip", TWO_DAYS_LATE), (c / "carol/adder.c", ON_TIME),
                            (c / "dave/counter.c", ON_TIME), (c / "alice.zip", ON_TIME)):
            os.utime(path, (stamp, stamp))
        for name, text in (("course.toml", COURSE), ("roster.csv", ROSTER), ("adjustments.csv", ADJUSTMENTS)):
            (base / name).write_text(text)
        cls.policy = ["--course", str(base / "course.toml"), "--roster", str(base / "roster.csv"),
                      "--adjustments", str(base / "adjustments.csv"), "--format", "canvas"]
        cls.whole = support.grade_cli("--batch", str(c), "--jobs", "2", "--out", str(base / "whole"), *cls.policy)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, True)

    def test_the_course_policy_is_applied_and_shown(self):
        self.assertEqual(self.whole.returncode, 0, self.whole.stderr)
        out = self.base / "whole"
        rows = {row["submission"]: row for row in _rows(out / "grades.csv")}
        got = {name: (row["01-adder"], row["01-adder_max"], row["02-counter"], row["late_penalty"],
                      row["adjustments"], row["total"], row["max_total"]) for name, row in rows.items()}
        self.assertEqual(got, {
            "alice": ("7", "7", "4", "0", "0", "11", "7"),  # adder/small 4 points; counter extra credit
            "alice-2": ("0", "7", "0", "0", "0", "0", "7"),
            "bob": ("5.6", "7", "0", "1.4", "0", "5.6", "7"),  # 2 days late: -20% of 7
            "carol": ("1.5", "7", "0", "0", "1.5", "1.5", "7"),  # adjusted through the roster's S3
            "dave": ("0", "7", "4", "0", "0", "4", "7"),
        })
        self.assertEqual(rows["bob"]["submitted_at"], "2026-09-20T20:00:00+00:00")
        self.assertEqual(rows["alice"]["submitted_at"], "2026-09-18T22:00:00+00:00")
        self.assertIn("01-adder: 2 day(s) late", rows["bob"]["notes"])
        self.assertIn("adjustment 01-adder: +1.5 points (partial credit for a typo)", rows["carol"]["notes"])
        bob = (out / "students/bob/report.txt").read_text()
        self.assertIn("Submitted: 2026-09-20T20:00:00+00:00 (the archive's modification time)", bob)
        self.assertIn("Total after the course policy: 5.6/7", bob)
        self.assertIn("(the newest modification time of its lab files)", (out / "students/dave/report.txt").read_text())
        data = json.loads((out / "grades.json").read_text())
        self.assertEqual(data["roster"], {"unknown": ["alice-2", "dave"], "missing": ["S5"]})
        entry = next(e for e in data["submissions"] if e["submission"] == "bob")
        self.assertEqual((entry["labs"][0]["raw_score"], entry["labs"][0]["days_late"]), (7, 2))
        self.assertIn("dave: not in the roster", self.whole.stderr)
        self.assertIn("S5 (Erin Early, submission erin): in the roster, no submission", self.whole.stderr)
        page = (out / "summary.html").read_text()
        self.assertIn("dave: not in the roster", page)
        self.assertIn("5.6/7", page)
        canvas = list(csv.reader((out / "canvas.csv").read_text().splitlines()))
        self.assertEqual(canvas[1], ["Points Possible", "", "", "", "", "7", "4", "7"])
        self.assertEqual(canvas[2:], [["Alice Ames", "", "S1", "alice@example.edu", "", "7", "4", "11"],
                                      ["Bob Brown", "", "S2", "", "", "5.6", "0", "5.6"],
                                      ["Carol Cole", "", "S3", "", "", "1.5", "0", "1.5"],
                                      ["Erin Early", "", "S5", "", "", "", "", ""]])

    @unittest.skipUnless(shutil.which("parallel"), "GNU parallel is not installed (apt-get install parallel)")
    def test_two_shards_merged_equal_the_whole(self):
        self.assertEqual(self.whole.returncode, 0, self.whole.stderr)
        shards = self.base / "shards"
        command = (f"{sys.executable} {self.root / 'grade'} --batch {self.classroom} --jobs 1 --shard {{}}/2 "
                   f"--out {shards}/{{}}")
        done = subprocess.run(["parallel", "--will-cite", "--halt", "now,fail=1", "--jobs", "2", command, ":::",
                               "1", "2"], cwd=self.root, capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stderr)
        parts = [sorted(p.name for p in (shards / k / "students").iterdir()) for k in ("1", "2")]
        self.assertEqual(parts, [["alice", "bob", "dave"], ["alice-2", "carol"]])  # every other, sorted
        self.assertEqual(json.loads((shards / "1/grades.json").read_text())["shard"], "1/2")
        for name in ("canvas.csv", "similarity.html", "similarity.csv"):
            self.assertFalse((shards / "1" / name).exists(), name)
        merged = self.base / "merged"
        result = support.grade_cli("merge", str(shards / "1"), str(shards / "2"), "--out", str(merged), *self.policy)
        self.assertEqual(result.returncode, 0, result.stderr)
        for name in ("grades.csv", "canvas.csv"):
            self.assertEqual((merged / name).read_text(), (self.base / "whole" / name).read_text(), name)
        self.assertEqual(sorted(p.name for p in (merged / "students").iterdir()),
                         ["alice", "alice-2", "bob", "carol", "dave"])

        lonely = support.grade_cli("merge", str(shards / "1"), "--out", str(self.base / "half"))
        self.assertEqual(lonely.returncode, 1)
        self.assertIn("shard 2/2 is missing", lonely.stderr)
        twice = support.grade_cli("merge", str(shards / "1"), str(shards / "1"), "--out", str(self.base / "twice"))
        self.assertEqual(twice.returncode, 2)
        self.assertIn("shard 1/2 is given twice", twice.stderr)
        overlap = support.grade_cli("merge", str(self.base / "whole"), str(shards / "2"), "--out", str(self.base / "o"))
        self.assertEqual(overlap.returncode, 2)
        self.assertRegex(overlap.stderr, r"alice-2 is in .*whole and in .*shards/2: graded twice")

    def test_merge_into_itself_applies_a_changed_policy_without_grading(self):
        self.assertEqual(self.whole.returncode, 0, self.whole.stderr)
        again = self.base / "again"
        shutil.copytree(self.base / "whole", again)
        raw = (again / "students/bob/report.json").read_text()
        (self.base / "lenient.toml").write_text(COURSE.replace("penalty_per_day = 10", "penalty_per_day = 5"))
        result = support.grade_cli("merge", str(again), "--out", str(again), "--course", str(self.base / "lenient.toml"))
        self.assertEqual(result.returncode, 0, result.stderr)
        bob = next(row for row in _rows(again / "grades.csv") if row["submission"] == "bob")
        self.assertEqual((bob["01-adder"], bob["late_penalty"], bob["total"]), ("6.3", "0.7", "6.3"))  # -10%
        self.assertIn("Total after the course policy: 6.3/7", (again / "students/bob/report.txt").read_text())
        self.assertEqual((again / "students/bob/report.json").read_text(), raw)  # nothing was regraded

    def test_bad_class_options_are_refused_before_grading(self):
        bad = self.base / "bad-adjustments.csv"
        bad.write_text("student,lab,points,reason\nzed,01,1,typo\n")
        result = support.grade_cli("--batch", str(self.classroom), "--out", str(self.base / "bad"), "--adjustments",
                                   str(bad))
        self.assertEqual(result.returncode, 2)
        self.assertIn("bad-adjustments.csv:2: no submission or roster student_id 'zed'", result.stderr)
        self.assertFalse((self.base / "bad" / "students").exists())
        (self.base / "bad.toml").write_text('[labs.01]\ndue = "2026-09-18 23:59"\n')
        result = support.grade_cli("--batch", str(self.classroom), "--out", str(self.base / "bad"), "--course",
                                   str(self.base / "bad.toml"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("bad.toml: [labs.01] due: '2026-09-18 23:59' has no UTC offset", result.stderr)
        self.assertFalse((self.base / "bad" / "students").exists())
        result = support.grade_cli("--batch", str(self.classroom), "--out", str(self.base / "bad"), "--format", "moodle")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--format moodle needs --roster", result.stderr)
        result = support.grade_cli("--batch", str(self.classroom), "--out", str(self.base / "bad"), "--shard", "3/2")
        self.assertEqual(result.returncode, 2)
        self.assertIn("1 <= K <= N", result.stderr)
        result = support.grade_cli("--submission", str(self.classroom / "alice"), "--format", "canvas")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--format canvas is for a class: use it with --batch DIR", result.stderr)


if __name__ == "__main__":
    unittest.main()
