"""Similarity with SIM (sim_c), the skeleton and reference solution of lab 01 as the common base:
a copy of a student's own code is found through renaming and re-layout, files made from the
reference (the solution, a mutant, the skeleton) are not paired, and without the base they would
all be. Grades nothing. Skipped, never passed, when sim_c is absent."""

import csv
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from grader import config, similarity
from grader.mutants import apply_mutant

REPO = Path(__file__).resolve().parents[2]
HELPER = """
static int count_blocks_twice(struct wait_list *list, int limit)
{
    int seen = 0;
    for (struct wait_block *block = list->first; block != NULL && seen < limit; block = block->next) {
        if (block->flags & 3)
            seen += 2;
        else
            seen--;
    }
    return seen * limit - 7;
}
"""
# The same helper, renamed, re-laid out and commented: what a copy that tries to hide looks like.
HELPER_DISGUISED = """
/* my own helper */
static int tally(struct wait_list *l, int max) {
    int n = 0;  // running total
    for (struct wait_block *w = l->first;
         w != NULL && n < max;
         w = w->next) {
        if (w->flags & 1) n += 9; else n--;
    }
    return n * max - 1;
}
"""
OTHER_HELPER = """
static const char *state_name(int state, int verbose)
{
    switch (state) {
    case 0: return verbose ? "not signalled (reset)" : "reset";
    case 1: return verbose ? "signalled (set)" : "set";
    default: return "?";
    }
}
"""


@unittest.skipUnless(similarity.available(), "sim_c is not installed (apt-get install similarity-tester)")
class Similarity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = Path(tempfile.mkdtemp(prefix="similarity-"))
        lab = config.select_labs(config.load_labs(REPO), ["01"])[0]
        solution = (REPO / "solutions/01-events/event.c").read_text()
        mutant_diff = sorted((REPO / "tests/mutants/01-events").glob("*.diff"))[0]
        mutant = apply_mutant(REPO, lab, mutant_diff, cls.base / "mutant").files[lab.key]["event.c"].read_text()
        cls.classroom = c = cls.base / "class"
        files = {"amy": solution + HELPER, "ben": solution + HELPER_DISGUISED, "cat": solution + OTHER_HELPER,
                 "dan": solution, "eve": mutant, "fay": (REPO / "labs/01-events/event.c").read_text()}
        for name, text in files.items():
            (c / name / "labs/01-events").mkdir(parents=True)
            (c / name / "labs/01-events/event.c").write_text(text)
        cls.out = cls.base / "out"
        cls.result = subprocess.run([sys.executable, str(REPO / "grade"), "similarity", str(c), "--out",
                                     str(cls.out), "01"], capture_output=True, text=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, True)

    def test_only_the_copied_code_is_paired(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        rows = list(csv.DictReader((self.out / "similarity.csv").read_text().splitlines()))
        self.assertEqual([(r["lab"], r["file"], r["a"], r["b"]) for r in rows], [("01-events", "event.c", "amy", "ben")])
        row = rows[0]
        self.assertGreaterEqual(int(row["a_in_b_percent"]), 90)  # amy's own code is all in ben's
        self.assertGreaterEqual(int(row["tokens"]), similarity.MIN_RUN)
        self.assertGreaterEqual(int(row["a_base_percent"]), 70)  # most of the rest of amy's file is the reference
        self.assertIn("1 pairs share code beyond the base", self.result.stderr)

    def test_the_page_shows_the_passages_side_by_side_and_says_why(self):
        page = (self.out / "similarity.html").read_text()
        self.assertIn("count_blocks_twice", page)
        self.assertIn("tally", page)
        self.assertEqual(len(re.findall(r"<div class='side'>", page)), 1)
        self.assertIn("Why derived files look alike", page)
        self.assertNotIn("<script", page)

    def test_without_the_base_everything_made_from_the_reference_looks_alike(self):
        folder = self.classroom
        originals = {p.name: (p / "labs/01-events/event.c").read_text() for p in folder.iterdir()}
        bare = similarity.compare(similarity.FileSet("01-events", "event.c", dict(originals), []), self.base / "bare")
        paired = {(p.a, p.b) for p in bare.pairs if p.percent >= similarity.THRESHOLD}
        derived = ["amy", "ben", "cat", "dan", "eve"]
        self.assertEqual({(a, b) for a in derived for b in derived if a < b} - paired, set())

    def test_without_sim_c_the_report_says_what_to_install(self):
        from unittest import mock

        with mock.patch.object(similarity, "SIM", "sim_c-not-installed"):
            problems = similarity.write(REPO, config.select_labs(config.load_labs(REPO), ["01"]), self.classroom,
                                        self.base / "no-sim")
        self.assertEqual(len(problems), 1)
        self.assertIn("apt-get install similarity-tester", problems[0])
        self.assertFalse((self.base / "no-sim" / "similarity.html").exists())

    def test_bad_arguments(self):
        result = subprocess.run([sys.executable, str(REPO / "grade"), "similarity", str(self.base / "nothing"),
                                 "--out", str(self.base / "o")], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2)
        self.assertIn("is not a folder of submissions", result.stderr)


if __name__ == "__main__":
    unittest.main()
