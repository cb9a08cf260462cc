"""Grade a class: every subfolder or archive of a folder is one submission.

Each submission is graded by its own `grade --submission` process (its own session, its own
failure domain), N at a time, after the shared build is made once. Writes, under OUT:
students/<name>/{report.txt,report.json,junit.xml,results.json,logs/} and the class files
(grades.csv, grades.json, summary.html, the LMS files: classfiles.py), then similarity.html and
similarity.csv (similarity.py). `--shard K/N` grades the K-th of N shares of the class, for
`grade merge` (merge.py) to combine.

One submission's trouble costs only its own row: an archive that cannot be read, is too big or
holds encrypted members is a `bad_archive` row, a folder that cannot be read a `bad_folder` row,
and any failure of the grader on it (an exception, a crash or a timeout of its process) a
`grader_error` row, each with a message. The three class files are written at the end in every
case, also after Ctrl-C (with what was graded so far; exit status 130). Submissions whose names
would be the same (`alice/` and `alice.zip`) are made unique in sorted order (`alice`,
`alice-2`) and reported. `--only NAME` regrades some submissions into an existing OUT and
rebuilds the class files from every students/*/report.json there.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from grader import build, classfiles, policy, run, sandbox, similarity
from grader.progress import Progress, SubmissionBoard, clock
from grader.report import gradescope, junit, text
from grader.score import failed_report, report_from_dict, report_to_dict
from grader.submission import MAX_FILE_SIZE

ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
UNSUPPORTED = (".rar", ".7z", ".tar.zst", ".zst", ".gz", ".bz2", ".xz", ".lz", ".cab")
MAX_MEMBERS = 2000  # members of one archive examined, at most
MAX_EXTRACTED = 16 << 20  # bytes of student files extracted from one archive, at most
MAX_UNPACKED = 256 << 20  # bytes of all the members of one archive (as declared), at most
GRADE = Path(os.path.abspath(__file__)).parent.parent / "grade"
INTERRUPTED = "not graded: the batch was interrupted (Ctrl-C); grade it again with --only"


class ArchiveError(Exception):
    """The archive cannot be used; the message says why and what to do."""


@dataclass
class ClassOptions:
    """What the class files are made with besides the reports: the course policy, the manual
    adjustments, the roster and the LMS formats to write, and the shard this run grades."""
    course: policy.Course = None  # None: no course.toml
    adjustments: tuple = ()
    adjustments_source: str = ""
    roster: list = None  # lms.Student, or None
    formats: tuple = ()  # of lms.FORMATS
    shard: tuple = None  # (K, N): this run grades the K-th of N parts
    similarity: bool = True  # write similarity.html and .csv after an unsharded batch


@dataclass
class Submission:
    path: Path  # the folder or archive in the class folder
    base: str  # the name made from its file name
    kind: str  # folder | archive | unsupported
    name: str = ""  # base, made unique in the class: the folder under students/
    same_name: tuple = ()  # the file names of the other submissions with the same base


# ---- Finding the submissions ------------------------------------------------------------------


def discover(folder, skip=()):
    """The submissions in folder, in sorted order, with unique names; and the entries ignored."""
    found, ignored = [], []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith(".") or path.resolve() in skip:
            continue
        lower = path.name.lower()
        if path.is_dir():
            found.append(Submission(path, _safe_name(path.name), "folder"))
        elif path.is_file() and lower.endswith(ARCHIVES + UNSUPPORTED):
            suffix = next(s for s in ARCHIVES + UNSUPPORTED if lower.endswith(s))
            kind = "archive" if suffix in ARCHIVES else "unsupported"
            found.append(Submission(path, _safe_name(path.name[:-len(suffix)]), kind))
        else:
            ignored.append(path.name)
    _make_unique(found)
    return found, ignored


def _safe_name(name):
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", name).strip("._") or "submission"


def _make_unique(submissions):
    """The first submission (in sorted order) of each name keeps it; the others get -2, -3...
    Names are compared without case, so that they stay distinct folders on any file system."""
    taken, groups = set(), {}
    for sub in submissions:
        groups.setdefault(sub.base.lower(), []).append(sub)
        if sub.base.lower() not in taken:
            taken.add(sub.base.lower())
            sub.name = sub.base
    for sub in submissions:
        if not sub.name:
            number = 2
            while f"{sub.base}-{number}".lower() in taken:
                number += 1
            sub.name = f"{sub.base}-{number}"
            taken.add(sub.name.lower())
    for group in groups.values():
        for sub in group:
            sub.same_name = tuple(_shown(other) for other in group if other is not sub)


def collisions(submissions):
    """[{name, sources, graded_as}] for every name that more than one submission would have."""
    groups = {}
    for sub in submissions:
        if sub.same_name:
            groups.setdefault(sub.base.lower(), []).append(sub)
    return [{"name": group[0].base, "sources": [_shown(s) for s in group], "graded_as": [s.name for s in group]}
            for group in groups.values()]


def _shown(sub):
    return _display(sub.path.name) + ("/" if sub.kind == "folder" else "")


def _display(text_):
    """Text that can be written as UTF-8: a file name that is not valid UTF-8 gets U+FFFD."""
    return text_.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shard(submissions, part, parts):
    """The part-th (1-based) of parts deterministic shares of the class: every parts-th
    submission in sorted order, so that each share gets as many as the others, give or take one."""
    return [sub for index, sub in enumerate(submissions) if index % parts == part - 1]


def select(submissions, wanted):
    """The submissions named by --only (made-unique name, or folder/archive name); and the unknown."""
    chosen, unknown = [], []
    for name in wanted:
        name = name.rstrip("/")
        name = name.rsplit("/", 1)[-1]
        hits = [s for s in submissions if name in (s.name, s.path.name)]
        if not hits:
            unknown.append(name)
        chosen += [s for s in hits if s not in chosen]
    return chosen, unknown


# ---- Unpacking an archive ---------------------------------------------------------------------


def _zip_methods():
    methods = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    for method, module in ((zipfile.ZIP_BZIP2, "bz2"), (zipfile.ZIP_LZMA, "lzma")):
        try:
            __import__(module)
            methods.add(method)
        except ImportError:
            pass
    return methods


class _Budget:
    """What one archive may cost: members examined, their declared size, the bytes extracted."""

    def __init__(self, archive):
        self.archive, self.members, self.declared, self.extracted = archive, 0, 0, 0

    def member(self, size):
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise ArchiveError(f"{self.archive.name} holds more than {MAX_MEMBERS} files: submit only the lab "
                               "files (no build folder, no .git).")
        self.declared += max(0, size)
        if self.declared > MAX_UNPACKED:
            raise ArchiveError(f"{self.archive.name} unpacks to more than {MAX_UNPACKED >> 20} MiB: submit only "
                               "the lab files (no build folder, no .git).")

    def extract(self, size):
        self.extracted += size
        if self.extracted > MAX_EXTRACTED:
            raise ArchiveError(f"{self.archive.name}: its student files add up to more than "
                               f"{MAX_EXTRACTED >> 20} MiB; submit each lab file once.")


def _acceptable(name, wanted):
    path = PurePosixPath(name)
    return path.name in wanted and not path.is_absolute() and ".." not in path.parts


def _write(into, name, data):
    target = into.joinpath(*PurePosixPath(name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def unpack(archive, wanted, into):
    """Extract only regular files named like a student file, with safe relative paths, within the
    limits (MAX_MEMBERS, MAX_UNPACKED, MAX_EXTRACTED). Raises ArchiveError."""
    archive, into = Path(archive), Path(into)
    budget = _Budget(archive)
    try:
        if archive.name.lower().endswith(".zip"):
            _unpack_zip(archive, wanted, into, budget)
        else:
            _unpack_tar(archive, wanted, into, budget)
    except ArchiveError:
        raise
    except Exception as error:  # BadZipFile, TarError, zlib/lzma errors, EOFError, OSError...
        raise ArchiveError(f"{archive.name} cannot be read ({type(error).__name__}: {error}); ask for a new "
                           "archive, or unpack it yourself into a folder of the class folder.") from error
    return into


def _unpack_zip(archive, wanted, into, budget):
    methods = _zip_methods()
    with zipfile.ZipFile(archive) as z:
        infos = z.infolist()
        for info in infos:  # the count and the declared sizes, before anything is decompressed
            budget.member(info.file_size)
        for info in infos:
            name = info.filename.replace("\\", "/")
            kind = (info.external_attr >> 16) & 0o170000
            if info.is_dir() or kind not in (0, 0o100000) or not _acceptable(name, wanted):
                continue  # 0: made where files have no Unix mode; anything else is not a regular file
            if info.flag_bits & 0x1:
                raise ArchiveError(f"{archive.name}: {name} is encrypted; submit an archive without a password.")
            if info.compress_type not in methods:
                raise ArchiveError(f"{archive.name}: {name} uses compression method {info.compress_type}, which "
                                   "the grader cannot read; submit an ordinary (deflate) zip.")
            if info.file_size > MAX_FILE_SIZE:
                continue
            with z.open(info) as member:
                data = member.read(MAX_FILE_SIZE + 1)
            if len(data) > MAX_FILE_SIZE:
                continue
            budget.extract(len(data))
            _write(into, name, data)


def _unpack_tar(archive, wanted, into, budget):
    with tarfile.open(archive, "r:*") as t:
        for member in t:  # one at a time: a compressed tar is read as a stream
            budget.member(member.size)
            if not member.isreg() or member.size > MAX_FILE_SIZE or not _acceptable(member.name, wanted):
                continue
            data = t.extractfile(member).read(MAX_FILE_SIZE + 1)
            if len(data) > MAX_FILE_SIZE:
                continue
            budget.extract(len(data))
            _write(into, member.name, data)


# ---- Grading one submission -------------------------------------------------------------------


def _time_limit(chosen, test_jobs):
    """Seconds one submission's grading may take before its process is stopped."""
    try:
        return sum(run.wall_limit(lab.tests, test_jobs) * run.MAX_RUNS for lab in chosen) + 300
    except Exception:  # the runner's limits changed: a generous bound rather than none
        return 600.0 * max(1, len(chosen))


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def _kill_tree(pid):
    """SIGKILL a child that has not been reaped yet, its process group and all its descendants
    (stopped first, so that none can fork while the tree is walked)."""
    seen = set()
    for _ in range(20):
        new = ({pid} | set(sandbox.descendants(pid))) - seen
        if not new:
            break
        for victim in new:
            _signal(victim, signal.SIGSTOP)
        seen |= new
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    for victim in seen:
        _signal(victim, signal.SIGKILL)


