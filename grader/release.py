"""./grade release --out DIR: the student handout.

Skeletons, runtime, public tests and public rubric entries (each lab.toml says in `hidden_points`
how many points its hidden tests hold), docs without the instructor guide, the grader, a student
README.md (from grader/handout/README.md, with the points of each lab), and
reference/NN-topic/<file>.o: the reference objects of every lab slot (prebuilt, without debug
information) so that the handout's ./grade, ./run-tests and CMake build (WINSYNC_STUDENT_LABS) use
the reference for the labs a student is not working on; reference/skeletons.sha256 lets
./run-tests tell a lab not started yet. No solutions, no hidden tests, no mutants.

The handout is checked before the command ends: nothing secret in it, and its own `./grade` grades
the first lab alone (it links with the reference objects, and the skeleton scores zero).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from grader import build, config

EXCLUDED = [".git", "build", "build-*", "grade-out", "solutions", "tests/mutants", "tests/labs/*/hidden",
            "docs/instructor*", ".ci", "**/__pycache__", "**/*.pyc", "autograder.zip", "reference",
            "tests/delivery"]
README_TEMPLATE = Path(__file__).resolve().parent / "handout" / "README.md"
SKELETONS = "reference/skeletons.sha256"  # sha256sum format: "<hash>  labs/NN-topic/<file>"


def excluded(rel, patterns):
    """Is the relative path `rel` under one of `patterns` (anchored at the top, or "**/" for any depth)?"""
    parts = PurePosixPath(rel).parts
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch(part, pattern[3:]) for part in parts):
                return True
            continue
        depth = len(pattern.split("/"))
        if len(parts) >= depth and fnmatch("/".join(parts[:depth]), pattern):
            return True
    return False


def public_toml(text, hidden_points=0):
    """lab.toml without its hidden [[tests]] entries (comments and layout kept); with
    `hidden_points`, the [lab] table says how many points the hidden tests hold."""
    blocks = re.split(r"(?m)^(?=\[\[tests\]\])", text)
    kept = [b for b in blocks if not (b.startswith("[[tests]]") and re.search(r"(?m)^hidden\s*=\s*true", b))]
    if hidden_points:
        text = "".join(kept)
        header = re.search(r"(?m)^\[lab\][ \t]*(#.*)?$", text)
        if header:  # after the [lab] table's last line, before the next table
            following = re.compile(r"(?m)^[ \t]*\[").search(text, header.end())
            end = following.start() if following else len(text)
            lines = text[:end].split("\n")
            last = max(i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#"))
            line = f"hidden_points = {hidden_points:g}  # in hidden tests, graded by your instructor (not in this handout)"
            text = "\n".join(lines[:last + 1] + [line] + lines[last + 1:]) + text[end:]
        return text
    return "".join(kept)


def hidden_points(lab):
    return sum(t.points for t in lab.tests if t.hidden)


def _points(value):
    return f"{value:g}"


def student_readme(labs):
    """The handout's README.md: the template with the labs and their public and hidden points."""
    rows = ["| Lab | Your file | Public tests (points) | Hidden tests (points) | Lab total |",
            "| --- | --- | --- | --- | --- |"]
    lines = []
    for lab in labs:
        public = lab.public()
        hidden = [t for t in lab.tests if t.hidden]
        files = ", ".join(f"`labs/{lab.folder}/{name}`" for name in lab.student_files)
        rows.append(f"| [{lab.key} {lab.slug}](labs/{lab.folder}/README.md) | {files} | {len(public)} "
                    f"({_points(sum(t.points for t in public))}) | {len(hidden)} ({_points(hidden_points(lab))}) "
                    f"| {_points(lab.max_score)} |")
        lines.append(f"- lab {lab.key}: {_points(sum(t.points for t in public))} public points you can see, "
                     f"{_points(hidden_points(lab))} more in hidden tests")
    total_public = sum(t.points for lab in labs for t in lab.public())
    total_hidden = sum(hidden_points(lab) for lab in labs)
    rows.append(f"| All labs | | {sum(len(lab.public()) for lab in labs)} ({_points(total_public)}) | "
                f"{sum(len(lab.tests) - len(lab.public()) for lab in labs)} ({_points(total_hidden)}) | "
                f"{_points(total_public + total_hidden)} |")
    first, last = (labs[0], labs[-1]) if labs else (None, None)
    text = README_TEMPLATE.read_text()
    replacements = {
        "@POINTS_TABLE@": "\n".join(rows),
        "@POINTS_LINES@": "\n".join(lines),
        "@PUBLIC_POINTS@": _points(total_public),
        "@HIDDEN_POINTS@": _points(total_hidden),
        "@FIRST_LAB@": first.key if first else "01",
        "@FIRST_FOLDER@": first.folder if first else "01-events",
        "@FIRST_TARGET@": first.target if first else "lab01-events",
        "@FIRST_SLUG@": first.slug if first else "events",
        "@FIRST_DONE@": (f"lab {first.key} {first.slug}: done, {len(first.public())}/{len(first.public())} "
                         "public tests pass") if first else "lab 01 events: done",
        "@LAST_NOT_STARTED@": f"lab {last.key} {last.slug}: not started (skeleton)" if last else "",
    }
    for key, value in replacements.items():
        text = text.replace(key, value)
    return text


