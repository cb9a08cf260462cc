"""bench/run's quiet-machine rule: RESULTS.md is rewritten only from a quiet machine."""
import importlib.machinery
import os
import signal
import subprocess
import sys
import time
import importlib.util
import types
import unittest
from pathlib import Path
from unittest import mock

import load

BENCH = Path(__file__).resolve().parent


def load_bench_run():
    loader = importlib.machinery.SourceFileLoader("bench_run", str(BENCH / "run"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("bench_run", loader))
    loader.exec_module(module)
    return module


class FakeSampler:
    """Other work's runnable tasks, as given."""

    def __init__(self, samples):
        self.samples = list(samples)

    def stop(self):
        pass

    def mean(self):
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


def watch_with(start, *later, others=(0.0,)):
    with mock.patch.object(load, "load1", side_effect=[start, *later]):
        watch = load.LoadWatch(FakeSampler(others))
        for _ in later[:-1]:
            watch.sample()
        watch.finish()
    return watch


class LoadWatchTest(unittest.TestCase):
    def test_quiet_machine(self):
        watch = watch_with(0.4, 1.1, 2.3, others=(0, 0, 1, 0))
        self.assertTrue(watch.quiet(), "the benchmark's own processes raise the load average")
        self.assertEqual(watch.peak, 2.3)
        self.assertIn("0.40 at the start, 2.30 at most", watch.describe())
        self.assertIn("other work kept 0.25 tasks runnable on average", watch.describe())

    def test_busy_at_the_start(self):
        watch = watch_with(1.4, 1.0, 1.0)
        self.assertFalse(watch.quiet())
        self.assertIn("1.40 at the start", watch.why_noisy())

    def test_other_work_during_the_run(self):
        watch = watch_with(0.5, 1.9, 1.2, others=(1, 0, 2, 1))
        self.assertFalse(watch.quiet())
        self.assertIn("other work kept 1.00 tasks runnable on average", watch.why_noisy())
        self.assertNotIn("at the start", watch.why_noisy())


class SamplerTest(unittest.TestCase):
    def spinner(self, env):
        """A busy process that leaves the process tree (its starter exits at once), as
        wineserver does; its pid."""
        started = subprocess.run(["sh", "-c", f"{sys.executable} -c 'while True: pass' "
                                  "</dev/null >/dev/null 2>&1 & echo $!"],
                                 capture_output=True, text=True, check=True, env=env)
        pid = int(started.stdout)
        self.addCleanup(os.kill, pid, signal.SIGKILL)
        return pid

    def others_while(self, pid):
        deadline = time.monotonic() + 10
        while _state(pid) != "R" and time.monotonic() < deadline:
            time.sleep(0.01)  # created runnable, but maybe not scheduled yet
        sampler = load.OthersSampler(interval=0.05)
        time.sleep(1.0)
        sampler.stop()
        return sampler

    def test_a_busy_process_of_someone_else_is_other_work(self):
        env = {k: v for k, v in os.environ.items() if k != load.MARKER}
        sampler = self.others_while(self.spinner(env))
        self.assertGreaterEqual(sampler.mean(), 0.5, sampler.samples)

    def test_what_the_run_started_is_its_own_even_out_of_its_tree(self):
        load.mark_own_processes()
        self.assertTrue(load.is_own(os.getpid()))
        self.assertTrue(load.is_own(self.spinner(dict(os.environ))))
        self.assertFalse(load.is_own(self.spinner({k: v for k, v in os.environ.items()
                                                   if k != load.MARKER})))


def _state(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat[stat.rfind(")") + 2:].split()[0]


class RefusalTest(unittest.TestCase):
    def setUp(self):
        self.run = load_bench_run()

    def args(self, **flags):
        return types.SimpleNamespace(**{"results": False, "noisy": False, **flags})

    def test_results_refused_when_noisy(self):
        self.assertTrue(self.run.refused(self.args(results=True), watch_with(2.0, 2.0, others=(2, 2))))

    def test_noisy_flag_overrides_and_the_table_says_so(self):
        watch = watch_with(2.0, 2.0, others=(2, 2))
        self.assertFalse(self.run.refused(self.args(results=True, noisy=True), watch))
        args = types.SimpleNamespace(rounds=1, time_ms=10, pin=None)
        table, _ = self.run.build_report({}, args, [], watch)
        self.assertTrue(table.startswith("**Measured on a noisy machine**"), table[:200])

    def test_quiet_results_and_plain_runs_accepted(self):
        self.assertFalse(self.run.refused(self.args(results=True), watch_with(0.5, 2.9)))
        self.assertFalse(self.run.refused(self.args(), watch_with(5.0, 5.0)))


if __name__ == "__main__":
    unittest.main()
