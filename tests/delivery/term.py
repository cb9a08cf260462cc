#!/usr/bin/env python3
"""The instructor guide's term, run as an instructor runs it, against the guide's own text.

docs/instructor/guide.md, "A term, step by step", shows a class of four graded with a course
policy, an adjustment, a roster, a similarity report, an LMS export and a sharded run merged
back. This script builds that class from docs/instructor/term/ (the solutions, one mutant, the
skeleton, two copies of one helper), runs the guide's commands in a temporary folder and
compares what they print and write (the handout's release first) with every block of the guide marked
`<!-- term: NAME -->`. Timings, the cache path and the one-time build line are the only parts not compared.

    python3 tests/delivery/term.py [--root TREE] [--update] [--keep]

--update rewrites the marked blocks from this run (then review the prose around them with
`git diff`). Python 3.9 standard library; needs git, zip, patch, sim_c and GNU parallel.
Exit status 0 when the guide matches, 1 when it does not, 2 on a usage or set-up error.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MARK = re.compile(r"^<!-- term: (?P<name>[\w.-]+) -->\n```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
LAB_FILES = {"01": "labs/01-events/event.c", "06": "labs/06-wait-multiple/wait_test.c"}
ALICE_TIME = "2026-09-18T21:14:09-04:00"  # her last commit: her submission time
MTIMES = {"bob.zip": "2026-09-20T13:30:00+00:00", "carol": "2026-09-19T03:50:00+00:00",
          "dan": "2026-09-17T14:00:00+00:00"}
COMMON = ["--course", "term/course.toml", "--adjustments", "term/adjustments.csv", "--roster", "term/roster.csv"]


class Failed(Exception):
    pass


def epoch(stamp):
    from datetime import datetime
    return datetime.fromisoformat(stamp).timestamp()


def touch_tree(path, stamp):
    for item in [path, *path.rglob("*")]:
        os.utime(item, (epoch(stamp), epoch(stamp)))


def make_term(root, base):
    """The term/ folder of the guide, under base."""
    given = root / "docs/instructor/term"
    term = base / "term"
    subs = term / "submissions"
    for name in ("course.toml", "roster.csv", "adjustments.csv"):
        (term / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(given / name, term / name)
    solution = (root / "solutions/01-events/event.c").read_text()

    alice = subs / "alice"
    (alice / "labs/01-events").mkdir(parents=True)
    (alice / "labs/06-wait-multiple").mkdir(parents=True)
    (alice / LAB_FILES["01"]).write_text(solution + (given / "alice-helper.c").read_text())
    shutil.copy(root / "solutions/06-wait-multiple/wait_test.c", alice / LAB_FILES["06"])
    env = dict(os.environ, GIT_AUTHOR_DATE=ALICE_TIME, GIT_COMMITTER_DATE=ALICE_TIME,
               GIT_AUTHOR_NAME="Alice Ames", GIT_AUTHOR_EMAIL="alice@example.edu",
               GIT_COMMITTER_NAME="Alice Ames", GIT_COMMITTER_EMAIL="alice@example.edu")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "labs 01 and 06"]):
        subprocess.run(["git", *args], cwd=alice, env=env, check=True, capture_output=True)

    bob = base / "bob"
    (bob / "labs/01-events").mkdir(parents=True)
    (bob / "labs/06-wait-multiple").mkdir(parents=True)
    (bob / LAB_FILES["01"]).write_text(solution)
    patch = root / "tests/mutants/01-events/set-returns-new-state.diff"
    subprocess.run(["patch", "-s", "--batch", "--no-backup-if-mismatch", str(bob / LAB_FILES["01"]), str(patch)],
                   check=True, capture_output=True)
    shutil.copy(root / "solutions/06-wait-multiple/wait_test.c", bob / LAB_FILES["06"])
    with zipfile.ZipFile(subs / "bob.zip", "w") as archive:
        for name in LAB_FILES.values():
            archive.write(bob / name, name)
    shutil.rmtree(bob)

    carol = subs / "carol"
    carol.mkdir()
    (carol / "event.c").write_text(solution + (given / "carol-helper.c").read_text())

    dan = subs / "dan/labs/01-events"
    dan.mkdir(parents=True)
    shutil.copy(root / "labs/01-events/event.c", dan / "event.c")

    for name, stamp in MTIMES.items():
        touch_tree(subs / name, stamp)
    return term


def normalized(text):
    """What a run prints, without what changes from run to run: times and the cache path."""
    text = re.sub(r"elapsed \d+:\d\d  ETA \d+:\d\d", "elapsed 0:00  ETA 0:00", text)
    text = re.sub(r" in \d+:\d\d:", " in 0:00:", text)
    text = re.sub(r"\(cache [^)]*\)", "(cache ...)", text)
    # the one-time build is printed only when the grader's cache is cold
    return re.sub(r"^(building the grader's tree once|built the grader's tree in ).*\n", "", text, flags=re.M)


def progress_sorted(text):
    """Batch progress lines arrive in the order submissions end: compare them as a set."""
    lines = text.splitlines()
    progress = sorted(re.sub(r"^\[\d+/", "[k/", line) for line in lines if re.match(r"\[\d+/\d+\] ", line))
    rest = [line for line in lines if not re.match(r"\[\d+/\d+\] ", line)]
    return "\n".join(progress + rest)


def run(root, base, args):
    command = [sys.executable, str(root / "grade"), *args]
    done = subprocess.run(command, cwd=base, capture_output=True, text=True, timeout=1200)
    if done.returncode not in (0, 1):
        raise Failed(f"./grade {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def console(command, output):
    return f"$ {command}\n{output.rstrip()}\n"


def produce(root, base):
    """Run the guide's commands; returns {block name: text the guide must show}."""
    term = make_term(root, base)
    got = {name: (term / name).read_text() for name in ("course.toml", "roster.csv")}
    files = subprocess.run(["find", "term/submissions", "-type", "f", "-not", "-path", "*/.git/*"], cwd=base,
                           capture_output=True, text=True, check=True).stdout
    release = ["release", "--out", "term/handout"]
    got["release"] = console("./grade " + " ".join(release), run(root, base, release))
    got["collect"] = console("find term/submissions -type f -not -path '*/.git/*' | sort",
                             "\n".join(sorted(files.split())))

    grade = ["--batch", "term/submissions", "--out", "term/results", "--jobs", "2", *COMMON, "--format", "canvas",
             "01", "06"]
    got["grade"] = console("./grade " + " ".join(grade), run(root, base, grade))
    results = term / "results"
    got["similarity.csv"] = (results / "similarity.csv").read_text()
    got["grades.csv"] = (results / "grades.csv").read_text()
    report = (results / "students/bob/report.txt").read_text()
    got["bob-report.txt"] = report[report.index("Submitted:"):report.index("Total after")].rstrip() + "\n" + \
        report[report.index("Total after"):].splitlines()[0] + "\n"
    got["canvas.csv"] = (results / "canvas.csv").read_text()

    merge = ["merge", "term/results", "--out", "term/results", *COMMON, "--format", "moodle"]
    got["merge"] = console("./grade " + " ".join(merge), run(root, base, merge)) + \
        console("cat term/results/moodle.csv", (results / "moodle.csv").read_text())

    shard = ["--batch", "term/submissions", "--out", "term/shard-{}", "--shard", "{}/2", "--jobs", "1", "01", "06"]
    sharded = subprocess.run(["parallel", "--will-cite", "--keep-order", sys.executable, str(root / "grade"), *shard,
                              ":::", "1", "2"], cwd=base, capture_output=True, text=True, timeout=2400)
    if sharded.returncode not in (0, 1):
        raise Failed(f"parallel exited {sharded.returncode}:\n{sharded.stderr[-3000:]}")
    merged = ["merge", "term/shard-1", "term/shard-2", "--out", "term/merged", *COMMON, "--format", "canvas"]
    merge_output = run(root, base, merged)
    same = all((term / "merged" / name).read_text() == (results / name).read_text()
               for name in ("canvas.csv", "grades.csv"))
    got["shards"] = console("parallel --will-cite --keep-order ./grade " + " ".join(shard) + " ::: 1 2",
                            sharded.stdout + sharded.stderr) + \
        console("./grade " + " ".join(merged), merge_output) + \
        console("diff term/merged/canvas.csv term/results/canvas.csv && "
                "diff term/merged/grades.csv term/results/grades.csv && echo same", "same" if same else "differ")
    return got


