"""Grade one submission: for each lab, compile the student's files, check them, link the lab's
tests with them (and the reference for every other slot), run the tests in the sandbox, score."""

import contextlib
import datetime
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import VERSION, build, integrity, run, sandbox, scan
from grader.progress import LabBoard
from grader.score import LabResult, Report, TestResult, all_failed
from grader.submission import SubmissionError


@dataclass
class Options:
    jobs: int = 2  # labs graded at the same time
    test_jobs: int = 2  # Criterion --jobs inside one lab
    log_dir: Path = None  # where each lab's log is kept (None: not kept)
    sanitizer: bool = False  # an AddressSanitizer build: no address-space limit
    max_runs: int = run.MAX_RUNS  # runs of a failing test before it counts as failed
    confirm: bool = False  # run every passing test once more in a fresh sandbox
    compile_seconds: float = 30.0  # wall-clock (and CPU) limit of one compile
    memory: int = sandbox.Limits.memory  # bytes for a whole test run, all its processes together
    progress: object = None  # a progress.Progress: each lab as it starts and ends (None: silent)


def grade_submission(shared, labs, source, options):
    """Grade `source` (a submission.Source) on `labs`. Never raises for the student's faults;
    a fault of the grader itself becomes a `grader_error` lab, never a missing report."""
    start = time.monotonic()
    sandbox.require()
    manifest = shared.ensure()
    sandbox.hidden_paths.update({str(shared.root), str(build.cache_root())})
    work = Path(tempfile.mkdtemp(prefix="winsync-grade-"))
    os.chmod(work, 0o711)  # the sandboxed uid must reach its own folders, and list nothing
    board = LabBoard(options.progress, labs) if options.progress else None
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(options.jobs, len(labs)))) as pool, \
                (options.progress.live(board.render) if board else contextlib.nullcontext()):
            results = list(pool.map(lambda lab: _grade_lab(shared, manifest, lab, source, work, options, board),
                                    labs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Report(submission=source.name, labs=results, seconds=round(time.monotonic() - start, 2),
                  graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  grader_version=VERSION)


def _grade_lab(shared, manifest, lab, source, work, options, board=None):
    if board:
        board.started(lab)
    start = time.monotonic()
    result = LabResult(number=lab.number, slug=lab.slug, title=lab.title, folder=lab.folder,
                       tests=[TestResult(id=t.id, points=t.points, hidden=t.hidden, section=t.section)
                              for t in lab.tests])
    lab_work = work / f"{lab.key}-{secrets.token_hex(4)}"  # not guessable by another run
    lab_work.mkdir()
    log_path = lab_work / "log.txt"
    log_path.touch()
    try:
        _build_and_run(shared, manifest, lab, source, lab_work, log_path, result, options)
    except SubmissionError as error:
        result.status, result.message = "missing", str(error)
    except scan.ScanError as error:
        result.status, result.message = "rejected", str(error)
    except build.BuildError as error:
        result.status, result.message = getattr(error, "status", "build_error"), str(error)
    except integrity.Tampered as error:
        result.status, result.message = "tampered", f"the results of this lab cannot be trusted: {error}"
    except Exception:  # the grader's own fault: say so in the report, keep grading the others
        result.status = "grader_error"
        result.message = "the grader failed on this lab (not the student's fault): " + \
            traceback.format_exc(limit=3).strip().splitlines()[-1]
        with open(log_path, "a") as log:
            log.write(traceback.format_exc())
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
    if board:
        board.ended(lab, result)
    return result


def _build_and_run(shared, manifest, lab, source, lab_work, log_path, result, options):
    info = manifest["labs"].get(lab.key)
    if info is None or info.get("error"):
        raise build.BuildError(info["error"] if info else f"lab {lab.key} is not in the grader's build")
    # Only the student's declared files, then the lab's given headers around them: a submission
    # can provide nothing else, and never replaces a given header or test.
    student_files = {name: source.find(lab, name) for name in lab.student_files}
    tree = lab_work / "tree"
    build.lay_out_sources(manifest, lab, student_files, tree)
    objects = _compile_cached(shared, manifest, lab, tree, lab_work / "obj", log_path, options)
    for obj in objects.values():
        scan.check(obj, Path(obj).name.removesuffix(".o"), set(info["owned"]), set(info["api"]))
    substitutions = {**reference_objects(shared, manifest, lab), **objects}
    bin_dir = lab_work / "bin"
    bin_dir.mkdir()
    sentinels = integrity.sentinel_names(lab)
    extra = [integrity.guard_object(shared.dir),
             integrity.sentinel_object(sentinels, max(t.timeout for t in lab.tests), bin_dir)]
    try:
        binary = build.link_lab(manifest, lab, substitutions, bin_dir, extra)
    except build.BuildError as error:
        error.status = "link_error"
        raise
    run_dir = lab_work / "run"
    run_dir.mkdir()
    limits = sandbox.Limits(address_space=0 if options.sanitizer else sandbox.Limits.address_space,
                            memory=options.memory)
    by_id = {t.id: t for t in result.tests}
    note = run.run_tests(binary, lab, by_id, run_dir, log_path, limits, options.test_jobs,
                         options.max_runs, sentinels=sentinels, confirm=options.confirm)
    steps = step_headings(Path(manifest["src"]) / "labs" / lab.folder / "README.md")
    for test in result.tests:
        test.message = tidy_paths(test.message, manifest["src"])
        if not test.hidden:
            test.section = section_named_by(test.message, test.section, steps)
    if note:
        result.message = note


def reference_objects(shared, manifest, lab):
    """{slot object: prebuilt reference} for every slot but the lab's own: every other slot gets
    the reference, whatever labs are graded (empty when the tree builds its solutions)."""
    substitutions = {}
    for other in shared.labs:
        if other.key == lab.key or other.key not in manifest["labs"]:
            continue
        for file_info in manifest["labs"][other.key]["files"].values():
            if file_info["reference"] and file_info["compile"]:
                substitutions[file_info["compile"]["output"]] = file_info["reference"]
    return substitutions


STEP_HEADING = re.compile(r"^#{2,3} (Step (\d+): .+?)\s*$", re.M)
STEP_IN_MESSAGE = re.compile(r"\bStep (\d+)\b")


def step_headings(readme):
    """{"2": "Step 2: Creating or opening the queue", ...} from a lab's handout (empty if none)."""
    try:
        text = Path(readme).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {m.group(2): m.group(1) for m in STEP_HEADING.finditer(text)}


def section_named_by(message, section, steps):
    """The handout section for a failure: the step its message names ("... (Step 3)"), when it
    names exactly one step the handout has, since a test that can tell which mistake it saw says
    so; else the test's own section from lab.toml."""
    named = {n for n in STEP_IN_MESSAGE.findall(message or "") if n in steps}
    return steps[named.pop()] if len(named) == 1 else section


def tidy_paths(message, src):
    """Paths in messages relative to the tree, not to the grader's cache ("a/../b" as "b")."""
    message = re.sub(r"(?:\.\./)*(?:\.\.)?" + re.escape(src + "/"), "", message)
    return re.sub(r"(?<![\w.])[\w-]+/\.\./", "", message)


def compile_limits(options):
    return sandbox.Limits(wall=options.compile_seconds, cpu=int(options.compile_seconds), address_space=2 << 30,
                          processes=64, file_size=8 << 20, memory=2 << 30, tmp_size=64 << 20)


def _compile_cached(shared, manifest, lab, tree, out_dir, log_path, options):
    """Compile the student's files, reusing the objects of identical sources. Only objects that
    compiled, within the size cap, are stored; the cache is outside every sandbox's view."""
    lab_dir = tree / "labs" / lab.folder
    digest = hashlib.sha256(f"{manifest['key']}/{lab.key}".encode())
    for path in sorted(lab_dir.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    cached = shared.dir / "objects" / digest.hexdigest()[:24]
    out_dir.mkdir(exist_ok=True)
    if not (cached / "done").exists():
        try:
            objects, log = build.compile_student(manifest, lab, tree, out_dir, compile_limits(options))
        except build.BuildError as error:
            error.status = "compile_error"
            raise
        staging = Path(tempfile.mkdtemp(dir=shared.dir, prefix="objects-"))
        for obj in objects.values():
            shutil.copyfile(obj, staging / Path(obj).name)
        (staging / "compile.log").write_text(log)
        (staging / "done").write_text("\n".join(f"{k}\t{Path(v).name}" for k, v in objects.items()))
        cached.parent.mkdir(exist_ok=True)
        try:
            staging.rename(cached)
        except OSError:  # another grader process stored the same objects first
            shutil.rmtree(staging, ignore_errors=True)
    with open(log_path, "a") as log:
        log.write((cached / "compile.log").read_text(errors="replace"))
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
