"""The course's policy (course.toml) and the instructor's manual adjustments (adjustments.csv),
applied to the raw results of a batch: per-test point overrides, late penalties from each lab's
due date and the submission's time, optional labs counted as extra credit, and adjustments.

course.toml (every key optional; dates are strings with a UTC offset):

    [late]                      # the default late policy of every lab
    penalty_per_day = 10        # percent of the lab's points earned, per day (or part of one) late
    grace_hours = 2             # lateness up to this is not late
    cap = 50                    # percent: a late lab never loses more than this

    [labs.01]                   # a lab by number, slug or folder
    due = "2026-09-18T23:59:00-04:00"
    late = { penalty_per_day = 20 }   # this lab's own late policy (the keys above)
    points = { "events/initial_state" = 2 }   # a test's points instead of lab.toml's

    [labs.06]
    optional = true             # extra credit: its points add to the total, not to the maximum

adjustments.csv: a header `student,lab,points,reason`, then one line per adjustment; `student` is
a submission's name (or its student_id in the roster), `lab` a lab (empty: the whole course),
`points` added (negative: taken off).
"""

import csv
import datetime
import math
import os
import subprocess
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from grader import config
from grader.config import ConfigError, tomllib

LATE_KEYS = ("penalty_per_day", "grace_hours", "cap")
LAB_KEYS = ("due", "late", "points", "optional")


@dataclass(frozen=True)
class LatePolicy:
    penalty_per_day: float = 0.0  # percent of the points earned
    grace_hours: float = 0.0
    cap: float = 100.0  # percent

    def days_late(self, due, submitted):
        """Whole days late (a started day counts), after the grace period; 0 when on time."""
        over = (submitted - due).total_seconds() - self.grace_hours * 3600
        return max(0, math.ceil(over / 86400))

    def percent(self, days):
        return min(self.cap, days * self.penalty_per_day)


@dataclass(frozen=True)
class LabPolicy:
    due: datetime.datetime = None
    late: LatePolicy = LatePolicy()
    optional: bool = False
    points: dict = field(default_factory=dict)  # test id -> points


@dataclass
class Course:
    source: str = ""  # the course.toml it came from ("" when there is none)
    labs: dict = field(default_factory=dict)  # lab key ("01") -> LabPolicy

    def lab(self, number):
        return self.labs.get(f"{number:02d}", LabPolicy())


def parse_time(text, where):
    """An ISO 8601 date and time with its UTC offset ("Z" or "+02:00")."""
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise ConfigError(f"{where}: {text!r} is not a date and time like \"2026-09-18T23:59:00-04:00\".") from None
    if value.tzinfo is None:
        raise ConfigError(f"{where}: {text!r} has no UTC offset; write it like \"2026-09-18T23:59:00-04:00\".")
    return value


