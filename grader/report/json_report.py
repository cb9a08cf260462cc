"""The complete report as JSON: the format the batch mode and the HTML summary read."""

import json

from grader.score import report_to_dict


def render(report):
    return json.dumps(report_to_dict(report), indent=2) + "\n"
