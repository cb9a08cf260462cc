"""JUnit XML: one <testsuite> per lab, one <testcase> per graded test (CI dashboards read it)."""

import xml.etree.ElementTree as ET


def render(report):
    suites = ET.Element("testsuites", name=f"winsync grade: {report.submission}",
                        tests=str(sum(len(lab.tests) for lab in report.labs)),
                        failures=str(sum(len(lab.tests) - lab.passed for lab in report.labs)),
                        time=f"{report.seconds:.2f}")
    for lab in report.labs:
        suite = ET.SubElement(suites, "testsuite", name=f"{lab.number:02d}-{lab.slug}",
                              tests=str(len(lab.tests)), failures=str(len(lab.tests) - lab.passed),
                              errors="0", skipped="0", time=f"{lab.seconds:.2f}")
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="score", value=f"{lab.score:g}")
        ET.SubElement(properties, "property", name="max_score", value=f"{lab.max_score:g}")
        for test in lab.tests:
            case = ET.SubElement(suite, "testcase", classname=f"{lab.number:02d}-{lab.slug}.{test.id.split('/')[0]}",
                                 name=test.id.split("/", 1)[1], time=f"{test.time:.3f}")
            if not test.passed:
                failure = ET.SubElement(case, "failure", type=test.status,
                                        message=_clean((test.message.splitlines() or [test.status])[0][:300]))
                failure.text = _clean(test.message) + (f"\nSee: {test.section}" if test.section else "")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _clean(text):
    """Drop characters XML 1.0 cannot carry (student output may contain any byte)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
