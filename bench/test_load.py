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
    def test_own_runnable_counts_this_process_and_a_spinning_child(self):
        child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            deadline = time.monotonic() + 10
            while load.own_runnable() < 2 and time.monotonic() < deadline:
                time.sleep(0.01)  # the child is created runnable, but may not have run yet
            self.assertGreaterEqual(load.own_runnable(), 2, "this thread and the child")
        finally:
            child.kill()
            child.wait()

    def test_a_spinning_process_outside_the_tree_is_other_work(self):
        # Started by a process that exits at once: it is not a descendant of this one.
        spinner = subprocess.run(["sh", "-c", f"{sys.executable} -c 'while True: pass' "
                                  "</dev/null >/dev/null 2>&1 & echo $!"],
                                 capture_output=True, text=True, check=True)
        pid = int(spinner.stdout)
        try:
            sampler = load.OthersSampler(interval=0.05)
            time.sleep(1.0)
            sampler.stop()
            self.assertGreaterEqual(sampler.mean(), 0.5, sampler.samples)
        finally:
            os.kill(pid, signal.SIGKILL)


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
