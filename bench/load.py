"""The machine's load around a benchmark run: figures written to RESULTS.md come from a quiet one.

A loaded machine slows some rows far more than others (a kernel queue loses more to a busy CPU
than a shared-memory queue), so ratios measured at a load of 13 say nothing about a quiet
machine. Two measures:

- the 1-minute load average, read at the start (it must be low before anything runs), after every
  program run and at the end: printed, but while measuring it also counts the benchmark's own
  processes (the 4x4 queue rows alone run 8);
- the load of *other* work while measuring: every half second, the runnable tasks of processes
  that do not carry MARKER in their environment (everything the run starts does, Wine's servers
  too, which leave the process tree). Its mean is what decides whether the run was quiet.
"""
import os
import threading
import time

START_LIMIT = 1.0  # 1-minute load average at most this when measuring starts
OTHERS_LIMIT = 0.5  # other work's runnable tasks, on average while measuring
SAMPLE_SECONDS = 0.5


def load1():
    return os.getloadavg()[0]


def wait_until_quiet(limit, seconds, log):
    """Waits up to `seconds` for the load to fall to `limit` (the build just raised it)."""
    deadline = time.monotonic() + seconds
    while load1() > limit and time.monotonic() < deadline:
        log(f"load average {load1():.2f} > {limit}: waiting for the machine to settle")
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))


MARKER = "WINSYNC_BENCH_RUN"  # in the environment of everything a benchmark run starts


def mark_own_processes():
    """Every process started from now on, and everything it starts, is the benchmark's own (Wine's
    wineserver included, although it leaves the process tree): call before starting anything."""
    os.environ.setdefault(MARKER, str(os.getpid()))


def _read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return "" if mode == "r" else b""  # the task ended meanwhile, or is not ours to read


def is_own(pid):
    """Does process `pid` belong to this benchmark run (MARKER in its environment)?"""
    mark = f"{MARKER}={os.environ.get(MARKER, os.getpid())}".encode()
    # This process itself: /proc/self/environ has only the environment it was started with.
    return pid == os.getpid() or mark in _read(f"/proc/{pid}/environ", "rb").split(b"\0")


def others_runnable(own_cache):
    """Tasks runnable at this instant (state R) in processes that are not the benchmark's own.
    own_cache maps a pid to whether its environment carries MARKER (read once per pid)."""
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid not in own_cache:
            own_cache[pid] = is_own(pid)
        if own_cache[pid]:
            continue
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            stat = _read(f"/proc/{pid}/task/{tid}/stat")
            fields = stat[stat.rfind(")") + 2:].split()
            count += bool(fields) and fields[0] == "R"
    return count


class OthersSampler:
    """Samples other work's runnable tasks in a background thread until stop()."""

    def __init__(self, interval=SAMPLE_SECONDS):
        self.samples = []
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        mark_own_processes()
        own_cache = {}
        while not self._stop.wait(self._interval):
            self.samples.append(others_runnable(own_cache))

    def stop(self):
        self._stop.set()
        self._thread.join()

    def mean(self):
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


class LoadWatch:
    """The load average at the start, its peak while measuring and at the end, and the mean load
    of other work while measuring."""

    def __init__(self, sampler=None):
        self.start = self.peak = self.end = load1()
        self._sampler = sampler if sampler is not None else OthersSampler()
        self.others = 0.0

    def sample(self):
        self.peak = max(self.peak, load1())

    def finish(self):
        self.end = load1()
        self.peak = max(self.peak, self.end)
        self._sampler.stop()
        self.others = self._sampler.mean()

    def quiet(self):
        return self.start <= START_LIMIT and self.others <= OTHERS_LIMIT

    def why_noisy(self):
        reasons = []
        if self.start > START_LIMIT:
            reasons.append(f"the load average was {self.start:.2f} at the start (limit {START_LIMIT})")
        if self.others > OTHERS_LIMIT:
            reasons.append(f"other work kept {self.others:.2f} tasks runnable on average while "
                           f"measuring (limit {OTHERS_LIMIT})")
        return " and ".join(reasons)

    def describe(self):
        return (f"load average (1 min) {self.start:.2f} at the start, {self.peak:.2f} at most "
                f"while measuring (the benchmark's own processes included), {self.end:.2f} at the "
                f"end; other work kept {self.others:.2f} tasks runnable on average while measuring "
                f"({len(self._sampler.samples)} samples)")
