"""Grade one submission: for each lab, compile the student's files, check them, link the lab's
tests with them (and the reference for every other slot), run the tests in the sandbox, score."""

import datetime
import hashlib
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import VERSION, build, run, sandbox, scan
from grader.score import LabResult, Report, TestResult, all_failed
from grader.submission import SubmissionError


@dataclass
class Options:
    jobs: int = 2  # labs graded at the same time
    test_jobs: int = 2  # Criterion --jobs inside one lab
    log_dir: Path = None  # where each lab's log is kept (None: not kept)
    sanitizer: bool = False  # an AddressSanitizer build: no address-space limit
    max_runs: int = run.MAX_RUNS  # runs of a failing test before it counts as failed


def grade_submission(shared, labs, source, options):
    """Grade `source` (a submission.Source) on `labs`. Never raises for the student's faults."""
    start = time.monotonic()
    manifest = shared.ensure()
    work = Path(tempfile.mkdtemp(prefix="winsync-grade-"))
    os.chmod(work, 0o711)  # the sandboxed uid must reach its run folder, and nothing else
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(options.jobs, len(labs)))) as pool:
            results = list(pool.map(lambda lab: _grade_lab(shared, manifest, labs, lab, source, work, options),
                                    labs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Report(submission=source.name, labs=results, seconds=round(time.monotonic() - start, 2),
                  graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  grader_version=VERSION)


def _grade_lab(shared, manifest, labs, lab, source, work, options):
    start = time.monotonic()
    result = LabResult(number=lab.number, slug=lab.slug, title=lab.title, folder=lab.folder,
                       tests=[TestResult(id=t.id, points=t.points, hidden=t.hidden, section=t.section)
                              for t in lab.tests])
    lab_work = work / lab.folder
    (lab_work / "src").mkdir(parents=True)
    (lab_work / "bin").mkdir()
    log_path = lab_work / "log.txt"
    log_path.touch()
    try:
        _build_and_run(shared, manifest, labs, lab, source, lab_work, log_path, result, options)
    except SubmissionError as error:
        result.status, result.message = "missing", str(error)
    except scan.ScanError as error:
        result.status, result.message = "rejected", str(error)
    except build.BuildError as error:
        result.status, result.message = getattr(error, "status", "build_error"), str(error)
    if result.status != "graded":
        all_failed(result, "not_run", result.message.splitlines()[0])
        with open(log_path, "a") as log:
            log.write(f"\n{result.message}\n")
    if options.log_dir:
        options.log_dir.mkdir(parents=True, exist_ok=True)
        kept = options.log_dir / f"{lab.folder}.log"
        _copy_capped(log_path, kept)
        result.log = str(kept)
    result.seconds = round(time.monotonic() - start, 2)
    return result


def _build_and_run(shared, manifest, labs, lab, source, lab_work, log_path, result, options):
    info = manifest["labs"].get(lab.key)
    if info is None or info.get("error"):
        raise build.BuildError(info["error"] if info else f"lab {lab.key} is not in the grader's build")
    # The student's files first, then the grader's lab folder around them: a submission can only
    # provide the files it owns, and never replaces a given header or test.
    src = lab_work / "src"
    for name in lab.student_files:
        shutil.copyfile(source.find(lab, name), src / name)
    given = Path(manifest["src"]) / "labs" / lab.folder
    for path in given.iterdir():
        if path.is_file() and path.name not in lab.student_files:
            shutil.copyfile(path, src / path.name)

    objects = _compile_cached(shared, manifest, lab, src, lab_work / "bin", log_path)
    for obj in objects.values():
        scan.check(obj, Path(obj).name.removesuffix(".o"), set(info["owned"]), set(info["forbidden"]))
    substitutions = dict(objects)
    for other in labs:
        if other.key == lab.key or other.key not in manifest["labs"]:
            continue
        for file_info in manifest["labs"][other.key]["files"].values():
            if file_info["reference"] and file_info["compile"]:
                substitutions[file_info["compile"]["output"]] = file_info["reference"]
    try:
        binary = build.link_lab(manifest, lab, substitutions, lab_work / "bin")
    except build.BuildError as error:
        error.status = "link_error"
        raise
    run_dir = lab_work / "run"
    run_dir.mkdir()
    limits = sandbox.Limits(address_space=0 if options.sanitizer else sandbox.Limits.address_space)
    by_id = {t.id: t for t in result.tests}
    note = run.run_tests(binary, lab, by_id, run_dir, log_path, limits, options.test_jobs,
                         options.max_runs)
    for test in result.tests:
        test.message = tidy_paths(test.message, manifest["src"])
    if note:
        result.message = note


def tidy_paths(message, src):
    """Paths in messages relative to the tree, not to the grader's cache ("a/../b" as "b")."""
    message = re.sub(r"(?:\.\./)*(?:\.\.)?" + re.escape(src + "/"), "", message)
    return re.sub(r"(?<![\w.])[\w-]+/\.\./", "", message)


def _compile_cached(shared, manifest, lab, src, out_dir, log_path):
    """Compile the student's files, reusing the objects of identical sources."""
    digest = hashlib.sha256(f"{manifest['key']}/{lab.key}".encode())
    for path in sorted(src.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    cached = shared.dir / "objects" / digest.hexdigest()[:24]
    if not (cached / "done").exists():
        staging = Path(tempfile.mkdtemp(dir=shared.dir, prefix="objects-"))
        try:
            objects, log = build.compile_student(manifest, lab, src, staging)
        except build.BuildError as error:
            error.status = "compile_error"
            shutil.rmtree(staging, ignore_errors=True)
            raise
        except Exception:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        (staging / "compile.log").write_text(log)
        (staging / "done").write_text("\n".join(f"{k}\t{Path(v).name}" for k, v in objects.items()))
        cached.parent.mkdir(exist_ok=True)
        try:
            staging.rename(cached)
        except OSError:  # another grader process stored the same objects first
            shutil.rmtree(staging, ignore_errors=True)
    with open(log_path, "a") as log:
        log.write((cached / "compile.log").read_text())
    objects = {}
    for line in (cached / "done").read_text().splitlines():
        reference, name = line.split("\t")
        shutil.copyfile(cached / name, out_dir / name)
        objects[reference] = str(out_dir / name)
    return objects


def _copy_capped(source, target, limit=256 << 10):
    """Keep the start and the end of a log that may be huge."""
    size = source.stat().st_size
    with open(source, "rb") as f, open(target, "wb") as out:
        if size <= limit:
            out.write(f.read())
        else:
            out.write(f.read(limit // 2))
            out.write(f"\n\n[... {size - limit} bytes cut ...]\n\n".encode())
            f.seek(size - limit // 2)
            out.write(f.read())
