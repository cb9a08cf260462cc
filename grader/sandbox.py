"""Run one untrusted program under limits, and leave nothing of it behind.

The grader starts this module as a small "jail" process per run (`python3 -m grader.sandbox`):
the jail becomes a child subreaper, so every process the run forks (Criterion workers call
setsid(), tests fork children) ends up as its child when its parent dies; when the program ends or
overruns its wall-clock limit, the jail kills its process group and then every descendant, reaps
them all, and prints one JSON line describing how the run ended. Being single-threaded, the jail
can reap with waitpid(-1) without stealing another run's children.

The program itself runs in its own session and process group, with rlimits (CPU, address space,
processes, file size, open files), a private TMPDIR and HOME, without network (a new network
namespace, when the kernel allows it) and, when the grader runs as root, under a throwaway uid of
its own, so that it cannot touch the grader's files or another run's.
"""

import ctypes
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNET = 0x40000000
UID_BASE = 3_000_000  # throwaway uids: far from any real account


@dataclass
class Limits:
    wall: float = 60.0  # seconds for the whole run
    cpu: int = 600  # seconds of CPU per process
    address_space: int = 4 << 30  # bytes per process; 0 = unlimited (AddressSanitizer builds)
    processes: int = 512  # processes and threads of the run's uid
    file_size: int = 64 << 20  # bytes per file written (caps the output log)
    open_files: int = 512


@dataclass
class Outcome:
    returncode: int = 0  # negative: killed by that signal
    timed_out: bool = False
    wall: float = 0.0
    killed: int = 0  # leftover processes killed after the program ended
    error: str = ""


def run(argv, cwd, log_path, limits, env=None):
    """Run argv in the jail; stdout and stderr go to log_path. Returns an Outcome."""
    cwd = Path(cwd)
    uid = _sandbox_uid()
    private = cwd / ".private"
    private.mkdir(exist_ok=True)
    namespace = "g" + secrets.token_hex(6)
    child_env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(private),
        "TMPDIR": str(private),
        "WINSYNC_NAMESPACE": namespace,
        "CRITERION_NO_EARLY_EXIT": "1",
    }
    child_env.update(env or {})
    if uid is not None:
        os.chown(cwd, uid, uid)
        os.chown(private, uid, uid)
        os.chmod(cwd, 0o700)
    spec = {"argv": [str(a) for a in argv], "cwd": str(cwd), "log": str(log_path),
            "env": child_env, "uid": uid, "limits": asdict(limits)}
    try:
        jail = subprocess.run([sys.executable, "-I", "-S", __file__], input=json.dumps(spec),
                              capture_output=True, text=True, timeout=limits.wall + 60)
        lines = jail.stdout.strip().splitlines()
        if lines:
            outcome = Outcome(**json.loads(lines[-1]))
        else:
            outcome = Outcome(returncode=-9, error="the sandbox failed: " + jail.stderr.strip()[-500:])
    except (subprocess.TimeoutExpired, ValueError, TypeError) as error:
        outcome = Outcome(returncode=-9, timed_out=True, error=f"the sandbox failed: {error}")
    finally:
        _remove_namespace(namespace)
    return outcome


def _sandbox_uid():
    if os.geteuid() != 0:
        return None
    return UID_BASE + secrets.randbelow(1_000_000)


def _remove_namespace(namespace):
    for segment in Path("/dev/shm").glob(f"winsync-*-{namespace}*"):
        try:
            segment.unlink()
        except OSError:
            pass


# ---- The jail process -------------------------------------------------------------------------


def _children_map():
    """ppid -> [pid] for every process visible in /proc."""
    tree = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _descendants(pid):
    tree = _children_map()
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def _kill_everything():
    """SIGKILL every descendant of the jail and reap them; returns how many were killed."""
    killed = set()
    for _ in range(1000):
        alive = _descendants(os.getpid())
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        _reap_all()
        time.sleep(0.002)
    return len(killed)


def _reap_all():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _confine(spec):
    """Runs in the forked child before exec: session, network, limits, identity."""
    limits = spec["limits"]
    os.setsid()
    if spec["uid"] is not None:
        ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNET)  # best effort
    settings = [
        (resource.RLIMIT_CPU, limits["cpu"]),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_FSIZE, limits["file_size"]),
        (resource.RLIMIT_NOFILE, limits["open_files"]),
        (resource.RLIMIT_CORE, 0),
    ]
    if limits["address_space"]:
        settings.append((resource.RLIMIT_AS, limits["address_space"]))
    for which, value in settings:
        hard = resource.getrlimit(which)[1]
        if spec["uid"] is None and hard != resource.RLIM_INFINITY:
            value = min(value, hard)  # an ordinary user cannot raise a hard limit
        resource.setrlimit(which, (value, value))
    if spec["uid"] is not None:
        os.setgroups([])
        os.setgid(spec["uid"])
        os.setuid(spec["uid"])


def jail(spec):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # restored to default in the child by exec
    outcome = Outcome()
    start = time.monotonic()
    deadline = start + spec["limits"]["wall"]
    with open(spec["log"], "ab") as log:
        try:
            child = subprocess.Popen(spec["argv"], cwd=spec["cwd"], env=spec["env"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     preexec_fn=lambda: _confine(spec), restore_signals=True)
        except OSError as error:
            outcome.returncode, outcome.error = 127, f"cannot start {spec['argv'][0]}: {error}"
            return outcome
    status = None
    while status is None:
        # Reap the program and any orphan re-parented to the jail, without blocking.
        try:
            pid, raw = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == child.pid:
            status = raw
            break
        if pid == 0:
            if time.monotonic() >= deadline:
                outcome.timed_out = True
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status = os.waitpid(child.pid, 0)
                break
            time.sleep(0.01)
    outcome.wall = time.monotonic() - start
    if status is not None:
        outcome.returncode = os.waitstatus_to_exitcode(status)
    child.returncode = outcome.returncode  # reaped here, not by Popen
    outcome.killed = _kill_everything()
    return outcome


if __name__ == "__main__":
    result = jail(json.loads(sys.stdin.read()))
    print(json.dumps(asdict(result)))
