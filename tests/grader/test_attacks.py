"""Regression tests for the attacks a hostile student made on the grader.

Each test grades, against the fixture tree (tests/grader/fixture.py), a skeleton (or the
correct solution) plus one attack whose C source is kept in tests/grader/attacks/ (what it
does is explained at the top of each file; @NAME@ placeholders are filled in here with the
absolute paths of this run's fixture tree). Each one asserts what an HONEST grader gives: 0 for
a skeleton plus an attack, full marks for a correct solution plus a harmless trick, a lab
status that says what happened, and, after every attack, that the grader returned a report and
that no process of the grade is left running (every sandboxed process carries
WINSYNC_GRADER_TAG=<random value of this test> in its environment).

The run-time attacks are scan-proof: they name no function a scan of the object could refuse
(open, fork, _exit, criterion_send_assert...); attacks/resolver.inc.c finds each one by name at run
time through the dynamic loader's own tables (ELF header -> DT_DEBUG -> r_debug -> link_map), so
that these tests check the sandbox and the results channel, not the scan.

Some attacks harm the machine when they succeed: the denial of service (6) is run in a private
mount namespace (its own /tmp and /dev/shm) when root and skipped otherwise; the sabotage (5)
kills every process its uid can reach, so it runs only when root (the grader's sandbox uid, or
bubblewrap) or as the throwaway user of NonRootRerun, which reruns this module as an
unprivileged user.
"""

import dataclasses
import hashlib
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

from grader.grade import Options, grade_submission
from grader.submission import Files, Folder
from tests.grader import fixture, support
from tests.grader.fixture import ADDER_SOLUTION

ATTACKS = Path(__file__).resolve().parent / "attacks"
REPO = Path(__file__).resolve().parents[2]
THROWAWAY = os.environ.get("WINSYNC_ATTACKS_THROWAWAY") == "1"  # this uid is NonRootRerun's own
ISOLATED = os.environ.get("WINSYNC_ATTACKS_ISOLATED") == "1"  # in a private mount namespace
FULL = 5  # lab 01: adder/small 2, adder/negative 1, adder_hidden/sum3 2
HIDDEN_SECRET = "Test(adder_hidden, sum3"  # text of tests/labs/01-adder/hidden/adder_hidden.c
SOLUTION_SECRET = "return a + b;"  # text of solutions/01-adder/adder.c (not in the skeleton)
STATUSES = {"graded", "compile_error", "rejected", "missing", "tampered", "grader_error", "link_error",
            "build_error"}


def attack(name, **values):
    """The C source of attacks/<name>.c with its @KEY@ placeholders filled in (@RESOLVER@: the
    scan-proof symbol resolver of attacks/resolver.inc.c, anchored on adder_add; @READ_FILE@ and @PARENT_OF@:
    attacks/read_file.inc.c and parent_of.inc.c)."""
    text = (ATTACKS / f"{name}.c").read_text()
    text = text.replace("@RESOLVER@", (ATTACKS / "resolver.inc.c").read_text().replace("@ANCHOR@", "adder_add"))
    for include in ("read_file", "parent_of"):
        text = text.replace(f"@{include.upper()}@", (ATTACKS / f"{include}.inc.c").read_text())
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    assert "@" not in text.replace("@(", ""), f"{name}.c: a placeholder is left"
    return text


def c_strings(paths):
    return ", ".join(json.dumps(str(p)) for p in paths)


def cached(rel):
    """<cache>/rel in this tree's build cache ("src/..." is the copy the grader compiles against)."""
    build_, _ = support.shared()
    build_.ensure()
    return build_.dir / rel


def skeleton():
    return (support.tree() / "labs/01-adder/adder.c").read_text()


def options(**values):
    """grade.Options with the fields this grader knows (compile_seconds is new)."""
    known = {f.name for f in dataclasses.fields(Options)}
    return Options(**{k: v for k, v in values.items() if k in known})


def grade_bytes(files, lab_keys=("01",), log_dir=None, **more):
    """Like support.grade_files, but {lab key: {file name: bytes or str}} and optional log_dir."""
    from grader import config

    build_, labs = support.shared()
    folder = Path(tempfile.mkdtemp(prefix="grader-student-"))
    paths = {}
    for key, named in files.items():
        for file_name, data in named.items():
            (folder / key).mkdir(exist_ok=True)
            path = folder / key / file_name
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
            paths.setdefault(key, {})[file_name] = path
    chosen = config.select_labs(labs, list(lab_keys))
    try:
        return grade_submission(build_, chosen, Files("student", paths),
                                options(jobs=2, test_jobs=2, log_dir=log_dir, compile_seconds=10, **more))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lab(report, number=1):
    return next(l for l in report.labs if l.number == number)


