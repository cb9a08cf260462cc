#!/usr/bin/env python3
"""bench/grader/batch.py: how fast the grader grades one student and a class.

Makes a class of synthetic submissions (a seeded mix: for every lab, the reference solution, the
skeleton or one of the lab's mutants), then measures, on this machine:
  - one submission (all labs) graded warm: `./grade --solutions`, after one run to fill the cache;
  - the same with `--confirm` (every passing test run once more in a fresh sandbox), alternated
    with the plain runs so that both see the same machine;
  - the class graded with `./grade --batch DIR --jobs 1` and with `--jobs 2`.
Prints a Markdown table to paste into bench/RESULTS.md, with the load average before and after.
It refuses to start at a load average above 1 (other work would be measured too) unless
--noisy is given. Nothing is asserted: timings belong here, not in the test suite.

    bench/grader/batch.py [--submissions 40] [--seed 1] [--jobs 1 2] [--keep DIR] [--noisy]
"""

import argparse
import os
import random
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


def make_class(root, labs, count, seed, into):
    """`count` submission folders under `into`; returns {name: [what each lab got]}."""
    rng = random.Random(seed)
    scratch = into / ".mutants"
    made = {}
    for i in range(count):
        name = f"student{i + 1:02d}"
        folder = into / name
        picks = []
        for lab in labs:
            mutants = sorted((root / "tests" / "mutants" / lab.folder).glob("*.diff"))
            choice = rng.choices(["solution", "skeleton", "mutant"], weights=[4, 2, 4])[0]
            if choice == "mutant" and mutants:
                diff = rng.choice(mutants)
                files = apply_mutant(root, lab, diff, scratch / name / lab.folder).files[lab.key]
                picks.append(f"{lab.key}:{diff.stem}")
            else:
                base = root / ("solutions" if choice == "solution" else "labs") / lab.folder
                files = {n: base / n for n in lab.student_files}
                picks.append(f"{lab.key}:{choice}")
            for file_name, path in files.items():
                target = folder / "labs" / lab.folder / file_name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        made[name] = picks
    shutil.rmtree(scratch, ignore_errors=True)
    return made


def timed(argv):
    start = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode not in (0, 1):  # 1: some student lost points, which is expected
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="batch --jobs values to time")
    parser.add_argument("--keep", type=Path, help="write the class and the reports here and keep them")
    parser.add_argument("--noisy", action="store_true", help="measure even at a load average above 1")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    if load_before > 1 and not args.noisy:
        sys.exit(f"the load average is {load_before:.2f}: wait for a quiet machine, or give --noisy")

    labs = config.load_labs(ROOT)
    work = args.keep or Path(tempfile.mkdtemp(prefix="winsync-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    made = make_class(ROOT, labs, args.submissions, args.seed, work / "class")
    print(f"{len(made)} submissions in {work / 'class'} (seed {args.seed})", file=sys.stderr)

    grade = [sys.executable, str(ROOT / "grade")]
    timed(grade + ["--solutions"])  # fills the build cache
    single, confirmed = [], []
    for _ in range(3):
        single.append(timed(grade + ["--solutions"]))
        confirmed.append(timed(grade + ["--solutions", "--confirm"]))
    batch = {}
    for jobs in args.jobs:
        out = work / f"out-jobs{jobs}"
        batch[jobs] = timed(grade + ["--batch", str(work / "class"), "--jobs", str(jobs), "--out", str(out)])
        print(f"--jobs {jobs}: {batch[jobs]:.0f} s", file=sys.stderr)

    load = os.getloadavg()[0]
    print(f"\nGrader timings ({os.cpu_count()} cores, load average {load_before:.2f} before and {load:.2f} "
          f"after; `bench/grader/batch.py --submissions {args.submissions} --seed {args.seed}`):\n")
    print("| What | Wall time |")
    print("| --- | --- |")
    print(f"| One submission, all labs, warm (`./grade --solutions`, best of 3) | {min(single):.1f} s |")
    print(f"| The same with `--confirm` (best of 3) | {min(confirmed):.1f} s "
          f"({min(confirmed) / min(single):.2f}x) |")
    for jobs, seconds in batch.items():
        print(f"| {args.submissions} submissions, `--batch --jobs {jobs}` | {seconds:.0f} s |")
    if 1 in batch:
        for jobs, seconds in batch.items():
            if jobs != 1:
                print(f"| Speed-up of `--jobs {jobs}` over `--jobs 1` | {batch[1] / seconds:.2f}x |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
