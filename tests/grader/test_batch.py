"""Batch grading made robust: a bad archive or a failing grader costs one row, names are made
unique, grades.csv/grades.json say why a row is zero, --only regrades into existing results,
archives are capped, and the class files are written even after Ctrl-C."""

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import unittest
import zipfile
from pathlib import Path

from grader import batch
from tests.grader import support
from tests.grader.fixture import ADDER_SOLUTION, COUNTER_SOLUTION

WANTED = {"adder.c", "counter.c"}
BROKEN_ADDER = '#include "kernel.h"\nint adder_add(int a, int b)\n{\n    return a + ;\n}\n'


def _patch_zip(path, flag_bits=None, method=None):
    """Set the general-purpose flags or the compression method of every member, in the local and
    the central headers (zipfile cannot write encrypted or AES members)."""
    data = bytearray(path.read_bytes())
    for signature, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(signature)
        while at >= 0:
            if flag_bits is not None:
                flags = int.from_bytes(data[at + flags_at:at + flags_at + 2], "little") | flag_bits
                data[at + flags_at:at + flags_at + 2] = flags.to_bytes(2, "little")
            if method is not None:
                data[at + method_at:at + method_at + 2] = method.to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _folder_size(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


class Unpacking(unittest.TestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="batch-unpack-"))
        self.addCleanup(shutil.rmtree, self.base, True)
        self.into = self.base / "into"
        self.into.mkdir()

    def refused(self, archive, *words):
        with self.assertRaises(batch.ArchiveError) as caught:
            batch.unpack(archive, WANTED, self.into)
        for word in words:
            self.assertIn(word, str(caught.exception))
        return str(caught.exception)

    def test_only_safe_student_files_are_extracted(self):
        archive = self.base / "a.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("a/labs/01-adder/adder.c", ADDER_SOLUTION)
            z.writestr("win\\counter.c", COUNTER_SOLUTION)  # made on Windows
            z.writestr("../evil/adder.c", "int x;")
            z.writestr("/abs/adder.c", "int x;")
            z.writestr("notes.txt", "hello")
            link = zipfile.ZipInfo("link/adder.c")
            link.external_attr = 0o120777 << 16
            z.writestr(link, "/etc/passwd")
        batch.unpack(archive, WANTED, self.into)
        found = sorted(p.relative_to(self.into).as_posix() for p in self.into.rglob("*") if p.is_file())
        self.assertEqual(found, ["a/labs/01-adder/adder.c", "win/counter.c"])
        self.assertFalse((self.base / "evil").exists())

    def test_tar_members_other_than_regular_files_are_skipped(self):
        archive = self.base / "a.tar.gz"
        with tarfile.open(archive, "w:gz") as t:
            for name, text in (("d/adder.c", ADDER_SOLUTION), ("../up/counter.c", "int x;")):
                info = tarfile.TarInfo(name)
                info.size = len(text)
                t.addfile(info, io.BytesIO(text.encode()))
            link = tarfile.TarInfo("e/counter.c")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            t.addfile(link)
        batch.unpack(archive, WANTED, self.into)
        self.assertEqual([p.relative_to(self.into).as_posix() for p in self.into.rglob("*") if p.is_file()],
                         ["d/adder.c"])

    def test_corrupt_archives(self):
        (self.base / "bad.zip").write_bytes(b"PK\x03\x04 this is not a zip")
        self.refused(self.base / "bad.zip", "bad.zip cannot be read", "BadZipFile")
        (self.base / "bad.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 not gzip either")
        self.refused(self.base / "bad.tar.gz", "bad.tar.gz cannot be read")
        good = io.BytesIO()
        with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("adder.c", ADDER_SOLUTION * 50)
        (self.base / "cut.zip").write_bytes(good.getvalue()[:200])  # truncated
        self.refused(self.base / "cut.zip", "cannot be read")

    def test_zip_bomb_many_copies_is_capped(self):
        """The 342 KB zip that extracted to 302 MB: many 1 MiB copies of the student file."""
        archive = self.base / "bomb.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for number in range(40):
                z.writestr(f"copy{number}/adder.c", b"\0" * (1 << 20))
        self.assertLess(archive.stat().st_size, 100 << 10)
        self.refused(archive, "more than 16 MiB")
        self.assertLessEqual(_folder_size(self.into), batch.MAX_EXTRACTED)

    def test_zip_bomb_one_huge_member_is_refused_before_decompressing(self):
        archive = self.base / "huge.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("junk.bin", "w") as member:
                chunk = b"\0" * (1 << 20)
                for _ in range((batch.MAX_UNPACKED >> 20) + 4):
                    member.write(chunk)
            z.writestr("adder.c", ADDER_SOLUTION)
        self.refused(archive, "unpacks to more than 256 MiB")
        self.assertEqual(_folder_size(self.into), 0)

    def test_too_many_members(self):
        for name in ("many.zip", "many.tar"):
            archive = self.base / name
            if name.endswith(".zip"):
                with zipfile.ZipFile(archive, "w") as z:
                    for number in range(batch.MAX_MEMBERS + 1):
                        z.writestr(f"f{number}.txt", "")
            else:
                with tarfile.open(archive, "w") as t:
                    for number in range(batch.MAX_MEMBERS + 1):
                        t.addfile(tarfile.TarInfo(f"f{number}.txt"), io.BytesIO(b""))
            self.refused(archive, f"more than {batch.MAX_MEMBERS} files")

    def test_encrypted_and_unsupported_members(self):
        for name, patch, word in (("locked.zip", {"flag_bits": 0x1}, "encrypted"),
                                  ("aes.zip", {"method": 99}, "compression method 99")):
            archive = self.base / name
            with zipfile.ZipFile(archive, "w") as z:
                z.writestr("adder.c", ADDER_SOLUTION)
            _patch_zip(archive, **patch)
            self.refused(archive, word)


