"""Shared set-up for the grader's tests: one fixture tree and one build cache per test run."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import build, config, sandbox
from grader.grade import Options, grade_submission
from grader.submission import Files
from tests.grader import fixture

CACHE = Path(tempfile.gettempdir()) / f"winsync-grader-test-cache-{os.geteuid()}"
_tree = None


def tree():
    """The fixture tree (made once per process) with the cache pointed at CACHE."""
    global _tree
    os.environ["WINSYNC_GRADER_CACHE"] = str(CACHE)
    if _tree is None:
        _tree = fixture.make_tree()
    return _tree


def shared():
    root = tree()
    labs = config.load_labs(root)
    return build.SharedBuild(root, labs), labs


def grade_files(files, lab_keys=("01",), name="student", **options):
    """Grade {lab key: {file name: text}} on the given labs; returns the Report."""
    build_, labs = shared()
    folder = Path(tempfile.mkdtemp(prefix="grader-student-"))
    paths = {}
    for key, named in files.items():
        for file_name, text in named.items():
            (folder / key).mkdir(exist_ok=True)
            (folder / key / file_name).write_text(text)
            paths.setdefault(key, {})[file_name] = folder / key / file_name
    chosen = config.select_labs(labs, list(lab_keys))
    return grade_submission(build_, chosen, Files(name, paths), Options(jobs=2, test_jobs=2, **options))


def grade_cli(*args, cwd=None, timeout=300):
    """Run the fixture tree's ./grade; returns the CompletedProcess."""
    root = tree()
    return subprocess.run([sys.executable, str(root / "grade"), *args], cwd=cwd or root, capture_output=True,
                          text=True, timeout=timeout)


class Tagged:
    """`with Tagged() as tag:` every sandboxed process started meanwhile carries the environment
    variable WINSYNC_GRADER_TAG=<tag>; `tag.alive()` lists those still running. A test counts only
    what it started: other graders may run on the same machine."""

    def __enter__(self):
        self.value = secrets.token_hex(8)
        self.saved = os.environ.get(sandbox.TAG_VARIABLE)
        os.environ[sandbox.TAG_VARIABLE] = self.value
        return self

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop(sandbox.TAG_VARIABLE, None)
        else:
            os.environ[sandbox.TAG_VARIABLE] = self.saved

    def alive(self):
        needle = f"{sandbox.TAG_VARIABLE}={self.value}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    environ = (entry / "environ").read_bytes()
                    state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
                except (OSError, IndexError):
                    continue
                if state != b"Z" and needle in environ.split(b"\0"):
                    found.append(int(entry.name))
        return found
