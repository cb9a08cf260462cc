"""The sandbox on its own: limits, private environment, and nothing left behind."""

import os
import tempfile
import time
import unittest
from pathlib import Path

from grader import sandbox


def run(script, **limits):
    base = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
    os.chmod(base, 0o711)
    (base / "run").mkdir()
    log = base / "log.txt"
    outcome = sandbox.run(["/bin/sh", "-c", script], base / "run", log, sandbox.Limits(**limits))
    return outcome, log.read_text(errors="replace"), base


class Sandbox(unittest.TestCase):
    def test_wall_clock_limit_stops_the_run(self):
        start = time.monotonic()
        outcome, _, _ = run("sleep 30", wall=1)
        self.assertTrue(outcome.timed_out)
        self.assertLess(time.monotonic() - start, 10)

    def test_escaped_descendants_are_killed(self):
        outcome, _, _ = run("(setsid sleep 300 &) ; (sleep 300 &) ; exit 3", wall=10)
        self.assertEqual(outcome.returncode, 3)
        self.assertFalse(outcome.timed_out)
        self.assertEqual(outcome.killed, 2)

    def test_private_namespace_and_temp_dir(self):
        _, log, base = run('echo "ns=$WINSYNC_NAMESPACE tmp=$TMPDIR"', wall=10)
        self.assertRegex(log, r"ns=g[0-9a-f]{12} ")
        self.assertIn(f"tmp={base}/run/", log)

    def test_output_is_capped(self):
        outcome, _, base = run("head -c 50000000 /dev/zero", wall=20, file_size=1 << 20)
        self.assertLessEqual((base / "log.txt").stat().st_size, 1 << 20)
        self.assertNotEqual(outcome.returncode, 0)

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_throwaway_user_without_network(self):
        _, log, _ = run("id -u; cat /proc/net/dev; touch /etc/grader-was-here", wall=10)
        uid = int(log.split()[0])
        self.assertGreaterEqual(uid, sandbox.UID_BASE)
        self.assertNotIn("eth0", log)
        self.assertFalse(Path("/etc/grader-was-here").exists())


if __name__ == "__main__":
    unittest.main()
