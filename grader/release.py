"""./grade release --out DIR: the student handout.

Skeletons, runtime, public tests and public rubric entries, docs without the instructor guide, the
grader, and reference/NN-topic/<file>.o: the reference objects of every lab slot (prebuilt,
without debug information) so that the handout's ./grade grades one lab with the reference for the
others. No solutions, no hidden tests, no mutants. The handout is checked before the command ends.
"""

import argparse
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from grader import build, config

EXCLUDED = [".git", "build", "build-*", "grade-out", "solutions", "tests/mutants", "tests/labs/*/hidden",
            "docs/instructor*", ".ci", "**/__pycache__", "**/*.pyc", "autograder.zip", "reference"]


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


def public_toml(text):
    """lab.toml without its hidden [[tests]] entries (comments and layout kept)."""
    blocks = re.split(r"(?m)^(?=\[\[tests\]\])", text)
    kept = [b for b in blocks if not (b.startswith("[[tests]]") and re.search(r"(?m)^hidden\s*=\s*true", b))]
    return "".join(kept)


def write_handout(root, out, labs):
    root, out = Path(root), Path(out)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if excluded(rel.as_posix(), EXCLUDED) or path.is_dir():
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "lab.toml":
            target.write_text(public_toml(path.read_text()))
        else:  # CMake takes the slots from labs/ when solutions/ is absent
            shutil.copy2(path, target)
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
    public = sum(len(lab.public()) for lab in labs)
    print(f"wrote the handout to {args.out}: {len(labs)} labs, {public} public tests, reference objects "
          f"in reference/. Try: cd {args.out} && ./grade", file=sys.stderr)
    return 0