class Names(unittest.TestCase):
    def test_names_are_made_unique_in_sorted_order(self):
        folder = Path(tempfile.mkdtemp(prefix="batch-names-"))
        self.addCleanup(shutil.rmtree, folder, True)
        for name in ("alice", "Bob Smith", "Bob_Smith", "carol", "alice-2", "ALICE_"):
            (folder / name).mkdir()
        for name in ("alice.zip", "dave.tar.gz", "erin.rar"):
            (folder / name).write_bytes(b"")
        (folder / "notes.txt").write_text("not a submission")
        (folder / ".hidden").mkdir()
        found, ignored = batch.discover(folder)
        names = {sub.path.name: sub.name for sub in found}
        self.assertEqual(names, {"ALICE_": "ALICE", "alice": "alice-3", "alice-2": "alice-2", "alice.zip": "alice-4",
                                 "Bob Smith": "Bob_Smith", "Bob_Smith": "Bob_Smith-2", "carol": "carol",
                                 "dave.tar.gz": "dave", "erin.rar": "erin"})
        self.assertEqual(ignored, ["notes.txt"])
        self.assertEqual(batch.discover(folder)[0], found)  # deterministic
        groups = batch.collisions(found)
        self.assertIn({"name": "Bob_Smith", "sources": ["Bob Smith/", "Bob_Smith/"],
                       "graded_as": ["Bob_Smith", "Bob_Smith-2"]}, groups)
        self.assertIn({"name": "ALICE", "sources": ["ALICE_/", "alice/", "alice.zip"],
                       "graded_as": ["ALICE", "alice-3", "alice-4"]}, groups)
        self.assertEqual(len(groups), 2)
        chosen, unknown = batch.select(found, ["Bob Smith", "alice-4", "dave.tar.gz", "carol/", "zed"])
        self.assertEqual([s.name for s in chosen], ["Bob_Smith", "alice-4", "dave", "carol"])
        self.assertEqual(unknown, ["zed"])


def _rows(out):
    return list(csv.DictReader((out / "grades.csv").read_text().splitlines()))


