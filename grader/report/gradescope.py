"""Gradescope's results.json: per-test score/max_score/visibility; hidden tests after the due date.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/
"""

import json

from grader.report import text


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
                output = test.message.strip() or test.status
                if test.section:
                    output += f'\nRead labs/{lab.folder}/README.md, "{test.section}".'
                entry["output"] = output if not test.hidden else "This hidden test failed."
            tests.append(entry)
    results = {
        "score": report.score,
        "execution_time": int(report.seconds),
        "output": text.render(_public(report)),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(results, indent=2) + "\n"


def _public(report):
    """The report without hidden tests' messages, for the overall output students see."""
    from copy import deepcopy

    public = deepcopy(report)
    for lab in public.labs:
        lab.log = ""
        for test in lab.tests:
            if test.hidden:
                test.message = "hidden test"
                test.section = ""
    return public
