#!/usr/bin/env python3
"""bench/grader/wrong.py: how long a wrong submission takes to grade, against a correct one.

Grades, one at a time and warm, the way a student's `./grade --submission DIR LAB` does (the
default re-runs of failing tests, --test-jobs 2):
  - each lab's reference solution (the median of --solution-runs runs is the lab's baseline);
  - every mutant of tests/mutants/<lab>/ for the labs given (default: 01 and 03);
  - hand-made cases: `ExitProcess(0)` at the start of event_set (lab 01), an infinite loop at
    the start of semaphore_release (lab 03), an event_set that neither signals nor wakes (lab 01:
    its waiters are never woken), and with --queue a lab 05 queue whose pop never releases the
    queue's lock (lab 05, slow: its solution alone grades in about 8 s).
Prints a Markdown table: per case its lab's grading time, the ratio to that lab's solution, the
score, and how its tests ended (t: timed out, f: failed, r: test runs in all), with the load
average before and after, and says so when the machine was loaded (load average above 1). Nothing
is asserted: timings belong here, not in the test suite.

    bench/grader/wrong.py [--labs 01 03] [--queue] [--solution-runs 3] [--keep DIR] [--only NAME]
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from grader import config  # noqa: E402
from grader.mutants import apply_mutant  # noqa: E402

# (lab key, case name, function, edit): edit(function text) -> the wrong function text.
CASES = [
    ("01", "exit(0): ExitProcess(0) in event_set", "event_set",
     lambda body: _at_start(body, "ExitProcess(0);")),
    ("01", "never woken: event_set does nothing", "event_set",
     lambda body: _at_start(body, "(void)event;\n    return 0;")),
    ("03", "infinite loop in semaphore_release", "semaphore_release",
     lambda body: _at_start(body, "for (volatile int spin = 1; spin;) {\n    }")),
]
QUEUE_CASE = ("05", "pop never releases the queue's lock", "queue_pop_locked",
              lambda body: body.replace("ReleaseMutex(q->lock);", "/* the lock is kept */"))


def _at_start(function, statement):
    head, brace, rest = function.partition("{")
    return f"{head}{brace}\n    {statement}{rest}"


def edit_function(text, name, edit):
    """`text` with the definition of function `name` (up to its closing brace in column 0) edited."""
    match = re.search(rf"^[A-Za-z][^\n;]*\b{re.escape(name)}\([^)]*\)\s*\{{.*?^\}}", text, re.S | re.M)
    if not match:
        raise SystemExit(f"no definition of {name}() found")
    changed = edit(match.group(0))
    if changed == match.group(0):
        raise SystemExit(f"the edit of {name}() changed nothing")
    return text[:match.start()] + changed + text[match.end():]


def submission(folder, lab, files):
    """A submission folder laid out like a working copy: labs/<lab folder>/<file>."""
    for name, path in files.items():
        target = folder / "labs" / lab.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return folder


def grade(lab, folder, out, test_jobs):
    """(seconds, lab result dict) of `./grade --submission folder LAB`."""
    argv = [sys.executable, str(ROOT / "grade"), "--submission", str(folder), "--format", "json", "--out", str(out),
            "--quiet", "--test-jobs", str(test_jobs), "--log-dir", str(out.with_suffix("")) + "-logs", lab.key]
    start = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode not in (0, 1) or not out.exists():
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, json.loads(out.read_text())["labs"][0]


def endings(result):
    """How the lab's tests ended: "3t 2f 17r" (timed out, failed otherwise, runs in all)."""
    if result["status"] != "graded":
        return result["status"]
    counts = collections.Counter(t["status"] for t in result["tests"])
    runs = sum(len(t["runs"]) for t in result["tests"])
    failed = sum(n for status, n in counts.items() if status not in ("passed", "timeout"))
    return f"{counts['timeout']}t {failed}f {runs}r"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labs", nargs="+", default=["01", "03"], help="labs whose mutants are graded")
    parser.add_argument("--queue", action="store_true", help="also the lab 05 queue whose pop keeps the lock")
    parser.add_argument("--no-cases", action="store_true", help="only the mutants (no hand-made cases)")
    parser.add_argument("--only", metavar="TEXT", help="only the cases whose name contains TEXT (and the solutions)")
    parser.add_argument("--solution-runs", type=int, default=3, help="runs of each solution (median; default 3)")
    parser.add_argument("--test-jobs", type=int, default=2, help="--test-jobs of every run (default 2)")
    parser.add_argument("--keep", type=Path, help="write the submissions and reports here and keep them")
    args = parser.parse_args()

    labs = {lab.key: lab for lab in config.load_labs(ROOT)}
    work = args.keep or Path(tempfile.mkdtemp(prefix="winsync-bench-wrong-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = []  # (lab, name, files)
    for key in args.labs:
        lab = labs[key]
        for diff in sorted((ROOT / "tests" / "mutants" / lab.folder).glob("*.diff")):
            files = apply_mutant(ROOT, lab, diff, work / "patched" / lab.folder / diff.stem).files[lab.key]
            cases.append((lab, f"mutant {diff.stem}", files))
    extra = [] if args.no_cases else CASES + ([QUEUE_CASE] if args.queue else [])
    for key, name, function, edit in extra:
        lab = labs[key]
        (file_name,) = lab.student_files
        target = work / "edited" / re.sub(r"\W+", "-", name) / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit_function((ROOT / "solutions" / lab.folder / file_name).read_text(), function, edit))
        cases.append((lab, name, {file_name: target}))
    if args.only:
        cases = [case for case in cases if args.only in case[1]]

    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} "
          f"({os.cpu_count()} cores)", file=sys.stderr)
    used = sorted({lab.key for lab, _, _ in cases}, key=lambda k: labs[k].number)
    subprocess.run([sys.executable, str(ROOT / "grade"), "--solutions", "--quiet", *used], cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fills the build cache, and the solutions' object cache
    baseline, rows, loads = {}, [], [load_before[0]]
    for key in used:
        lab = labs[key]
        folder = submission(work / "submissions" / f"{key}-solution", lab,
                            {n: ROOT / "solutions" / lab.folder / n for n in lab.student_files})
        times = []
        for run in range(args.solution_runs):
            seconds, result = grade(lab, folder, work / "reports" / f"{key}-solution-{run}.json", args.test_jobs)
            times.append(seconds)
        baseline[key] = sorted(times)[len(times) // 2]
        loads.append(os.getloadavg()[0])
        rows.append((lab, "solution", baseline[key], result))
        print(f"{key} solution: {baseline[key]:.1f} s (runs: {', '.join(f'{t:.1f}' for t in times)})",
              file=sys.stderr)
    for index, (lab, name, files) in enumerate(cases):
        folder = submission(work / "submissions" / f"{index:02d}", lab, files)
        seconds, result = grade(lab, folder, work / "reports" / f"{index:02d}.json", args.test_jobs)
        loads.append(os.getloadavg()[0])
        rows.append((lab, name, seconds, result))
        print(f"{lab.key} {name}: {seconds:.1f} s, {seconds / baseline[lab.key]:.1f}x, {endings(result)} "
              f"(load {loads[-1]:.2f})", file=sys.stderr)

    load_after = os.getloadavg()
    noisy = max(loads + [load_after[0]]) > 1
    print(f"\nGrading time of wrong submissions against the solution, one lab each "
          f"(`bench/grader/wrong.py --labs {' '.join(args.labs)}{' --queue' if args.queue else ''}`; "
          f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
          f"{min(loads):.2f} to {max(loads):.2f} between the runs"
          + ("; NOISY: the machine was loaded, other work was measured too" if noisy else "") + "):\n")
    print("| Lab | Case | Score | Time | Ratio to the solution | Tests: t timed out, f failed, r runs |")
    print("| --- | --- | --- | --- | --- | --- |")
    for lab, name, seconds, result in rows:
        ratio = seconds / baseline[lab.key]
        print(f"| {lab.key} | {name} | {result['score']:g}/{result['max_score']:g} | {seconds:.1f} s "
              f"| {ratio:.1f}x | {endings(result)} |")
    wrong = [(seconds / baseline[lab.key]) for lab, name, seconds, _ in rows if name != "solution"]
    if wrong:
        within = sum(1 for ratio in wrong if ratio <= 1.5)
        print(f"\n{within} of {len(wrong)} wrong submissions within 1.5x of their lab's solution; "
              f"the worst {max(wrong):.1f}x, the median {sorted(wrong)[len(wrong) // 2]:.1f}x.")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
