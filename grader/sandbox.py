"""Run one untrusted program (a compile or a test run) confined, and leave nothing of it behind.

Two layers, one per job:
- **bubblewrap** (`bwrap`, the sandbox Flatpak uses) decides what the program can see: new user,
  pid, network, ipc and uts namespaces; a file system holding only /usr (with the /bin, /lib...
  links), the few paths the step needs (`View`), a private /proc, a minimal /dev (only /dev/null
  for a compile) and private size-capped /tmp and /dev/shm. The grader's tree, its cache, the
  solutions, the hidden tests and every other submission are simply not there.
- **the jail**, a small trusted Python process per run (`python3 sandbox.py`), decides how long
  and how much: it becomes a child subreaper, starts the program in its own session with rlimits
  (CPU, address space, processes, file size, open files), as a throwaway uid when the grader is
  root, inside a cgroup capping the memory of the whole run when one can be made; at the end or at
  the wall-clock limit it kills every descendant and reaps them all, and prints one JSON line.

A run may also get a **results channel**: a pipe whose write end the program receives as a file
descriptor (its number replaces "{results_fd}" in argv) and whose read end only the jail holds.
Nothing in the program's file system leads to it, so a student cannot pre-create or overwrite
the report there (see integrity.py for what keeps the test's own worker processes away from it).

Without a working bwrap the grader refuses to grade (`require()` says how to fix it) unless
`--unsafe-no-sandbox` was given (`set_mode("unsafe")`): then only the jail's layer protects.
"""

import ctypes
import json
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
UID_BASE = 3_000_000  # throwaway uids: far from any real account
RESULTS_LIMIT = 16 << 20  # bytes kept from a results channel
TAG_VARIABLE = "WINSYNC_GRADER_TAG"  # passed through so tests can find what they started

_mode = "bwrap"
_probed = None
hidden_paths = set()  # grader folders to mask should they lie under a path the sandbox shows


class SandboxUnavailable(Exception):
    """bwrap is missing or cannot make namespaces here; the message says what to do."""


@dataclass
class Limits:
    wall: float = 60.0  # seconds for the whole run
    cpu: int = 600  # seconds of CPU per process
    address_space: int = 4 << 30  # bytes per process; 0 = unlimited (AddressSanitizer builds)
    processes: int = 512  # processes and threads of the run's uid
    file_size: int = 64 << 20  # bytes per file written (caps the output log)
    open_files: int = 512
    memory: int = 3 << 30  # bytes for the whole run (a cgroup, where one can be made)
    tmp_size: int = 256 << 20  # the private /tmp
    shm_size: int = 1 << 30  # the private /dev/shm (winsync's segments are sparse)


@dataclass
class View:
    """What a sandboxed program sees besides /usr: host paths, shown at the same paths."""
    read_only: list = field(default_factory=list)
    writable: list = field(default_factory=list)
    devices: bool = True  # a minimal /dev and a private /dev/shm (a test run); else /dev/null only


@dataclass
class Outcome:
    returncode: int = 0  # negative: killed by that signal
    timed_out: bool = False
    wall: float = 0.0
    killed: int = 0  # leftover processes killed after the program ended
    error: str = ""
    sandbox: str = ""  # "bwrap" or "unsafe"
    memory_cap: str = ""  # how the whole run's memory was capped


def set_mode(mode):
    """"bwrap" (the default) or "unsafe" (--unsafe-no-sandbox: no namespaces)."""
    global _mode
    if mode not in ("bwrap", "unsafe"):
        raise ValueError(mode)
    _mode = mode


def mode():
    return _mode


def require():
    """Raise SandboxUnavailable unless untrusted code can be run as configured."""
    if _mode == "unsafe":
        return
    problem = _probe()
    if problem:
        raise SandboxUnavailable(
            f"the sandbox does not work here: {problem}. The grader runs student code only inside "
            "bubblewrap: install it (`sudo apt-get install bubblewrap`; `tests/support/ensure-deps` "
            "does it when run as root) and allow user namespaces (Debian and Ubuntu do by default; "
            "Ubuntu 24.04 needs its bwrap AppArmor profile, which the package installs). On a machine "
            "you trust with this code, `--unsafe-no-sandbox` grades without it.")


