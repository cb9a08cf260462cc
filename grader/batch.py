"""Grade a class: every subfolder or archive of a folder is one submission.

Each submission is graded by its own `grade --submission` process (its own subreaper, its own
failure domain), N at a time, after the shared build is made once. Writes, under OUT:
students/<name>/{report.txt,report.json,junit.xml,results.json,logs/}, grades.csv, grades.json
and summary.html (score distribution per lab, pass rate of every test; viewable offline).
"""

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from grader import build, run
from grader.report import csv_report, gradescope, html, junit, text
from grader.score import LabResult, Report, TestResult, report_from_dict
from grader.submission import MAX_FILE_SIZE

ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")
GRADE = Path(os.path.abspath(__file__)).parent.parent / "grade"


def discover(folder):
    """(name, path) of every submission in folder, by name."""
    found = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            found.append((_safe_name(path.name), path))
        elif path.name.endswith(ARCHIVES):
            stem = path.name
            for suffix in ARCHIVES:
                stem = stem.removesuffix(suffix)
            found.append((_safe_name(stem), path))
    return found


def _safe_name(name):
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", name).strip("._") or "submission"


def unpack(archive, wanted, into):
    """Extract only regular files named like a student file, with safe relative paths."""
    def accept(name, size):
        parts = Path(name).parts
        return (Path(name).name in wanted and not Path(name).is_absolute() and ".." not in parts
                and size <= MAX_FILE_SIZE)

    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                mode = info.external_attr >> 16
                is_link = (mode & 0o170000) == 0o120000
                if not info.is_dir() and not is_link and accept(info.filename, info.file_size):
                    target = into / info.filename
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(info))
    else:
        with tarfile.open(archive) as t:
            for member in t.getmembers():
                if member.isreg() and accept(member.name, member.size):
                    target = into / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(t.extractfile(member).read())
    return into


def _failed_report(name, labs, message):
    """A report for a submission the grader could not grade (it still gets a row)."""
    report = Report(submission=name)
    for lab in labs:
        result = LabResult(number=lab.number, slug=lab.slug, title=lab.title, folder=lab.folder,
                           status="build_error", message=message,
                           tests=[TestResult(id=t.id, points=t.points, hidden=t.hidden, section=t.section,
                                             message=message) for t in lab.tests])
        report.labs.append(result)
    return report


def _grade_one(root, labs, chosen, name, path, student_dir, test_jobs):
    wanted = {f for lab in labs for f in lab.student_files}
    with tempfile.TemporaryDirectory(prefix="winsync-batch-") as scratch:
        folder = path if path.is_dir() else unpack(path, wanted, Path(scratch))
        report_json = student_dir / "report.json"
        argv = [sys.executable, str(GRADE), "--root", str(root), "--submission", str(folder), "--name", name,
                "--format", "json", "--out", str(report_json), "--log-dir", str(student_dir / "logs"),
                "--jobs", "1", "--test-jobs", str(test_jobs), *[lab.key for lab in chosen]]
        limit = sum(run.wall_limit(lab.tests, test_jobs) * run.MAX_RUNS for lab in chosen) + 300
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=limit)
            problem = "" if done.returncode == 0 else done.stderr.strip()[-2000:]
        except subprocess.TimeoutExpired:
            problem = f"grading took longer than {limit:g} s and was stopped"
        except OSError as error:
            problem = str(error)
    if problem or not report_json.exists():
        report = _failed_report(name, chosen, f"the grader failed on this submission: {problem}")
        report_json.write_text(json.dumps({"error": problem}))
    else:
        report = report_from_dict(json.loads(report_json.read_text()))
    (student_dir / "report.txt").write_text(text.render(report))
    (student_dir / "junit.xml").write_text(junit.render(report))
    (student_dir / "results.json").write_text(gradescope.render(report))
    return report


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def run_batch(root, labs, chosen, folder, out, jobs, test_jobs):
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        print(f"grade: --batch {folder}: not a folder of submissions.", file=sys.stderr)
        return 2
    submissions = discover(folder)
    if not submissions:
        print(f"grade: no submissions in {folder}: put one subfolder or archive (.zip, .tar.gz) per "
              "student there.", file=sys.stderr)
        return 2
    build.SharedBuild(root, labs, jobs=2, progress=lambda m: print(m, file=sys.stderr)).ensure()
    out.mkdir(parents=True, exist_ok=True)
    start, reports, tty = time.monotonic(), [], sys.stderr.isatty()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {}
        for name, path in submissions:
            student_dir = out / "students" / name
            student_dir.mkdir(parents=True, exist_ok=True)
            futures[pool.submit(_grade_one, root, labs, chosen, name, path, student_dir, test_jobs)] = name
        for done, future in enumerate(as_completed(futures), start=1):
            report = future.result()
            reports.append(report)
            elapsed = time.monotonic() - start
            eta = elapsed / done * (len(submissions) - done)
            line = (f"[{done}/{len(submissions)}] {futures[future]}: {report.score:g}/{report.max_score:g}"
                    f"  elapsed {_clock(elapsed)}  ETA {_clock(eta)}")
            print(("\r\033[K" if tty else "") + line, end="" if tty else "\n", file=sys.stderr, flush=True)
    if tty:
        print(file=sys.stderr)
    reports.sort(key=lambda r: r.submission)
    (out / "grades.csv").write_text(csv_report.render_many(reports))
    (out / "grades.json").write_text(json.dumps([{"submission": r.submission, "score": r.score,
                                                  "max_score": r.max_score} for r in reports], indent=1))
    (out / "summary.html").write_text(html.render_summary(reports))
    print(f"graded {len(reports)} submissions in {_clock(time.monotonic() - start)}: "
          f"{out / 'grades.csv'}, {out / 'summary.html'}", file=sys.stderr)
    return 0
