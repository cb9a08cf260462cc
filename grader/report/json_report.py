"""The complete report as JSON: the format the batch mode and the HTML summary read; and the
batch's grades.json."""

import json

from grader.score import report_to_dict


def render(report):
    return json.dumps(report_to_dict(report), indent=2) + "\n"


def render_grades(labs, entries, collisions=(), ignored=(), complete=True, extra=None):
    """grades.json: what grades.csv holds (labs and entries as classfiles.grade_table makes them),
    plus the name collisions, the class folder's entries that were not submissions, whether every
    submission was graded (false after Ctrl-C), and `extra` (the shard, the roster's findings)."""
    return json.dumps({"labs": labs, "submissions": entries, "collisions": list(collisions),
                       "ignored": list(ignored), "complete": complete, **(extra or {})}, indent=1) + "\n"