def messages(report):
    """Every message of a report, lab and test."""
    return "\n".join([l.message for l in report.labs] + [t.message for l in report.labs for t in l.tests])


def folder_text(folder):
    """Everything under a folder (logs, reports), as text."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in Path(folder).rglob("*") if p.is_file())


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _resident(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("\nVmRSS:")[1].split()[0]) << 10
    except (OSError, IndexError, ValueError):
        return 0


class AttackTest(unittest.TestCase):
    """Tags the grade's processes; after each test, none of them may be left running."""

    def setUp(self):
        self.tagged = support.Tagged().__enter__()
        self.addCleanup(self.tagged.__exit__)
        support.tree()

    def tearDown(self):
        left = self.tagged.alive()
        for _ in range(30):  # a moment for processes that are being reaped
            if not left:
                break
            time.sleep(0.1)
            left = self.tagged.alive()
        descriptions = [self._describe(pid) for pid in left]
        for pid in left:  # ours: the tag is this test's random value
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.assertEqual(descriptions, [], "processes of the grade are still running")

    @staticmethod
    def _describe(pid):
        try:
            return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            return str(pid)

    def grade(self, text, log_dir=None, **more):
        """Grade lab 01 with this adder.c; the grader must return a report."""
        report = grade_bytes({"01": {"adder.c": text}}, log_dir=log_dir, **more)
        self.assertIsNotNone(report)
        self.assertIn(lab(report).status, STATUSES)
        return report

    def assert_zero(self, report, status=None):
        self.assertEqual(report.score, 0, f"{lab(report).status}: {[(t.id, t.status) for t in lab(report).tests]}")
        if status:
            self.assertEqual(lab(report).status, status, lab(report).message)
            self.assertTrue(lab(report).message.strip(), "the lab's status needs a message")

    def assert_full(self, report):
        self.assertEqual(lab(report).status, "graded", lab(report).message)
        self.assertEqual(report.score, FULL, [(t.id, t.status, t.message) for t in lab(report).tests])

    def assert_secret_free(self, text, where):
        for secret in (HIDDEN_SECRET, SOLUTION_SECRET):
            self.assertFalse(secret in text, f"{where} shows the grader's secret text {secret!r}")


# ---- 1. including the grader's own files ------------------------------------------------------


class IncludeGraderFiles(AttackTest):
    def assert_not_found(self, report):
        self.assert_zero(report, "compile_error")
        words = lab(report).message.lower()
        self.assertTrue("no such file" in words or "not found" in words, lab(report).message)

    def test_relative_include_of_the_solution(self):
        for path in ["../solutions/01-adder/adder.c", "../../solutions/01-adder/adder.c",
                     "../../../solutions/01-adder/adder.c", "../runtime/../solutions/01-adder/adder.c",
                     "solutions/01-adder/adder.c"]:
            with self.subTest(path=path):
                self.assert_not_found(self.grade(attack("include_solution", INCLUDE=path)))

    def test_absolute_include_of_the_solution(self):
        root = support.tree()
        for path in [root / "solutions/01-adder/adder.c", cached("src/solutions/01-adder/adder.c")]:
            with self.subTest(path=path):
                self.assert_not_found(self.grade(attack("include_solution", INCLUDE=path)))

    def test_incbin_of_a_hidden_test(self):
        root = support.tree()
        logs = Path(tempfile.mkdtemp(prefix="grader-attack-logs-"))
        self.addCleanup(shutil.rmtree, logs, True)
        for path in [root / "tests/labs/01-adder/hidden/adder_hidden.c",
                     cached("src/tests/labs/01-adder/hidden/adder_hidden.c")]:
            with self.subTest(path=path):
                report = self.grade(attack("incbin", PATH=path), log_dir=logs)
                self.assert_zero(report, "compile_error")
                self.assert_secret_free(messages(report), "the report")
                self.assert_secret_free(folder_text(logs), "the logs")


# ---- 2. symbolic links in a submission folder -----------------------------------------------


