#!/usr/bin/env python3
"""The Gradescope autograder end to end, in a Debian bullseye root file system.

Builds `./grade gradescope LAB --out autograder.zip`, then inside a bullseye root made by
debootstrap (the oldest system the grader supports: Python 3.9, CMake 3.18, gcc 10, Criterion
2.3.3) lays it out exactly as Gradescope does:

  /autograder/source          the zip's content
  /autograder/run_autograder  a copy of source/run_autograder
  /autograder/submission      the student's files
  /autograder/results/        where results.json must appear

and runs, through chroot, `setup.sh` (from /autograder/source) once and then
`/autograder/run_autograder` (from /autograder) on the reference solution (full marks expected)
and on the skeleton (zero expected), checking results.json each time: the score, one entry per
test, hidden tests "after_due_date" and absent from the visible output.

The base root file system is made once and cached in /var/cache/winsync-debootstrap-bullseye
(--cache); each run works on an overlay (or a copy) of it in a temporary folder, and the .debs
that setup.sh downloads are cached there too, so a warm run is mostly the grader's build. The
chroot reaches only the Debian mirror apt already uses on this machine (--mirror). /proc, /dev,
/dev/shm and /sys are mounted for the run inside a private mount namespace and unmounted after,
whatever happens; the host's /autograder is never touched.

If the tree's CMakeLists.txt asks for a newer CMake than bullseye's 3.18.4, the test checks that
setup.sh refuses it with a clear message and stops there, skipped (bullseye-backports, which had a
newer CMake, has left the Debian mirror for archive.debian.org).

Needs root, Linux, debootstrap (installed with apt-get when missing) and the mirror. Exits 0 when
everything holds, 1 on a failure, 77 (ctest: skipped) when it cannot run here.

  tests/delivery/gradescope_chroot.py [--lab 01] [--keep] [--cache DIR] [--mirror URL]
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUITE = "bullseye"
BULLSEYE_CMAKE = (3, 18, 4)
SKIP = 77
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
IN_NAMESPACE = "WINSYNC_GRADESCOPE_CHROOT_NS"

sys.path.insert(0, str(REPO))
from grader import config  # noqa: E402  (only for the lab's files and points, on the host)
from tests.grader.test_gradescope import unpack_like_gradescope  # noqa: E402


class Failure(Exception):
    pass


class Skipped(Exception):
    """The test cannot go on here, for a reason it names (exit status 77: skipped)."""


def say(message):
    print(f"[gradescope-chroot {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(argv, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run(argv, **kwargs)


def default_mirror():
    """The Debian mirror apt uses on this machine (deb822 .sources or one-line sources.list)."""
    texts = []
    for path in [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt/sources.list.d").glob("*")):
        if path.suffix in (".list", ".sources", "") and path.is_file():
            texts.append(path.read_text(errors="replace"))
    for text in texts:
        for match in re.finditer(r"(?m)^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text):
            uri = match.group(1).rstrip("/")
            if re.search(r"/debian$", uri):
                return uri
    return "http://deb.debian.org/debian"


# ---- the cached base root file system ----------------------------------------------------------
def base_rootfs(cache, mirror):
    """The debootstrapped bullseye, made once under `cache` (locked against concurrent runs)."""
    cache.mkdir(parents=True, exist_ok=True)
    base, done = cache / "base", cache / "base.ok"
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and (base / "usr/bin/apt-get").exists():
            say(f"base root file system: cached in {base}")
            return base
        if not shutil.which("debootstrap"):
            say("installing debootstrap")
            run(["apt-get", "install", "-y", "debootstrap"], stdout=subprocess.DEVNULL)
        partial = cache / f"base.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
        started = time.monotonic()
        say(f"debootstrap --variant=minbase {SUITE} from {mirror} (once; cached in {cache})")
        run(["debootstrap", "--variant=minbase", f"--arch={host_arch()}", SUITE, str(partial), mirror],
            stdout=subprocess.DEVNULL)
        partial.rename(base)
        done.write_text(f"{SUITE} {mirror}\n")
        say(f"debootstrap took {time.monotonic() - started:.0f} s")
        return base


def host_arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip() or "amd64"


# ---- mounts ---------------------------------------------------------------------------------------
class Mounts:
    """Mounts made for the run, unmounted in reverse order by close(), even after a failure."""

    def __init__(self):
        self.points = []

    def mount(self, *argv, target):
        Path(target).mkdir(parents=True, exist_ok=True)
        run(["mount", *argv, str(target)])
        self.points.append(Path(target))

    def close(self):
        problems = []
        for target in reversed(self.points):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
                if subprocess.run(["umount", "-l", str(target)], capture_output=True).returncode != 0:
                    problems.append(str(target))
        self.points = []
        if problems:
            say(f"could not unmount: {', '.join(problems)}")
        return not problems


def make_root(base, work, mounts):
    """An overlay of the base (its lower layer is never written), or a copy when overlayfs fails."""
    root, upper, scratch = work / "root", work / "upper", work / "overlay-work"
    for folder in (root, upper, scratch):
        folder.mkdir()
    try:
        mounts.mount("-t", "overlay", "overlay", "-o", f"lowerdir={base},upperdir={upper},workdir={scratch}",
                     target=root)
        say("root file system: an overlay of the cached base")
    except subprocess.CalledProcessError:
        root.rmdir()
        run(["cp", "-a", str(base), str(root)])
        say("root file system: a copy of the cached base (overlayfs unavailable)")
    return root


def mount_system(root, cache, mounts):
    mounts.mount("-t", "proc", "proc", target=root / "proc")
    mounts.mount("--bind", "/dev", target=root / "dev")
    run(["mount", "--make-private", str(root / "dev")])
    mounts.mount("-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "shm", target=root / "dev/shm")
    mounts.mount("-t", "sysfs", "sysfs", target=root / "sys")
    archives = cache / "apt-archives"
    (archives / "partial").mkdir(parents=True, exist_ok=True)
    mounts.mount("--bind", str(archives), target=root / "var/cache/apt/archives")
    shutil.copy2("/etc/resolv.conf", root / "etc/resolv.conf")  # the mirror's name


def chroot(root, script, log, timeout):
    """Run a bash script in the chroot with a clean environment; returns (status, seconds)."""
    started = time.monotonic()
    env = {"PATH": CHROOT_PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb"}
    with open(log, "ab") as out:
        process = subprocess.Popen(["chroot", str(root), "/bin/bash", "-c", script], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            status = "timeout"
    return status, time.monotonic() - started


def kill_leftovers(root):
    """Processes still running inside the chroot (started by this test): killed by pid."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if os.readlink(entry / "root") == str(root):
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---- the test -------------------------------------------------------------------------------------
def lay_out(root, archive):
    """/autograder as Gradescope lays it out, inside the chroot's root."""
    autograder = root / "autograder"
    if autograder.exists():
        shutil.rmtree(autograder)
    autograder.mkdir()
    unpack_like_gradescope(archive, autograder)
    (autograder / "run_autograder").chmod(0o755)
    return autograder


