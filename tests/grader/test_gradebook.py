"""Gradebooks for an LMS: the roster, Canvas's and Moodle's CSV, unknown and missing students.
Made from grade tables written here; tests/grader/test_merge.py checks them after real grading."""

import csv
import shutil
import tempfile
import unittest
from pathlib import Path

from grader import lms
from grader.config import ConfigError

LABS = [{"lab": "01-adder", "max_score": 7, "optional": False}, {"lab": "02-counter", "max_score": 4, "optional": True}]


def _entry(name, source, scores, total, notes=""):
    return {"submission": name, "source": source, "score": total, "notes": notes,
            "labs": [{"lab": lab["lab"], "score": score} for lab, score in zip(LABS, scores)]}


ENTRIES = [_entry("alice", "alice/", [7, 4], 11), _entry("alice-2", "alice.zip", [0, 4], 4),
           _entry("bob", "bob.tar.gz", [5.5, None], 5.5, "01-adder: 1 day(s) late"),
           _entry("dave", "dave/", [0, 0], 0)]
ROSTER = ("submission,student_id,name,email,section\n"
          "alice,S001,\"Ames, Alice\",alice@example.edu,A\n"
          "alice.zip,S002,Alice Twin,twin@example.edu,A\n"
          "bob,S003,Bob Brown,,B\n"
          "erin,S005,Erin Early,erin@example.edu,B\n")


class Roster(unittest.TestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="gradebook-"))
        self.addCleanup(shutil.rmtree, self.base, True)

    def roster(self, text):
        path = self.base / "roster.csv"
        path.write_text(text)
        return lms.load_roster(path)

    def test_students_match_by_batch_name_or_file_name(self):
        students = self.roster(ROSTER)
        self.assertEqual(students[0], lms.Student("alice", "S001", "Ames, Alice", "alice@example.edu", "A"))
        matched, unknown, missing = lms.match(students, ENTRIES)
        self.assertEqual({sid: e and e["submission"] for sid, e in matched.items()},
                         {"S001": "alice", "S002": "alice-2", "S003": "bob", "S005": None})
        self.assertEqual(unknown, ["dave"])
        self.assertEqual([s.student_id for s in missing], ["S005"])

    def test_bad_rosters_are_refused(self):
        for text, words in (("folder,id\nalice,1\n", "submission,student_id,name"),
                            ("submission,student_id,name\nalice,,Alice\n", "roster.csv:2: every student needs"),
                            ("submission,student_id,name\nalice,1,A\nbob,1,B\n",
                             "roster.csv:3: student_id '1' is already on line 2")):
            with self.assertRaises(ConfigError) as caught:
                self.roster(text)
            self.assertIn(words, str(caught.exception))
        with self.assertRaises(ConfigError) as caught:
            lms.load_roster(self.base / "none.csv")
        self.assertIn("--roster", str(caught.exception))

    def test_canvas(self):
        body, unknown, missing = lms.render("canvas", LABS, ENTRIES, self.roster(ROSTER))
        rows = list(csv.reader(body.splitlines()))
        self.assertEqual(rows[0], ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 01-adder",
                                   "Lab 02-counter", "winsync total"])
        self.assertEqual(rows[1], ["Points Possible", "", "", "", "", "7", "4", "7"])  # 02 is extra credit
        self.assertEqual(rows[2:], [["Ames, Alice", "", "S001", "alice@example.edu", "A", "7", "4", "11"],
                                    ["Alice Twin", "", "S002", "twin@example.edu", "A", "0", "4", "4"],
                                    ["Bob Brown", "", "S003", "", "B", "5.5", "", "5.5"],
                                    ["Erin Early", "", "S005", "erin@example.edu", "B", "", "", ""]])
        self.assertEqual((unknown, [s.name for s in missing]), (["dave"], ["Erin Early"]))

    def test_moodle(self):
        body, _, _ = lms.render("moodle", LABS, ENTRIES, self.roster(ROSTER))
        rows = list(csv.reader(body.splitlines()))
        self.assertEqual(rows[0], ["ID number", "Full name", "Email address", "Lab 01-adder", "Lab 02-counter",
                                   "winsync total", "Feedback"])
        self.assertEqual(rows[3], ["S003", "Bob Brown", "", "5.5", "", "5.5", "01-adder: 1 day(s) late"])
        self.assertEqual(rows[4], ["S005", "Erin Early", "erin@example.edu", "", "", "", "no submission"])


if __name__ == "__main__":
    unittest.main()