class SymbolicLinks(AttackTest):
    def grade_folder(self, folder):
        build_, labs = support.shared()
        from grader import config

        report = grade_submission(build_, config.select_labs(labs, ["01"]), Folder(folder, "linked"),
                                  options(jobs=1, test_jobs=2, compile_seconds=10))
        self.assertIsNotNone(report)
        return report

    def assert_refused(self, report):
        self.assertEqual(report.score, 0)
        status, message = lab(report).status, lab(report).message
        self.assertTrue(status == "missing" or (status in ("rejected", "grader_error") and "link" in message),
                        f"{status}: {message}")
        self.assertTrue(message.strip())

    def test_lab_folder_is_a_link_to_the_solutions(self):
        folder = fixture.submission({"README.md": "mine\n"})
        self.addCleanup(shutil.rmtree, folder, True)
        (folder / "labs").mkdir()
        (folder / "labs/01-adder").symlink_to(support.tree() / "solutions/01-adder")
        self.assert_refused(self.grade_folder(folder))

    def test_intermediate_folder_is_a_link(self):
        folder = fixture.submission({"README.md": "mine\n"})
        self.addCleanup(shutil.rmtree, folder, True)
        (folder / "labs").symlink_to(support.tree() / "solutions")
        self.assert_refused(self.grade_folder(folder))

    def test_link_to_a_folder_with_a_copy_of_the_solution(self):
        elsewhere = Path(tempfile.mkdtemp(prefix="grader-elsewhere-"))
        folder = fixture.submission({"README.md": "mine\n"})
        self.addCleanup(shutil.rmtree, folder, True)
        self.addCleanup(shutil.rmtree, elsewhere, True)
        (elsewhere / "01-adder").mkdir()
        (elsewhere / "01-adder/adder.c").write_text(ADDER_SOLUTION)
        (folder / "labs").symlink_to(elsewhere)
        self.assert_refused(self.grade_folder(folder))


# ---- 3 and 4. forging the results ------------------------------------------------------------


class ForgedResults(AttackTest):
    def test_pre_written_results_file(self):
        self.assert_zero(self.grade(attack("forge_xml")))

    def test_results_written_through_the_runners_descriptors(self):
        self.assert_zero(self.grade("#define FORGE_FDS 1\n" + attack("forge_xml")))

    def test_exit_right_away(self):
        report = self.grade(attack("exit_early"))
        self.assert_zero(report)
        self.assertTrue(all(t.status != "passed" for t in lab(report).tests))

    def test_scan_proof_assertion_forger(self):
        """criterion_send_assert found through DT_DEBUG -> r_debug -> link_map, no symbol named."""
        report = self.grade(attack("send_assert"))
        self.assert_zero(report, "tampered")


# ---- 5. sabotage of the grader ---------------------------------------------------------------


@unittest.skipUnless(os.geteuid() == 0 or THROWAWAY,
                     "the attack kills every process of its uid: run as root (NonRootRerun then runs it "
                     "as a throwaway user) so that it cannot kill your own session")
class Sabotage(AttackTest):
    def test_cache_grader_files_and_processes(self):
        root = support.tree()
        before = tree_digest(root / "grader")
        self.assert_zero(self.grade(skeleton()))  # the skeleton's object is now cached
        submission = fixture.submission({"labs/01-adder/adder.c": attack(
            "sabotage", GRADER_FILES=c_strings([root / "grader/run.py", root / "grader/sandbox.py",
                                                root / "grader/grade.py", root / "grade"]))})
        self.addCleanup(shutil.rmtree, submission, True)
        out = submission / "out" / "report.json"
        try:
            done = support.grade_cli("--submission", str(submission), "--format", "json", "--out", str(out),
                                     "01", timeout=120)
        except subprocess.TimeoutExpired:
            self.fail("the grader did not finish")
        self.assertTrue(out.exists(), f"no report (exit status {done.returncode}): {done.stderr[-1500:]}")
        data = json.loads(out.read_text())
        self.assertIn(data["labs"][0]["status"], STATUSES)
        self.assertEqual(tree_digest(root / "grader"), before, "the grader's files were changed")
        self.assert_zero(self.grade(skeleton()))  # the cache was not poisoned
        self.assert_full(self.grade(ADDER_SOLUTION))


# ---- 6. denial of service through Criterion's and BoxFort's fixed names ----------------------


LAST_PID = 65536


