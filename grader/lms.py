"""Gradebooks for a learning management system, from a batch's grades and a roster.

roster.csv: a header with `submission,student_id,name` (and optionally `email`, `section`), then
one line per student; `submission` is the student's folder or archive in the class folder
(`alice`, `alice.zip`) or their name in the batch's results (`alice-2`).

- canvas.csv: Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then
  one column per lab and the total; the second line holds each column's points possible.
  `student_id` goes in SIS User ID (Canvas matches students on it), `email` in SIS Login ID.
- moodle.csv: for Moodle's "Import grades from CSV": ID number, Full name, Email address, one
  column per lab, the total and a feedback column (map ID number to "ID number" on import).

A roster student without a submission gets a line with empty grades (the LMS leaves those cells
alone); a submission missing from the roster cannot be exported: both are listed.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.config import ConfigError

FORMATS = ("canvas", "moodle")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")


@dataclass(frozen=True)
class Student:
    submission: str
    student_id: str
    name: str
    email: str = ""
    section: str = ""


def load_roster(path):
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"--roster {path}: cannot be read ({error.strerror}).") from None
    reader = csv.DictReader(text.splitlines())
    needed = {"submission", "student_id", "name"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise ConfigError(f"{path}: the first line must be a header with submission,student_id,name "
                          "(and optionally email,section).")
    students, seen = [], {}
    for line, entry in enumerate(reader, start=2):
        values = {key: (entry.get(key) or "").strip() for key in ("submission", "student_id", "name", "email",
                                                                   "section")}
        if not values["submission"] or not values["student_id"]:
            raise ConfigError(f"{path}:{line}: every student needs a submission and a student_id.")
        for key in ("submission", "student_id"):
            if (key, values[key]) in seen:
                raise ConfigError(f"{path}:{line}: {key} {values[key]!r} is already on line "
                                  f"{seen[(key, values[key])]}.")
            seen[(key, values[key])] = line
        students.append(Student(**values))
    return students


def _source_names(entry):
    """The names a roster line may use for a submission: its batch name and its file name."""
    source = entry["source"].rstrip("/")
    names = {entry["submission"], source}
    lower = source.lower()
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            names.add(source[:-len(suffix)])
    return names


def match(students, entries):
    """({student_id: entry or None}, unknown submissions, missing students), in roster order."""
    by_name = {}
    for entry in entries:
        for name in _source_names(entry):
            by_name.setdefault(name, entry)
    matched, used = {}, set()
    for student in students:
        entry = by_name.get(student.submission)
        matched[student.student_id] = entry
        if entry is not None:
            used.add(entry["submission"])
    unknown = [e["submission"] for e in entries if e["submission"] not in used]
    missing = [s for s in students if matched[s.student_id] is None]
    return matched, unknown, missing


def _points(value):
    return "" if value is None else f"{value:g}"


def _column(lab):
    return f"Lab {lab['lab']}"


def render(kind, labs, entries, students, course_name="winsync"):
    """(csv text, unknown submission names, missing Students) for kind canvas or moodle."""
    matched, unknown, missing = match(students, entries)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    total = f"{course_name} total"
    columns = [_column(lab) for lab in labs] + [total]
    if kind == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + columns)
        possible = [_points(lab["max_score"]) for lab in labs]
        counted = sum(lab["max_score"] for lab in labs if not lab.get("optional"))
        writer.writerow(["Points Possible", "", "", "", ""] + possible + [_points(counted)])
    else:
        writer.writerow(["ID number", "Full name", "Email address"] + columns + ["Feedback"])
    for student in students:
        entry = matched[student.student_id]
        scores = ([_points(cell["score"]) for cell in entry["labs"]] + [_points(entry["score"])] if entry
                  else [""] * (len(labs) + 1))
        if kind == "canvas":
            writer.writerow([student.name, "", student.student_id, student.email, student.section] + scores)
        else:
            writer.writerow([student.student_id, student.name, student.email] + scores
                            + [entry["notes"] if entry else "no submission"])
    return out.getvalue(), unknown, missing
