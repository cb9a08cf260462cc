"""The student's view: a table of labs, then one line per failure with where to look."""

STATUS_WORDS = {
    "missing": "not submitted",
    "rejected": "rejected",
    "compile_error": "does not compile",
    "link_error": "does not link",
    "build_error": "grader build error",
}


def _points(value):
    return f"{value:g}"


def render(report):
    lines = [f"Grading {report.submission}", ""]
    width = max([len(f"{lab.number:02d} {lab.slug}") for lab in report.labs] + [10])
    lines.append(f"{'Lab':<{width}}  {'Tests':>7}  {'Points':>9}  Status")
    for lab in report.labs:
        name = f"{lab.number:02d} {lab.slug}"
        status = STATUS_WORDS.get(lab.status, "ok" if lab.score == lab.max_score else "")
        tests = f"{lab.passed}/{len(lab.tests)}"
        lines.append(f"{name:<{width}}  {tests:>7}  {_points(lab.score) + '/' + _points(lab.max_score):>9}  {status}")
    lines.append(f"{'Total':<{width}}  {'':>7}  {_points(report.score) + '/' + _points(report.max_score):>9}")
    for lab in report.labs:
        failures = [t for t in lab.tests if not t.passed]
        if lab.status != "graded":
            lines += ["", f"{lab.number:02d} {lab.slug}: {lab.message}"]
            if lab.log:
                lines.append(f"   log: {lab.log}")
            continue
        if not failures:
            continue
        lines += ["", f"{lab.number:02d} {lab.slug}: {len(failures)} test(s) failed"
                  + (f" ({lab.message})" if lab.message else "")]
        for test in failures:
            reason = test.message.strip().splitlines()[0] if test.message.strip() else test.status
            tag = " [hidden]" if test.hidden else ""
            if test.intermittent:
                tag += f" [intermittent: {', '.join(test.runs)}]"
            lines.append(f" - {test.id}{tag} ({_points(test.points)} pt): {reason}")
            where = []
            if test.section:
                where.append(f'read labs/{lab.folder}/README.md, "{test.section}"')
            if lab.log:
                where.append(f"log: {lab.log}")
            if where:
                lines.append("     " + "; ".join(where))
    lines += ["", f"Graded in {report.seconds:.1f} s."]
    return "\n".join(lines) + "\n"
