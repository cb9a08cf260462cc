"""The machine's load around a benchmark run: figures written to RESULTS.md come from a quiet one.

A loaded machine slows some rows far more than others (a kernel queue loses more to a busy CPU
than a shared-memory queue), so ratios measured at a load of 13 say nothing about a quiet
machine. The 1-minute load average is read at the start, after every program run and at the end.
"""
import os
import time

START_LIMIT = 1.0  # at most this when measuring starts
RUN_LIMIT = 1.5  # never above this while measuring (the benchmark itself adds about 1)


def load1():
    return os.getloadavg()[0]


def wait_until_quiet(limit, seconds, log):
    """Waits up to `seconds` for the load to fall to `limit` (the build just raised it)."""
    deadline = time.monotonic() + seconds
    while load1() > limit and time.monotonic() < deadline:
        log(f"load average {load1():.2f} > {limit}: waiting for the machine to settle")
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))


class LoadWatch:
    """The load at the start, its peak while measuring, and at the end."""

    def __init__(self):
        self.start = self.peak = self.end = load1()

    def sample(self):
        self.peak = max(self.peak, load1())

    def finish(self):
        self.end = load1()
        self.peak = max(self.peak, self.end)

    def quiet(self):
        return self.start <= START_LIMIT and self.peak <= RUN_LIMIT

    def why_noisy(self):
        reasons = []
        if self.start > START_LIMIT:
            reasons.append(f"the load average was {self.start:.2f} at the start (limit {START_LIMIT})")
        if self.peak > RUN_LIMIT:
            reasons.append(f"it rose to {self.peak:.2f} during the run (limit {RUN_LIMIT})")
        return " and ".join(reasons)

    def describe(self):
        return (f"load average (1 min) {self.start:.2f} at the start, {self.peak:.2f} at most "
                f"while measuring, {self.end:.2f} at the end")
