"""./grade mutate [LAB...]: automatic mutation testing of the labs' tests.

Each lab's solution file is mutated systematically (grader/mutations.py: operators, constants,
deleted, swapped and dropped statements, inverted conditions, only inside the BEGIN/END SOLUTION
regions). Every mutant is compiled as a student's file would be, linked into its lab's test
binary, and that lab's tests are run in the sandbox until the first failure (Criterion
--fail-fast: one failing test kills a mutant). Per lab it reports the mutants killed, those that
survived (each with its id and change), those recorded as equivalent and those that do not
compile, and the kill rate: killed / (all - equivalent - not compiling).

A survivor is either killed by a new test or recorded in tests/mutants/equivalent.toml with the
reason no test can tell it from the solution:

    [[equivalent]]
    id = "02-1a2b3c4d"
    mutant = "mutex_release:74 ror: `==` -> `>=` in `if(mutex->header.signal_state==1)`"
    reason = "signal_state is at most 1 after the increment"

Mutants are trusted code (made from the solutions): their runs skip the scan and the sentinels.
The hand-written mutants and their "# Caught by:" promises are `./grade mutants`.
"""

import argparse
import difflib
import itertools
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import build, config, integrity, run, sandbox
from grader.config import tomllib
from grader.grade import Options, compile_limits, reference_objects
from grader.mutations import Mutant, MutationError, mutants
from grader.score import PASSED

EQUIVALENT_FILE = Path("tests") / "mutants" / "equivalent.toml"


@dataclass
class Verdict:
    kind: str  # killed, survived, uncompilable, error
    detail: str = ""  # the test that killed it, the compiler's first error, ...
    seconds: float = 0.0


def lab_mutants(root, lab):
    """Every mutant of the lab's solution files, sorted by id."""
    found = []
    for name in lab.student_files:
        path = root / "solutions" / lab.folder / name
        try:
            found += mutants(path.read_text(), name, lab.key)
        except MutationError as error:
            raise config.ConfigError(f"solutions/{lab.folder}/{error}") from None
    return sorted(found, key=lambda m: m.id)


def read_equivalent(path):
    """{mutant id: reason} from the equivalence file (an empty dict when there is none)."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise config.ConfigError(f"{path}: {error}; fix the TOML syntax.") from None
    reasons = {}
    for i, entry in enumerate(data.get("equivalent", [])):
        where = f"{path}: [[equivalent]] #{i + 1}"
        if not isinstance(entry.get("id"), str) or not str(entry.get("reason", "")).strip():
            raise config.ConfigError(f"{where}: needs an `id` and a one-line `reason`.")
        if entry["id"] in reasons:
            raise config.ConfigError(f"{where}: {entry['id']} is listed twice.")
        reasons[entry["id"]] = entry["reason"].strip()
    return reasons


def choose(lab, all_mutants, sample, seed, only):
    """The mutants to grade: those named by `only`, else a fixed sample of `sample`, else all."""
    ordered = sorted(all_mutants, key=lambda m: m.id)
    if only:
        return [m for m in ordered if m.id in only]
    if sample and sample < len(ordered):
        return sorted(random.Random(f"{seed}/{lab.key}").sample(ordered, sample), key=lambda m: m.id)
    return ordered


def unchanged(lab):
    """The solution itself, as a mutant that changes nothing."""
    return Mutant(f"{lab.key}-solution", lab.student_files[0], "", 0, "none", "", "nothing", 0, 0, "")


def grade_mutant(shared, manifest, lab, mutant, root, work, test_jobs):
    """Compile `mutant`, link it into the lab's tests, run them until one fails: its Verdict."""
    start = time.monotonic()
    work.mkdir(parents=True)
    source = work / "src" / mutant.file
    source.parent.mkdir()
    source.write_text(mutant.apply((root / "solutions" / lab.folder / mutant.file).read_text()))
    files = {name: root / "solutions" / lab.folder / name for name in lab.student_files}
    files[mutant.file] = source
    build.lay_out_sources(manifest, lab, files, work / "tree")
    (work / "obj").mkdir()
    try:
        objects, _ = build.compile_student(manifest, lab, work / "tree", work / "obj", compile_limits(Options()))
        (work / "bin").mkdir()
        binary = build.link_lab(manifest, lab, {**reference_objects(shared, manifest, lab), **objects},
                                work / "bin", [integrity.guard_object(shared.dir)])
    except build.BuildError as error:
        lines = str(error).splitlines()
        first = next((line for line in lines if "error" in line), lines[-1])  # the compiler's first error
        return Verdict("uncompilable", first.strip(), time.monotonic() - start)
    run_dir = work / "run"
    run_dir.mkdir()
    limits = sandbox.Limits(wall=run.wall_limit(lab.tests, test_jobs))
    argv = [str(binary), "--xml=/dev/fd/{results_fd}", f"--jobs={test_jobs}", "--ascii", "--always-succeed",
            "--fail-fast", f"--timeout={max(t.timeout for t in lab.tests):g}"]
    outcome = sandbox.run(argv, run_dir, work / "log.txt", limits,
                          view=sandbox.View(read_only=[str(binary)], writable=[str(run_dir)]),
                          results=work / "results.xml")
    verdict = _verdict(lab, run.parse_xml(work / "results.xml")[0], outcome)
    verdict.seconds = time.monotonic() - start
    return verdict


