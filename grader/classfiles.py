"""The class files of a batch (and of a merge), made from every students/<name>/report.json of an
output folder: grades.csv, grades.json, summary.html, and with a roster canvas.csv or moodle.csv.
The course policy and the adjustments are applied here, to the raw results the reports hold, and
each student's report.txt is rewritten to show them: changing course.toml or adjustments.csv
and running `./grade merge OUT --out OUT` applies them again without grading anything."""

import datetime
import json
import os
import sys
from dataclasses import dataclass

from grader import lms, policy
from grader.report import csv_report, html, json_report, text
from grader.score import Report, failed_report, report_from_dict


@dataclass
class Row:
    name: str
    source: str
    status: str
    message: str
    report: Report
    same_name: tuple = ()
    submitted_at: str = ""
    submitted_from: str = ""


def load_row(out, name, chosen, sub=None):
    """The row of students/<name>/, read from its report.json (sub: its batch.Submission, if known)."""
    source = sub.path.name + ("/" if sub.kind == "folder" else "") if sub else ""
    try:
        data = json.loads((out / "students" / name / "report.json").read_text())
        report = report_from_dict(data)
    except Exception as error:
        message = f"students/{name}/report.json cannot be read ({type(error).__name__}: {error})"
        report = failed_report(name, chosen, "grader_error", message)
        return Row(name, source, "grader_error", message, report, sub.same_name if sub else ())
    info = data.get("batch") if isinstance(data.get("batch"), dict) else {}
    report.submission = name
    same = sub.same_name if sub else tuple(str(s) for s in info.get("same_name") or ())
    return Row(name, str(info.get("source", "")) or source, str(info.get("status", "graded")),
               str(info.get("message", "")), report, same, str(info.get("submitted_at", "")),
               str(info.get("submitted_from", "")))


def number(value):
    return int(value) if float(value).is_integer() else round(value, 2)