def comparable(name, text):
    return progress_sorted(text) if name in ("grade", "shards") else text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--update", action="store_true", help="rewrite the guide's marked blocks from this run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    root = args.root.resolve()
    guide_path = root / "docs/instructor/guide.md"
    guide = guide_path.read_text()
    marked = {m.group("name"): m for m in MARK.finditer(guide)}
    missing = [name for name in ("release", "course.toml", "roster.csv", "collect", "grade", "similarity.csv", "grades.csv", "bob-report.txt", "canvas.csv",
                                 "merge", "shards") if name not in marked]
    for tool in ("git", "patch", "sim_c", "parallel"):
        if shutil.which(tool) is None:
            print(f"term.py: {tool} is not installed (apt-get install git patch similarity-tester parallel)",
                  file=sys.stderr)
            return 2
    if missing and not args.update:
        print(f"term.py: guide.md has no <!-- term: NAME --> block for {', '.join(missing)}", file=sys.stderr)
        return 2
    base = Path(tempfile.mkdtemp(prefix="winsync-term-"))
    try:
        got = produce(root, base)
    except Failed as error:
        print(f"term.py: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"term.py: kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)

    if args.update:
        def replace(m):
            text = re.sub(r"\(cache [^)]*\)", "(cache ...)", got[m.group("name")])
            return f"<!-- term: {m.group('name')} -->\n```{m.group('lang')}\n{text}```"
        guide_path.write_text(MARK.sub(replace, guide))
        print(f"term.py: rewrote {len(marked)} blocks of {guide_path.relative_to(root)}; review the prose with git diff")
        return 0
    stale = [name for name, m in marked.items()
             if comparable(name, normalized(m.group("body"))) != comparable(name, normalized(got[name]))]
    for name in stale:
        print(f"term.py: the guide's block '{name}' is stale; this run gives:\n{got[name]}", file=sys.stderr)
    if stale:
        print("term.py: run python3 tests/delivery/term.py --update and review the prose around the blocks",
              file=sys.stderr)
        return 1
    print(f"term.py: the guide's {len(marked)} term blocks match this run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
