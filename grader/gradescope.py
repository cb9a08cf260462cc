"""./grade gradescope [LAB...] --out autograder.zip: a Gradescope autograder.

Name labs to make an assignment for those labs only (`./grade gradescope 03 --out lab03.zip`);
with none, one assignment grades every lab. The zip holds, at its root, setup.sh (checks the
tools, installs the Debian/Ubuntu packages, warms the build cache and checks that the solutions
get full marks) and run_autograder (grades /autograder/submission into
/autograder/results/results.json), and the grader's whole tree under winsync/, with solutions and
hidden tests: Gradescope never shows the autograder's source to students.

Gradescope unpacks the zip into /autograder/source and copies run_autograder to
/autograder/run_autograder, which it runs from /autograder; both scripts therefore find the tree
at /autograder/source/winsync, never next to themselves. The base image needs Python 3.9+,
gcc 10+, Criterion 2.3.3+ and the CMake that CMakeLists.txt asks for (3.18 at least); setup.sh
stops with a message naming what is too old (Ubuntu 24.04 has everything).
"""

import argparse
import json
import shlex
import stat
import sys
import zipfile
from pathlib import Path

from grader import config, release

EXCLUDED = [".git", "build", "build-*", "grade-out", "**/__pycache__", "**/*.pyc", "*.zip"]
TREE = "winsync"  # the folder of the zip (so /autograder/source/winsync) that holds the grader's tree
PACKAGES = "build-essential cmake python3 pkg-config binutils patch libcriterion-dev bubblewrap"

SETUP = r"""#!/bin/bash
# Gradescope runs this once, as root, when it builds the autograder image; the zip is unpacked
# in /autograder/source. Written by `./grade gradescope`; labs graded: @LABNAMES@.
set -euo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"
TREE="$AUTOGRADER/source/@TREE@"
export DEBIAN_FRONTEND=noninteractive
if ! command -v apt-get >/dev/null; then
    echo "setup.sh: this image has no apt-get; choose an Ubuntu (22.04 or later) base image." >&2
    exit 1
fi
apt-get update
apt-get install -y --no-install-recommends @PACKAGES@
# The grader needs Python 3.9+, gcc 10+, Criterion 2.3.3+ and the CMake that CMakeLists.txt asks
# for (3.18 at least). Written for old Pythons too, so that an old image gets this message.
python3 - "$TREE" <<'CHECK'
import re, subprocess, sys

def version(text):
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    return tuple(int(part or 0) for part in found.groups()) if found else None

def output(argv):
    try:
        return subprocess.check_output(argv, stderr=subprocess.STDOUT, universal_newlines=True)
    except Exception:
        return ""

def shown(numbers):
    return ".".join(str(n) for n in numbers)

tree = sys.argv[1]
with open(tree + "/CMakeLists.txt") as cmakelists:
    asked = re.search(r"cmake_minimum_required\s*\(\s*VERSION\s+(\d+\.\d+(?:\.\d+)?)", cmakelists.read(), re.I)
cmake_needed = max((3, 18, 0), version(asked.group(1)) if asked else (3, 18, 0))
problems = []
found = tuple(sys.version_info[:3])
if found < (3, 9, 0):
    problems.append("Python %s found; the grader needs 3.9 or newer" % shown(found))
for name, argv, needed, what in (
        ("CMake", ["cmake", "--version"], cmake_needed,
         "CMakeLists.txt asks for %s (cmake_minimum_required)" % shown(cmake_needed)),
        ("gcc", ["cc", "-dumpfullversion", "-dumpversion"], (10, 0, 0), "the grader needs 10 or newer"),
        ("Criterion", ["pkg-config", "--modversion", "criterion"], (2, 3, 3), "the tests need 2.3.3 or newer")):
    found = version(output(argv))
    if found is None:
        problems.append("%s is missing or does not run (%s)" % (name, " ".join(argv)))
    elif found < needed:
        problems.append("%s %s found; %s" % (name, shown(found), what))
if problems:
    sys.stderr.write("setup.sh: this base image is too old for the winsync grader:\n")
    for problem in problems:
        sys.stderr.write("  - %s.\n" % problem)
    sys.stderr.write("Choose a newer base image in Gradescope (Ubuntu 24.04 has all of them).\n")
    sys.exit(1)
CHECK
# Scripts keep their exec bit even if the unzip dropped it (the grader runs tests/support/*).
python3 - "$TREE" <<'MODES'
import os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as file:
            if file.read(2) == b"#!":
                os.chmod(path, os.stat(path).st_mode | 0o755)
MODES
cd "$TREE"
# Student code runs in bubblewrap: where this container forbids its namespaces, build and check
# the solutions (our own code) without it; run_autograder probes again for every submission.
sandbox=()
if ! bwrap --unshare-all --ro-bind / / true >/dev/null 2>&1; then
    echo "setup.sh: bubblewrap cannot create its sandbox here; run_autograder will grade without it."
    sandbox=(--unsafe-no-sandbox)
fi
# Build the grader's tree once (into the cache every submission reuses) and check that the
# solutions get full marks.
WINSYNC_GRADER_CACHE="$AUTOGRADER/cache" python3 ./grade "${sandbox[@]}" --solutions --require-full --jobs 2 @LABS@
# Without bubblewrap the student's code runs as a throwaway uid in this container: it must not be
# able to read the solutions and hidden tests in this folder.
chmod 700 "$AUTOGRADER/source" "$AUTOGRADER/cache"
"""

