"""Run a lab's Criterion binary in the sandbox and read its --xml report.

Criterion 2.4.1's --json is not escaped, so the grader reads --xml (falling back to a tolerant
scan when a message contains "]]>"). A test reported PASSED with zero assertions did not check
anything (the code under test ended the worker, e.g. with exit(0)) and counts as failed. Failing
tests are run again, up to three runs in all, and the report keeps every run's status, so a test
that fails only sometimes is counted as failed and shown as intermittent. A re-run cannot change a
score (a test that failed once has failed), so re-runs run up to RERUN_JOBS tests at once: failing
tests mostly sit in waits that time out, and running them side by side keeps a class of wrong
submissions from costing three times its waits. A test that timed out, or failed after
SLOW_FAILURE seconds or more (mostly a wait of the test that expired: a waiter never woken), is
not run again: a re-run would cost all that time once more only to say whether the failure is
intermittent. Nothing is re-run after a run whose sentinels (which run in every run) did so,
nor after a run in which winsync's lock guard ended a test (lab code that never returned from the
dispatcher lock: an endless loop; each re-run of each such test costs the guard's half second or
more, and on a loaded machine its 3 s limit). The guard's report is read from the run's output, so
lab code could print it too: that only saves re-runs, which cannot change a score.
"""

import re
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

from grader import integrity, sandbox
from grader.score import PASSED

MAX_RUNS = 3
RERUN_JOBS = 8
SLOW_FAILURE = 5.0  # seconds: a test that failed after this long (a wait that expired) is not re-run
MESSAGE_LIMIT = 2000
LOCK_GUARD_REPORT = "has been inside the dispatcher lock for"  # runtime/threads/lock_guard.c


def wall_limit(tests, test_jobs, sentinels=0):
    """Wall-clock limit for running `tests` and `sentinels` sentinel tests (each bounded by its own
    timeout; a sentinel's is the longest of the lab's, integrity.sentinel_object), in seconds."""
    timeouts = [t.timeout for t in tests]
    timeouts += [max(timeouts, default=0)] * sentinels
    return max(15.0, sum(timeouts) / max(1, test_jobs) + max(timeouts, default=0) + 10)


def _costly(status, seconds):
    """Whether running this test again would cost much: it timed out, or failed after a long wait."""
    return status == "timeout" or (status != PASSED and seconds >= SLOW_FAILURE)


def run_tests(binary, lab, results, run_dir, log_path, limits, test_jobs=2, max_runs=MAX_RUNS,
              sentinels=(), confirm=False):
    """Fill `results` (id -> TestResult), re-running failures up to `max_runs` runs in all and,
    with `confirm`, running every passing test once more in a fresh sandbox (it must pass again).
    `sentinels` are the ids of the binary's sentinel tests, which run in every run and must fail
    (integrity.py). Returns a note on the run, or "". Raises integrity.Tampered."""
    note = ""
    pending = list(results.values())
    specs = {t.id: t for t in lab.tests}
    known = set(specs) | set(sentinels)
    run_dir = Path(run_dir)
    view = sandbox.View(read_only=[str(binary)], writable=[str(run_dir)])
    costly = set()  # ids of the tests that timed out or failed after SLOW_FAILURE seconds or more
    for attempt in range(1, max_runs + 1):
        if not pending:
            break
        chosen = [specs[r.id] for r in pending]
        report = run_dir.parent / f"results-{attempt}.xml"  # outside the run's view
        jobs = test_jobs if attempt == 1 else max(test_jobs, min(len(pending), RERUN_JOBS))
        argv = [str(binary), "--xml=/dev/fd/{results_fd}", f"--jobs={jobs}", "--ascii", "--always-succeed",
                f"--timeout={max(t.timeout for t in chosen):g}"]
        if attempt > 1:
            argv.append(f"--filter=@({'|'.join([r.id for r in pending] + list(sentinels))})")
        limits.wall = wall_limit(chosen, jobs, len(sentinels))
        with open(log_path, "a") as log:
            log.write(f"\n===== run {attempt}: {' '.join(argv[1:])}\n")
            run_start = log.tell()
        outcome = sandbox.run(argv, run_dir, log_path, limits, view=view, results=report)
        parsed, duplicates = parse_xml(report)
        integrity.check(parsed, duplicates, [r.id for r in pending], sentinels, known)
        run_note = _describe(outcome, limits)
        note = note or run_note
        for result in pending:
            status, message, seconds = parsed.get(
                result.id, ("not_run", run_note or "the test did not run: check its id in lab.toml", 0.0))
            result.runs.append(status)
            if _costly(status, seconds):
                costly.add(result.id)
            if status != PASSED and not result.message:
                result.message = message[:MESSAGE_LIMIT]
            result.time = max(result.time, seconds)
        failing = [r for r in pending if r.runs[-1] != PASSED]
        if attempt == 1 and len(failing) == len(pending):
            break  # nothing passed at all: the failures are not intermittent
        # A re-run only tells whether a failure is intermittent; it cannot give points back. A test
        # that timed out, or failed only after a long wait, would cost all that time again for it,
        # so it is not run again; nor is anything when a sentinel (in every run) did.
        if any(_costly(parsed[s][0], parsed[s][2]) for s in sentinels if s in parsed):
            break
        if _lock_guard_ended_a_test(log_path, run_start):
            break
        pending = [r for r in failing if r.id not in costly]
        if attempt == 1 and confirm:
            pending += [r for r in results.values() if r.runs == [PASSED]]
        if outcome.timed_out:
            break  # re-running a run that hung the whole binary costs too much
    for result in results.values():
        failures = [status for status in result.runs if status != PASSED]
        result.status = failures[0] if failures else (PASSED if result.runs else "not_run")
        if result.intermittent:
            result.message = (f"intermittent: passed {result.runs.count(PASSED)} of {len(result.runs)} "
                              f"runs; {result.message}")
    return note


