"""bench/run's quiet-machine rule: RESULTS.md is rewritten only from a quiet machine."""
import importlib.machinery
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


def watch_with(start, *later):
    with mock.patch.object(load, "load1", side_effect=[start, *later]):
        watch = load.LoadWatch()
        for _ in later[:-1]:
            watch.sample()
        watch.finish()
    return watch


class LoadWatchTest(unittest.TestCase):
    def test_quiet_machine(self):
        watch = watch_with(0.4, 1.1, 1.2)
        self.assertTrue(watch.quiet())
        self.assertEqual(watch.peak, 1.2)
        self.assertIn("0.40 at the start, 1.20 at most", watch.describe())

    def test_busy_at_the_start(self):
        watch = watch_with(1.4, 1.0, 1.0)
        self.assertFalse(watch.quiet())
        self.assertIn("1.40 at the start", watch.why_noisy())

    def test_rising_during_the_run(self):
        watch = watch_with(0.5, 1.9, 1.2)
        self.assertFalse(watch.quiet())
        self.assertIn("rose to 1.90 during the run", watch.why_noisy())
        self.assertNotIn("at the start", watch.why_noisy())


class RefusalTest(unittest.TestCase):
    def setUp(self):
        self.run = load_bench_run()

    def args(self, **flags):
        return types.SimpleNamespace(**{"results": False, "noisy": False, **flags})

    def test_results_refused_when_noisy(self):
        self.assertTrue(self.run.refused(self.args(results=True), watch_with(2.0, 2.0)))

    def test_noisy_flag_overrides_and_the_table_says_so(self):
        watch = watch_with(2.0, 2.0)
        self.assertFalse(self.run.refused(self.args(results=True, noisy=True), watch))
        args = types.SimpleNamespace(rounds=1, time_ms=10, pin=None)
        table, _ = self.run.build_report({}, args, [], watch)
        self.assertTrue(table.startswith("**Measured on a noisy machine**"), table[:200])

    def test_quiet_results_and_plain_runs_accepted(self):
        self.assertFalse(self.run.refused(self.args(results=True), watch_with(0.5, 0.9)))
        self.assertFalse(self.run.refused(self.args(), watch_with(5.0, 5.0)))


if __name__ == "__main__":
    unittest.main()
