"""The student's view: a table of labs, one line per failure with where to look, and what to do next.

A student sees no more of a hidden test than its name, points and handout section: its message
may quote the test's source, its file and line, or the values it checked. Nor does a student see
why a lab was found tampered, or the grader's own paths. `render(report, instructor=True)`
(`--format instructor`) shows everything.
"""

import os
from pathlib import Path

from grader.report import errors

STATUS_WORDS = {
    "missing": "not submitted",
    "rejected": "rejected",
    "compile_error": "does not compile",
    "link_error": "does not link",
    "build_error": "grader build error",
    "tampered": "not trusted",
    "bad_archive": "bad archive",
    "bad_folder": "unreadable folder",
    "grader_error": "grader error",
}
TAMPERED_FOR_STUDENTS = ("the grader could not trust the results of this lab, so it counts 0 points; "
                         "your instructor has the details")


def _log_path(log):
    """A log's path as the reader can use it: relative when it is below here, else logs/<name>."""
    relative = os.path.relpath(log)
    return relative if not relative.startswith("..") else f"logs/{Path(log).name}"


def _points(value):
    return f"{value:g}"


def _hidden_points(lab):
    """Points a lab's hidden tests hold when the report leaves them out: the student handout's
    lab.toml says so in `hidden_points` (written by ./grade release)."""
    if any(t.hidden for t in lab.tests):
        return 0.0
    from grader import config
    path = Path(__file__).resolve().parents[2] / "labs" / lab.folder / "lab.toml"
    try:
        return config.load_lab(path).hidden_points if path.exists() else 0.0
    except config.ConfigError:
        return 0.0


def _hidden_line(report):
    hidden = [(lab, _hidden_points(lab)) for lab in report.labs]
    hidden = [(lab, points) for lab, points in hidden if points > 0]
    if not hidden:
        return []
    total = sum(points for _, points in hidden)
    if len(hidden) == 1:
        where = f"lab {hidden[0][0].number:02d}"
    else:
        where = ", ".join(f"lab {lab.number:02d}: {_points(points)}" for lab, points in hidden)
    return [f"Hidden tests: {_points(total)} more points ({where}) are graded by your instructor; "
            "the public tests above are a subset."]


def render(report, instructor=False):
    lines = [f"Grading {report.submission}", ""]
    width = max([len(f"{lab.number:02d} {lab.slug}") for lab in report.labs] + [10])
    lines.append(f"{'Lab':<{width}}  {'Tests':>7}  {'Points':>9}  Status")
    for lab in report.labs:
        name = f"{lab.number:02d} {lab.slug}"
        status = STATUS_WORDS.get(lab.status, "ok" if lab.score == lab.max_score else "")
        tests = f"{lab.passed}/{len(lab.tests)}"
        lines.append(f"{name:<{width}}  {tests:>7}  {_points(lab.score) + '/' + _points(lab.max_score):>9}  {status}")
    lines.append(f"{'Total':<{width}}  {'':>7}  {_points(report.score) + '/' + _points(report.max_score):>9}")
    lines += _hidden_line(report)
    for lab in report.labs:
        failures = [t for t in lab.tests if not t.passed]
        if lab.status != "graded":
            message = lab.message if instructor or lab.status != "tampered" else TAMPERED_FOR_STUDENTS
            lines += ["", f"{lab.number:02d} {lab.slug}: {message}"]
            if lab.log and (instructor or lab.status != "tampered"):
                lines.append(f"   log: {lab.log if instructor else _log_path(lab.log)}")
            continue
        if not failures:
            continue
        lines += ["", f"{lab.number:02d} {lab.slug}: {len(failures)} test(s) failed"
                  + (f" ({lab.message})" if lab.message else "")]
        unfinished = errors.read_unfinished(lab.log)
        for test in failures:
            reason = test.message.strip().splitlines()[0] if test.message.strip() else test.status
            reason = errors.name_codes(reason, unfinished)
            if test.hidden and not instructor:
                reason = {"timeout": "timed out", "crashed": "crashed"}.get(test.status, "failed")
            tag = " [hidden]" if test.hidden else ""
            if test.intermittent:
                tag += f" [intermittent: {', '.join(test.runs)}]"
            lines.append(f" - {test.id}{tag} ({_points(test.points)} pt): {reason}")
            where = []
            if test.section:
                where.append(f'read labs/{lab.folder}/README.md, "{test.section}"')
            if lab.log and (instructor or not test.hidden):
                where.append(f"log: {lab.log if instructor else _log_path(lab.log)}")
            if where:
                lines.append("     " + "; ".join(where))
    lines += ["", f"Graded in {report.seconds:.1f} s."]
    if not instructor:
        lines += ["", _next_step(report)]
    return "\n".join(lines) + "\n"


def _next_step(report):
    """What to do next: the first lab, in lab order, that is not finished."""
    for lab in report.labs:
        if lab.status == "graded" and lab.score >= lab.max_score:
            continue
        name, readme = f"lab {lab.number:02d} {lab.slug}", f"labs/{lab.folder}/README.md"
        if lab.status == "missing" or (lab.status == "graded" and lab.passed == 0):
            return f"Next: start with {readme}."
        if lab.status in ("compile_error", "link_error", "rejected"):
            return (f"Next: {name} {STATUS_WORDS[lab.status]}: fix what its message above says, "
                    f"then run ./grade {lab.number:02d} again.")
        if lab.status != "graded":
            return f"Next: {name}: {STATUS_WORDS.get(lab.status, lab.status)}; ask your instructor."
        failed = [t for t in lab.tests if not t.passed]
        test = next((t for t in failed if not t.hidden), failed[0])
        where = f'{readme}, "{test.section}"' if test.section else readme
        return f"Next: {name}: make {test.id} pass; read {where}."
    if any(_hidden_points(lab) > 0 for lab in report.labs):
        return ("Next: every test graded here passes. The hidden tests check the same contracts, "
                "harder: run ./grade --confirm, and each lab's tests a few times in a row.")
    return "Next: every test graded here passes."
