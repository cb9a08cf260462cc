#!/usr/bin/env python3
"""Generate the lab skeletons from the solutions.

Every student file of lab NN exists twice: solutions/NN-topic/<file> (complete) and
labs/NN-topic/<file> (the skeleton the student starts from). The skeleton is derived
from the solution, never edited by hand: each marked region

        /* BEGIN SOLUTION
         * TODO(step 2): What to do. See README.md, "Step 2: ...".
         *     (more lines of the same TODO)
         * STUB: return false;
         */
        ... the solution code ...
        /* END SOLUTION */

becomes, at the same indentation,

        /* TODO(step 2): What to do. See README.md, "Step 2: ...".
         *     (more lines of the same TODO) */
        ws_not_implemented(__func__);
        return false;

`ws_not_implemented(__func__);` is inserted into .c files only, and not when a STUB
line calls SetLastError (lab 05 reports "not implemented" through the Win32 error).

Which files: for each solutions/NN-*/ folder, the `student_files` of
labs/NN-*/lab.toml, or, without a lab.toml, every file of the folder that has a
BEGIN SOLUTION marker.

    python3 labs/skeleton.py           regenerate every skeleton
    python3 labs/skeleton.py --check   exit 1, naming each file that differs
    python3 labs/skeleton.py 01 03     only labs 01 and 03 (also with --check)
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)/\* BEGIN SOLUTION[ \t]*$")
END_RE = re.compile(r"^(?P<indent>[ \t]*)/\* END SOLUTION \*/[ \t]*$")
COMMENT_LINE_RE = re.compile(r"^[ \t]*\*(?: (?P<text>.*))?$")
COMMENT_END_RE = re.compile(r"^[ \t]*\*/[ \t]*$")
TODO_RE = re.compile(r"^TODO\b")
STUB_RE = re.compile(r"^STUB:(?: ?)(?P<code>.*)$")
NOT_IMPLEMENTED = "ws_not_implemented(__func__);"


class MarkerError(Exception):
    """A malformed BEGIN/END SOLUTION region; the message names file:line."""


@dataclass
class Region:
    indent: str
    todos: list[list[str]] = field(default_factory=list)  # each TODO: its lines of text
    stubs: list[str] = field(default_factory=list)


def _error(path: str, lineno: int, message: str) -> MarkerError:
    return MarkerError(f"{path}:{lineno}: {message}")


def _parse_header(lines: list[str], start: int, indent: str, path: str) -> tuple[Region, int]:
    """Parse the comment that opens a region (lines[start] is the BEGIN line).
    Returns the region and the index of the first line after the comment."""
    region = Region(indent)
    i = start + 1
    while True:
        if i >= len(lines):
            raise _error(path, start + 1, "BEGIN SOLUTION comment is never closed with '*/'")
        line = lines[i]
        if COMMENT_END_RE.match(line):
            break
        if "*/" in line:
            raise _error(path, i + 1, "put the '*/' that closes a BEGIN SOLUTION comment on a line of its own")
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            raise _error(path, i + 1, "marker inside a BEGIN SOLUTION comment (missing '*/'?)")
        m = COMMENT_LINE_RE.match(line)
        if not m:
            raise _error(path, i + 1, "expected ' * TODO...', ' * STUB: ...' or ' */' in a BEGIN SOLUTION comment")
        text = m.group("text") or ""
        stub = STUB_RE.match(text)
        if stub:
            region.stubs.append(stub.group("code"))
        elif TODO_RE.match(text):
            if region.stubs:
                raise _error(path, i + 1, "TODO after a STUB line: put the TODO lines first")
            region.todos.append([text])
        elif text.startswith("STUB"):
            raise _error(path, i + 1, "a stub line is written 'STUB: <code>'")
        elif region.todos and not region.stubs:
            region.todos[-1].append(text)  # continuation of the TODO above
        elif region.stubs:
            raise _error(path, i + 1, "text after a STUB line: every stub line needs its own 'STUB:'")
        else:
            raise _error(path, i + 1, "a BEGIN SOLUTION comment must start with a 'TODO' line")
        i += 1
    if not region.todos:
        raise _error(path, start + 1, "BEGIN SOLUTION region without a TODO line")
    return region, i + 1


def _render(region: Region, is_c_source: bool) -> list[str]:
    out: list[str] = []
    pad = region.indent
    for todo in region.todos:
        if len(todo) == 1:
            out.append(f"{pad}/* {todo[0]} */")
        else:
            out.append(f"{pad}/* {todo[0]}")
            for text in todo[1:-1]:
                out.append(f"{pad} * {text}".rstrip())
            out.append(f"{pad} * {todo[-1]} */")
    if is_c_source and not any("SetLastError" in stub for stub in region.stubs):
        out.append(pad + NOT_IMPLEMENTED)
    for code in region.stubs:
        out.append((pad + code).rstrip())
    return out


def generate(text: str, path: str = "<text>") -> str:
    """Return the skeleton of a solution file's text. Raises MarkerError."""
    lines = text.split("\n")
    is_c_source = path.endswith(".c")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        begin = BEGIN_RE.match(line)
        if begin:
            begin_line = i + 1
            region, i = _parse_header(lines, i, begin.group("indent"), path)
            while True:
                if i >= len(lines):
                    raise _error(path, begin_line, "BEGIN SOLUTION without a matching '/* END SOLUTION */'")
                if "BEGIN SOLUTION" in lines[i]:
                    raise _error(path, i + 1, f"BEGIN SOLUTION inside the region opened at line {begin_line} "
                                 "(regions do not nest; missing END SOLUTION?)")
                end = END_RE.match(lines[i])
                if end:
                    if end.group("indent") != region.indent:
                        raise _error(path, i + 1, "END SOLUTION is not indented like its BEGIN SOLUTION")
                    break
                if "END SOLUTION" in lines[i]:
                    raise _error(path, i + 1, "malformed end marker: write '/* END SOLUTION */' alone on its line")
                i += 1
            out.extend(_render(region, is_c_source))
            i += 1
            continue
        if "END SOLUTION" in line:
            raise _error(path, i + 1, "END SOLUTION without a BEGIN SOLUTION (or a malformed marker)")
        if "BEGIN SOLUTION" in line:
            raise _error(path, i + 1, "malformed begin marker: write '/* BEGIN SOLUTION' alone on its line")
        out.append(line)
        i += 1
    return "\n".join(out)