def _probe():
    global _probed
    if _probed is None:
        if not shutil.which("bwrap"):
            _probed = "bwrap is not installed"
        else:
            spec = {"argv": ["/usr/bin/true"], "cwd": "/", "log": os.devnull, "env": {"PATH": "/usr/bin:/bin"},
                    "uid": _sandbox_uid(), "limits": asdict(Limits(wall=30)), "results": None,
                    "bwrap": _bwrap_args(View(devices=False), "/")}
            outcome = _run_jail(spec)
            _probed = "" if outcome.returncode == 0 else (
                f"`bwrap` failed ({outcome.error or 'exit status %d' % outcome.returncode})")
    return _probed


def run(argv, cwd, log_path, limits, view=None, env=None, results=None):
    """Run argv in the jail (and bwrap, unless unsafe) with cwd; stdout and stderr go to
    log_path. With `results` (a host path), the program's results channel is saved there.
    Returns an Outcome."""
    cwd = Path(cwd)
    uid = _sandbox_uid()
    view = view or View(writable=[str(cwd)])
    namespace = "g" + secrets.token_hex(6)
    private = cwd / ".private"
    if _mode == "unsafe":
        private.mkdir(exist_ok=True)
    temp = "/tmp" if _mode == "bwrap" else str(private)
    child_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": temp, "TMPDIR": temp,
                 "WINSYNC_NAMESPACE": namespace, "CRITERION_NO_EARLY_EXIT": "1",
                 # a test that can only wait out a timeout fails at once (runtime/dispatcher/stuck.c)
                 "WINSYNC_GUARD": "1"}
    if os.environ.get(TAG_VARIABLE):
        child_env[TAG_VARIABLE] = os.environ[TAG_VARIABLE]
    child_env.update(env or {})
    if uid is not None:
        for path in view.writable + ([str(private)] if private.exists() else []):
            os.chown(path, uid, uid)
    spec = {"argv": [str(a) for a in argv], "cwd": str(cwd), "log": str(log_path), "env": child_env,
            "uid": uid, "limits": asdict(limits), "results": str(results) if results else None,
            "bwrap": _bwrap_args(view, str(cwd), limits) if _mode == "bwrap" else None}
    try:
        return _run_jail(spec)
    finally:
        if _mode == "unsafe":
            _remove_namespace(namespace)


def _run_jail(spec):
    wall = spec["limits"]["wall"]
    try:
        jail = subprocess.run([sys.executable, "-I", "-S", "-B", os.path.abspath(__file__)], input=json.dumps(spec),
                              capture_output=True, text=True, errors="replace", timeout=wall + 60)
        lines = jail.stdout.strip().splitlines()
        if lines:
            return Outcome(**json.loads(lines[-1]))
        return Outcome(returncode=-9, error="the sandbox failed: " + jail.stderr.strip()[-500:])
    except (subprocess.TimeoutExpired, ValueError, TypeError) as error:
        return Outcome(returncode=-9, timed_out=True, error=f"the sandbox failed: {error}")


def _sandbox_uid():
    if os.geteuid() != 0:
        return None
    return UID_BASE + secrets.randbelow(1_000_000)


def _bwrap_args(view, cwd, limits=None):
    limits = limits or asdict(Limits())
    limits = limits if isinstance(limits, dict) else asdict(limits)
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/" + top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for etc in ("/etc/ld.so.cache", "/etc/alternatives"):  # the loader's cache; /usr/bin/cc -> gcc
        args += ["--ro-bind-try", etc, etc]
    args += ["--proc", "/proc"]
    if view.devices:
        args += ["--dev", "/dev", "--size", str(limits["shm_size"]), "--tmpfs", "/dev/shm"]
    else:
        args += ["--dir", "/dev", "--dev-bind", "/dev/null", "/dev/null"]
    args += ["--size", str(limits["tmp_size"]), "--tmpfs", "/tmp"]
    for path in sorted(hidden_paths):
        if Path(path).is_dir() and any(Path(path).is_relative_to(p) for p in ("/usr", "/etc")):
            args += ["--tmpfs", str(path)]
    for path in view.read_only:
        args += ["--ro-bind", str(path), str(path)]
    for path in view.writable:
        args += ["--bind", str(path), str(path)]
    return args + ["--chdir", cwd, "--"]


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


