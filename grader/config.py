"""Lab descriptions: labs/NN-topic/lab.toml (format in docs and in the lab folders)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.9 and 3.10 (Debian bullseye, Ubuntu 22.04): the same interface
    from grader import tomlcompat as tomllib


class ConfigError(Exception):
    """A lab.toml the grader cannot use; the message says which file and what to fix."""


@dataclass(frozen=True)
class TestSpec:
    id: str  # Criterion "<suite>/<test>"
    points: float
    hidden: bool
    section: str
    timeout: float

    @property
    def suite(self):
        return self.id.split("/", 1)[0]

    @property
    def name(self):
        return self.id.split("/", 1)[1]


@dataclass(frozen=True)
class Lab:
    number: int
    slug: str
    title: str
    folder: str  # "01-events"
    student_files: tuple
    slot: str
    timeout: float
    tests: tuple = field(default_factory=tuple)
    hidden_points: float = 0.0  # the student handout: points of the hidden tests left out of `tests`

    @property
    def key(self):
        return f"{self.number:02d}"

    @property
    def target(self):
        """The CMake target of the lab's Criterion binary."""
        return f"lab{self.number:02d}-{self.slug}"

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)

    def public(self):
        return [t for t in self.tests if not t.hidden]


def _require(table, key, kind, where):
    if key not in table:
        raise ConfigError(f"{where}: missing `{key}`; add it (see labs/01-events/lab.toml).")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: `{key}` must be a {kind.__name__}, not {value!r}.")
    return value


def load_lab(path):
    path = Path(path)
    where = str(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{where}: {error}; fix the TOML syntax.") from None
    lab = data.get("lab")
    if not isinstance(lab, dict):
        raise ConfigError(f"{where}: missing the [lab] table.")
    number = _require(lab, "number", int, where)
    slug = _require(lab, "slug", str, where)
    files = _require(lab, "student_files", list, where)
    if not files or not all(isinstance(f, str) and f and "/" not in f and f[0] != "." for f in files):
        raise ConfigError(f"{where}: `student_files` must list plain file names like \"event.c\".")
    timeout = _require(lab, "timeout", float, where)
    tests = []
    seen = set()
    for i, test in enumerate(data.get("tests", [])):
        twhere = f"{where}: [[tests]] #{i + 1}"
        test_id = _require(test, "id", str, twhere)
        if not re.fullmatch(r"[A-Za-z0-9_]+/[A-Za-z0-9_]+", test_id):
            raise ConfigError(f"{twhere}: id {test_id!r} must be \"<suite>/<test>\" as in Criterion.")
        if test_id in seen:
            raise ConfigError(f"{twhere}: id {test_id!r} is listed twice.")
        seen.add(test_id)
        tests.append(TestSpec(
            id=test_id,
            points=_require(test, "points", float, twhere),
            hidden=bool(test.get("hidden", False)),
            section=str(test.get("section", "")),
            timeout=float(test.get("timeout", timeout)),
        ))
    return Lab(
        number=number,
        slug=slug,
        title=str(lab.get("title", slug)),
        folder=path.parent.name,
        student_files=tuple(files),
        slot=_require(lab, "slot", str, where),
        timeout=timeout,
        tests=tuple(tests),
        hidden_points=_require(lab, "hidden_points", float, where) if "hidden_points" in lab else 0.0,
    )


def load_labs(root):
    """Every lab of the tree at `root`, by number."""
    labs = [load_lab(p) for p in sorted(Path(root).glob("labs/[0-9][0-9]-*/lab.toml"))]
    numbers = [lab.number for lab in labs]
    if len(set(numbers)) != len(numbers):
        raise ConfigError("two labs share a number: check `number` in labs/*/lab.toml.")
    return sorted(labs, key=lambda lab: lab.number)


def select_labs(labs, wanted):
    """Labs named by number ("2", "02"), slug ("mutexes") or folder ("02-mutexes")."""
    if not wanted:
        return list(labs)
    chosen = []
    for name in wanted:
        match = [lab for lab in labs
                 if name in (lab.slug, lab.folder, lab.target)
                 or (name.isdigit() and int(name) == lab.number)]
        if not match:
            known = ", ".join(f"{lab.key} ({lab.slug})" for lab in labs) or "none found under labs/"
            raise ConfigError(f"no lab called {name!r}. Labs: {known}.")
        chosen.extend(lab for lab in match if lab not in chosen)
    return chosen
