"""A memory cap for a whole run (every process of it together), from a cgroup of its own.

rlimits cap one process; a run that forks three children of 1.5 GiB each passes them all. A cgroup
caps the sum. The jail makes one per run under its own cgroup (v2 when its memory controller is
enabled there, else v1's memory hierarchy), puts the program into it before exec, and removes it
after. Creating one needs write access to the cgroup tree (root, or a delegated tree); without it
the run keeps per-process limits only, and `available()` says why.
"""

import os
import secrets
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_paths():
    """controller name ("" for v2) -> this process's cgroup path."""
    paths = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in (controllers.split(",") if controllers else [""]):
                paths[name] = path
    except (OSError, ValueError):
        pass
    return paths


def _parent():
    """(folder to create run cgroups in, limit file name), or (None, reason)."""
    paths = _own_paths()
    if "" in paths:
        for mount in (ROOT, ROOT / "unified"):
            base = mount / paths[""].lstrip("/")
            try:
                if "memory" in (base / "cgroup.subtree_control").read_text().split():
                    return base, "memory.max"
            except OSError:
                continue
    if "memory" in paths:
        base = ROOT / "memory" / paths["memory"].lstrip("/")
        if (base / "memory.limit_in_bytes").exists():
            return base, "memory.limit_in_bytes"
    return None, "no cgroup memory controller is available to this process"


def available():
    """'' when run cgroups can be made here, else the reason they cannot."""
    base, detail = _parent()
    if base is None:
        return detail
    if not os.access(base, os.W_OK):
        return f"{base} is not writable (run the grader as root for a whole-run memory cap)"
    return ""


class RunGroup:
    """One run's cgroup: `add(pid)` from the jail, `close()` kills what is left and removes it."""

    def __init__(self, memory_bytes):
        self.path = None
        base, limit_file = _parent()
        if base is None or not os.access(base, os.W_OK):
            return
        path = base / f"winsync-run-{secrets.token_hex(6)}"
        try:
            path.mkdir()
            (path / limit_file).write_text(str(memory_bytes))
            swap = path / "memory.memsw.limit_in_bytes"  # v1 with swap accounting
            if swap.exists():
                swap.write_text(str(memory_bytes))
            swap2 = path / "memory.swap.max"
            if swap2.exists():
                swap2.write_text("0")
        except OSError:
            self._remove(path)
            return
        self.path = path

    def add(self, pid):
        """Move pid in (from the jail's child, before exec); False when that was refused."""
        if self.path is None:
            return False
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
            return True
        except OSError:
            return False

    def pids(self):
        if self.path is None:
            return []
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def close(self):
        if self.path is not None:
            self._remove(self.path)
            self.path = None

    @staticmethod
    def _remove(path):
        try:
            path.rmdir()
        except OSError:
            pass
