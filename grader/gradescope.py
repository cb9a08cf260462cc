"""./grade gradescope --out autograder.zip: a Gradescope autograder.

The zip holds setup.sh (installs the Debian/Ubuntu packages and warms the build cache),
run_autograder (grades /autograder/submission into /autograder/results/results.json) and the
grader's whole tree under winsync/ (with solutions and hidden tests: Gradescope never shows the
autograder's source to students). Choose the Ubuntu 24.04 base image (Criterion 2.4.1).
"""

import argparse
import stat
import sys
import zipfile
from pathlib import Path

from grader import release

EXCLUDED = [".git", "build", "build-*", "grade-out", "**/__pycache__", "**/*.pyc", "*.zip"]

SETUP = """#!/bin/bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential cmake pkg-config libcriterion-dev \\
    python3 binutils patch util-linux
cd "$(dirname "$0")/winsync"
chmod +x grade
# Build the grader's tree once (cached) and check that the solutions get full marks.
WINSYNC_GRADER_CACHE=/autograder/cache ./grade --solutions --require-full --jobs 2
"""

RUN = """#!/bin/bash
# Gradescope runs this for every submission.
AUTOGRADER="${AUTOGRADER:-/autograder}"
mkdir -p "$AUTOGRADER/results"
cd "$(dirname "$0")/winsync"
export WINSYNC_GRADER_CACHE="${WINSYNC_GRADER_CACHE:-$AUTOGRADER/cache}"
./grade --submission "$AUTOGRADER/submission" --name submission --format gradescope \\
    --out "$AUTOGRADER/results/results.json" --jobs 2 --log-dir "$AUTOGRADER/results/logs"
status=$?
if [ ! -s "$AUTOGRADER/results/results.json" ]; then
    printf '{"score": 0, "output": "The grader failed (status %s); please tell your instructor.", "tests": []}\\n' \\
        "$status" > "$AUTOGRADER/results/results.json"
fi
"""


def _add_script(archive, name, text):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def write_zip(root, out):
    root, here = Path(root), Path(__file__).resolve().parent
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not release.excluded(rel, EXCLUDED + ["grader", "grade"]):
            files[rel] = path
    for path in sorted(here.rglob("*.py")):  # this grader itself
        files["grader/" + path.relative_to(here).as_posix()] = path
    files["grade"] = here.parent / "grade"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP)
        _add_script(archive, "run_autograder", RUN)
        for rel, path in sorted(files.items()):
            info = zipfile.ZipInfo.from_file(path, f"winsync/{rel}")
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def main(argv):
    parser = argparse.ArgumentParser(prog="grade gradescope", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default: %(default)s)")
    from grader.cli import add_common
    add_common(parser)
    args = parser.parse_args(argv)
    write_zip(args.root.resolve(), args.out)
    print(f"wrote {args.out}: upload it in Gradescope (Configure Autograder, base image Ubuntu 24.04).",
          file=sys.stderr)
    return 0