def _verdict(lab, parsed, outcome):
    expected = [t.id for t in lab.tests]
    # Under --fail-fast a test still running when another failed is cut short: a real failure first.
    failed = sorted((parsed[t][0] == "no_assertions", t) for t in expected if t in parsed and parsed[t][0] != PASSED)
    if failed:
        test = failed[0][1]
        return Verdict("killed", f"{test} ({parsed[test][0]})")
    if outcome.timed_out:
        return Verdict("killed", "the whole run passed its wall-clock limit (a hang)")
    if outcome.error:
        return Verdict("error", outcome.error)
    if all(t in parsed for t in expected):
        return Verdict("survived")
    missing = [t for t in expected if t not in parsed]
    return Verdict("error", f"{len(missing)} test(s) not reported, none failed (runner status {outcome.returncode})")


def summarize(lab, chosen, verdicts, equivalent):
    """(summary line, [a line for each survivor, error and killed "equivalent"], kill rate, counts)."""
    counts = {"killed": 0, "survived": 0, "uncompilable": 0, "error": 0, "equivalent": 0, "misjudged": 0}
    lines = []
    for mutant, verdict in zip(chosen, verdicts):
        if mutant.id in equivalent:
            counts["equivalent"] += 1
            if verdict.kind != "survived":
                counts["misjudged"] += 1
                lines.append(f"  {verdict.kind.upper()} but listed as equivalent: {mutant.id} {mutant.describe()} "
                             f"[{verdict.detail}]")
            continue
        counts[verdict.kind] += 1
        if verdict.kind == "survived":
            lines.append(f"  survived {mutant.id} {mutant.describe()}")
        elif verdict.kind == "error":
            lines.append(f"  error    {mutant.id} {mutant.describe()}: {verdict.detail}")
        elif verdict.kind == "uncompilable":
            lines.append(f"  does not compile {mutant.id} {mutant.describe()}: {verdict.detail}")
    graded = counts["killed"] + counts["survived"]
    rate = 100.0 * counts["killed"] / graded if graded else 100.0
    line = (f"{lab.key} {lab.slug}: {len(chosen)} mutants: {counts['killed']} killed, {counts['survived']} survived, "
            f"{counts['equivalent']} equivalent, {counts['uncompilable']} do not compile"
            + (f", {counts['error']} not graded (errors)" if counts["error"] else "")
            + f"; kill rate {rate:.1f}% ({counts['killed']}/{graded})")
    return line, lines, rate, counts