def submit(autograder, files):
    for folder in ("submission", "results"):
        shutil.rmtree(autograder / folder)
        (autograder / folder).mkdir()
    for name, path in files.items():
        shutil.copy2(path, autograder / "submission" / name)


def check_results(autograder, lab, expected_score, label):
    path = autograder / "results/results.json"
    if not path.exists():
        raise Failure(f"{label}: no results.json")
    results = json.loads(path.read_text())
    problems = []
    if results.get("score") != expected_score:
        problems.append(f"score {results.get('score')}, expected {expected_score:g}")
    tests = [t for t in results.get("tests", []) if "score" in t]
    if len(tests) != len(lab.tests):
        problems.append(f"{len(tests)} scored tests, expected {len(lab.tests)}")
    by_name = {t["name"]: t for t in tests}
    for spec in lab.tests:
        entry = by_name.get(f"{lab.key} {lab.slug}: {spec.id}")
        if entry is None:
            problems.append(f"{spec.id} missing")
            continue
        visibility = "after_due_date" if spec.hidden else "visible"
        if entry.get("visibility") != visibility:
            problems.append(f"{spec.id}: visibility {entry.get('visibility')}, expected {visibility}")
        if spec.hidden and spec.id in results.get("output", ""):
            problems.append(f"the visible output names the hidden test {spec.id}")
    if results.get("stdout_visibility") != "hidden":
        problems.append("stdout is not instructors-only")
    notes = [t for t in results.get("tests", []) if "score" not in t]
    for note in notes:
        if note.get("visibility") != "hidden":
            problems.append(f"the note {note.get('name')!r} is visible to students")
    if problems:
        raise Failure(f"{label}: " + "; ".join(problems))
    sandbox = "no sandbox (noted for instructors)" if notes else "bubblewrap sandbox"
    say(f"{label}: results.json ok: {results['score']:g}/{lab.max_score:g}, {len(tests)} tests, {sandbox}")
    return results


def required_cmake():
    text = (REPO / "CMakeLists.txt").read_text()
    match = re.search(r"cmake_minimum_required\s*\(\s*VERSION\s+(\d+)\.(\d+)(?:\.(\d+))?", text, re.I)
    return tuple(int(x or 0) for x in match.groups()) if match else (3, 18, 0)