def _student_files(solution_dir: Path, lab_dir: Path) -> list[str]:
    manifest = lab_dir / "lab.toml"
    if manifest.is_file():
        with manifest.open("rb") as f:
            lab = tomllib.load(f).get("lab", {})
        files = lab.get("student_files")
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            raise MarkerError(f"{manifest}: [lab] student_files must be a list of file names")
        return files
    return sorted(p.name for p in solution_dir.iterdir()
                  if p.is_file() and "BEGIN SOLUTION" in p.read_text(encoding="utf-8", errors="replace"))


def skeleton_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(solution file, skeleton file) for every lab under root."""
    pairs = []
    for solution_dir in sorted((root / "solutions").glob("[0-9][0-9]-*")):
        if not solution_dir.is_dir():
            continue
        lab_dir = root / "labs" / solution_dir.name
        for name in _student_files(solution_dir, lab_dir):
            pairs.append((solution_dir / name, lab_dir / name))
    return pairs


def _selected(folder: str, wanted: list[str]) -> bool:
    """Is lab folder `folder` (e.g. 01-events) one of the LAB arguments (01, 1, 01-events)?"""
    if not wanted:
        return True
    number = folder.split("-", 1)[0]
    return any(w == folder or (w.isdigit() and int(w) == int(number)) for w in wanted)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate labs/NN-*/<file> skeletons from solutions/NN-*/<file> "
        "(BEGIN/END SOLUTION regions become their TODO and STUB lines).")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and name every skeleton that is missing or differs")
    parser.add_argument("--root", type=Path, default=REPO, help="repository root (default: %(default)s)")
    parser.add_argument("--stdout", metavar="FILE", type=Path,
                        help="print the skeleton of one solution file and exit")
    parser.add_argument("labs", nargs="*", metavar="LAB",
                        help="only these labs, by number or folder name (01, 01-events); default: all")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.stdout:
        try:
            sys.stdout.write(generate(args.stdout.read_text(encoding="utf-8"), str(args.stdout)))
            return 0
        except (MarkerError, OSError) as e:
            print(f"skeleton.py: error: {e}", file=sys.stderr)
            return 2
    try:
        pairs = [pair for pair in skeleton_pairs(root) if _selected(pair[0].parent.name, args.labs)]
    except (MarkerError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"skeleton.py: error: {e}", file=sys.stderr)
        return 2
    errors = stale = 0
    for solution, skeleton in pairs:
        try:
            if _update(solution, skeleton, root, args.check):
                stale += 1
        except (MarkerError, OSError) as e:
            print(f"skeleton.py: error: {e}", file=sys.stderr)
            errors += 1
    if errors:
        return 2
    if args.check:
        if stale:
            return 1
        print(f"{len(pairs)} skeleton(s) up to date")
    return 0


def _update(solution: Path, skeleton: Path, root: Path, check: bool) -> bool:
    """Regenerate one skeleton (or, with check, compare it). True when it was stale."""
    if not solution.is_file():
        raise MarkerError(f"{_relative(solution, root)}: listed in lab.toml but missing")
    source = solution.read_text(encoding="utf-8")
    wanted = generate(source, _relative(solution, root))
    if wanted == source:
        print(f"warning: {_relative(solution, root)} has no BEGIN SOLUTION region", file=sys.stderr)
    current = skeleton.read_text(encoding="utf-8") if skeleton.is_file() else None
    if current == wanted:
        return False
    name = _relative(skeleton, root)
    if not check:
        skeleton.parent.mkdir(parents=True, exist_ok=True)
        skeleton.write_text(wanted, encoding="utf-8")
        print(f"wrote {name}")
        return True
    if current is None:
        print(f"{name}: missing (run python3 labs/skeleton.py)")
        return True
    print(f"{name}: differs from the skeleton of {_relative(solution, root)} "
          "(run python3 labs/skeleton.py)")
    diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), f"{name} (checked in)",
                                f"{name} (generated)", lineterm="", n=1)
    for line in list(diff)[:40]:
        print("    " + line)
    return True


if __name__ == "__main__":
    sys.exit(main())
