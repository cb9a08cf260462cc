"""Gradescope's results.json, with Gradescope's own visibility settings keeping hidden tests hidden.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("hidden": never shown to
students; "after_due_date": shown once the (late) due date has passed; "visible": always shown;
while any test is hidden, Gradescope does not show students their total score).

- Public tests are "visible", with the failure message and the handout section to read.
- Hidden tests are "after_due_date": their names, points and results appear only then.
- The top-level output, which students see at once, is computed from the public tests alone: it
  names no hidden test and its per-lab totals leave hidden points out. The total with the hidden
  tests is the top-level score, which Gradescope shows once no test is hidden any more.
- stdout (the grader's progress and log paths) is for instructors only ("stdout_visibility").
"""

import json
from copy import deepcopy

from grader.report import text

HIDDEN_NOTE = ("Hidden tests count towards your score too: their results, and your total with them, "
               "are shown after the due date.")


def render(report):
    tests = []
    for lab in report.labs:
        for number, test in enumerate(lab.tests, start=1):
            entry = {
                "name": f"{lab.number:02d} {lab.slug}: {test.id}",
                "number": f"{lab.number}.{number}",
                "score": test.score,
                "max_score": test.points,
                "status": "passed" if test.passed else "failed",
                "visibility": "after_due_date" if test.hidden else "visible",
            }
            if not test.passed:
                if test.hidden:
                    output = "This hidden test failed."
                else:
                    output = test.message.strip() or test.status
                if test.section:
                    output += f'\nRead labs/{lab.folder}/README.md, "{test.section}".'
                entry["output"] = output
            tests.append(entry)
    results = {
        "score": report.score,
        "execution_time": int(report.seconds),
        "output": public_output(report),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(results, indent=2) + "\n"


def public_output(report):
    """The summary students see before the due date: the report of the public tests alone (its
    table and total count public tests only)."""
    public = deepcopy(report)
    has_hidden = False
    for lab in public.labs:
        lab.log = ""  # a path inside the container: of no use to a student
        has_hidden = has_hidden or any(t.hidden for t in lab.tests)
        lab.tests = [t for t in lab.tests if not t.hidden]
    summary = text.render(public)
    if has_hidden:
        summary += "\n" + HIDDEN_NOTE + "\n"
    return summary