def gradescope_test(args, root, work, timings):
    labs = config.load_labs(REPO)
    [lab] = config.select_labs(labs, [args.lab])
    reference = {name: REPO / "solutions" / lab.folder / name for name in lab.student_files}
    skeleton = {name: REPO / "labs" / lab.folder / name for name in lab.student_files}
    archive = work / f"lab{lab.key}.zip"
    run([sys.executable, str(REPO / "grade"), "gradescope", lab.key, "--out", str(archive)],
        stdout=subprocess.DEVNULL)
    autograder = lay_out(root, archive)
    log = work / "chroot.log"
    say(f"lab {lab.key} {lab.slug} ({lab.max_score:g} points); chroot log: {log}")

    needed = required_cmake()
    status, seconds = chroot(root, "cd /autograder/source && bash ./setup.sh", log, args.timeout)
    timings["setup.sh"] = seconds
    if needed > BULLSEYE_CMAKE:
        shown = ".".join(map(str, needed))
        if status == 0:
            raise Failure(f"setup.sh accepted CMake 3.18.4 although CMakeLists.txt asks for {shown}")
        if f"CMakeLists.txt asks for {shown}" not in tail(log, 15):
            raise Failure(f"setup.sh failed without naming the CMake it needs:\n{tail(log)}")
        raise Skipped(f"setup.sh refused bullseye's CMake 3.18.4 with a clear message, as it should: "
                      f"CMakeLists.txt asks for CMake {shown}. The grader is meant to run on CMake 3.18+: "
                      "lower cmake_minimum_required (and mind that CMake < 3.21 knows no flag for "
                      "C_STANDARD 17) to test the rest on bullseye.")
    if status != 0:
        raise Failure(f"setup.sh failed (status {status}):\n{tail(log)}")
    versions = subprocess.run(["chroot", str(root), "/bin/sh", "-c",
                               "python3 --version; cmake --version | head -1; cc -dumpfullversion; "
                               "pkg-config --modversion criterion; bwrap --version"],
                              env={"PATH": CHROOT_PATH}, capture_output=True, text=True).stdout.split("\n")
    say("in the chroot: " + ", ".join(v for v in versions if v))

    for label, files, expected in (("reference", reference, lab.max_score), ("skeleton", skeleton, 0)):
        submit(autograder, files)
        status, seconds = chroot(root, "cd /autograder && /autograder/run_autograder "
                                       "> /autograder/results/stdout 2>&1", log, args.timeout)
        timings[f"run_autograder ({label})"] = seconds
        stdout = autograder / "results/stdout"
        with open(log, "a") as out:
            out.write(f"\n---- run_autograder ({label}) stdout ----\n{tail(stdout, 200)}\n")
        if status != 0:
            raise Failure(f"run_autograder ({label}) exited with {status}:\n{tail(stdout)}")
        try:
            check_results(autograder, lab, expected, label)
        except Failure as failure:
            raise Failure(f"{failure}\n{tail(stdout)}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="01", help="the lab to make an assignment of (default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=Path("/var/cache/winsync-debootstrap-bullseye"),
                        help="where the base root file system and the .debs are kept (default: %(default)s)")
    parser.add_argument("--mirror", default=None, help="the Debian mirror (default: the one apt uses here)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per chroot step (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its root is unmounted)")
    args = parser.parse_args(argv)
    args.mirror = args.mirror or default_mirror()

    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        print("gradescope_chroot: skipped: needs root on Linux (debootstrap, chroot, mount).")
        return SKIP
    for tool in ("chroot", "mount", "umount", "unshare"):
        if not shutil.which(tool):
            print(f"gradescope_chroot: skipped: {tool} is missing.")
            return SKIP
    if not shutil.which("debootstrap") and not shutil.which("apt-get"):
        print("gradescope_chroot: skipped: no debootstrap and no apt-get to install it.")
        return SKIP
    if os.environ.get(IN_NAMESPACE) != "1":
        # Every mount below lives in a private mount namespace: none can leak to the host, and all
        # go away with it should this process die before it unmounts them.
        env = dict(os.environ, **{IN_NAMESPACE: "1"})
        probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
        if probe.returncode != 0:
            print(f"gradescope_chroot: skipped: cannot make a mount namespace ({probe.stderr.decode().strip()}).")
            return SKIP
        return subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable,
                               str(Path(__file__).resolve()), *(argv if argv is not None else sys.argv[1:])],
                              env=env).returncode

    started = time.monotonic()
    timings = {}
    try:
        step = time.monotonic()
        base = base_rootfs(args.cache, args.mirror)
        timings["base root file system"] = time.monotonic() - step
    except subprocess.CalledProcessError as error:
        print(f"gradescope_chroot: FAILED: debootstrap failed ({error}); is {args.mirror} reachable?")
        return 1
    work = Path(tempfile.mkdtemp(prefix="winsync-gradescope-chroot-", dir="/var/tmp"))
    mounts = Mounts()
    root = None
    outcome = 1
    try:
        step = time.monotonic()
        root = make_root(base, work, mounts)
        mount_system(root, args.cache, mounts)
        timings["root and mounts"] = time.monotonic() - step
        gradescope_test(args, root, work, timings)
        outcome = 0
    except Skipped as reason:
        print(f"gradescope_chroot: SKIPPED: {reason}")
        outcome = SKIP
    except (Failure, subprocess.CalledProcessError) as failure:
        print(f"gradescope_chroot: FAILED: {failure}")
    finally:
        if root is not None:
            kill_leftovers(root)
        unmounted = mounts.close()
        if args.keep or not unmounted:
            say(f"kept {work}" + ("" if unmounted else " (something under it is still mounted)"))
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, seconds in timings.items():
        say(f"  {name}: {seconds:.0f} s")
    verdict = {0: "passed", SKIP: "skipped"}.get(outcome, "FAILED")
    say(f"{verdict} in {time.monotonic() - started:.0f} s")
    return outcome


if __name__ == "__main__":
    sys.exit(main())