def _run_grader(argv, limit, stderr_path, stop):
    """Run one `grade --submission` in its own session: (exit status, how it ended)."""
    if stop.is_set():
        return None, "interrupted"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    deadline = time.monotonic() + limit
    while True:
        code = proc.poll()
        if code is not None:
            return code, "exited"
        if stop.is_set() or time.monotonic() >= deadline:
            _kill_tree(proc.pid)  # only this thread reaps proc, so its pid is still its own here
            proc.wait()
            return proc.returncode, "interrupted" if stop.is_set() else "timeout"
        stop.wait(0.1)


def _signal_name(number):
    try:
        return f" ({signal.Signals(number).name})"
    except ValueError:
        return ""


def _last_line(text_):
    lines = [line.strip() for line in text_.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _inherited_args():
    """Options of this process that each submission's process must have too."""
    return ["--unsafe-no-sandbox"] if sandbox.mode() == "unsafe" else []


def _grade_submission(root, labs, chosen, sub, student_dir, test_jobs, stop, grade_args=()):
    """(report or None, status, message) for one submission; the report is None when it failed."""
    if stop.is_set():
        return None, "grader_error", INTERRUPTED
    if sub.kind == "unsupported":
        return None, "bad_archive", (f"{sub.path.name}: the grader reads .zip, .tar, .tar.gz, .tar.bz2 and "
                                     ".tar.xz archives only; unpack it into a folder of the class folder.")
    wanted = {f for lab in labs for f in lab.student_files}
    with tempfile.TemporaryDirectory(prefix="winsync-batch-") as scratch:
        scratch = Path(scratch)
        if sub.kind == "archive":
            folder = scratch / "files"
            folder.mkdir()
            try:
                unpack(sub.path, wanted, folder)
            except ArchiveError as error:
                return None, "bad_archive", str(error)
        else:
            folder = sub.path
            try:
                os.listdir(folder)
            except OSError as error:
                return None, "bad_folder", f"{sub.path.name}/ cannot be read: {error}"
        report_json = student_dir / "report.json"
        limit = _time_limit(chosen, test_jobs)
        argv = [sys.executable, str(GRADE), "--root", str(root), "--submission", str(folder), "--name", sub.name,
                "--format", "json", "--out", str(report_json), "--log-dir", str(student_dir / "logs"),
                "--jobs", "1", "--test-jobs", str(test_jobs), "--quiet", *_inherited_args(), *grade_args,
                *[lab.key for lab in chosen]]
        code, how = _run_grader(argv, limit, scratch / "stderr.txt", stop)
        stderr = (scratch / "stderr.txt").read_bytes()[-20000:].decode(errors="replace")
    if how == "interrupted":
        return None, "grader_error", INTERRUPTED
    if how == "timeout" or code != 0 or not report_json.exists():
        _keep(student_dir / "logs" / "grader-stderr.txt", stderr)
        if how == "timeout":
            return None, "grader_error", f"grading took longer than {limit:g} s and was stopped"
        if code != 0:
            ended = (f"was killed by signal {-code}{_signal_name(-code)}" if code < 0
                     else f"exited with status {code}")
            detail = _last_line(stderr)
            return None, "grader_error", (f"the grader's process for this submission {ended}"
                                          + (f": {detail}" if detail else "") + " (logs/grader-stderr.txt)")
        return None, "grader_error", "the grader's process for this submission wrote no report"
    try:
        report = report_from_dict(json.loads(report_json.read_text()))
    except Exception as error:
        return None, "grader_error", f"the grader's report cannot be read ({type(error).__name__}: {error})"
    report.submission = sub.name
    return report, "graded", ""


def _keep(path, content):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    except OSError:
        pass


def _submitted(sub, labs):
    when, where = policy.submission_time(sub.path, sub.kind, {f for lab in labs for f in lab.student_files})
    return (when.isoformat() if when else ""), where


def _write_student(student_dir, report, sub, status, message, labs=()):
    data = report_to_dict(report)
    submitted_at, submitted_from = _submitted(sub, labs)
    data["batch"] = {"name": sub.name, "source": _shown(sub), "status": status, "message": message,
                     "same_name": list(sub.same_name), "submitted_at": submitted_at,
                     "submitted_from": submitted_from}
    student_dir.mkdir(parents=True, exist_ok=True)
    (student_dir / "report.json").write_text(json.dumps(data, indent=2) + "\n")
    (student_dir / "report.txt").write_text(text.render(report))
    (student_dir / "junit.xml").write_text(junit.render(report))
    (student_dir / "results.json").write_text(gradescope.render(report))


def _grade_one(root, labs, chosen, sub, student_dir, test_jobs, stop, grade_args=(), board=None):
    """(report, status, message) of one submission. Never raises: whatever goes wrong is its row."""
    if board:
        board.started()
    try:
        if student_dir.exists():
            shutil.rmtree(student_dir)  # a regrade rewrites the folder: no stale logs
        student_dir.mkdir(parents=True)
        report, status, message = _grade_submission(root, labs, chosen, sub, student_dir, test_jobs, stop,
                                                    grade_args)
        message = _display(message)
        if report is None:
            report = failed_report(sub.name, chosen, status, message)
        _write_student(student_dir, report, sub, status, message, labs)
    except Exception as error:
        status = "grader_error"
        message = _display(f"the grader failed on this submission ({type(error).__name__}: {error})")
        report = failed_report(sub.name, chosen, status, message)
        try:
            _write_student(student_dir, report, sub, status, message, labs)
        except Exception:
            pass
    if board:
        board.ended(sub.name, report.score, report.max_score, status)
    return report, status, message


# ---- The command ------------------------------------------------------------------------------


def run_batch(root, labs, chosen, folder, out, jobs, test_jobs, only=None, grade_args=(), options=None,
              progress=None):
    """Grade the class folder into out (or, with only, the submissions it names; with
    options.shard, its share); returns the exit status: 0, 2 (nothing to grade), 1 (a class file
    could not be written) or 130 (Ctrl-C). grade_args: more options for each submission's
    `grade --submission` process; options: a ClassOptions; progress: a progress.Progress (default:
    on stderr), for the build and the count of submissions in flight and done."""
    folder, out = Path(folder), Path(out)
    options = options or ClassOptions()
    progress = progress or Progress()
    if not folder.is_dir():
        print(f"grade: --batch {folder}: not a folder of submissions.", file=sys.stderr)
        return 2
    submissions, ignored = discover(folder, skip={out.resolve()})
    if not submissions:
        print(f"grade: no submissions in {folder}: put one subfolder or archive (.zip, .tar.gz) per "
              "student there.", file=sys.stderr)
        return 2
    todo = submissions
    if only:
        todo, unknown = select(submissions, only)
        if unknown:
            names = ", ".join(s.name for s in submissions[:30]) + (", ..." if len(submissions) > 30 else "")
            print(f"grade: --only {', '.join(unknown)}: no such submission in {folder} (they are: {names}).",
                  file=sys.stderr)
            return 2
        if not (out / "students").is_dir():
            print(f"grade: {out} holds no earlier results: the class files will hold only the regraded "
                  "submissions.", file=sys.stderr)
    if options.shard:
        todo = shard(submissions, *options.shard)
        # The LMS files, the roster's checks and the similarity need the whole class: `grade merge`.
        options = replace(options, formats=(), similarity=False)
    else:
        known = {sub.name for sub in submissions} | {s.student_id for s in options.roster or ()}
        policy.check_students(options.adjustments, known, options.adjustments_source)
    collided = collisions(submissions)
    for group in collided:
        print(f"grade: {' and '.join(group['sources'])} would all be named {group['name']}: graded as "
              f"{', '.join(group['graded_as'])}.", file=sys.stderr)
    for name in ignored:
        print(f"grade: ignored {folder / name}: not a folder or an archive.", file=sys.stderr)

    build.SharedBuild(root, labs, jobs=2, progress=progress, status=progress.show).ensure()
    (out / "students").mkdir(parents=True, exist_ok=True)
    start, stop = time.monotonic(), threading.Event()
    results, futures, interrupted = {}, {}, False
    board = SubmissionBoard(progress, len(todo))
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        with progress.live(board.render):
            for sub in todo:
                futures[pool.submit(_grade_one, root, labs, chosen, sub, out / "students" / sub.name, test_jobs,
                                    stop, tuple(grade_args), board)] = sub
            for future in as_completed(futures):
                results[futures[future].name] = future.result()
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        print(f"grade: interrupted; stopping the submissions being graded and writing the grades of the "
              f"{len(results)} done.", file=sys.stderr, flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for future, sub in futures.items():
        if sub.name not in results and future.done() and not future.cancelled():
            results[sub.name] = future.result()  # _grade_one never raises
    for sub in todo:
        if sub.name not in results:  # never started: its row says so, and --only can grade it
            report = failed_report(sub.name, chosen, "grader_error", INTERRUPTED)
            results[sub.name] = (report, "grader_error", INTERRUPTED)
            try:
                (out / "students" / sub.name).mkdir(parents=True, exist_ok=True)
                _write_student(out / "students" / sub.name, report, sub, "grader_error", INTERRUPTED, labs)
            except Exception:
                pass

    by_name = {sub.name: sub for sub in submissions}
    if only:
        names = {p.name for p in (out / "students").iterdir() if (p / "report.json").is_file()}
        names |= {sub.name for sub in todo}
    else:
        names = {sub.name for sub in todo}
    rows = [classfiles.load_row(out, name, chosen, by_name.get(name)) for name in sorted(names)]
    problems = classfiles.write(out, rows, collided, ignored, not interrupted, options)
    for problem in problems:
        print(f"grade: {problem}", file=sys.stderr)
    if options.similarity and not interrupted:  # without sim_c: said, but the grades are complete
        for problem in similarity.write(root, chosen, folder, out):
            print(f"grade: {problem}", file=sys.stderr)
    trouble = [row for row in rows if row.status != "graded"]
    for row in trouble:
        print(f"grade: {row.name}: {row.status}: {classfiles.summary(row.message)}", file=sys.stderr)
    graded = sum(1 for _, _, message in results.values() if message != INTERRUPTED)
    done = f"regraded {', '.join(s.name for s in todo)}" if only else f"graded {graded} submissions"
    part = f" (shard {options.shard[0]}/{options.shard[1]})" if options.shard else ""
    print(f"{done}{part} in {clock(time.monotonic() - start)}: {out / 'grades.csv'} ({len(rows)} rows"
          + (f", {len(trouble)} not graded" if trouble else "") + f"), {out / 'summary.html'}", file=sys.stderr)
    return 130 if interrupted else 1 if problems else 0