def descendants(pid):
    """Every process below pid (the jail uses it; so does batch.py for a grade that overruns)."""
    tree = _children_map()
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def _kill_everything(group):
    """SIGKILL every descendant of the jail (and member of its cgroup) and reap them; returns
    how many were killed."""
    killed = set()
    for _ in range(1000):
        alive = set(descendants(os.getpid())) | set(group.pids() if group else [])
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


def _confine(spec, group):
    """Runs in the forked child before exec: session, cgroup, limits, identity."""
    limits = spec["limits"]
    os.setsid()
    if group is not None:
        group.add(os.getpid())
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


class _Channel:
    """The read end of a run's results pipe, drained while the run goes on."""

    def __init__(self, uid):
        self.read_fd, self.write_fd = os.pipe()
        if uid is not None:
            os.fchown(self.write_fd, uid, uid)  # the sandbox's uid reopens it as /dev/fd/N
        os.set_blocking(self.read_fd, False)
        self.data = bytearray()

    def drain(self, timeout):
        ready, _, _ = select.select([self.read_fd], [], [], timeout)
        while ready:
            try:
                chunk = os.read(self.read_fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            if len(self.data) < RESULTS_LIMIT:
                self.data += chunk[:RESULTS_LIMIT - len(self.data)]


def jail(spec):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # restored to default in the child by exec
    outcome = Outcome(sandbox="bwrap" if spec["bwrap"] else "unsafe")
    channel = _Channel(spec["uid"]) if spec["results"] else None
    argv = [a.replace("{results_fd}", str(channel.write_fd)) if channel else a for a in spec["argv"]]
    group = None
    if spec["limits"]["memory"] and spec["uid"] is not None:
        from cgroup import RunGroup, available  # beside this file (see __main__)
        outcome.memory_cap = available() or "cgroup"
        group = RunGroup(spec["limits"]["memory"])
        if group.path is None:
            group = None
    elif spec["limits"]["memory"]:
        outcome.memory_cap = "per process only (the grader is not root)"
    start = time.monotonic()
    deadline = start + spec["limits"]["wall"]
    with open(spec["log"], "ab") as log:
        try:
            child = subprocess.Popen((spec["bwrap"] or []) + argv, cwd=spec["cwd"], env=spec["env"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     pass_fds=(channel.write_fd,) if channel else (),
                                     preexec_fn=lambda: _confine(spec, group), restore_signals=True)
        except OSError as error:
            outcome.returncode, outcome.error = 127, f"cannot start {argv[0]}: {error}"
            if group:
                group.close()
            return outcome
    if channel:
        os.close(channel.write_fd)
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
            if channel:
                channel.drain(0.01)
            else:
                time.sleep(0.01)
    outcome.wall = time.monotonic() - start
    if status is not None:
        outcome.returncode = os.waitstatus_to_exitcode(status)
        if spec["bwrap"] and outcome.returncode > 128:
            outcome.returncode = 128 - outcome.returncode  # bwrap exits 128+N for a death by signal N
    child.returncode = outcome.returncode  # reaped here, not by Popen
    outcome.killed = _kill_everything(group)
    if group:
        group.close()
    if channel:
        channel.drain(0)
        os.close(channel.read_fd)
        with open(spec["results"], "wb") as out:
            out.write(channel.data)
    return outcome


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
    result = jail(json.loads(sys.stdin.read()))
    print(json.dumps(asdict(result)))