def summary(message, limit=200):
    """The first line of a message (and the next one when the first only introduces it)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = " ".join(lines[:2]) if len(lines) > 1 and lines[0].endswith(":") else (lines[0] if lines else "")
    return line if len(line) <= limit else line[:limit - 3] + "..."


@dataclass
class Graded:
    """One row with the course policy applied."""
    row: Row
    report: Report  # with the point overrides
    outcome: policy.Outcome
    submitted: datetime.datetime = None


def _submitted(row):
    try:
        return datetime.datetime.fromisoformat(row.submitted_at) if row.submitted_at else None
    except ValueError:
        return None


def apply_policy(rows, options):
    """Graded rows: the course policy and the adjustments applied (ConfigError for an adjustment
    of a student the class does not have)."""
    course = options.course or policy.Course()
    ids = {row.name: {row.name} for row in rows}
    if options.roster:
        matched, _, _ = lms.match(options.roster, [{"submission": r.name, "source": r.source} for r in rows])
        for student_id, entry in matched.items():
            if entry is not None:
                ids[entry["submission"]].add(student_id)
    if not options.shard:  # a shard has only part of the class: `grade merge` checks
        policy.check_students(options.adjustments, set().union(*ids.values()) if ids else set(),
                              options.adjustments_source)
    graded = []
    for row in rows:
        mine = [a for a in options.adjustments if a.student in ids[row.name]]
        submitted = _submitted(row)
        report, outcome = policy.apply(row.report, course, submitted, mine)
        graded.append(Graded(row, report, outcome, submitted))
    return graded


def grade_table(graded, course=None):
    """(labs, submissions): what grades.csv and grades.json hold, as plain data."""
    course = course or policy.Course()
    labs = {}
    for item in graded:
        for lab in item.report.labs:
            key = f"{lab.number:02d}-{lab.slug}"
            labs.setdefault(key, {"lab": key, "number": lab.number, "slug": lab.slug, "title": lab.title,
                                  "max_score": number(lab.max_score),
                                  "optional": course.lab(lab.number).optional})
    labs = sorted(labs.values(), key=lambda lab: (lab["number"], lab["slug"]))
    entries = []
    for item in graded:
        row, outcome = item.row, item.outcome
        by_key = {f"{lab.number:02d}-{lab.slug}": lab for lab in item.report.labs}
        outcomes = {lab.lab: lab for lab in outcome.labs}
        cells, notes = [], []
        if row.status != "graded":
            notes.append(f"{row.status}: {summary(row.message)}")
        if row.same_name:
            notes.append(f"same name as {', '.join(row.same_name)}: graded as {row.name}")
        for lab in labs:
            result = by_key.get(lab["lab"])
            if result is None:
                cells.append({"lab": lab["lab"], "score": None, "max_score": lab["max_score"],
                              "status": "not_graded", "message": ""})
                continue
            mine = outcomes[lab["lab"]]
            cells.append({"lab": lab["lab"], "score": number(mine.score), "max_score": number(result.max_score),
                          "status": result.status, "message": summary(result.message),
                          "raw_score": number(mine.raw), "days_late": mine.days_late,
                          "late_penalty": number(mine.penalty), "adjustment": number(mine.adjustment)})
            if result.status != "graded" and result.message != row.message:
                notes.append(f"{lab['lab']} {result.status}: {summary(result.message)}")
        notes += outcome.notes
        entries.append({"submission": row.name, "source": row.source, "status": row.status,
                        "message": summary(row.message), "score": number(outcome.score),
                        "max_score": number(outcome.max_score), "raw_score": number(item.report.score),
                        "late_penalty": number(outcome.penalty), "adjustments": number(outcome.adjustments),
                        "labs": cells, "same_name_as": list(row.same_name), "graded_at": row.report.graded_at,
                        "submitted_at": row.submitted_at, "submitted_from": row.submitted_from,
                        "notes": "; ".join(notes)})
    return labs, entries


def _student_text(item):
    return (text.render(item.report) + "\n"
            + "\n".join(policy.describe(item.outcome, item.submitted, item.row.submitted_from)) + "\n")


def write(out, rows, collided, ignored, complete, options, progress=None):
    """Every class file of out, each on its own (one failing does not stop the others) and each
    replaced whole; returns the problems. Raises ConfigError for adjustments that name no student."""
    progress = progress or (lambda message: print(message, file=sys.stderr))
    rows = sorted(rows, key=lambda row: row.name)
    graded = apply_policy(rows, options)
    labs, entries = grade_table(graded, options.course)
    extra = {"shard": "/".join(map(str, options.shard)) if options.shard else None}
    attention = []
    exports = []
    for kind in options.formats:
        body, unknown, missing = lms.render(kind, labs, entries, options.roster or [])
        exports.append((f"{kind}.csv", body))
        extra["roster"] = {"unknown": unknown, "missing": [s.student_id for s in missing]}
    if "roster" in extra:
        unknown, missing = extra["roster"]["unknown"], extra["roster"]["missing"]
        names = {s.student_id: s for s in options.roster}
        attention += [f"{name}: not in the roster, left out of the LMS file" for name in unknown]
        attention += [f"{sid} ({names[sid].name}, submission {names[sid].submission}): in the roster, no "
                      "submission: empty grades in the LMS file" for sid in missing]
        for line in attention:
            progress(f"grade: roster: {line}")
    statuses = {row.name: (row.status, summary(row.message)) for row in rows}
    totals = {item.row.name: (item.outcome.score, item.outcome.max_score) for item in graded}
    renders = [
        ("grades.csv", lambda: csv_report.render_grades(labs, entries)),
        ("grades.json", lambda: json_report.render_grades(labs, entries, collided, ignored, complete, extra)),
        ("summary.html", lambda: html.render_summary([item.report for item in graded], statuses=statuses,
                                                     collisions=collided, complete=complete, totals=totals,
                                                     attention=attention)),
    ] + [(name, lambda body=body: body) for name, body in exports]
    problems = []
    for item in graded:
        _replace(out / "students" / item.row.name / "report.txt", lambda item=item: _student_text(item), problems)
    for file_name, render in renders:
        _replace(out / file_name, render, problems)
    return problems


def _replace(path, render, problems):
    partial = path.parent / f".{path.name}.partial"
    try:
        partial.write_text(render())
        os.replace(partial, path)
    except Exception as error:
        problems.append(f"cannot write {path} ({type(error).__name__}: {error})")