class DenialOfService(AttackTest):
    """Run in a private mount namespace: when the attack works it makes every Criterion run of the
    machine abort (the other graders' too) for as long as its files stay."""

    def test_socket_and_arena_names_of_every_pid(self):
        if not ISOLATED:
            if os.geteuid() != 0:
                self.skipTest("needs root for a private /tmp and /dev/shm (the attack would break every "
                              "Criterion run of this machine)")
            run_isolated(self, "tests.grader.test_attacks.DenialOfService.test_socket_and_arena_names_of_every_pid")
            return
        marker = "dos" + secrets.token_hex(8)
        try:
            report = self.grade(attack("dos_files", MARKER=marker, LAST_PID=LAST_PID))
            self.assert_zero(report)
            self.assert_full(self.grade(ADDER_SOLUTION))
            planted = [p for pid in [*range(1, 300), *range(300, LAST_PID + 1, 97), LAST_PID]
                       for p in (Path(f"/tmp/criterion_{pid}.sock"), Path(f"/dev/shm/bxf_arena_{pid}"),
                                 Path(f"/dev/shm/bxfi_{pid}")) if _holds(p, marker)]
            self.assertEqual(planted[:5], [], f"{len(planted)} of the attack's files are on the machine")
        finally:
            for pid in range(1, LAST_PID + 1):
                for path in (f"/tmp/criterion_{pid}.sock", f"/dev/shm/bxf_arena_{pid}", f"/dev/shm/bxfi_{pid}"):
                    if _holds(Path(path), marker):
                        Path(path).unlink()


def _holds(path, marker):
    try:
        with open(path, "rb") as f:
            return f.read(64).startswith(marker.encode())
    except OSError:
        return False


