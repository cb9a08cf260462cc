"""What the grader is doing, on stderr, while it works: never on stdout, never in a report file.

On a terminal, one status line is rewritten in place (and cleared when the work is done), with
lines that stay printed above it; anywhere else, only the lines that stay, plain text without
control characters, so that a log or a CI page reads well. `Progress(enabled=False)` (--quiet)
prints nothing at all.

`LabBoard` is the status of one submission's labs (which run, which ended with what score);
`SubmissionBoard` the status of a batch (submissions in flight and done).
"""

import os
import re
import shutil
import sys
import threading
import time

TICK = 0.5  # seconds between two redraws of a live status line (its clock moves)


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Progress lines on `stream` (default: sys.stderr when made). Safe to use from threads."""

    def __init__(self, stream=None, enabled=True):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and _isatty(self.stream) and os.environ.get("TERM") != "dumb"
        self._lock = threading.RLock()
        self._status = ""  # the live line now shown (tty only)
        self._render = None  # what makes the live line, while a `live` block runs
        self._stop = None
        self.tick = TICK

    def note(self, message):
        """A line that stays, on a terminal and off it."""
        if not self.enabled:
            return
        with self._lock:
            self._write("\r\033[K" if self._status else "")
            self._write(message + "\n")
            if self._status:
                self._write(self._status)
            self.stream.flush()

    def __call__(self, message):  # a Progress is also a plain message callback
        self.note(message)

    def plain(self, message):
        """A line that only off a terminal is worth printing (on one, the live line shows it)."""
        if self.enabled and not self.tty:
            self.note(message)

    def show(self, text):
        """Rewrite the live line (on a terminal only), cut to the terminal's width; "" clears it."""
        if not self.tty:
            return
        if not text:
            self.clear()
            return
        width = self._columns() - 1
        text = text if len(text) <= width else text[:max(0, width - 3)] + "..."
        with self._lock:
            self._status = text
            self._write("\r\033[K" + text)
            self.stream.flush()

    def clear(self):
        if not self.tty:
            return
        with self._lock:
            if self._status:
                self._write("\r\033[K")
                self.stream.flush()
            self._status = ""

    def live(self, render):
        """`with progress.live(render):` on a terminal, the live line is render() redrawn every
        TICK seconds (and at once by `refresh`), and cleared at the end."""
        return _Live(self, render)

    def refresh(self):
        render = self._render
        if render is not None:
            self.show(render())

    def _columns(self):
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            return shutil.get_terminal_size((80, 24)).columns

    def _write(self, text):
        try:
            self.stream.write(text)
        except (OSError, ValueError):  # a closed terminal or pipe never stops the grading
            self.enabled = self.tty = False


class _Live:
    def __init__(self, progress, render):
        self.progress, self.render = progress, render

    def __enter__(self):
        p = self.progress
        if not p.tty:
            return p
        p._render, p._stop = self.render, threading.Event()
        p.refresh()
        self.thread = threading.Thread(target=self._tick, args=(p._stop,), daemon=True)
        self.thread.start()
        return p

    def _tick(self, stop):
        while not stop.wait(self.progress.tick):
            self.progress.refresh()

    def __exit__(self, *exc):
        p = self.progress
        if p.tty:
            p._stop.set()
            self.thread.join()
            p._render = None
            p.clear()


class LabBoard:
    """The labs of one submission: started, ended with a score, and the running total."""

    def __init__(self, progress, labs):
        self.progress = progress
        self.total = len(labs)
        self.start = time.monotonic()
        self._lock = threading.Lock()
        self.running = {}  # lab key -> (label, start)
        self.done = 0
        self.score = self.max_score = 0.0

    def started(self, lab):
        with self._lock:
            self.running[lab.key] = (f"{lab.key} {lab.slug}", time.monotonic())
        self.progress.refresh()

    def ended(self, lab, result):
        with self._lock:
            self.running.pop(lab.key, None)
            self.done += 1
            self.score += result.score
            self.max_score += result.max_score
            done, score, max_score = self.done, self.score, self.max_score
        status = "" if result.status == "graded" else f" ({result.status})"
        self.progress.plain(f"lab {lab.key} {lab.slug}: {result.score:g}/{result.max_score:g} points{status} "
                            f"in {result.seconds:.1f} s [{done}/{self.total} labs, {score:g}/{max_score:g} "
                            "points so far]")
        self.progress.refresh()

    def render(self):
        with self._lock:
            running = list(self.running.values())
            text = (f"grading: {self.done}/{self.total} labs done, {self.score:g}/{self.max_score:g} points so far"
                    f" | {clock(time.monotonic() - self.start)}")
        if len(running) == 1:
            return f"{text} | running {running[0][0]}"
        return text + (f" | running {', '.join(label.split()[0] for label, _ in running)}" if running else "")


class SubmissionBoard:
    """A batch: submissions in flight and done, with the elapsed time and an estimate of the rest."""

    def __init__(self, progress, total):
        self.progress = progress
        self.total = total
        self.start = time.monotonic()
        self._lock = threading.Lock()
        self.in_flight = self.done = 0
        self.last = ""

    def started(self):
        with self._lock:
            self.in_flight += 1
        self.progress.refresh()

    def ended(self, name, score, max_score, status):
        with self._lock:
            self.in_flight -= 1
            self.done += 1
            self.last = f"{name}: {score:g}/{max_score:g}" + ("" if status == "graded" else f" {status}")
            line = f"[{self.done}/{self.total}] {self.last}  {self._times()}"
        self.progress.plain(line)
        self.progress.refresh()

    def _times(self):
        elapsed = time.monotonic() - self.start
        eta = f"  ETA {clock(elapsed / self.done * (self.total - self.done))}" if self.done else ""
        return f"elapsed {clock(elapsed)}{eta}"

    def render(self):
        with self._lock:
            last = f" | last {self.last}" if self.last else ""
            return (f"[{self.done}/{self.total}] done, {self.in_flight} in flight{last} | {self._times()}")


BUILD_STEP = re.compile(r"^\[\s*\d+%\]\s*(.*)")


def build_step(line):
    """What a line of CMake's Makefile output says is being done ("[ 45%] Building C object x.o":
    "Building C object x.o"), or None. The percentage is left out: with several targets, Make
    counts each one's steps from its own start."""
    match = BUILD_STEP.match(line)
    return match.group(1).strip() if match else None
