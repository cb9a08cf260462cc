"""CSV: one row per submission, a column per lab, then the total (grades.csv in batch mode)."""

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
