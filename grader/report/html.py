"""The instructor's class summary: one self-contained HTML page (no scripts, no network)."""

import html
from collections import defaultdict

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 12px; background: #4a7bd0; vertical-align: middle; }
.low { background: #d0584a; }
.hist { display: flex; align-items: flex-end; gap: 3px; height: 110px; margin: 0.5em 0 0; }
.hist div { background: #4a7bd0; width: 28px; }
.labels { display: flex; gap: 3px; font-size: 11px; }
.labels span { width: 28px; text-align: center; }
.warn { color: #a33; font-weight: bold; }
small { color: #a33; }
"""


def _bins(fractions, count=10):
    bins = [0] * (count + 1)  # the last bin is "full marks"
    for fraction in fractions:
        bins[count if fraction >= 1 else int(fraction * count)] += 1
    return bins


def _key(lab):
    return (lab.number, lab.slug)


def render_summary(reports, statuses=None, collisions=(), complete=True):
    """statuses: {submission: (status, message)} of a batch (graded, bad_archive, grader_error...);
    collisions: the batch's [{name, sources, graded_as}]; complete: False after an interrupted batch."""
    e = html.escape
    statuses = statuses or {}
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>winsync grades</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>winsync: {len(reports)} submissions</h1>"]
    if not complete:
        parts.append("<p class='warn'>The batch was interrupted: the submissions whose status is grader_error "
                     "were not graded (grade them with --only NAME).</p>")
    trouble = [(name, status, message) for name, (status, message) in sorted(statuses.items())
               if status != "graded"]
    if trouble or collisions:
        parts.append("<h2>Needs attention</h2><ul>")
        parts += [f"<li>{e(' and '.join(c['sources']))} would all be named {e(c['name'])}: graded as "
                  f"{e(', '.join(c['graded_as']))}</li>" for c in collisions]
        parts += [f"<li>{e(name)}: <b>{e(status)}</b>: {e(message)}</li>" for name, status, message in trouble]
        parts.append("</ul>")
    if not reports:
        return "".join(parts) + "</body></html>\n"
    labs = {}
    for report in reports:
        for lab in report.labs:
            labs.setdefault(_key(lab), lab)
    labs = [labs[key] for key in sorted(labs)]
    parts.append("<h2>Score distribution per lab</h2>")
    for lab in labs:
        results = [r_lab for r in reports for r_lab in r.labs if _key(r_lab) == _key(lab)]
        fractions = [r_lab.score / r_lab.max_score if r_lab.max_score else 0 for r_lab in results]
        bins = _bins(fractions)
        top = max(bins) or 1
        mean = sum(fractions) / len(fractions) * 100
        parts.append(f"<h3>{lab.number:02d} {e(lab.title)} (mean {mean:.0f}%)</h3><div class='hist'>")
        parts += [f"<div title='{n} submissions' style='height:{100 * n / top:.0f}px'></div>" for n in bins]
        parts.append("</div><div class='labels'>")
        parts += [f"<span>{10 * i}%</span>" for i in range(10)] + ["<span>100</span></div>"]
    parts.append("<h2>Tests the class fails most</h2><table><tr><th>Lab</th><th>Test</th><th>Points</th>"
                 "<th>Pass rate</th><th></th><th>Intermittent</th><th>Handout section</th></tr>")
    rates = defaultdict(lambda: [0, 0, 0])
    info = {}
    for report in reports:
        for lab in report.labs:
            for test in lab.tests:
                key = (lab.number, lab.slug, test.id)
                rates[key][0] += test.passed
                rates[key][1] += 1
                rates[key][2] += test.intermittent
                info[key] = test
    for key in sorted(rates, key=lambda k: (rates[k][0] / rates[k][1], k)):
        passed, total, flaky = rates[key]
        test = info[key]
        rate = 100 * passed / total
        parts.append(f"<tr><td>{key[0]:02d} {e(key[1])}</td><td>{e(test.id)}{' (hidden)' if test.hidden else ''}"
                     f"</td><td class='n'>{test.points:g}</td><td class='n'>{rate:.0f}%</td>"
                     f"<td><span class='bar{' low' if rate < 50 else ''}' style='width:{rate:.0f}px'></span></td>"
                     f"<td class='n'>{flaky or ''}</td><td>{e(test.section)}</td></tr>")
    parts.append("</table><h2>Submissions</h2><table><tr><th>Submission</th>")
    parts += [f"<th>{lab.number:02d} {e(lab.slug)}</th>" for lab in labs] + ["<th>Total</th>"]
    parts.append("<th>Status</th></tr>" if statuses else "</tr>")
    for report in reports:
        by_key = {_key(lab): lab for lab in report.labs}
        cells = ""
        for lab in labs:
            mine = by_key.get(_key(lab))
            if mine is None:
                cells += "<td class='n'>-</td>"
                continue
            points = f"{mine.score:g}/{mine.max_score:g}"
            if mine.status == "graded":
                cells += f"<td class='n'>{points}</td>"
                continue
            why = next((line for line in mine.message.splitlines() if line.strip()), mine.status)
            cells += f"<td class='n' title='{e(why)}'>{points} <small>{e(mine.status)}</small></td>"
        link = f"students/{e(report.submission)}/report.txt"
        status = f"<td>{e(statuses.get(report.submission, ('', ''))[0])}</td>" if statuses else ""
        parts.append(f"<tr><td><a href='{link}'>{e(report.submission)}</a></td>{cells}"
                     f"<td class='n'>{report.score:g}/{report.max_score:g}</td>{status}</tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)
