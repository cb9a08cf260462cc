"""The results the reports are made from: per test, per lab, per submission."""

from dataclasses import asdict, dataclass, field

PASSED = "passed"


@dataclass
class TestResult:
    id: str
    points: float
    hidden: bool = False
    section: str = ""
    status: str = "not_run"  # passed | failed | timeout | crashed | no_assertions | not_run
    message: str = ""
    runs: list = field(default_factory=list)  # the status of every run, in order
    time: float = 0.0

    @property
    def passed(self):
        return self.status == PASSED

    @property
    def intermittent(self):
        return PASSED in self.runs and any(r != PASSED for r in self.runs)

    @property
    def score(self):
        return self.points if self.passed else 0.0


@dataclass
class LabResult:
    number: int
    slug: str
    title: str
    folder: str
    status: str = "graded"  # graded | missing | rejected | compile_error | link_error | build_error
    message: str = ""
    tests: list = field(default_factory=list)
    log: str = ""
    seconds: float = 0.0

    @property
    def score(self):
        return sum(t.score for t in self.tests)

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)

    @property
    def passed(self):
        return sum(1 for t in self.tests if t.passed)


@dataclass
class Report:
    submission: str
    labs: list = field(default_factory=list)
    seconds: float = 0.0
    graded_at: str = ""
    grader_version: str = ""

    @property
    def score(self):
        return sum(lab.score for lab in self.labs)

    @property
    def max_score(self):
        return sum(lab.max_score for lab in self.labs)


def report_to_dict(report):
    data = asdict(report)
    data["score"], data["max_score"] = report.score, report.max_score
    for lab, lab_data in zip(report.labs, data["labs"]):
        lab_data.update(score=lab.score, max_score=lab.max_score, passed=lab.passed)
        for test, test_data in zip(lab.tests, lab_data["tests"]):
            test_data.update(score=test.score, intermittent=test.intermittent)
    return data


def report_from_dict(data):
    labs = []
    for lab in data["labs"]:
        tests = [TestResult(**{k: v for k, v in t.items() if k in TestResult.__dataclass_fields__})
                 for t in lab["tests"]]
        fields = {k: v for k, v in lab.items() if k in LabResult.__dataclass_fields__ and k != "tests"}
        labs.append(LabResult(tests=tests, **fields))
    fields = {k: v for k, v in data.items() if k in Report.__dataclass_fields__ and k != "labs"}
    return Report(labs=labs, **fields)


def all_failed(lab, status, message):
    """Every test of the lab gets zero with the same reason (nothing could run)."""
    for test in lab.tests:
        test.status, test.message, test.runs = status, message, []


def failed_report(name, labs, status, message):
    """A report for a submission the grader could not grade: every lab `status`, every test 0."""
    report = Report(submission=name)
    for lab in labs:
        result = LabResult(number=lab.number, slug=lab.slug, title=lab.title, folder=lab.folder,
                           status=status, message=message,
                           tests=[TestResult(id=t.id, points=t.points, hidden=t.hidden, section=t.section,
                                             message=message) for t in lab.tests])
        report.labs.append(result)
    return report