def main(argv):
    parser = argparse.ArgumentParser(prog="grade mutate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labs", nargs="*", metavar="LAB", help="lab number, slug or folder (default: all)")
    parser.add_argument("--sample", type=int, metavar="N", help="grade a fixed sample of N mutants per lab")
    parser.add_argument("--seed", default="0", help="which sample --sample takes (default: %(default)s)")
    parser.add_argument("--only", action="append", metavar="ID", help="grade only this mutant (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the chosen mutants without grading them")
    parser.add_argument("--diff", action="store_true", help="with --list: show each mutant's change as a diff")
    parser.add_argument("--min-kill-rate", type=float, default=95.0, metavar="PERCENT",
                        help="exit 1 when a lab's kill rate is below this (default: %(default)g)")
    parser.add_argument("--equivalent", type=Path, metavar="FILE",
                        help=f"the equivalent mutants (default: {EQUIVALENT_FILE} of the tree)")
    from grader.cli import DEFAULT_JOBS, add_common
    add_common(parser)
    args = parser.parse_args(argv)
    if args.sample is not None and args.sample < 1:
        parser.error("--sample must be 1 or more")
    if args.unsafe_no_sandbox:
        sandbox.set_mode("unsafe")
    root = args.root.resolve()
    labs = config.load_labs(root)
    chosen_labs = config.select_labs(labs, args.labs)
    equivalent = read_equivalent(args.equivalent or root / EQUIVALENT_FILE)
    plan, known = [], set()
    for lab in chosen_labs:
        everything = lab_mutants(root, lab)
        known.update(m.id for m in everything)
        plan.append((lab, choose(lab, everything, args.sample, args.seed, set(args.only or ()))))
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        raise config.ConfigError(f"--only {unknown[0]}: no such mutant in lab(s) "
                                 f"{', '.join(lab.key for lab in chosen_labs)} (./grade mutate --list lists them).")
    if args.list:
        return _list(root, plan, equivalent, args.diff)
    stale = sorted(i for i in equivalent if i[:2] in {lab.key for lab in chosen_labs} and i not in known)
    sandbox.require()
    shared = build.SharedBuild(root, labs, jobs=2, progress=lambda m: print(m, file=sys.stderr))
    manifest = shared.ensure()
    sandbox.hidden_paths.update({str(shared.root), str(build.cache_root())})
    jobs = [(lab, mutant) for lab, chosen in plan for mutant in chosen]  # equivalents too: they must survive
    scratch = Path(tempfile.mkdtemp(prefix="winsync-mutate-"))
    os.chmod(scratch, 0o711)  # the sandboxed uid must reach its own folders, and list nothing
    counter = itertools.count(1)

    def grade_one(job):
        lab, mutant = job
        verdict = grade_mutant(shared, manifest, lab, mutant, root, scratch / mutant.id, args.test_jobs)
        shutil.rmtree(scratch / mutant.id, ignore_errors=True)
        print(f"[{next(counter)}/{len(jobs)}] {mutant.id} {verdict.kind} {verdict.detail} ({verdict.seconds:.1f} s)",
              file=sys.stderr, flush=True)
        return verdict

    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=args.jobs or DEFAULT_JOBS) as pool:
            # The unchanged solution first, the same way: it must pass every test (else the
            # grader cannot run here, or a test fails without a mutant and would "kill" them all).
            baselines = [(lab, unchanged(lab)) for lab, _ in plan]
            for (lab, _), verdict in zip(baselines, pool.map(grade_one, baselines)):
                if verdict.kind != "survived":
                    print(f"grade mutate: the solution of lab {lab.key} does not pass its own tests here "
                          f"({verdict.kind}: {verdict.detail}); nothing was graded", file=sys.stderr)
                    return 2
            counter = itertools.count(1)
            graded = dict(zip((m.id for _, m in jobs), pool.map(grade_one, jobs)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failing = False
    for lab, chosen in plan:
        line, details, rate, counts = summarize(lab, chosen, [graded[m.id] for m in chosen], equivalent)
        print(line)
        for detail in details:
            print(detail)
        failing |= rate < args.min_kill_rate or counts["error"] > 0 or counts["misjudged"] > 0
    for mutant_id in stale:
        print(f"stale: {mutant_id} is in the equivalence file but no longer a mutant of its lab")
    print(f"\n{len(jobs)} mutants graded in {time.monotonic() - start:.0f} s.")
    return 1 if failing or stale else 0


def _list(root, plan, equivalent, with_diff):
    for lab, chosen in plan:
        for mutant in chosen:
            note = "  [equivalent]" if mutant.id in equivalent else ""
            print(f"{mutant.id} {mutant.describe()}{note}")
            if with_diff:
                text = (root / "solutions" / lab.folder / mutant.file).read_text()
                name = f"solutions/{lab.folder}/{mutant.file}"
                sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), mutant.apply(text).splitlines(True),
                                                           f"a/{name}", f"b/{name}", n=1))
    return 0