def skeleton_hashes(root, labs):
    """reference/skeletons.sha256: each student file as the handout gives it."""
    lines = []
    for lab in labs:
        for name in lab.student_files:
            path = Path(root) / "labs" / lab.folder / name
            if path.is_file():
                lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  labs/{lab.folder}/{name}")
    return "\n".join(lines) + "\n"


def write_handout(root, out, labs):
    root, out = Path(root), Path(out)
    by_folder = {lab.folder: lab for lab in labs}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if excluded(rel.as_posix(), EXCLUDED) or path.is_dir():
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "lab.toml":
            lab = by_folder.get(path.parent.name)
            target.write_text(public_toml(path.read_text(), hidden_points(lab) if lab else 0))
        elif rel.as_posix() == "README.md":
            continue  # the instructor's README is not the student's: written below
        else:  # without solutions/, CMake builds each slot from labs/ or reference/ (WINSYNC_STUDENT_LABS)
            shutil.copy2(path, target)
    (out / "README.md").write_text(student_readme(labs))
    # This grader itself (the tree's own copy may be a link or older).
    here = Path(__file__).resolve().parent
    shutil.rmtree(out / "grader", ignore_errors=True)
    shutil.copytree(here, out / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(here.parent / "grade", out / "grade")
    manifest = build.SharedBuild(root, labs, progress=lambda m: print(m, file=sys.stderr)).ensure()
    for lab in labs:
        for name, info in manifest["labs"][lab.key]["files"].items():
            if info["compile"] is None:
                continue
            target = out / "reference" / lab.folder / (name + ".o")
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "--discard-all", "-o", str(target),
                            info["compile"]["output"]], check=True)
    (out / SKELETONS).parent.mkdir(parents=True, exist_ok=True)
    (out / SKELETONS).write_text(skeleton_hashes(root, labs))


def secrets_found(root, out, labs):
    """What in the handout should not be there (empty when it is clean)."""
    root, out = Path(root), Path(out)
    problems = []
    solution_bytes = {p.read_bytes() for p in (root / "solutions").rglob("*") if p.is_file()}
    hidden_ids = [t.id for lab in labs for t in lab.tests if t.hidden]
    for path in out.rglob("*"):
        rel = path.relative_to(out).as_posix()
        if not path.is_file():
            continue
        if rel.startswith("solutions/") or "/hidden/" in rel or rel.startswith("tests/mutants/"):
            problems.append(f"{rel}: secret folder")
            continue
        data = path.read_bytes()
        if data in solution_bytes and data.strip():
            problems.append(f"{rel}: a copy of a solution file")
        if path.suffix in (".c", ".h", ".toml", ".md", ".txt", ".json", ".yml"):
            text = data.decode(errors="replace")
            for test_id in hidden_ids:
                suite, name = test_id.split("/")
                if test_id in text or re.search(rf"Test\(\s*{suite}\s*,\s*{name}\b", text):
                    problems.append(f"{rel}: names hidden test {test_id}")
            if "BEGIN SOLUTION" in text:
                problems.append(f"{rel}: contains a solution region")
    return problems


