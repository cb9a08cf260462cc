"""The "wait chain:" section of a failure message reaches the report intact.

Criterion 2.4.1 writes a multi-line assertion message into --xml with its first line in CDATA and
the others after it, indented and escaped (&#10;): the sample below is its output for lab 05's
processes/push_waits_for_room_without_the_lock against a queue that waits for room holding the lock
(tests/mutants/05-interprocess-queue/wait-for-room-holding-the-lock.diff).
"""

import tempfile
import unittest
from pathlib import Path

from grader import run

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Tests compiled with Criterion v2.4.1 -->
<testsuites name="Criterion Tests" tests="1" failures="1" errors="0" disabled="0">
  <testsuite name="processes" tests="1" failures="1" errors="0" disabled="0" skipped="0" time="10.026">
    <testcase name="push_waits_for_room_without_the_lock" assertions="11" status="FAILED" time="10.026">
      <failure type="assert" message="1 assertion(s) failed."><![CDATA[processes.c:147: another process \
could not open the queue while a push waited for room in the full queue]]>&#10;        wait chain:&#10;\
          thread 28870 (pid 28870, owns Mutex "q:lock") -> Semaphore "q:free" (count 0 of 2): nobody owns \
it, the chain ends here&#10;          thread 28873 (pid 28873) -> Mutex "q:lock" (owned by thread 28870) \
-> thread 28870 (pid 28870, blocked, owns Mutex "q:lock") -> Semaphore "q:free" (count 0 of 2): nobody \
owns it, the chain ends here&#10;</failure>
    </testcase>
  </testsuite>
</testsuites>
"""


class WaitChainInMessages(unittest.TestCase):
    def test_section_after_the_first_line_is_kept(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "results.xml"
            path.write_text(SAMPLE)
            found, duplicates = run.parse_xml(path)
        status, message, _ = found["processes/push_waits_for_room_without_the_lock"]
        self.assertEqual((status, duplicates), ("failed", set()))
        self.assertIn("another process could not open the queue", message)
        chain = message[message.index("wait chain:"):]
        self.assertIn('Mutex "q:lock" (owned by thread 28870)', chain)
        self.assertIn('blocked, owns Mutex "q:lock"', chain)
        self.assertIn('Semaphore "q:free" (count 0 of 2)', chain)
        self.assertLessEqual(len(message), run.MESSAGE_LIMIT)


if __name__ == "__main__":
    unittest.main()
