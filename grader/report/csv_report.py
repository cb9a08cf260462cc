"""CSV: one row per submission, a column per lab, then the total (`--format csv`), and the batch's
grades.csv, which adds per lab its maximum and status, and the row's status, source and notes."""

import csv
import io


def header(labs):
    return ["submission"] + [f"{lab.number:02d}-{lab.slug}" for lab in labs] + ["total", "max_total"]


def row(report):
    return ([report.submission] + [f"{lab.score:g}" for lab in report.labs]
            + [f"{report.score:g}", f"{report.max_score:g}"])


def render_many(reports):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if reports:
        writer.writerow(header(reports[0].labs))
    for report in reports:
        writer.writerow(row(report))
    return out.getvalue()


def render(report):
    return render_many([report])


def _cell(value):
    """Text a spreadsheet will not take for a formula (student names and messages are free text)."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _points(value):
    return "" if value is None else f"{value:g}"


def grades_header(labs):
    """grades.csv of a batch: per lab its points, its maximum and its status, then the points the
    course policy took off for lateness, the adjustments, the totals and the submission time."""
    columns = ["submission", "status"]
    for lab in labs:
        columns += [lab["lab"], f"{lab['lab']}_max", f"{lab['lab']}_status"]
    return columns + ["late_penalty", "adjustments", "total", "max_total", "submitted_at", "source", "notes"]


def render_grades(labs, entries):
    """labs and entries as classfiles.grade_table makes them (the same data as grades.json)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(grades_header(labs))
    for entry in entries:
        cells = [entry["submission"], entry["status"]]
        for lab in entry["labs"]:
            cells += [_points(lab["score"]), _points(lab["max_score"]), lab["status"]]
        writer.writerow(cells + [_points(entry["late_penalty"]), _points(entry["adjustments"]),
                                 _points(entry["score"]), _points(entry["max_score"]), entry["submitted_at"],
                                 _cell(entry["source"]), _cell(entry["notes"])])
    return out.getvalue()
