"""Progress on stderr while the grader works: a live line on a terminal (a pseudo-terminal here),
plain lines without control characters elsewhere, nothing with --quiet, and never any of it on
stdout or in a report file."""

import io
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from types import SimpleNamespace

from grader import progress
from tests.grader import fixture, support
from tests.grader.fixture import ADDER_SOLUTION, COUNTER_SOLUTION

CONTROL = [chr(c) for c in range(32) if chr(c) != "\n"]


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def control_characters(text):
    return sorted({c for c in text if c in CONTROL})


def run_on_terminal(argv, env, timeout=300):
    """Run argv with its stderr on a new pseudo-terminal and stdout on a pipe: (stdout, what the
    terminal received, exit status)."""
    master, slave = pty.openpty()
    received = bytearray()

    def read():
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer closed the terminal
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env,
                              timeout=timeout)
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    return proc.stdout.decode(), received.decode(errors="replace"), proc.returncode


class ProgressLines(unittest.TestCase):
    def test_live_line_is_redrawn_under_lines_that_stay_and_cleared_at_the_end(self):
        out = FakeTerminal()
        p = progress.Progress(out)
        self.assertTrue(p.tty)
        p.tick = 60
        with p.live(lambda: "working 1"):
            p.note("lab 01 adder: 5/5")
        text = out.getvalue()
        self.assertEqual(text, "\r\033[Kworking 1\r\033[Klab 01 adder: 5/5\nworking 1\r\033[K")

    def test_plain_lines_only_off_a_terminal(self):
        tty, pipe = FakeTerminal(), io.StringIO()
        for stream in (tty, pipe):
            p = progress.Progress(stream)
            p.plain("lab 01 adder: 5/5")
            p.show("working")
            p.clear()
        self.assertEqual(pipe.getvalue(), "lab 01 adder: 5/5\n")
        self.assertEqual(tty.getvalue(), "\r\033[Kworking\r\033[K")

    def test_quiet_prints_nothing(self):
        for stream in (FakeTerminal(), io.StringIO()):
            p = progress.Progress(stream, enabled=False)
            with p.live(lambda: "working"):
                p.note("x")
                p.plain("y")
                p.show("z")
            self.assertEqual(stream.getvalue(), "")

    def test_boards(self):
        pipe = io.StringIO()
        p = progress.Progress(pipe)
        board = progress.LabBoard(p, [SimpleNamespace(key="01", slug="adder"), SimpleNamespace(key="02", slug="b")])
        lab = SimpleNamespace(key="01", slug="adder")
        board.started(lab)
        self.assertIn("running 01 adder", board.render())
        board.started(SimpleNamespace(key="02", slug="b"))
        self.assertTrue(board.render().endswith("running 01, 02"))
        board.ended(lab, SimpleNamespace(score=4, max_score=5, status="graded", seconds=1.25))
        self.assertIn("1/2 labs done, 4/5 points so far", board.render())
        self.assertTrue(board.render().endswith("running 02 b"))
        self.assertEqual(pipe.getvalue(), "lab 01 adder: 4/5 points in 1.2 s [1/2 labs, 4/5 points so far]\n")
        batch = progress.SubmissionBoard(p, 3)
        batch.started()
        batch.started()
        self.assertTrue(batch.render().startswith("[0/3] done, 2 in flight"))
        batch.ended("alice", 3, 9, "graded")
        self.assertTrue(batch.render().startswith("[1/3] done, 1 in flight | last alice: 3/9"))
        self.assertRegex(pipe.getvalue().splitlines()[-1], r"^\[1/3\] alice: 3/9  elapsed 0:\d\d  ETA 0:\d\d$")

    def test_build_steps(self):
        self.assertEqual(progress.build_step("[ 45%] Building C object runtime/core.c.o\n"),
                         "Building C object runtime/core.c.o")
        self.assertEqual(progress.build_step("[100%] Built target lab01-adder"), "Built target lab01-adder")
        self.assertIsNone(progress.build_step("-- Configuring done"))


