"""Report formats. Each module has render(report) -> str (one submission)."""

from grader.report import csv_report, gradescope, json_report, junit, text

FORMATS = {
    "text": text.render,
    "instructor": lambda report: text.render(report, instructor=True),
    "json": json_report.render,
    "junit": junit.render,
    "gradescope": gradescope.render,
    "csv": csv_report.render,
}
EXTENSIONS = {"text": "txt", "instructor": "txt", "json": "json", "junit": "xml", "gradescope": "json", "csv": "csv"}