RUN = r"""#!/bin/bash
# Gradescope runs a copy of this, /autograder/run_autograder, from /autograder, for every
# submission. Written by `./grade gradescope`; labs graded: @LABNAMES@.
AUTOGRADER="${AUTOGRADER:-/autograder}"
TREE="$AUTOGRADER/source/@TREE@"
RESULTS="$AUTOGRADER/results/results.json"
mkdir -p "$AUTOGRADER/results"
rm -f "$RESULTS"
export WINSYNC_GRADER_CACHE="${WINSYNC_GRADER_CACHE:-$AUTOGRADER/cache}"
if ! cd "$TREE"; then
    printf '%s\n' "{\"score\": 0, \"output\": \"The autograder is incomplete ($TREE is missing); please tell your instructor.\", \"tests\": []}" > "$RESULTS"
    exit 0
fi
# Student code runs in a bubblewrap sandbox. Some hosted containers forbid the namespaces it
# needs: then each submission's fresh container is the only isolation, and the instructors are
# told so in results.json (a test students never see) and in the log.
sandbox=()
note=""
if ! bwrap --unshare-all --ro-bind / / true >/dev/null 2>&1; then
    note="bubblewrap cannot create its sandbox in this container, so the student's code ran without it (only the container isolated it). Graded with --unsafe-no-sandbox."
    sandbox=(--unsafe-no-sandbox)
    echo "run_autograder: $note"
fi
python3 ./grade "${sandbox[@]}" --submission "$AUTOGRADER/submission" --name submission --format gradescope \
    --out "$RESULTS" --jobs 2 --log-dir "$AUTOGRADER/results/logs" @LABS@
status=$?
if [ ! -s "$RESULTS" ]; then
    python3 -m grader.gradescope --failed "$RESULTS" "$status" || printf '%s\n' \
        "{\"score\": 0, \"output\": \"The grader failed (status $status); please tell your instructor.\", \"tests\": []}" \
        > "$RESULTS"
fi
if [ -n "$note" ]; then
    python3 -m grader.gradescope --note "$RESULTS" "$note"
fi
"""