class Grading(unittest.TestCase):
    """The fixture tree graded cold (a cache of its own, so that the one-time build runs)."""

    def setUp(self):
        self.root = support.tree()
        self.cache = Path(tempfile.mkdtemp(prefix="grader-progress-cache-"))
        self.addCleanup(shutil.rmtree, self.cache, True)
        self.env = {**os.environ, "WINSYNC_GRADER_CACHE": str(self.cache)}
        self.env.pop("COLUMNS", None)

    def grade(self, *args):
        return subprocess.run([sys.executable, str(self.root / "grade"), *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=300)

    def test_off_a_terminal_one_plain_line_per_lab(self):
        result = self.grade("--solutions", "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["score"], 9)  # stdout is the report alone
        self.assertEqual(control_characters(result.stderr), [])
        lines = result.stderr.splitlines()
        self.assertTrue(lines[0].startswith("building the grader's tree once"), lines)
        self.assertRegex(lines[1], r"^built the grader's tree in \d+ s$")
        self.assertEqual(sorted(l.split(":")[0] for l in lines[2:]), ["lab 01 adder", "lab 02 counter"], lines)
        self.assertIn("points so far]", lines[-1])
        self.assertEqual(self.grade("--solutions", "--quiet").stderr, "")  # warm now; quiet

    def test_on_a_terminal_a_live_line(self):
        report = self.cache / "report.json"
        stdout, screen, code = run_on_terminal(
            [sys.executable, str(self.root / "grade"), "--root", str(self.root), "--solutions", "--format", "json",
             "--out", str(report)], self.env)
        self.assertEqual(code, 0, screen)
        self.assertEqual(stdout, "")
        self.assertEqual(json.loads(report.read_text())["score"], 9)  # the report file is plain JSON
        self.assertIn("\r\033[Kbuilding the grader's tree once: 0/2 lab binaries built, Building C object", screen)
        self.assertIn("\r\033[Kbuilding the grader's tree once: 2/2 lab binaries built, Built target", screen)
        self.assertIn("\r\033[Kgrading: 0/2 labs done", screen)
        self.assertRegex(screen, r"grading: [01]/2 labs done, [0-9]+/[0-9]+ points so far \| 0:\d\d \| running "
                                 r"(01 adder|02 counter|01, 02|02, 01)\r")
        self.assertNotIn("lab 01 adder:", screen)  # off a terminal only: here the live line says it
        # The live line is cleared before the last line, which stays alone on the screen.
        self.assertTrue(screen.endswith(f"\r\033[Kwrote {report} (9/9 points)\r\n"), screen[-200:])

    def test_json_on_stdout_stays_clean_on_a_terminal_too(self):
        stdout, screen, code = run_on_terminal(
            [sys.executable, str(self.root / "grade"), "--root", str(self.root), "--solutions", "--format", "json"],
            self.env)
        self.assertEqual(code, 0, screen)
        self.assertEqual(json.loads(stdout)["score"], 9)
        self.assertIn("\033[K", screen)


class Batch(unittest.TestCase):
    def setUp(self):
        self.root = support.tree()
        support.shared()[0].ensure()  # warm: the batch's own lines are what is tested here
        self.base = Path(tempfile.mkdtemp(prefix="grader-progress-batch-"))
        self.addCleanup(shutil.rmtree, self.base, True)
        self.classroom = self.base / "class"
        self.classroom.mkdir()
        for name in ("alice", "bob"):
            shutil.move(str(fixture.submission({"labs/01-adder/adder.c": ADDER_SOLUTION,
                                                "labs/02-counter/counter.c": COUNTER_SOLUTION})),
                        str(self.classroom / name))
        self.argv = [sys.executable, str(self.root / "grade"), "--root", str(self.root), "--batch",
                     str(self.classroom), "--out", str(self.base / "out"), "--jobs", "2", "--no-similarity"]

    def test_off_a_terminal_a_line_per_finished_submission(self):
        result = subprocess.run(self.argv, capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(control_characters(result.stderr), [])
        finished = [l for l in result.stderr.splitlines() if l.startswith("[")]
        self.assertEqual([l.split()[0] for l in finished], ["[1/2]", "[2/2]"])
        self.assertEqual(sorted(l.split()[1] for l in finished), ["alice:", "bob:"])
        self.assertNotIn("in flight", result.stderr)

    def test_on_a_terminal_a_live_count(self):
        _, screen, code = run_on_terminal(self.argv, dict(os.environ))
        self.assertEqual(code, 0, screen)
        self.assertIn("\r\033[K[0/2] done, 2 in flight | elapsed 0:0", screen)
        self.assertRegex(screen, r"\[1/2\] done, 1 in flight \| last (alice|bob): 9/9 \| elapsed 0:\d\d  ETA ")
        # The live line is gone before the last lines.
        self.assertRegex(screen, r"\[2/2\] done, 0 in flight [^\r]*\r\033\[Kgraded 2 submissions in 0:\d\d")
        report = json.loads((self.base / "out/students/alice/report.json").read_text())
        self.assertEqual(report["score"], 9)


if __name__ == "__main__":
    unittest.main()