def _number(value, where, key, low=0.0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise ConfigError(f"{where}: `{key}` must be a number of at least {low:g}, not {value!r}.")
    return float(value)


def _late(table, default, where):
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of {', '.join(LATE_KEYS)}.")
    unknown = sorted(set(table) - set(LATE_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}`; the keys are {', '.join(LATE_KEYS)}.")
    values = {key: _number(table[key], where, key) for key in LATE_KEYS if key in table}
    if values.get("cap", 0) > 100:
        raise ConfigError(f"{where}: `cap` is a percentage: at most 100.")
    return LatePolicy(**{**default.__dict__, **values})


def load_course(path, labs):
    """The Course of course.toml at path, checked against the labs (config.Lab) it names."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as error:
        raise ConfigError(f"--course {path}: cannot be read ({error.strerror}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: {error}; fix the TOML syntax.") from None
    unknown = sorted(set(data) - {"late", "labs"})
    if unknown:
        raise ConfigError(f"{where}: unknown table [{unknown[0]}]; course.toml has [late] and [labs.NN].")
    default = _late(data.get("late", {}), LatePolicy(), f"{where}: [late]")
    course = Course(source=where)
    tables = data.get("labs", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{where}: `labs` must be tables like [labs.01].")
    for name, table in tables.items():
        lab_where = f"{where}: [labs.{name}]"
        try:
            (lab,) = config.select_labs(labs, [name])
        except ConfigError as error:
            raise ConfigError(f"{lab_where}: {error}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"{lab_where}: must be a table.")
        unknown = sorted(set(table) - set(LAB_KEYS))
        if unknown:
            raise ConfigError(f"{lab_where}: unknown key `{unknown[0]}`; the keys are {', '.join(LAB_KEYS)}.")
        if lab.key in course.labs:
            raise ConfigError(f"{lab_where}: lab {lab.key} has two tables.")
        points = table.get("points", {})
        if not isinstance(points, dict):
            raise ConfigError(f"{lab_where}: `points` must be a table of \"suite/test\" = points.")
        known = {t.id for t in lab.tests}
        for test_id, value in points.items():
            if test_id not in known:
                raise ConfigError(f"{lab_where}: `points`: lab {lab.key} has no test {test_id!r} (see "
                                  f"labs/{lab.folder}/lab.toml).")
            _number(value, lab_where, f"points.{test_id}")
        optional = table.get("optional", False)
        if not isinstance(optional, bool):
            raise ConfigError(f"{lab_where}: `optional` must be true or false.")
        course.labs[lab.key] = LabPolicy(
            due=parse_time(table["due"], f"{lab_where} due") if "due" in table else None,
            late=_late(table.get("late", {}), default, f"{lab_where} late"),
            optional=optional,
            points={test_id: float(value) for test_id, value in points.items()})
    for lab in labs:  # a lab without a table of its own still gets the default late policy
        course.labs.setdefault(lab.key, LabPolicy(late=default))
    return course


@dataclass(frozen=True)
class Adjustment:
    student: str
    lab: str  # "01-events", or "" for the whole course
    points: float
    reason: str
    line: int


def load_adjustments(path, labs):
    """The adjustments of adjustments.csv; the labs are checked here, the students when applied."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"--adjustments {path}: cannot be read ({error.strerror}).") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not {"student", "lab", "points"} <= set(reader.fieldnames):
        raise ConfigError(f"{path}: the first line must be the header student,lab,points,reason.")
    found = []
    for line, entry in enumerate(reader, start=2):
        student, lab_name = (entry["student"] or "").strip(), (entry["lab"] or "").strip()
        if not student:
            raise ConfigError(f"{path}:{line}: no student.")
        try:
            points = float(entry["points"])
        except (TypeError, ValueError):
            raise ConfigError(f"{path}:{line}: points {entry['points']!r} is not a number.") from None
        key = ""
        if lab_name:
            try:
                (lab,) = config.select_labs(labs, [lab_name])
            except ConfigError as error:
                raise ConfigError(f"{path}:{line}: {error}") from None
            key = f"{lab.number:02d}-{lab.slug}"
        found.append(Adjustment(student, key, points, (entry.get("reason") or "").strip(), line))
    return found


def check_students(adjustments, known, source):
    """Refuse an adjustment for a student the class does not have (a typo would be lost)."""
    for adjustment in adjustments:
        if adjustment.student not in known:
            raise ConfigError(f"{source}:{adjustment.line}: no submission or roster student_id "
                              f"{adjustment.student!r}; the submissions are {', '.join(sorted(known)[:20])}.")


# ---- Applying the policy to one submission ----------------------------------------------------


@dataclass
class LabOutcome:
    lab: str  # "01-events"
    raw: float  # the points of the passed tests (after point overrides)
    max_score: float
    optional: bool = False
    days_late: int = 0
    percent_off: float = 0.0
    penalty: float = 0.0  # points taken off for lateness
    adjustment: float = 0.0

    @property
    def score(self):
        return self.raw - self.penalty + self.adjustment


@dataclass
class Outcome:
    labs: list
    adjustment: float = 0.0  # adjustments of the whole course
    notes: list = field(default_factory=list)  # one line per penalty and adjustment, in order

    @property
    def score(self):
        return sum(lab.score for lab in self.labs) + self.adjustment

    @property
    def max_score(self):
        """Optional labs are extra credit: they add to the score, never to the maximum."""
        return sum(lab.max_score for lab in self.labs if not lab.optional)

    @property
    def penalty(self):
        return sum(lab.penalty for lab in self.labs)

    @property
    def adjustments(self):
        return self.adjustment + sum(lab.adjustment for lab in self.labs)


def with_points(report, course):
    """A copy of report with the course's point overrides in place of lab.toml's points."""
    report = deepcopy(report)
    for lab in report.labs:
        overrides = course.lab(lab.number).points
        for test in lab.tests:
            test.points = overrides.get(test.id, test.points)
    return report


def _points(value):
    return f"{value:+g}" if value else "0"


def apply(report, course, submitted_at, adjustments=()):
    """(report with the point overrides, Outcome). submitted_at: a datetime or None (unknown:
    never late). adjustments: this submission's own."""
    report = with_points(report, course)
    outcome = Outcome(labs=[])
    for lab in report.labs:
        policy = course.lab(lab.number)
        result = LabOutcome(f"{lab.number:02d}-{lab.slug}", lab.score, lab.max_score, optional=policy.optional)
        if policy.due and submitted_at:
            result.days_late = policy.late.days_late(policy.due, submitted_at)
            result.percent_off = policy.late.percent(result.days_late)
            result.penalty = round(result.raw * result.percent_off / 100, 2)
            if result.days_late:
                outcome.notes.append(f"{result.lab}: {result.days_late} day(s) late (due {policy.due.isoformat()}): "
                                     f"-{result.percent_off:g}% ({_points(-result.penalty)} points)")
        outcome.labs.append(result)
    by_lab = {lab.lab: lab for lab in outcome.labs}
    for adjustment in adjustments:
        target = by_lab.get(adjustment.lab)
        if adjustment.lab and target is None:
            continue  # a lab this batch did not grade
        if target is None:
            outcome.adjustment += adjustment.points
        else:
            target.adjustment += adjustment.points
        outcome.notes.append(f"adjustment {adjustment.lab or 'course'}: {_points(adjustment.points)} points"
                             + (f" ({adjustment.reason})" if adjustment.reason else ""))
    return report, outcome


def describe(outcome, submitted_at, submitted_from):
    """The lines a student's report.txt gets under the grader's own report."""
    when = submitted_at.isoformat() if submitted_at else "unknown"
    lines = [f"Submitted: {when} ({submitted_from})" if submitted_from else f"Submitted: {when}"]
    lines += [f"  {note}" for note in outcome.notes]
    lines += [f"  {lab.lab}: optional, counted as extra credit" for lab in outcome.labs if lab.optional]
    if len(lines) > 1:
        lines.append(f"Total after the course policy: {outcome.score:g}/{outcome.max_score:g}")
    return lines


# ---- When a submission was made ----------------------------------------------------------------


def _git_time(folder):
    """The committer time of the folder's last commit (HEAD), or None. The repository is the
    student's: git runs with no system or global configuration, nothing that could start a
    program (signatures, fsmonitor, pager), and a time limit."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull, "HOME": os.devnull, "GIT_TERMINAL_PROMPT": "0"}
    argv = ["git", "-c", "safe.directory=*", "-c", "log.showSignature=false", "-c", "core.fsmonitor=false",
            "--no-pager", "-C", str(folder), "log", "-1", "--format=%cI", "HEAD"]
    try:
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    try:
        return datetime.datetime.fromisoformat(done.stdout.strip())
    except ValueError:
        return None


def _mtime(path):
    return datetime.datetime.fromtimestamp(os.stat(path).st_mtime, datetime.timezone.utc).replace(microsecond=0)


def submission_time(path, kind, wanted=()):
    """(datetime or None, where it came from) for a submission folder or archive: the last git
    commit of a repository, an archive's modification time, else the newest modification time of
    the student files (`wanted` names) in the folder."""
    path = Path(path)
    try:
        if kind == "folder":
            if (path / ".git").exists():
                when = _git_time(path)
                if when:
                    return when, "the last git commit"
            files = [p for p in path.rglob("*") if p.name in wanted and p.is_file() and not p.is_symlink()]
            if files:
                return max(_mtime(p) for p in files), "the newest modification time of its lab files"
            return None, ""
        return _mtime(path), "the archive's modification time"
    except OSError:
        return None, ""