def run_isolated(test, name):
    """Run one test of this module in a private mount namespace (fresh /tmp and /dev/shm)."""
    hold = Path(tempfile.mkdtemp(prefix="winsync-attacks-hold-", dir="/run" if os.access("/run", os.W_OK) else None))
    binds = [p for p in (support.CACHE, REPO) if str(p).startswith("/tmp/")]
    script = ["set -e", "mount --make-rprivate /", f"mount --bind /tmp {hold}",
              "mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -t tmpfs -o mode=1777 tmpfs /dev/shm"]
    for path in binds:
        script += [f"mkdir -p {path}", f"mount --bind {hold}/{path.relative_to('/tmp')} {path}"]
    script += [f"umount -l {hold}", f'exec "{sys.executable}" -m unittest -v {name}']
    env = dict(os.environ, WINSYNC_ATTACKS_ISOLATED="1")
    env.pop("WINSYNC_GRADER_TAG", None)
    try:
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    finally:
        try:
            hold.rmdir()
        except OSError:
            pass
    test.assertEqual(done.returncode, 0, f"the isolated run failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    test.assertNotIn("skipped", done.stderr.splitlines()[-1] if done.stderr else "")


# ---- 7. reading the grader's tree at run time ------------------------------------------------


class RuntimeLeaks(AttackTest):
    def test_reading_solutions_and_hidden_tests(self):
        root = support.tree()
        secrets_ = [root / "solutions/01-adder/adder.c", root / "tests/labs/01-adder/hidden/adder_hidden.c",
                    root / "tests/labs/01-adder/adder_tests.c", root / "docs/instructor-guide.md",
                    cached("src/solutions/01-adder/adder.c"), cached("src/tests/labs/01-adder/hidden/adder_hidden.c"),
                    cached("manifest.json")]
        logs = Path(tempfile.mkdtemp(prefix="grader-attack-logs-"))
        self.addCleanup(shutil.rmtree, logs, True)
        report = self.grade(attack("read_secrets", PATHS=c_strings(secrets_)), log_dir=logs)
        self.assert_secret_free(messages(report), "the report")
        self.assert_secret_free(folder_text(logs), "the logs")
        self.assertFalse("OPENED" in folder_text(logs), "the run opened files of the grader's tree")
        self.assert_full(report)  # the function returns the right sum only when it could open nothing


# ---- 8. batch: one student reads another's file ----------------------------------------------


class BatchCrossRead(AttackTest):
    def test_student_a_cannot_read_student_b(self):
        marker = "B-SECRET-" + secrets.token_hex(8)
        batch = Path(tempfile.mkdtemp(prefix="grader-batch-in-"))
        out = Path(tempfile.mkdtemp(prefix="grader-batch-out-"))
        self.addCleanup(shutil.rmtree, batch, True)
        self.addCleanup(shutil.rmtree, out, True)
        # B is correct, and a little slow so that its grade overlaps A's (no usleep: a scan may refuse it).
        slow_solution = ("#include \"kernel.h\"\n"
                         f"/* {marker} */\nint adder_add(int a, int b)\n{{\n"
                         f"    for (volatile unsigned long i = 0; i < 50000000UL; i++) {{}} /* {marker} */\n"
                         "    return a + b;\n}\n")
        for name, text in (("A", attack("batch_snoop")), ("B", slow_solution)):
            (batch / name / "labs/01-adder").mkdir(parents=True)
            (batch / name / "labs/01-adder/adder.c").write_text(text)
        done = support.grade_cli("--batch", str(batch), "--jobs", "2", "--out", str(out), "01", timeout=240)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        self.assertTrue((out / "students/A/report.json").exists())
        seen = folder_text(out / "students/A")
        self.assertFalse(marker in seen, "student A's report or logs show B's file")
        self.assertFalse("SNOOPED" in seen, "student A's code opened another submission's adder.c")
        scores = {name: json.loads((out / "students" / name / "report.json").read_text()).get("score")
                  for name in ("A", "B")}
        self.assertEqual(scores, {"A": 0, "B": FULL})


# ---- 9. bytes that are not UTF-8 -------------------------------------------------------------


class NotUtf8(AttackTest):
    def test_latin1_byte_in_a_line_gcc_echoes(self):
        text = (b'#include "kernel.h"\nint adder_add(int a, int b)\n{\n'
                b"    int unused; /* caf\xe9: gcc echoes this line in its warning */\n"
                b"    return a + b;\n}\n")
        self.assert_full(self.grade(text))

    def test_file_in_latin1_throughout(self):
        text = ("/* Exercice \u00e9crit en Latin-1 : \u00e0 \u00e7 \u00e8 \u00f9 \u00ff */\n#include \"kernel.h\"\n"
                "static const char note[] = \"r\u00e9sultat\";\nint adder_add(int a, int b)\n{\n"
                "    int unused; /* d\u00e9j\u00e0 */\n    (void)note;\n    return a + b;\n}\n").encode("latin-1")
        self.assert_full(self.grade(text))

    def test_latin1_in_an_error_message(self):
        text = b'#include "kernel.h"\nint adder_add(int a, int b)\n{\n    return a + b /* \xe9t\xe9 */\n}\n'
        report = self.grade(text)
        self.assert_zero(report, "compile_error")


# ---- 10. devices as include files ------------------------------------------------------------


class DeviceIncludes(AttackTest):
    def assert_quick_compile_error(self, device):
        peak, done = [0], threading.Event()

        def watch():  # the largest resident size of any process of this grade (cc1 reading a device)
            while not done.wait(0.2):
                for pid in self.tagged.alive():
                    peak[0] = max(peak[0], _resident(pid))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.monotonic()
        try:
            report = self.grade(f'#include "{device}"\n' + skeleton())
        finally:
            done.set()
            watcher.join()
        self.assertLess(time.monotonic() - start, 45, "the compile was not stopped in time")
        self.assert_zero(report, "compile_error")
        self.assertLess(peak[0], 3 << 30, f"a process of the compile grew to {peak[0] >> 20} MiB")

    def test_include_dev_ptmx(self):
        self.assert_quick_compile_error("/dev/ptmx")

    def test_include_dev_zero(self):
        # A grader that does not limit the compiler lets cc1 grow without end: 6 GiB of address space at most here
        # (it then holds 4 GiB; a grader that limits the compile to 2 GiB keeps it near 1).
        saved = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (min(6 << 30, saved[1]) if saved[1] != resource.RLIM_INFINITY
                                                else 6 << 30, saved[1]))
        try:
            self.assert_quick_compile_error("/dev/zero")
        finally:
            resource.setrlimit(resource.RLIMIT_AS, saved)


# ---- 11. resources ---------------------------------------------------------------------------