def scripts(labs, chosen):
    """setup.sh and run_autograder for the chosen labs (all of them: no lab arguments)."""
    chosen = sorted(chosen, key=lambda lab: lab.number)
    every = {lab.key for lab in labs} == {lab.key for lab in chosen}
    names = ", ".join(f"{lab.key} {lab.slug}" for lab in chosen)
    values = {"@LABS@": "" if every else " ".join(shlex.quote(lab.key) for lab in chosen),
              "@LABNAMES@": names, "@TREE@": TREE, "@PACKAGES@": PACKAGES}
    texts = []
    for text in (SETUP, RUN):
        for key, value in values.items():
            text = text.replace(key, value)
        texts.append(text.replace(" \n", "\n"))
    return texts


def _add_script(archive, name, text):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def write_zip(root, out, chosen=None):
    root, here = Path(root), Path(__file__).resolve().parent
    labs = config.load_labs(root)
    if not labs:
        raise config.ConfigError(f"no labs in {root}/labs: run this in the repository root.")
    chosen = labs if chosen is None else chosen
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not release.excluded(rel, EXCLUDED + ["grader", "grade"]):
            files[rel] = path
    for path in sorted(here.rglob("*")):  # this grader itself, with its C sources (integrity/)
        rel = "grader/" + path.relative_to(here).as_posix()
        if path.is_file() and not release.excluded(rel, EXCLUDED):
            files[rel] = path
    files["grade"] = here.parent / "grade"
    setup, run = scripts(labs, chosen)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", setup)
        _add_script(archive, "run_autograder", run)
        for rel, path in sorted(files.items()):
            info = zipfile.ZipInfo.from_file(path, f"{TREE}/{rel}")
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return chosen


def add_note(results_path, note):
    """Add an instructors-only note to a results.json: a test Gradescope never shows students
    (visibility "hidden") and extra_data, which students never see either."""
    path = Path(results_path)
    results = json.loads(path.read_text())
    results.setdefault("tests", []).append({
        "name": "Grader note (instructors only)",
        "output": note,
        "visibility": "hidden",
    })
    results.setdefault("extra_data", {}).setdefault("grader_notes", []).append(note)
    path.write_text(json.dumps(results, indent=2) + "\n")


def write_failure(results_path, status):
    """results.json when the grader itself failed: zero, and a message for the student."""
    results = {
        "score": 0,
        "output": f"The grader failed (status {status}); please tell your instructor.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": "Grader failure (instructors only)", "visibility": "hidden",
                   "output": f"./grade exited with status {status} without writing results.json; "
                             "its output is in the autograder's stdout (instructors only)."}],
    }
    Path(results_path).write_text(json.dumps(results, indent=2) + "\n")


def main(argv):
    parser = argparse.ArgumentParser(prog="grade gradescope", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labs", nargs="*", metavar="LAB",
                        help="grade only these labs (number, slug or folder); default: all of them")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default: %(default)s)")
    from grader.cli import add_common
    add_common(parser)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    labs = config.load_labs(root)
    if not labs:
        raise config.ConfigError(f"no labs in {root}/labs: run this in the repository root.")
    chosen = config.select_labs(labs, args.labs)
    write_zip(root, args.out, chosen)
    names = ", ".join(f"{lab.key} {lab.slug}" for lab in chosen)
    points = sum(lab.max_score for lab in chosen)
    print(f"wrote {args.out}: labs {names} ({points:g} points). Upload it in Gradescope (Configure "
          "Autograder; base image Ubuntu 24.04: setup.sh names whatever an older one lacks).", file=sys.stderr)
    return 0


def _script_main(argv):
    """run_autograder's helpers: --note RESULTS TEXT | --failed RESULTS STATUS."""
    if len(argv) == 3 and argv[0] == "--note":
        add_note(argv[1], argv[2])
        return 0
    if len(argv) == 3 and argv[0] == "--failed":
        write_failure(argv[1], argv[2])
        return 0
    print("usage: python3 -m grader.gradescope --note RESULTS TEXT | --failed RESULTS STATUS", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_script_main(sys.argv[1:]))
