"""./grade mutants [LAB...]: the tests of the tests.

Grades, for each lab, the reference solution (must get full marks), the skeleton in labs/ (must get
zero) and every mutant tests/mutants/NN-topic/*.diff (a patch against the solution that must lose
points, and fail the test its "# Caught by: suite/test" header line names: a deterministic test, so
that the table never depends on a race being hit). Prints the table lab | mutant | score | verdict |
the tests that caught it, and exits 1 unless all of this holds.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader import build, config
from grader.grade import Options, grade_submission
from grader.submission import Files, Solutions, WorkingCopy


MUTANT_TEST_JOBS_FACTOR = 3  # a mutant's tests run this many times as many at once as a solution's


def description(diff):
    """The text before the first `---` line, without its "# Mutant:" prefix."""
    lines = []
    for line in diff.read_text().splitlines():
        if line.startswith("---"):
            break
        if not line.startswith("# Caught by:"):
            lines.append(line.lstrip("# ").removeprefix("Mutant:").strip())
    return " ".join(l for l in lines if l)


def caught_by(diff):
    """The test ids a `# Caught by: suite/test, ...` header line promises will fail, every time.

    A mutant caught only by a random test (a race that may not be hit) would make this table
    flaky; naming the deterministic test that catches it keeps the promise checkable."""
    for line in diff.read_text().splitlines():
        if line.startswith("---"):
            break
        if line.startswith("# Caught by:"):
            return [t.strip() for t in line.removeprefix("# Caught by:").split(",") if t.strip()]
    return []


def apply_mutant(root, lab, diff, into):
    """Copy the lab's solution files into `into`, patch them; returns Files(...) or raises."""
    for name in lab.student_files:
        target = into / "solutions" / lab.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "solutions" / lab.folder / name, target)
    result = subprocess.run(["patch", "-p1", "-s", "--batch", "--no-backup-if-mismatch", "-i", str(diff.resolve())],
                            cwd=into, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{diff} does not apply to solutions/{lab.folder}: {(result.stdout + result.stderr).strip()}")
    return Files(f"mutant {diff.stem}", {lab.key: {n: into / "solutions" / lab.folder / n for n in lab.student_files}})


def verdict_of(expectation, result, promised, failed):
    """"ok", or what is wrong with this row: `expectation` is full, zero or loses."""
    if expectation == "full":
        ok = result.score == result.max_score and result.max_score > 0
        problem = "FAIL: the solution must get full marks"
    elif expectation == "zero":
        ok, problem = result.score == 0, "FAIL: the skeleton must score zero"
    elif result.score == result.max_score:
        ok, problem = False, "FAIL: survives (no test catches it)"
    elif not promised:
        return "FAIL: no '# Caught by:' line names the test that always catches it"
    else:
        missed = [t for t in promised if t not in failed]
        ok, problem = not missed, f"FAIL: not caught by {', '.join(missed)} (its '# Caught by:' line)"
    if ok:
        return "ok"
    if result.status != "graded":
        problem += f" [{result.message.splitlines()[0]}]"
    return problem


def main(argv):
    parser = argparse.ArgumentParser(prog="grade mutants", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labs", nargs="*", metavar="LAB", help="lab number, slug or folder (default: all)")
    from grader.cli import add_common
    add_common(parser)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    labs = config.load_labs(root)
    chosen = config.select_labs(labs, args.labs)
    shared = build.SharedBuild(root, labs, jobs=2, progress=lambda m: print(m, file=sys.stderr))
    shared.ensure()
    scratch = Path(tempfile.mkdtemp(prefix="winsync-mutants-"))
    jobs = []  # (lab, name, expectation, source or error, tests that must fail)
    for lab in chosen:
        jobs.append((lab, "solution", "full", Solutions(root), []))
        jobs.append((lab, "skeleton", "zero", WorkingCopy(root), []))
        diffs = sorted((root / "tests" / "mutants" / lab.folder).glob("*.diff"))
        if not diffs:
            print(f"warning: no mutants in tests/mutants/{lab.folder}/", file=sys.stderr)
        for diff in diffs:
            try:
                source = apply_mutant(root, lab, diff, scratch / lab.folder / diff.stem)
            except RuntimeError as error:
                source = error
            jobs.append((lab, diff.stem, "loses", source, caught_by(diff)))

    def grade_one(job):
        lab, _, expectation, source, _ = job
        if isinstance(source, Exception):
            return None
        options = Options(jobs=1, test_jobs=args.test_jobs)
        if expectation != "full":
            options.max_runs = 1  # meant to fail: re-running its failures only costs time
        if expectation == "loses":
            # A mutant's tests mostly sit in waits that time out (a mutant that ignores timeouts
            # hangs every test of lab 05 for its whole timeout), so more of them run at once. Load
            # can only add failures, and a verdict needs failures: it cannot hide a survivor.
            options.test_jobs = args.test_jobs * MUTANT_TEST_JOBS_FACTOR
        report = grade_submission(shared, [lab], source, options)
        return report.labs[0]

    try:
        with ThreadPoolExecutor(max_workers=args.jobs or 4) as pool:
            results = list(pool.map(grade_one, jobs))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failures = 0
    rows = [("lab", "mutant", "score", "verdict", "caught by")]
    for (lab, name, expectation, source, promised), result in zip(jobs, results):
        failed = []
        if result is None:
            verdict, score = f"BROKEN: {source}", "-"
        else:
            score = f"{result.score:g}/{result.max_score:g}"
            failed = [t.id for t in result.tests if not t.passed]
            verdict = verdict_of(expectation, result, promised, failed)
        failures += verdict != "ok"
        lost = ", ".join(failed) if expectation == "loses" else ""
        rows.append((f"{lab.key} {lab.slug}", name, score, verdict, lost))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + " | " + row[4])
    mutants = sum(1 for job in jobs if job[2] == "loses")
    print(f"\n{mutants} mutants, {failures} problem(s).")
    return 1 if failures else 0