def _lock_guard_ended_a_test(log_path, start):
    """Whether the run's output, from byte `start` of the log, has the lock guard's report."""
    try:
        with open(log_path, "rb") as log:
            log.seek(start)
            return LOCK_GUARD_REPORT.encode() in log.read()
    except OSError:
        return False


def _describe(outcome, limits):
    if outcome.error:
        return outcome.error
    if outcome.timed_out:
        return f"the test run passed its wall-clock limit of {limits.wall:g} s and was stopped"
    if outcome.returncode == -signal.SIGXFSZ:
        return f"the tests wrote more than {limits.file_size >> 20} MiB (the output limit) and were stopped"
    if outcome.returncode == -signal.SIGXCPU:
        return f"the tests used more than {limits.cpu} s of CPU and were stopped"
    if outcome.returncode < 0:
        return f"the test runner was killed by signal {-outcome.returncode} ({signal.Signals(-outcome.returncode).name})"
    return ""


def parse_xml(path):
    """(id -> (status, message, seconds), ids reported more than once) from Criterion's XML."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return {}, set()
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return _scan_xml(text)
    found, duplicates = {}, set()
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            error = case.find("error")
            detail = ""
            if failure is not None:
                detail = (failure.text or "").strip() or failure.get("message", "")
            elif error is not None:
                detail = error.get("type", "")
            test_id = f"{suite.get('name')}/{case.get('name')}"
            if test_id in found:
                duplicates.add(test_id)
            found[test_id] = _classify(case.get("status", ""), _number(int, case.get("assertions")), detail,
                                       _number(float, case.get("time")))
    return found, duplicates


def _scan_xml(text):
    """A tolerant reading for reports that are not well-formed XML."""
    found, duplicates = {}, set()
    for suite in re.finditer(r'<testsuite name="([^"]*)"(.*?)</testsuite>', text, re.S):
        for case in re.finditer(r'<testcase name="([^"]*)" assertions="(\d+)" status="(\w+)" time="([\d.]+)">'
                                r'(.*?)</testcase>', suite.group(2), re.S):
            body = case.group(5)
            cdata = re.search(r"<!\[CDATA\[(.*)\]\]>", body, re.S)
            error = re.search(r'<error type="(\w+)"', body)
            detail = cdata.group(1) if cdata else (error.group(1) if error else "")
            test_id = f"{suite.group(1)}/{case.group(1)}"
            if test_id in found:
                duplicates.add(test_id)
            found[test_id] = _classify(case.group(3), int(case.group(2)), detail, float(case.group(4)))
    return found, duplicates


def _number(kind, text):
    try:
        return kind(text or 0)
    except ValueError:
        return kind(0)


def _classify(status, assertions, detail, seconds):
    detail = detail.strip()
    if status == "PASSED":
        if assertions == 0:
            return ("no_assertions", "the test ended without checking anything: the code under test "
                    "ended the process early (exit(), _exit() or similar)", seconds)
        return (PASSED, "", seconds)
    if status == "ERRORED" and detail == "timeout":
        return ("timeout", f"timed out after {seconds:.1f} s: a wait that never ends or an infinite loop", seconds)
    if status == "ERRORED":
        return ("crashed", "the test crashed (a signal such as SIGSEGV or SIGABRT, or it exceeded a "
                "sandbox limit: file size, processes, memory, CPU)", seconds)
    if status == "SKIPPED":
        return ("not_run", "the test was skipped", seconds)
    if not detail:
        detail = "the test failed without an assertion message (it ended with a non-zero exit status)"
    return ("failed", detail, seconds)
