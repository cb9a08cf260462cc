"""The sandbox on its own: limits, private environment, and nothing left behind."""

import os
import tempfile
import time
import unittest
from pathlib import Path

from grader import sandbox
from tests.grader import support


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
        with support.Tagged() as tag:
            outcome, _, _ = run("(setsid sleep 300 &) ; (sleep 300 &) ; exit 3", wall=10)
            self.assertEqual(outcome.returncode, 3)
            self.assertFalse(outcome.timed_out)
            self.assertEqual(tag.alive(), [])

    def test_private_namespace_and_temp_dir(self):
        marker = f"grader-sandbox-{os.getpid()}-{time.monotonic_ns()}"
        _, log, base = run(f'echo "ns=$WINSYNC_NAMESPACE tmp=$TMPDIR"; touch /tmp/{marker} /dev/shm/{marker}', wall=10)
        self.assertRegex(log, r"ns=g[0-9a-f]{12} tmp=/tmp")
        self.assertFalse(Path("/tmp", marker).exists())  # private, and gone with the run
        self.assertFalse(Path("/dev/shm", marker).exists())

    def test_only_the_view_is_visible(self):
        hidden = Path(tempfile.mkdtemp(prefix="grader-hidden-"))
        (hidden / "answer.c").write_text("the-answer-is-42\n")
        os.chmod(hidden, 0o755)
        _, log, _ = run(f"cat {hidden}/answer.c 2>/dev/null; ls /", wall=10)
        self.assertNotIn("the-answer-is-42", log)
        # / holds only what the sandbox made: /usr and its links, /etc's two loader files, the run
        self.assertLessEqual(set(log.split()), {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc",
                                                "proc", "dev", "tmp"})

    def test_results_channel(self):
        base = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
        os.chmod(base, 0o711)
        (base / "run").mkdir()
        outcome = sandbox.run(["/bin/sh", "-c", 'echo "report" > /dev/fd/$0', "{results_fd}"], base / "run",
                              base / "log.txt", sandbox.Limits(wall=10), results=base / "results")
        self.assertEqual(outcome.returncode, 0, (base / "log.txt").read_text())
        self.assertEqual((base / "results").read_text(), "report\n")

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
