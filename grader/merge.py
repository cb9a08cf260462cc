"""./grade merge OUT1 OUT2 ... --out OUT: one gradebook and summary from the outputs of the shards
of a class (`./grade --batch DIR --shard K/N --out OUTK` on as many machines as you like).

Copies every students/<name>/ of the inputs into OUT (a name in two inputs is refused: it was
graded twice) and writes OUT's class files from them, with the course policy, the adjustments
and the LMS file given here. The name collisions and ignored entries are the class folder's, the
same in every shard's grades.json. Also works with one input, OUT itself included, to apply a
changed course.toml or adjustments.csv without grading again.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

from grader import classfiles, config, lms
from grader.cli import HOME, add_class_options, class_options


def _read_grades(folder):
    try:
        return json.loads((folder / "grades.json").read_text())
    except (OSError, ValueError) as error:
        raise config.ConfigError(f"merge: {folder} is not the output of a batch: its grades.json cannot be "
                                 f"read ({error}).") from None


def _check_shards(inputs, grades):
    """Warn of shards missing from the inputs (a whole part of the class would be absent)."""
    seen, parts = set(), set()
    for folder, data in zip(inputs, grades):
        if data.get("shard"):
            part, total = (int(n) for n in str(data["shard"]).split("/"))
            if (part, total) in seen:
                raise config.ConfigError(f"merge: shard {part}/{total} is given twice ({folder}).")
            seen.add((part, total))
            parts.add(total)
    if len(parts) > 1:
        raise config.ConfigError(f"merge: the inputs come from different shardings ({sorted(parts)} parts).")
    missing = [f"{part}/{total}" for total in parts for part in range(1, total + 1) if (part, total) not in seen]
    return missing


def merge(root, inputs, out, options, progress=print):
    """Returns the exit status: 0, or 1 when a class file could not be written or a shard is missing."""
    labs = config.load_labs(root)
    inputs = [Path(folder) for folder in inputs]
    grades = [_read_grades(folder) for folder in inputs]
    missing = _check_shards(inputs, grades)
    out = Path(out)
    sources = {}
    for folder in inputs:
        for student in sorted((folder / "students").iterdir()):
            if not (student / "report.json").is_file():
                continue
            if student.name in sources:
                raise config.ConfigError(f"merge: {student.name} is in {sources[student.name]} and in {folder}: "
                                         "graded twice; keep one of them.")
            sources[student.name] = folder
    (out / "students").mkdir(parents=True, exist_ok=True)
    for name, folder in sources.items():
        target = out / "students" / name
        if folder.resolve() != out.resolve():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(folder / "students" / name, target, symlinks=True)
    rows = [classfiles.load_row(out, name, labs) for name in sorted(sources)]
    collided = next((data.get("collisions", []) for data in grades if data.get("collisions")), [])
    ignored = next((data.get("ignored", []) for data in grades if data.get("ignored")), [])
    complete = all(data.get("complete", False) for data in grades) and not missing
    problems = classfiles.write(out, rows, collided, ignored, complete, options, progress)
    if missing:
        problems.append(f"merge: shard {', '.join(missing)} is missing: its students are not in {out}")
    for problem in problems:
        progress(f"grade: {problem}")
    progress(f"merged {len(inputs)} output folder(s): {out / 'grades.csv'} ({len(rows)} rows), {out / 'summary.html'}")
    return 1 if problems else 0


def main(argv):
    parser = argparse.ArgumentParser(prog="grade merge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="OUT", help="the output folders of the shards")
    parser.add_argument("--out", type=Path, required=True, help="the merged output folder")
    parser.add_argument("--format", choices=lms.FORMATS, help="also write OUT/canvas.csv or moodle.csv")
    parser.add_argument("--root", type=Path, default=HOME, help="the grader's tree; default: %(default)s")
    add_class_options(parser)
    args = parser.parse_intermixed_args(argv)
    labs = config.load_labs(args.root)
    options = class_options(args, labs, (args.format,) if args.format else ())
    return merge(args.root, args.inputs, args.out, options, lambda m: print(m, file=sys.stderr))
