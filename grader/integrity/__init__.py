"""What makes a run's verdict trustworthy when the student's code runs inside the test binary.

Criterion runs each test in a worker process that also runs the student's code, so whatever a
worker says can be forged by that code. The grader therefore believes only:
- the **runner's report**, written by the runner (which runs no student code: the scan refuses
  constructors and foreign definitions) to a pipe that only the grader's jail reads (sandbox.py);
  the guard linked into every binary (guard.c) makes the runner non-dumpable, so no worker can
  reach that pipe or the runner's memory through /proc or ptrace;
- a report that names exactly the tests that were asked for, each once (`check`);
- and only while the **sentinels** fail. Each run links a few extra tests, generated here with
  fresh random names in the lab's own suites, that call into the student's code the way tests do
  (the lab's tests/labs/NN-topic/sentinel.c `sentinel_exercise`) and then must fail. Code that
  forges a pass without knowing which test it is in also makes a sentinel pass: the lab is then
  marked `tampered`, with 0 points, and the instructor's report says why.
What remains possible, and no test proves otherwise: code that recognizes the test it runs in
(by reading Criterion's memory for the test's name, or by recognizing the calling code) could forge
results for the tests it recognizes. Hidden tests' names are not in the handout.
"""

import random
import secrets
import subprocess
from pathlib import Path

GUARD_SOURCE = Path(__file__).resolve().parent / "guard.c"
SENTINELS_PER_RUN = 2
SENTINEL_MESSAGE = "grader sentinel: this test must fail"


class Tampered(Exception):
    """The run's report cannot be believed; the message says why (for the instructor)."""


def _cc(source, output):
    argv = ["cc", "-std=c17", "-O2", "-fPIC", "-c", str(source), "-o", str(output)]
    argv += subprocess.run(["pkg-config", "--cflags", "criterion"], capture_output=True, text=True).stdout.split()
    done = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"the grader cannot compile its own {Path(source).name}:\n{done.stderr[-2000:]}")
    return output


def guard_object(folder):
    """The compiled guard (made once per shared build, in its cache folder)."""
    output = Path(folder) / "guard.o"
    if not output.exists():
        staging = output.with_suffix(f".{secrets.token_hex(4)}.o")
        _cc(GUARD_SOURCE, staging)
        staging.rename(output)
    return output


def sentinel_names(lab, count=SENTINELS_PER_RUN, rng=None):
    """Test ids for this run's sentinels: the lab's own suites, names made of its own words."""
    rng = rng or random.SystemRandom()
    suites = sorted({t.suite for t in lab.tests})
    words = sorted({w for t in lab.tests for w in t.name.split("_") if w.isalpha()}) or ["check"]
    taken = {t.id for t in lab.tests}
    names = []
    while len(names) < count:
        name = "_".join(rng.choice(words) for _ in range(rng.randint(3, 5)))
        test_id = f"{rng.choice(suites)}/{name}"
        if test_id not in taken:
            taken.add(test_id)
            names.append(test_id)
    return names


def sentinel_object(ids, timeout, folder):
    """Compile this run's sentinel tests (ids from sentinel_names) into folder; returns the .o."""
    lines = ["#include <criterion/criterion.h>", "void sentinel_exercise(void);"]
    for test_id in ids:
        suite, name = test_id.split("/")
        lines += [f"Test({suite}, {name}, .timeout = {timeout:g})", "{",
                  "    sentinel_exercise();", f'    cr_assert_fail("{SENTINEL_MESSAGE}");', "}"]
    source = Path(folder) / "sentinels.c"
    source.write_text("\n".join(lines) + "\n")
    return _cc(source, Path(folder) / "sentinels.o")


def check(parsed, duplicates, asked, sentinels, known):
    """Raise Tampered unless the report `parsed` (id -> (status, ...)) is believable.

    asked: ids that had to run; sentinels: this run's sentinel ids; known: every id in the binary.
    """
    if not parsed:
        return  # no report at all: every test counts as not run, which earns nothing
    if duplicates:
        raise Tampered(f"the runner's report names {', '.join(sorted(duplicates)[:3])} more than once")
    unknown = sorted(set(parsed) - set(known) - set(sentinels))
    if unknown:
        raise Tampered(f"the runner's report names tests that do not exist: {', '.join(unknown[:3])}")
    missing = sorted((set(asked) | set(sentinels)) - set(parsed))
    if missing:
        raise Tampered(f"the runner's report leaves out {', '.join(missing[:3])}")
    passed = [s for s in sentinels if parsed[s][0] == "passed"]
    if passed:
        raise Tampered(f"sentinel test {passed[0]}, which calls the student's code and then must fail, "
                       "was reported passed: the student's code forged test results")
