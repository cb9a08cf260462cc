"""The instructor's class summary: one self-contained HTML page (no scripts, no network).

Per lab, how many submissions were graded and how many could not be (does not compile, rejected,
not trusted...), apart from the tests; the histogram of the total and of each lab, with the count
over every bar; the tests the class fails most, their pass rate counted among the submissions whose
lab ran, with timeouts and crashes apart from plain failures; then every submission."""

import html
from collections import defaultdict

from grader.report.text import STATUS_WORDS

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 12px; background: #4a7bd0; vertical-align: middle; }
.low { background: #d0584a; }
.hist { display: flex; align-items: flex-end; gap: 3px; height: 126px; margin: 0.5em 0 0; }
.hist div { width: 28px; text-align: center; font-size: 11px; }
.hist div i { display: block; background: #4a7bd0; }
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


def _histogram(fractions, title):
    """A heading and ten bars of 10% plus one of full marks, each with its count over it."""
    bins = _bins(fractions)
    top = max(bins) or 1
    parts = [f"<h3>{title}</h3><div class='hist'>"]
    parts += [f"<div title='{n} submissions'>{n or ''}<i style='height:{100 * n / top:.0f}px'></i></div>"
              for n in bins]
    parts.append("</div><div class='labels'>")
    parts += [f"<span>{10 * i}%</span>" for i in range(10)] + ["<span>100</span></div>"]
    return parts


def _status_table(labs, reports):
    """Per lab: submissions graded, and how many of each status that kept the tests from running."""
    counts = {_key(lab): defaultdict(int) for lab in labs}
    for report in reports:
        for lab in report.labs:
            counts[_key(lab)][lab.status] += 1
    found = sorted({status for lab in counts.values() for status in lab if status != "graded"})
    parts = ["<h2>What kept labs from being graded</h2><table><tr><th>Lab</th><th>Graded</th>"]
    parts += [f"<th>{html.escape(STATUS_WORDS.get(status, status))}</th>" for status in found] + ["</tr>"]
    for lab in labs:
        mine = counts[_key(lab)]
        parts.append(f"<tr><td>{lab.number:02d} {html.escape(lab.slug)}</td><td class='n'>{mine['graded']}</td>"
                     + "".join(f"<td class='n'>{mine[status] or ''}</td>" for status in found) + "</tr>")
    parts.append("</table>")
    return parts


def render_summary(reports, statuses=None, collisions=(), complete=True, totals=None, attention=()):
    """statuses: {submission: (status, message)} of a batch (graded, bad_archive, grader_error...);
    collisions: the batch's [{name, sources, graded_as}]; complete: False after an interrupted batch;
    totals: {submission: (score, maximum)} after the course policy (default: the reports' own);
    attention: more lines for "Needs attention" (the roster's findings)."""
    e = html.escape
    statuses = statuses or {}
    totals = totals or {r.submission: (r.score, r.max_score) for r in reports}
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>winsync grades</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>winsync: {len(reports)} submissions</h1>"]
    if not complete:
        parts.append("<p class='warn'>The batch was interrupted: the submissions whose status is grader_error "
                     "were not graded (grade them with --only NAME).</p>")
    trouble = [(name, status, message) for name, (status, message) in sorted(statuses.items())
               if status != "graded"]
    if trouble or collisions or attention:
        parts.append("<h2>Needs attention</h2><ul>")
        parts += [f"<li>{e(line)}</li>" for line in attention]
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
    parts += _status_table(labs, reports)
    parts.append("<h2>Score distribution</h2>")
    fractions = [totals[r.submission][0] / totals[r.submission][1] if totals[r.submission][1] else 0
                 for r in reports]
    parts += _histogram(fractions, f"Total (mean {sum(fractions) / len(fractions) * 100:.0f}%)")
    for lab in labs:
        results = [r_lab for r in reports for r_lab in r.labs if _key(r_lab) == _key(lab)]
        fractions = [r_lab.score / r_lab.max_score if r_lab.max_score else 0 for r_lab in results]
        parts += _histogram(fractions, f"{lab.number:02d} {e(lab.title)} (mean {sum(fractions) / len(fractions) * 100:.0f}%)")
    parts.append("<h2>Tests the class fails most</h2><p>Counted among the submissions whose lab was graded "
                 "(the tests ran); the table above counts the others.</p><table><tr><th>Lab</th><th>Test</th>"
                 "<th>Points</th><th>Ran</th><th>Pass rate</th><th></th><th>Failed</th><th>Timed out</th>"
                 "<th>Crashed</th><th>Intermittent</th><th>Handout section</th></tr>")
    rates = defaultdict(lambda: defaultdict(int))
    info = {}
    for report in reports:
        for lab in report.labs:
            for test in lab.tests:
                key = (lab.number, lab.slug, test.id)
                info[key] = test
                if lab.status != "graded":
                    continue
                rates[key]["ran"] += 1
                rates[key]["passed"] += test.passed
                rates[key]["intermittent"] += test.intermittent
                if not test.passed:
                    rates[key][test.status if test.status in ("timeout", "crashed") else "failed"] += 1

    def rate_of(key):
        return 100 * rates[key]["passed"] / rates[key]["ran"] if rates[key]["ran"] else 101

    for key in sorted(info, key=lambda k: (rate_of(k), k)):
        counts, test, rate = rates[key], info[key], rate_of(key)
        shown = f"{rate:.0f}%" if counts["ran"] else "-"
        parts.append(f"<tr><td>{key[0]:02d} {e(key[1])}</td><td>{e(test.id)}{' (hidden)' if test.hidden else ''}"
                     f"</td><td class='n'>{test.points:g}</td><td class='n'>{counts['ran']}</td>"
                     f"<td class='n'>{shown}</td><td><span class='bar{' low' if rate < 50 else ''}' "
                     f"style='width:{rate if counts['ran'] else 0:.0f}px'></span></td>"
                     + "".join(f"<td class='n'>{counts[k] or ''}</td>" for k in ("failed", "timeout", "crashed",
                                                                                 "intermittent"))
                     + f"<td>{e(test.section)}</td></tr>")
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
        score, maximum = totals[report.submission]
        parts.append(f"<tr><td><a href='{link}'>{e(report.submission)}</a></td>{cells}"
                     f"<td class='n'>{score:g}/{maximum:g}</td>{status}</tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)
