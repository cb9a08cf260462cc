"""Command line: ./grade [LAB...] | --solutions | --submission DIR | --batch DIR, and the
release, gradescope, github-classroom, mutants, mutate and check commands. Run ./grade --help."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from grader import build, config, lms, sandbox
from grader.grade import Options, grade_submission
from grader.progress import Progress
from grader.score import failed_report
from grader.report import FORMATS
from grader.submission import Folder, Solutions, WorkingCopy

HOME = Path(os.path.abspath(__file__)).parent.parent  # the tree this grader belongs to
DEFAULT_JOBS = max(2, os.cpu_count() or 2)
COMMANDS = ("release", "gradescope", "github-classroom", "mutants", "mutate", "check", "similarity",
            "merge")

DESCRIPTION = """\
Grade the winsync labs: build each lab's tests with the student's file (and the reference
solution for every other lab), run them in a sandbox and score them from labs/*/lab.toml.

Commands:
  ./grade                         grade every lab of this working copy
  ./grade 02 | ./grade mutexes    grade one lab (several may be named)
  ./grade --solutions             grade the reference solutions (full marks expected)
  ./grade --submission DIR        grade a submission folder (repository copy or just the files)
  ./grade --batch DIR --jobs N --out OUTDIR [--course course.toml] [--adjustments FILE]
          [--roster roster.csv --format canvas|moodle] [--shard K/N]
                                  grade a class: one submission per subfolder or archive
  ./grade merge OUT1 OUT2 ... --out OUT
                                  combine the outputs of the shards of a class
  ./grade similarity DIR --out OUT
                                  compare the class's lab files with SIM (grades nothing)
  ./grade release --out DIR       write the student handout (no solutions, no hidden tests)
  ./grade gradescope --out autograder.zip
                                  write a Gradescope autograder
  ./grade github-classroom        write the GitHub Classroom workflow
  ./grade mutants [LAB]           grade every mutant; fails unless each loses points
  ./grade mutate [LAB] [--sample N --seed S]
                                  mutate the solutions automatically; kill rate and survivors per lab
  ./grade check REPORT TEST_ID    exit 0 when TEST_ID passed in a JSON report
Each command has --help."""


def _positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _shard(value):
    try:
        part, parts = (int(n) for n in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("must be K/N, like 1/4") from None
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError("K/N needs 1 <= K <= N, like 1/4")
    return part, parts


def add_class_options(parser):
    """What the class files are made with: the course policy, adjustments, roster, LMS format."""
    parser.add_argument("--course", type=Path, metavar="FILE",
                        help="course.toml: due dates, late policy, optional labs, point overrides")
    parser.add_argument("--adjustments", type=Path, metavar="FILE",
                        help="adjustments.csv (student,lab,points,reason), applied to the grades")
    parser.add_argument("--roster", type=Path, metavar="FILE",
                        help="roster.csv (submission,student_id,name[,email,section]) for --format canvas|moodle")


def class_options(args, labs, formats=()):
    """The batch.ClassOptions of the command line's --course, --adjustments and --roster."""
    from grader import batch, policy
    if formats and not args.roster:
        raise config.ConfigError(f"--format {formats[0]} needs --roster roster.csv, which maps submissions to "
                                 "students (see docs/instructor/guide.md).")
    return batch.ClassOptions(
        course=policy.load_course(args.course, labs) if args.course else None,
        adjustments=tuple(policy.load_adjustments(args.adjustments, labs)) if args.adjustments else (),
        adjustments_source=str(args.adjustments or ""),
        roster=lms.load_roster(args.roster) if args.roster else None,
        formats=tuple(formats))


def add_common(parser):
    parser.add_argument("--root", type=Path, default=HOME,
                        help="the grader's tree (tests, runtime, solutions); default: %(default)s")
    parser.add_argument("--jobs", "-j", type=_positive,
                        help="labs graded at once (default: all of them: their tests mostly wait), or with "
                             f"--batch and mutants, submissions graded at once (default: {DEFAULT_JOBS})")
    parser.add_argument("--test-jobs", type=_positive, default=2,
                        help="tests run at once inside one lab (Criterion --jobs; default: %(default)s)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without bubblewrap when it cannot work here (only rlimits, a throwaway uid "
                             "when root and the results channel still protect): only for code you trust, or "
                             "where each submission already gets a machine of its own")


def grade_parser():
    parser = argparse.ArgumentParser(prog="grade", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labs", nargs="*", metavar="LAB", help="lab number, slug or folder (default: all)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--solutions", action="store_true", help="grade the reference solutions")
    what.add_argument("--submission", type=Path, metavar="DIR", help="grade the student files found in DIR")
    what.add_argument("--batch", type=Path, metavar="DIR", help="grade every submission in DIR (needs --out)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="with --batch: grade only this submission (its name in OUT/students, or its folder "
                             "or archive name; repeatable) into an existing OUT, then rebuild grades.csv, "
                             "grades.json and summary.html from every report there")
    parser.add_argument("--format", choices=sorted(FORMATS) + list(lms.FORMATS), default="text",
                        help="report format (default: text); with --batch, canvas or moodle also writes "
                             "OUT/canvas.csv or OUT/moodle.csv for the LMS (needs --roster)")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="write the report to FILE (with --batch: the output folder)")
    parser.add_argument("--name", help="the submission's name in reports (default: its folder)")
    parser.add_argument("--log-dir", type=Path, help="keep each lab's build and test log here "
                        "(default: grade-out/logs of the graded tree)")
    parser.add_argument("--confirm", action="store_true",
                        help="run every passing test once more in a fresh sandbox, where it must pass again "
                             "(a racy lab earns nothing for passing once; about 1.8x the time of a correct "
                             "submission, see bench/RESULTS.md)")
    parser.add_argument("--shard", type=_shard, metavar="K/N",
                        help="with --batch: grade only the K-th of N deterministic shares of the class (for "
                             "`grade merge`); no LMS file or similarity report until the merge")
    parser.add_argument("--no-similarity", action="store_true",
                        help="with --batch: do not write similarity.html and similarity.csv")
    add_class_options(parser)
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print no progress on stderr (the one-time build, each lab, a batch's count); "
                             "errors are still printed. Progress never goes to stdout or a report file")
    parser.add_argument("--require-full", action="store_true",
                        help="exit with status 1 unless every graded lab gets full marks")
    add_common(parser)
    return parser


def ensure_dependencies():
    """The Debian packages a build needs: installed when root, else the line to run."""
    script = Path(__file__).resolve().parent.parent / "tests" / "support" / "ensure-deps"
    if script.exists() and subprocess.run([str(script)]).returncode != 0:
        raise SystemExit(1)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        wants_help = any(a in ("-h", "--help") for a in argv)
        if not wants_help and not (argv and argv[0] in ("github-classroom", "check", "similarity", "merge")):
            ensure_dependencies()
        if argv and argv[0] in COMMANDS:
            return _command(argv[0], argv[1:])
        return _grade(grade_parser().parse_args(argv))
    except (config.ConfigError, build.BuildError, sandbox.SandboxUnavailable) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _command(name, argv):
    if name == "release":
        from grader import release
        return release.main(argv)
    if name == "gradescope":
        from grader import gradescope
        return gradescope.main(argv)
    if name == "github-classroom":
        from grader import classroom
        return classroom.main(argv)
    if name == "mutants":
        from grader import mutants
        return mutants.main(argv)
    if name == "similarity":
        from grader import similarity
        return similarity.main(argv)
    if name == "merge":
        from grader import merge
        return merge.main(argv)
    if name == "mutate":
        from grader import mutate
        return mutate.main(argv)
    return _check(argv)


def _grade(args):
    if args.unsafe_no_sandbox:
        sandbox.set_mode("unsafe")
    root = args.root.resolve()
    labs = config.load_labs(root)
    if not labs:
        raise config.ConfigError(f"no labs in {root}/labs (each needs labs/NN-topic/lab.toml).")
    chosen = config.select_labs(labs, args.labs)
    lms_format = args.format if args.format in lms.FORMATS else None
    if not args.batch:
        used = [name for name, value in (("--shard", args.shard), ("--course", args.course),
                                         ("--adjustments", args.adjustments), ("--roster", args.roster),
                                         ("--format " + str(lms_format), lms_format)) if value]
        if used:
            raise config.ConfigError(f"{used[0]} is for a class: use it with --batch DIR (or `grade merge`).")
    if args.batch:
        from grader import batch
        if not args.out:
            raise config.ConfigError("--batch needs --out OUTDIR, the folder for the reports.")
        if args.shard and args.only:
            raise config.ConfigError("--shard and --only do not go together: regrade with --only in the shard's "
                                     "OUT, then merge again.")
        options = class_options(args, labs, (lms_format,) if lms_format else ())
        options.shard, options.similarity = args.shard, not args.no_similarity
        sandbox.require()
        return batch.run_batch(root, labs, chosen, args.batch, args.out, args.jobs or DEFAULT_JOBS,
                               args.test_jobs, only=args.only,
                               grade_args=["--confirm"] if args.confirm else [], options=options,
                               progress=Progress(enabled=not args.quiet))
    progress = Progress(enabled=not args.quiet)
    shared = build.SharedBuild(root, labs, jobs=2, progress=progress, status=progress.show)
    if args.solutions:
        if not (root / "solutions").is_dir():
            raise config.ConfigError(f"--solutions: {root} has no solutions/: this is the student handout, and "
                                     "the reference solutions stay with your instructor. Grade your own files "
                                     "with ./grade (every lab) or ./grade 01 (one lab).")
        source, logs = Solutions(root), "solutions-logs"
    elif args.submission:
        if not args.submission.is_dir():
            raise config.ConfigError(f"--submission {args.submission}: not a folder. Unpack the archive "
                                     "first, or use --batch on the folder that holds it.")
        source, logs = Folder(args.submission.resolve(), args.name or args.submission.name), "submission-logs"
    else:
        source, logs = WorkingCopy(root), "logs"
    log_dir = args.log_dir or (args.out.parent / f"{args.out.stem}-logs" if args.out else root / "grade-out" / logs)
    options = Options(jobs=args.jobs or min(len(chosen), 6), test_jobs=args.test_jobs, log_dir=log_dir.resolve(),
                      confirm=args.confirm, progress=progress)
    failure = None
    try:
        report = grade_submission(shared, chosen, source, options)
    except (build.BuildError, sandbox.SandboxUnavailable) as error:
        if not args.out:
            raise
        # Whoever asked for a report file gets one, saying why nothing was graded.
        failure = error
        print(f"grade: {error}", file=sys.stderr, flush=True)
        report = failed_report(source.name, chosen, "grader_error", f"the grader could not grade: {error}")
    if args.name:
        report.submission = args.name
    text = FORMATS[args.format](report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        progress(f"wrote {args.out} ({report.score:g}/{report.max_score:g} points)")
    else:
        sys.stdout.write(text)
    if failure is not None:
        return 2
    if args.require_full and report.score < report.max_score:
        return 1
    return 0


def _check(argv):
    parser = argparse.ArgumentParser(prog="grade check",
                                     description="Read a JSON report written by `./grade --format json --out "
                                                 "REPORT` (GitHub Classroom steps): exit 0 when TEST_ID passed, "
                                                 "or print a Markdown summary with --summary.")
    parser.add_argument("report", type=Path)
    parser.add_argument("test_id", nargs="?", help='"<suite>/<test>" as in lab.toml')
    parser.add_argument("--summary", action="store_true", help="print the labs' points as a Markdown table")
    args = parser.parse_args(argv)
    try:
        data = json.loads(args.report.read_text())
    except (OSError, ValueError) as error:
        print(f"grade check: cannot read {args.report} ({error}); did the grading step run?", file=sys.stderr)
        return 2
    if args.summary:
        print("| Lab | Tests passed | Points |\n|---|---|---|")
        for lab in data["labs"]:
            print(f"| {lab['number']:02d} {lab['slug']} | {lab['passed']}/{len(lab['tests'])} "
                  f"| {lab['score']:g}/{lab['max_score']:g} |")
        print(f"| **Total** | | **{data['score']:g}/{data['max_score']:g}** |")
        return 0
    for lab in data["labs"]:
        for test in lab["tests"]:
            if test["id"] == args.test_id:
                print(f"{args.test_id}: {test['status']} {test['message']}".strip())
                return 0 if test["status"] == "passed" else 1
    print(f"grade check: {args.test_id} is not in {args.report}; check the id in labs/*/lab.toml.",
          file=sys.stderr)
    return 2