def handout_problems(out, labs, extra_args=(), timeout=900):
    """What keeps the handout from grading (empty when it works): its own ./grade, run inside it
    the way a student runs it, must grade the first lab alone, linked with the reference objects
    for every other slot, and give its skeleton zero points."""
    if not labs:
        return []
    out = Path(out).resolve()
    try:
        return _first_lab_grades(out, labs[0], extra_args, timeout)
    finally:
        for cache in list(out.rglob("__pycache__")):  # the grader's sandbox runs Python isolated (-I)
            shutil.rmtree(cache, ignore_errors=True)


def _first_lab_grades(out, lab, extra_args, timeout):
    with tempfile.TemporaryDirectory(prefix="winsync-release-check-") as scratch:
        report = Path(scratch) / "report.json"
        argv = [sys.executable, str(out / "grade"), lab.key, "--format", "json", "--out", str(report),
                "--log-dir", str(Path(scratch) / "logs"), *extra_args]
        print(f"checking the handout: ./grade {lab.key} inside it...", file=sys.stderr, flush=True)
        child = subprocess.Popen(argv, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 errors="replace", start_new_session=True,
                                 env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})  # no __pycache__ in it
        try:
            output, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # the grader and everything it started
            try:
                child.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
            return [f"./grade {lab.key} in the handout did not finish in {timeout} s"]
        tail = "\n".join(output.strip().splitlines()[-12:])
        try:
            data = json.loads(report.read_text())
        except (OSError, ValueError):
            return [f"./grade {lab.key} in the handout wrote no report (exit status {child.returncode}):\n{tail}"]
        logs = {}
        for path in (Path(scratch) / "logs").glob("*.log"):
            logs[path.stem] = "\n".join(path.read_text(errors="replace").strip().splitlines()[-12:])
    problems = []
    graded = [entry for entry in data.get("labs", []) if entry.get("number") == lab.number]
    if not graded:
        return [f"./grade {lab.key} in the handout did not grade lab {lab.key}:\n{tail}"]
    entry = graded[0]
    if entry.get("status") != "graded":
        detail = entry.get("message", "").strip() or logs.get(lab.folder, "") or tail
        problems.append(f"./grade {lab.key} in the handout: lab {lab.key} is {entry.get('status')}, not graded "
                        f"(a student could not grade this lab):\n{detail}")
    elif entry.get("score", 0) != 0:
        problems.append(f"./grade {lab.key} in the handout: the skeleton of lab {lab.key} scores "
                        f"{entry.get('score'):g} points; it should score 0")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(prog="grade release", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="the handout folder to write (must not exist)")
    from grader.cli import add_common
    add_common(parser)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.out.exists() and any(args.out.iterdir()):
        print(f"grade release: {args.out} is not empty; remove it or choose another --out.", file=sys.stderr)
        return 2
    labs = config.load_labs(root)
    write_handout(root, args.out, labs)
    problems = secrets_found(root, args.out, labs)
    for problem in problems:
        print(f"grade release: SECRET in handout: {problem}", file=sys.stderr)
    if problems:
        return 1
    extra = ["--unsafe-no-sandbox"] if getattr(args, "unsafe_no_sandbox", False) else []
    problems = handout_problems(args.out, labs, extra)
    for problem in problems:
        print(f"grade release: the handout does not work: {problem}", file=sys.stderr)
    if problems:
        return 1
    public = sum(len(lab.public()) for lab in labs)
    print(f"wrote the handout to {args.out}: {len(labs)} labs, {public} public tests, reference objects "
          f"in reference/. Try: cd {args.out} && ./grade", file=sys.stderr)
    return 0