class ClassFolder(unittest.TestCase):
    """A corrupt zip, a zip bomb, name collisions, a compile error and good submissions, then
    --only regrades."""

    @classmethod
    def setUpClass(cls):
        cls.root = support.tree()
        cls.base = base = Path(tempfile.mkdtemp(prefix="batch-class-"))
        cls.classroom, cls.out = base / "class", base / "out"
        c = cls.classroom
        (c / "alice").mkdir(parents=True)
        (c / "alice" / "adder.c").write_text(ADDER_SOLUTION)
        (c / "alice" / "counter.c").write_text(COUNTER_SOLUTION)
        with zipfile.ZipFile(c / "alice.zip", "w") as z:
            z.writestr("alice/labs/02-counter/counter.c", COUNTER_SOLUTION)
        (c / "Bob Smith").mkdir()
        (c / "Bob Smith" / "adder.c").write_text(BROKEN_ADDER)
        (c / "Bob_Smith").mkdir()
        (c / "Bob_Smith" / "adder.c").write_text(ADDER_SOLUTION)
        (c / "corrupt.zip").write_bytes(b"PK\x03\x04 truncated in the upload")
        with zipfile.ZipFile(c / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for number in range(40):
                z.writestr(f"copy{number}/adder.c", b"\0" * (1 << 20))
        with tarfile.open(c / "dave.tar.gz", "w:gz") as t:
            t.add(cls.root / "solutions/02-counter/counter.c", arcname="dave/counter.c")
        (c / "erin.rar").write_bytes(b"Rar!\x1a\x07\x00")
        with zipfile.ZipFile(c / os.fsdecode(b"caf\xe9.zip"), "w") as z:  # not a UTF-8 file name
            z.writestr("adder.c", ADDER_SOLUTION)
        (c / "README.txt").write_text("the class folder")
        cls.result = support.grade_cli("--batch", str(c), "--jobs", "2", "--out", str(cls.out))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, True)

    def test_every_row_is_there_with_its_status(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        rows = {row["submission"]: row for row in _rows(self.out)}
        self.assertEqual(list(rows), sorted(rows))  # sorted by name
        self.assertEqual(list(rows), ["Bob_Smith", "Bob_Smith-2", "alice", "alice-2", "bomb", "caf", "corrupt",
                                      "dave", "erin"])
        summary = {name: (row["status"], row["01-adder"], row["01-adder_status"], row["02-counter"],
                          row["02-counter_status"], row["total"]) for name, row in rows.items()}
        self.assertEqual(summary, {
            "alice": ("graded", "5", "graded", "4", "graded", "9"),
            "alice-2": ("graded", "0", "missing", "4", "graded", "4"),
            "Bob_Smith": ("graded", "0", "compile_error", "0", "missing", "0"),
            "Bob_Smith-2": ("graded", "5", "graded", "0", "missing", "5"),
            "bomb": ("bad_archive", "0", "bad_archive", "0", "bad_archive", "0"),
            "corrupt": ("bad_archive", "0", "bad_archive", "0", "bad_archive", "0"),
            "dave": ("graded", "0", "missing", "4", "graded", "4"),
            "erin": ("bad_archive", "0", "bad_archive", "0", "bad_archive", "0"),
            "caf": ("graded", "5", "graded", "0", "missing", "5"),
        })
        self.assertEqual(rows["caf"]["source"], "caf\ufffd.zip")
        self.assertIn("only; unpack it", rows["erin"]["notes"])
        for row in rows.values():
            self.assertEqual((row["01-adder_max"], row["02-counter_max"], row["max_total"]), ("5", "4", "9"))
        self.assertIn("more than 16 MiB", rows["bomb"]["notes"])
        self.assertIn("cannot be read", rows["corrupt"]["notes"])
        self.assertIn("does not compile", rows["Bob_Smith"]["notes"])
        self.assertIn("same name as alice.zip", rows["alice"]["notes"])
        self.assertEqual((rows["alice"]["source"], rows["alice-2"]["source"]), ("alice/", "alice.zip"))
        self.assertIn("[9/9]", self.result.stderr)
        if shutil.which("sim_c"):
            self.assertTrue((self.out / "similarity.html").exists())
            self.assertTrue((self.out / "similarity.csv").exists())
        self.assertIn("ETA", self.result.stderr)

    def test_every_student_has_a_folder_of_reports(self):
        for name in ("Bob_Smith", "Bob_Smith-2", "alice", "alice-2", "bomb", "caf", "corrupt", "dave", "erin"):
            for report in ("report.txt", "report.json", "junit.xml", "results.json"):
                self.assertTrue((self.out / "students" / name / report).exists(), (name, report))
        self.assertIn("does not compile", (self.out / "students/Bob_Smith/report.txt").read_text())
        self.assertNotIn("does not compile", (self.out / "students/Bob_Smith-2/report.txt").read_text())
        data = json.loads((self.out / "students/bomb/report.json").read_text())
        self.assertEqual(data["batch"]["status"], "bad_archive")
        self.assertEqual(data["labs"][0]["status"], "bad_archive")

    def test_collisions_are_reported(self):
        self.assertIn("alice/ and alice.zip would all be named alice: graded as alice, alice-2", self.result.stderr)
        self.assertIn("Bob Smith/ and Bob_Smith/", self.result.stderr)
        self.assertIn("ignored", self.result.stderr)
        data = json.loads((self.out / "grades.json").read_text())
        self.assertEqual(data["collisions"], [
            {"name": "Bob_Smith", "sources": ["Bob Smith/", "Bob_Smith/"], "graded_as": ["Bob_Smith", "Bob_Smith-2"]},
            {"name": "alice", "sources": ["alice/", "alice.zip"], "graded_as": ["alice", "alice-2"]}])
        self.assertEqual(data["ignored"], ["README.txt"])
        page = (self.out / "summary.html").read_text()
        self.assertIn("Needs attention", page)
        self.assertIn("alice/ and alice.zip would all be named alice", page)
        self.assertIn("bad_archive", page)
        self.assertIn("compile_error", page)

    def test_grades_json_holds_what_grades_csv_holds(self):
        data = json.loads((self.out / "grades.json").read_text())
        self.assertTrue(data["complete"])
        self.assertEqual([(lab["lab"], lab["max_score"]) for lab in data["labs"]],
                         [("01-adder", 5), ("02-counter", 4)])
        rows = _rows(self.out)
        self.assertEqual([e["submission"] for e in data["submissions"]], [r["submission"] for r in rows])
        for entry, row in zip(data["submissions"], rows):
            flat = {"submission": entry["submission"], "status": entry["status"], "total": f"{entry['score']:g}",
                    "max_total": f"{entry['max_score']:g}", "source": entry["source"], "notes": entry["notes"],
                    "late_penalty": f"{entry['late_penalty']:g}", "adjustments": f"{entry['adjustments']:g}",
                    "submitted_at": entry["submitted_at"]}
            for lab in entry["labs"]:
                flat.update({lab["lab"]: f"{lab['score']:g}", f"{lab['lab']}_max": f"{lab['max_score']:g}",
                             f"{lab['lab']}_status": lab["status"]})
            self.assertEqual(flat, row)
        by_name = {e["submission"]: e for e in data["submissions"]}
        self.assertEqual(by_name["alice-2"]["same_name_as"], ["alice/"])
        self.assertIn("does not compile", by_name["Bob_Smith"]["labs"][0]["message"])
        self.assertIn("cannot be read", by_name["corrupt"]["message"])

    def test_z_only_regrades_into_existing_results(self):
        """Named to run last: the regrade changes two rows."""
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        before = {row["submission"]: row for row in _rows(self.out)}
        graded_at = {e["submission"]: e["graded_at"]
                     for e in json.loads((self.out / "grades.json").read_text())["submissions"]}
        csv_before = (self.out / "grades.csv").read_text()

        unknown = support.grade_cli("--batch", str(self.classroom), "--out", str(self.out), "--only", "nobody")
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("no such submission", unknown.stderr)
        self.assertEqual((self.out / "grades.csv").read_text(), csv_before)

        stale = self.out / "students/Bob_Smith/logs/stale.txt"
        stale.write_text("from the first run")
        (self.classroom / "Bob Smith" / "adder.c").write_text(ADDER_SOLUTION)  # the student fixed it
        (self.classroom / "alice.zip").write_bytes(b"now broken")
        try:
            time.sleep(1.1)  # graded_at has a resolution of a second
            result = support.grade_cli("--batch", str(self.classroom), "--out", str(self.out), "--only", "Bob Smith",
                                       "--only", "alice-2", "--jobs", "2")
        finally:
            (self.classroom / "Bob Smith" / "adder.c").write_text(BROKEN_ADDER)
            with zipfile.ZipFile(self.classroom / "alice.zip", "w") as z:
                z.writestr("alice/labs/02-counter/counter.c", COUNTER_SOLUTION)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("[2/2]", result.stderr)
        after = {row["submission"]: row for row in _rows(self.out)}
        self.assertEqual(list(after), list(before))
        self.assertEqual((after["Bob_Smith"]["01-adder"], after["Bob_Smith"]["01-adder_status"]), ("5", "graded"))
        self.assertEqual(after["alice-2"]["status"], "bad_archive")
        for name in before:
            if name not in ("Bob_Smith", "alice-2"):
                self.assertEqual(after[name], before[name], name)
        self.assertFalse(stale.exists())  # the student's folder was rewritten
        self.assertNotIn("does not compile", (self.out / "students/Bob_Smith/report.txt").read_text())
        data = json.loads((self.out / "grades.json").read_text())
        now = {e["submission"]: e["graded_at"] for e in data["submissions"]}
        self.assertNotEqual(now["Bob_Smith"], graded_at["Bob_Smith"])
        self.assertEqual(now["alice"], graded_at["alice"])
        self.assertEqual(len(data["collisions"]), 2)
        self.assertIn("0/4 <small>bad_archive</small>", (self.out / "summary.html").read_text())


FAKE_GRADE = """
    import os, subprocess, sys, time
    name = sys.argv[sys.argv.index("--name") + 1]
    if name.startswith("crash"):
        print("Traceback (most recent call last):\\nRuntimeError: the grader broke", file=sys.stderr)
        sys.exit(1)
    if name.startswith("killed"):
        os.kill(os.getpid(), 9)
    if name.startswith("hang"):
        child = subprocess.Popen(["sleep", "300"], start_new_session=True)  # like a sandboxed run
        with open(os.environ["HANG_PIDS"], "a") as f:
            f.write(f"{child.pid}\\n")
        time.sleep(300)
    os.execv(sys.executable, [sys.executable, REAL, *sys.argv[1:]])
"""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class GraderFailures(unittest.TestCase):
    """The grader failing on one submission (its process crashes, is killed or hangs; the batch's
    own code raises) costs that row only; Ctrl-C still writes the class files."""

    def setUp(self):
        self.root = support.tree()
        self.base = Path(tempfile.mkdtemp(prefix="batch-failures-"))
        self.addCleanup(shutil.rmtree, self.base, True)
        self.fake = self.base / "fake-grade.py"
        self.fake.write_text(textwrap.dedent(FAKE_GRADE).replace("REAL", repr(str(self.root / "grade"))))
        self.pids = self.base / "hang-pids.txt"
        os.environ["HANG_PIDS"] = str(self.pids)
        self.classroom = self.base / "class"
        for name in ("crash", "good", "hang", "killed", "weird"):
            (self.classroom / name).mkdir(parents=True)
            (self.classroom / name / "adder.c").write_text(ADDER_SOLUTION)

    def tearDown(self):
        if self.pids.exists():
            for pid in self.pids.read_text().split():
                if _alive(int(pid)):
                    os.kill(int(pid), signal.SIGKILL)

    def test_each_failure_is_a_grader_error_row(self):
        from unittest import mock

        from grader import config

        labs = config.load_labs(self.root)
        render = batch.junit.render

        def junit_breaks_on_weird(report):
            if report.submission == "weird" and report.labs[0].status == "graded":
                raise ValueError("junit cannot render this")
            return render(report)

        run_grader = batch._run_grader

        def hang_gets_4_seconds(argv, limit, *rest):
            return run_grader(argv, 4 if argv[argv.index("--name") + 1] == "hang" else limit, *rest)

        out, stderr = self.base / "out", io.StringIO()
        with mock.patch.object(batch, "GRADE", self.fake), \
                mock.patch.object(batch, "_run_grader", hang_gets_4_seconds), \
                mock.patch.object(batch.junit, "render", junit_breaks_on_weird), contextlib.redirect_stderr(stderr):
            code = batch.run_batch(self.root, labs, labs, self.classroom, out, 3, 2)
        self.assertEqual(code, 0, stderr.getvalue())
        self.assertIn("[5/5]", stderr.getvalue())
        self.assertRegex(stderr.getvalue(), r"grade: hang: grader_error: grading took longer than [\d.]+ s")
        rows = {row["submission"]: row for row in _rows(out)}
        self.assertEqual(list(rows), ["crash", "good", "hang", "killed", "weird"])
        self.assertEqual(rows["good"]["status"], "graded")
        self.assertEqual(rows["good"]["total"], "5")
        for name in ("crash", "hang", "killed", "weird"):
            self.assertEqual((rows[name]["status"], rows[name]["01-adder_status"], rows[name]["total"]),
                             ("grader_error", "grader_error", "0"), name)
        self.assertIn("exited with status 1: RuntimeError: the grader broke", rows["crash"]["notes"])
        self.assertIn("grading took longer than", rows["hang"]["notes"])
        self.assertIn("killed by signal 9 (SIGKILL)", rows["killed"]["notes"])
        self.assertIn("ValueError: junit cannot render this", rows["weird"]["notes"])
        self.assertIn("the grader broke", (out / "students/crash/logs/grader-stderr.txt").read_text())
        for name in rows:
            self.assertTrue((out / "students" / name / "report.txt").exists(), name)
        self.assertIn("grader_error", (out / "summary.html").read_text())
        self.assertTrue(self.pids.exists())
        for pid in self.pids.read_text().split():
            self.assertFalse(_alive(int(pid)), "the hung grading's processes were not killed")

    def test_ctrl_c_writes_what_is_done_and_exits_130(self):
        out = self.base / "out"
        code = textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from grader import batch, cli
            batch.GRADE = Path({str(self.fake)!r})
            sys.exit(cli.main(["--batch", {str(self.classroom)!r}, "--out", {str(out)!r}, "--jobs", "1"]))
        """)
        env = dict(os.environ, PYTHONPATH=str(self.root))
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=self.root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not self.pids.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)  # crash and good are done, hang is running, killed and weird wait
        self.assertTrue(self.pids.exists(), "the hang submission never started")
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, stderr)
        self.assertIn("interrupted", stderr)
        rows = {row["submission"]: row for row in _rows(out)}
        self.assertEqual(list(rows), ["crash", "good", "hang", "killed", "weird"])
        self.assertEqual((rows["good"]["status"], rows["good"]["total"]), ("graded", "5"))
        self.assertEqual(rows["crash"]["status"], "grader_error")
        for name in ("hang", "killed", "weird"):
            self.assertEqual(rows[name]["status"], "grader_error")
            self.assertIn("interrupted", rows[name]["notes"])
        self.assertFalse(json.loads((out / "grades.json").read_text())["complete"])
        self.assertIn("interrupted", (out / "summary.html").read_text())
        for pid in self.pids.read_text().split():
            self.assertFalse(_alive(int(pid)), "the interrupted grading's processes were not killed")


if __name__ == "__main__":
    unittest.main()
