#!/usr/bin/env python3
"""bench/grader/similarity.py: false positives of the similarity report on a synthetic class.

Makes the class of bench/grader/batch.py (a seeded mix: for every lab, the reference solution,
the skeleton or one of the lab's mutants; no student wrote any of it, so every pair it reports is
a false positive) and runs the similarity step alone (no grading), with the skeleton and the
reference solution excluded as the common base and, for comparison, without any base. Prints a
Markdown table: per lab, the pairs of submissions listed and those at the threshold or more.

    bench/grader/similarity.py [--submissions 40] [--seed 1] [--keep DIR]
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "grader"))

from batch import make_class  # noqa: E402
from grader import config, similarity  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the class and similarity.html there and keep them")
    args = parser.parse_args()
    if not similarity.available():
        sys.exit("sim_c is not installed: apt-get install similarity-tester")
    labs = config.load_labs(ROOT)
    work = args.keep or Path(tempfile.mkdtemp(prefix="winsync-bench-similarity-"))
    made = make_class(ROOT, labs, args.submissions, args.seed, work / "class")
    start = time.monotonic()
    with_base, skipped = similarity.analyse(ROOT, labs, work / "class")
    seconds = time.monotonic() - start
    if args.keep:
        (work / "similarity.html").write_text(similarity.render_html(with_base, skipped))
    bare = [similarity.compare(similarity.FileSet(f.lab, f.file, f.originals, []), work / "bare" / f.lab)
            for f in with_base]
    pairs = args.submissions * (args.submissions - 1) // 2
    print(f"Similarity on the synthetic class (`bench/grader/similarity.py --submissions {args.submissions} "
          f"--seed {args.seed}`; {len(made)} submissions, {pairs} pairs per lab; the base-excluded run took "
          f"{seconds:.1f} s):\n")
    print(f"| Lab | Kinds (solution / skeleton / mutants) | Listed, base excluded | At {similarity.THRESHOLD}%+, "
          f"base excluded | Listed, no base | At {similarity.THRESHOLD}%+, no base |")
    print("| --- | --- | --- | --- | --- | --- |")
    for lab, fileset, plain in zip(labs, with_base, bare):
        picks = [pick.split(":", 1)[1] for picks in made.values() for pick in picks if pick.startswith(lab.key)]
        kinds = (f"{picks.count('solution')} / {picks.count('skeleton')} / "
                 f"{len(picks) - picks.count('solution') - picks.count('skeleton')}")
        high = sum(1 for p in fileset.pairs if p.percent >= similarity.THRESHOLD)
        plain_high = sum(1 for p in plain.pairs if p.percent >= similarity.THRESHOLD)
        print(f"| {lab.key} {lab.slug} | {kinds} | {len(fileset.pairs)} | {high} | {len(plain.pairs)} | "
              f"{plain_high} |")
        for pair in fileset.pairs:
            a, b = (dict(p.split(":", 1) for p in made[n])[lab.key] for n in (pair.a, pair.b))
            print(f"|  | {pair.a} ({a}) and {pair.b} ({b}): {pair.percent}%, {pair.tokens} tokens | | | | |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