class Resources(AttackTest):
    def test_huge_data_array_is_refused(self):
        before = {p for p in support.CACHE.rglob("*") if p.is_file()}
        report = self.grade(skeleton() + "static char big[300 << 20] = {1};\n"
                            "char *adder_big(void) { return big; }\n")
        self.assertEqual(report.score, 0)
        self.assertIn(lab(report).status, ("compile_error", "rejected"), lab(report).message)
        self.assertTrue(any(w in lab(report).message.lower() for w in ("size", "large", "mib", "big")),
                        lab(report).message)
        big = [p for p in support.CACHE.rglob("*") if p.is_file() and p not in before and p.stat().st_size > 100 << 20]
        for path in big:
            path.unlink()
        self.assertEqual(big, [], "the huge object stayed in the grader's cache")

    def test_files_left_in_tmp_and_dev_shm(self):
        marker = "lo" + secrets.token_hex(3)  # 8 characters: the attack writes 8 bytes
        try:
            report = self.grade(attack("leftovers", MARKER=marker))
            self.assert_full(report)
            time.sleep(1.5)  # the child that outlives the test would write its file now
            left = sorted(str(p) for d in ("/tmp", "/dev/shm") for p in Path(d).glob(f"{marker}*"))
            self.assertEqual(left, [], "files of the run outlived it")
        finally:
            for d in ("/tmp", "/dev/shm"):
                for path in Path(d).glob(f"{marker}*"):
                    path.unlink()

    def test_memory_is_capped_for_the_whole_run(self):
        # Three children of 400 MiB each, under a whole-run cap of 768 MiB (the default cap is
        # 3 GiB; this smaller one keeps the attack well inside the fixture's 3 s timeouts).
        if os.geteuid() != 0:
            self.skipTest("a whole-run memory cap needs a cgroup, which the grader makes as root")
        report = self.grade(attack("memory_fork", EACH_MIB=400), memory=768 << 20)
        self.assert_zero(report)
        small = next(t for t in lab(report).tests if t.id == "adder/small")
        self.assertIn(small.status, ("failed", "crashed"), small.message)  # the OOM killer, not a timeout
        self.assert_full(self.grade(ADDER_SOLUTION))  # the grader is fine afterwards


# ---- 5 (continued). the attacks again, as an unprivileged user -------------------------------


class NonRootRerun(unittest.TestCase):
    def test_attacks_as_an_unprivileged_user(self):
        if os.geteuid() != 0:
            self.skipTest("already not root: the attacks above ran as an unprivileged user "
                          "(Sabotage only runs as a throwaway user, set up from root)")
        if THROWAWAY or ISOLATED:
            self.skipTest("inner run")
        uid = 2_500_000 + secrets.randbelow(400_000)  # far from real accounts and from the sandbox's uids
        home = Path(tempfile.mkdtemp(prefix="winsync-attacks-user-"))
        try:
            repo = home / "repo"
            for rel in ("grader", "tests/grader"):
                shutil.copytree(REPO / rel, repo / rel, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(REPO / "grade", repo / "grade")
            for path in [home, *home.rglob("*")]:
                os.lchown(path, uid, uid)
            system_path = "/usr/local/bin:/usr/bin:/bin"  # not root's own tools (pyenv...): the user cannot run them
            python = shutil.which("python3", path=system_path) or sys.executable
            env = {"PATH": system_path, "LANG": "C.UTF-8", "HOME": str(home),
                   "TMPDIR": "/tmp", "WINSYNC_GRADER_CACHE": str(home / "cache"),
                   "WINSYNC_ATTACKS_THROWAWAY": "1"}
            runs = {}
            # The sabotage last and on its own: when it works it kills every process of the uid.
            for what in (INNER_CLASSES, ["Sabotage"]):
                names = [f"tests.grader.test_attacks.{name}" for name in what]
                runs[" ".join(what)] = subprocess.run(
                    ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                     python, "-m", "unittest", "-v", *names],
                    cwd=repo, env=env, capture_output=True, text=True, timeout=900, preexec_fn=_cap_memory)
        finally:
            _kill_uid(uid)
            shutil.rmtree(home, ignore_errors=True)
            for path in Path(tempfile.gettempdir()).iterdir():  # the fixture trees and cache it made
                try:
                    if path.lstat().st_uid == uid:
                        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
                except OSError:
                    pass
        for what, done in runs.items():
            with self.subTest(classes=what):
                verdicts = "\n".join(line for line in done.stderr.splitlines() if " ... " in line)
                self.assertEqual(done.returncode, 0, f"the run of {what} as uid {uid} failed "
                                 f"(exit status {done.returncode}):\n{verdicts}\n...\n{done.stderr[-5000:]}")


# Everything but the tests that need root (or are this one); Sabotage runs on its own.
INNER_CLASSES = ["BatchCrossRead", "DeviceIncludes", "ForgedResults", "IncludeGraderFiles", "NotUtf8",
                 "Resources", "RuntimeLeaks", "SymbolicLinks"]


def _cap_memory():
    """8 GiB of address space per process: an attack that works must not exhaust the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


def _kill_uid(uid):
    """Whatever the throwaway user left running (only that uid: it is ours alone)."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


if __name__ == "__main__":
    unittest.main()
