#!/usr/bin/env python3
"""The student handout, end to end, as a student uses it.

Writes a handout with `./grade release` into a temporary folder and, inside it:
  1. its README.md is the student's (no --solutions, no solutions/), and `./grade --solutions`
     says that the handout has no solutions;
  2. `./grade 01` grades the skeleton event.c alone: it links, and scores 0;
  3. with the reference event.c copied in, `./grade 01` gives full public marks, and the text
     report says how many more points the hidden tests hold;
  4. the manual CMake route of labs/01-events/README.md passes lab 01's public tests:
     cmake --preset default -DWINSYNC_STUDENT_LABS=01 && cmake --build --preset default &&
     ctest --preset default -R lab01
  5. `./run-tests` finishes in under 3 minutes, passes, and says lab 01 is done and the other
     labs are not started.
The grader's cache is private to the run (a student's first run builds it too), every program is
started in its own session and its whole process group is killed when it ends or overruns, and the
temporary folder is removed at the end (--keep keeps it).

    python3 tests/delivery/delivery.py [--root TREE] [--keep]

Python 3.9 standard library only. Exit status 0 when every check passes.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN_TESTS_LIMIT = 180  # seconds: the handout's ./run-tests must finish within this


class Failed(Exception):
    pass


class Runner:
    def __init__(self, env):
        self.env = env
        self.groups = []  # process groups started, killed at the end whatever happened

    def run(self, argv, cwd, timeout, what):
        """Run argv in its own session; returns (exit status, output, seconds)."""
        print(f"--- {what}: {' '.join(str(a) for a in argv)}", flush=True)
        start = time.monotonic()
        child = subprocess.Popen([str(a) for a in argv], cwd=str(cwd), env=self.env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                 errors="replace", start_new_session=True)
        self.groups.append(child.pid)
        try:
            output, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(child.pid)
            try:
                output, _ = child.communicate(timeout=30)
            except subprocess.TimeoutExpired:  # something outside the group still holds the pipe
                child.kill()
                output = ""
            raise Failed(f"{what} did not finish in {timeout} s:\n{tail(output or '')}")
        finally:
            self.kill(child.pid)  # whatever it left behind
        seconds = time.monotonic() - start
        print(f"    exit status {child.returncode} in {seconds:.1f} s", flush=True)
        return child.returncode, output, seconds

    @staticmethod
    def kill(group):
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def cleanup(self):
        for group in self.groups:
            self.kill(group)


def tail(text, lines=40):
    """The last lines of text, after every line that tells why a test failed (ctest's and
    Criterion's failure lines), which a long output would otherwise push out of view."""
    every = text.rstrip().splitlines()
    why = [line for line in every[:-lines] if any(mark in line for mark in ("***", "[FAIL]", "[----]", "FAIL:"))]
    return "\n".join(why[-60:] + every[-lines:])


def check(condition, message, output=""):
    if not condition:
        raise Failed(message + (f"\n{tail(output)}" if output else ""))
    print(f"    ok: {message}", flush=True)


def public_rubric(handout, folder):
    """(tests, points) of a lab's public rubric, from the handout's lab.toml (Python 3.9 has no
    TOML parser; the handout's lab.toml has only public entries)."""
    tests, total = 0, 0.0
    for line in (handout / "labs" / folder / "lab.toml").read_text().splitlines():
        key, _, value = line.partition("=")
        if line.strip() == "[[tests]]":
            tests += 1
        elif key.strip() == "points":
            total += float(value.split("#")[0])
    return tests, total


def grade_json(runner, handout, scratch, name, lab="01"):
    report = scratch / f"{name}.json"
    status, output, _ = runner.run([handout / "grade", lab, "--format", "json", "--out", report,
                                    "--log-dir", scratch / f"{name}-logs"], handout, 900, f"./grade {lab} ({name})")
    check(status == 0 and report.exists(), f"./grade {lab} ({name}) writes a report", output)
    entry = [e for e in json.loads(report.read_text())["labs"] if e["number"] == int(lab)]
    check(len(entry) == 1, f"the report has lab {lab}", output)
    return entry[0], output


def deliver(root, work, runner):
    handout = work / "handout"
    scratch = work / "scratch"
    scratch.mkdir()
    status, output, seconds = runner.run([sys.executable, root / "grade", "release", "--out", handout], root, 1200,
                                         "./grade release")
    check(status == 0, f"./grade release writes a handout that passes its own checks ({seconds:.0f} s)", output)
    check(not (handout / "solutions").exists(), "the handout has no solutions/")

    # 1. The student's README, and --solutions.
    readme = (handout / "README.md").read_text()
    check(readme != (root / "README.md").read_text(), "the handout's README.md is not the instructor's")
    check("--solutions" not in readme and "mutants" not in readme, "the README offers no --solutions or mutants")
    check("./run-tests" in readme and "WINSYNC_STUDENT_LABS" in readme and "hidden" in readme.lower(),
          "the README explains ./run-tests, the CMake route and the hidden tests")
    status, output, _ = runner.run([handout / "grade", "--solutions"], handout, 300, "./grade --solutions")
    check(status != 0 and "no solutions" in output, "./grade --solutions says the handout has no solutions", output)

    # 2. The skeleton scores zero, graded alone.
    entry, output = grade_json(runner, handout, scratch, "skeleton")
    check(entry["status"] == "graded", f"the skeleton event.c links and is graded (status {entry['status']}: "
                                       f"{entry.get('message', '')[:300]})", output)
    check(entry["score"] == 0, f"the skeleton event.c scores 0 (got {entry['score']})")

    # 3. The reference event.c gets full public marks.
    shutil.copyfile(root / "solutions" / "01-events" / "event.c", handout / "labs" / "01-events" / "event.c")
    entry, output = grade_json(runner, handout, scratch, "correct")
    public_tests, expected = public_rubric(handout, "01-events")
    check(entry["status"] == "graded" and entry["score"] == expected and entry["max_score"] == expected,
          f"a correct event.c gets full public marks ({entry['score']:g}/{entry['max_score']:g}, "
          f"expected {expected:g})", output)
    status, output, _ = runner.run([handout / "grade", "01", "--log-dir", scratch / "text-logs"], handout, 900,
                                   "./grade 01 (text report)")
    check(status == 0 and "Hidden tests:" in output, "the text report says that hidden tests hold more points",
          output)

    # 4. The manual CMake route, as labs/01-events/README.md gives it.
    for argv, what, limit in (
            (["cmake", "--preset", "default", "-DWINSYNC_STUDENT_LABS=01"], "configure", 300),
            (["cmake", "--build", "--preset", "default", "-j2"], "build", 900),
            (["ctest", "--preset", "default", "-R", "lab01"], "ctest -R lab01", 600)):
        status, output, _ = runner.run(argv, handout, limit, f"manual route: {what}")
        check(status == 0, f"manual route: {what} succeeds", output)
    check("reference/02-mutexes/mutex.c.o" in (handout / "build" / "default" / "CMakeCache.txt").read_text(),
          "manual route: lab 02 is linked from its reference object")

    # 5. ./run-tests: fast, passing, and clear about which labs are done.
    status, output, seconds = runner.run([handout / "run-tests"], handout, RUN_TESTS_LIMIT + 120, "./run-tests")
    check(status == 0, "./run-tests passes in a handout with lab 01 done", output)
    check(seconds < RUN_TESTS_LIMIT, f"./run-tests finishes in under {RUN_TESTS_LIMIT} s ({seconds:.0f} s)")
    done = f"done, {public_tests}/{public_tests} public tests pass"
    # the summary line, not the grader's progress line for lab 01 printed before it
    lab01_lines = [line for line in output.splitlines() if line.strip().startswith("lab 01 events:")]
    check(any(done in line for line in lab01_lines), f"./run-tests says lab 01 is {done}", output)
    others = sorted(p.name[:2] for p in (handout / "labs").glob("[0-9][0-9]-*") if not p.name.startswith("01"))
    check("not started (skeleton)" in output and f"not started: {' '.join(others)}" in output,
          "./run-tests says which labs are not started", output)
    check("Test timeout" not in output and "***Timeout" not in output, "no ctest test timed out", output)
    summary = [line for line in output.splitlines() if line.startswith(("  lab ", "labs:", "run-tests:"))]
    print("    ./run-tests summary:\n      " + "\n      ".join(summary), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the instructor tree (default: this one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "solutions").is_dir():
        print("delivery: needs the instructor tree (with solutions/); this is a handout", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="winsync-delivery-"))
    env = dict(os.environ, WINSYNC_GRADER_CACHE=str(work / "grader-cache"), PYTHONDONTWRITEBYTECODE="1")
    runner = Runner(env)
    start = time.monotonic()
    try:
        deliver(root, work, runner)
    except Failed as error:
        print(f"delivery: FAILED: {error}", flush=True)
        return 1
    finally:
        runner.cleanup()
        if args.keep:
            print(f"delivery: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"delivery: every check passed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
