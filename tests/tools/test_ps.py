#!/usr/bin/env python3
"""winsync-ps against live namespaces: run by ctest (tests/tools/CMakeLists.txt), one class a test.

WINSYNC_PS, PS_SCENARIO and PS_HOLD_LOCK name the programs, WINSYNC_NAMESPACE the namespace the
scenario programs use (run-isolated gives each test its own). Every wait on another process is
bounded by a generous timeout that only turns a hang into a failure; no result depends on timing.
"""

import json
import os
import re
import struct
import subprocess
import sys
import unittest

TIMEOUT = 60  # seconds: a bound on a hang, never a measured time


def run_ps(*args, namespace=None):
    env = dict(os.environ)
    if namespace is not None:
        env["WINSYNC_NAMESPACE"] = namespace
    return subprocess.run([os.environ["WINSYNC_PS"], *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)


class Program:
    """A scenario program: started, its first line of JSON read, ended by a line on stdin."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(TIMEOUT)
            raise AssertionError("%s ended with %s before it was ready" % (path,
                                                                            self.proc.returncode))
        self.facts = json.loads(line)

    def end(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.close()
        return self.proc.wait(TIMEOUT)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(TIMEOUT)


def by_name(report, name):
    found = [o for o in report["objects"] if o["name"] == name]
    assert len(found) == 1, "object %r: %d found" % (name, len(found))
    return found[0]


class Scenario(unittest.TestCase):
    """Events, a semaphore, a mutex owned here and waited for from a child, a two-process
    deadlock: winsync-ps shows each object's state, owner and waiters, and the cycle."""

    @classmethod
    def setUpClass(cls):
        cls.program = Program(os.environ["PS_SCENARIO"])
        cls.facts = cls.program.facts
        cls.text = run_ps()
        cls.json = run_ps("--json")
        cls.by_option = run_ps("--json", "--namespace", os.environ["WINSYNC_NAMESPACE"],
                               namespace="elsewhere")

    @classmethod
    def tearDownClass(cls):
        try:
            status = cls.program.end()
        finally:
            cls.program.kill()
        assert status == 0, "ps-scenario ended with %s" % status

    def report(self):
        self.assertEqual(self.json.returncode, 0, self.json.stderr)
        return json.loads(self.json.stdout)

    def test_text_shows_objects_state_owner_waiters(self):
        f, out = self.facts, self.text.stdout
        self.assertEqual(self.text.returncode, 0, self.text.stderr)
        self.assertIn('event "%s": manual-reset, signaled' % f["event"], out)
        self.assertIn('event "%s": auto-reset, nonsignaled' % f["gate"], out)
        self.assertIn('semaphore "%s": count 1 of 3' % f["semaphore"], out)
        self.assertIn('mutex "%s": owned by thread %d (pid %d), recursion 2'
                      % (f["mutex"], f["tid"], f["pid"]), out)
        waiter = re.search(r'mutex "%s": [^\n]*\n      waiter: thread (\d+) \(pid (\d+)\), wait '
                           r'block 0 of 1' % re.escape(f["mutex"]), out)
        self.assertIsNotNone(waiter, out)
        self.assertEqual(int(waiter.group(2)), f["mutex_waiter"])
        self.assertIn('timer "%s": manual-reset, nonsignaled, due in ' % f["timer"], out)
        self.assertIn("dispatcher lock: free", out)

    def test_text_marks_the_deadlock(self):
        f, out = self.facts, self.text.stdout
        lines = [line for line in out.splitlines() if line.startswith("deadlock: ")]
        self.assertEqual(len(lines), 1, out)
        # Each child owns one mutex and waits for the other's; the cycle is shown once, from the
        # thread with the lower record.
        records = {t["tid"]: t["record"] for t in self.report()["threads"]}
        a, b = f["deadlock_first"], f["deadlock_second"]
        waits = {a: f["deadlock_b"], b: f["deadlock_a"]}
        start, other = sorted((a, b), key=lambda tid: records[tid])
        self.assertEqual(lines[0], 'deadlock: thread {0} (pid {0}) -> mutex "{1}" -> thread {2} '
                         '(pid {2}) -> mutex "{3}" -> thread {0} (pid {0})'
                         .format(start, waits[start], other, waits[other]))
        chain = [line for line in out.splitlines()
                 if line.startswith("  thread %d (pid %d) -> " % (f["mutex_waiter"],
                                                                   f["mutex_waiter"]))]
        self.assertEqual(chain, ['  thread {0} (pid {0}) -> mutex "{1}" [owned] -> thread {2} '
                                 '(pid {3}) [running]'.format(f["mutex_waiter"], f["mutex"],
                                                              f["tid"], f["pid"])])

    def test_json_objects(self):
        f, r = self.facts, self.report()
        self.assertEqual(r["namespace"], os.environ["WINSYNC_NAMESPACE"])
        event = by_name(r, f["event"])
        self.assertEqual((event["type"], event["manual_reset"], event["signaled"]),
                         ("event", True, True))
        gate = by_name(r, f["gate"])
        self.assertEqual((gate["manual_reset"], gate["signaled"]), (False, False))
        self.assertEqual([(w["pid"], w["block"]) for w in gate["waiters"]],
                         [(f["gate_waiter"], 0)])
        sem = by_name(r, f["semaphore"])
        self.assertEqual((sem["type"], sem["count"], sem["maximum"], sem["waiters"]),
                         ("semaphore", 1, 3, []))
        mutex = by_name(r, f["mutex"])
        self.assertEqual((mutex["owner_tid"], mutex["owner_pid"], mutex["recursion"],
                          mutex["abandoned"]), (f["tid"], f["pid"], 2, False))
        self.assertEqual([w["pid"] for w in mutex["waiters"]], [f["mutex_waiter"]])
        timer = by_name(r, f["timer"])
        self.assertEqual((timer["type"], timer["manual_reset"], timer["active"],
                          timer["signaled"]), ("timer", True, True, False))
        self.assertGreater(timer["due_in_ms"], 0)  # set an hour ahead

    def test_json_processes_threads_handles(self):
        f, r = self.facts, self.report()
        pids = {p["pid"] for p in r["processes"] if p["state"] == "alive"}
        children = {f[k] for k in ("gate_waiter", "mutex_waiter", "deadlock_first",
                                   "deadlock_second")}
        self.assertEqual(pids, children | {f["pid"]})
        blocked = {t["tid"]: t for t in r["threads"] if t["blocked"]}
        self.assertEqual(set(blocked), children)
        mutex = by_name(r, f["mutex"])
        self.assertEqual(blocked[f["mutex_waiter"]]["wait"]["objects"], [mutex["index"]])
        handles = {(h["pid"], h["object"]) for h in r["handles"]}
        for pid in children | {f["pid"]}:  # a forked child holds copies of every handle
            self.assertIn((pid, mutex["index"]), handles)
        self.assertFalse(r["lock"]["held"])

    def test_json_chains_and_deadlock(self):
        f, r = self.facts, self.report()
        a, b = by_name(r, f["deadlock_a"]), by_name(r, f["deadlock_b"])
        self.assertEqual((a["owner_pid"], b["owner_pid"]),
                         (f["deadlock_first"], f["deadlock_second"]))
        self.assertEqual(len(r["deadlocks"]), 1, r["deadlocks"])
        cycle = r["deadlocks"][0]
        self.assertEqual(sorted(cycle["threads"]), sorted([f["deadlock_first"],
                                                           f["deadlock_second"]]))
        self.assertEqual(sorted(cycle["objects"]), sorted([a["index"], b["index"]]))
        chains = {c["tid"]: c for c in r["wait_chains"]}
        for tid in (f["deadlock_first"], f["deadlock_second"]):
            self.assertTrue(chains[tid]["cycle"])
            kinds = [n["kind"] for n in chains[tid]["nodes"]]
            self.assertEqual(kinds, ["thread", "object", "thread", "object", "thread"])
            self.assertEqual(chains[tid]["nodes"][-1]["tid"], tid)
        owned = chains[f["mutex_waiter"]]
        self.assertFalse(owned["cycle"])
        self.assertEqual([(n["kind"], n.get("name"), n["status"]) for n in owned["nodes"]],
                         [("thread", None, "blocked"), ("object", f["mutex"], "owned"),
                          ("thread", None, "running")])
        self.assertEqual(owned["nodes"][2]["tid"], f["tid"])
        gate = chains[f["gate_waiter"]]["nodes"]
        self.assertEqual([(n["kind"], n.get("type")) for n in gate],
                         [("thread", None), ("object", "event")])

    def test_namespace_option_wins_over_the_environment(self):
        self.assertEqual(self.by_option.returncode, 0, self.by_option.stderr)
        report = json.loads(self.by_option.stdout)
        self.assertEqual(report["namespace"], os.environ["WINSYNC_NAMESPACE"])
        self.assertIn(self.facts["mutex"], {o["name"] for o in report["objects"]})

    def test_inspector_takes_no_part(self):
        r = self.report()
        pids = {p["pid"] for p in r["processes"]} | {t["pid"] for t in r["threads"]}
        self.assertEqual(pids, {p["pid"] for p in r["processes"]})
        scenario_and_children = {self.facts[k] for k in ("pid", "gate_waiter", "mutex_waiter",
                                                         "deadlock_first", "deadlock_second")}
        self.assertEqual(pids, scenario_and_children)


class StuckLock(unittest.TestCase):
    """A process holds the dispatcher lock and never lets go: winsync-ps still returns, and says
    who holds it."""

    def test_returns_and_names_the_holder(self):
        holder = Program(os.environ["PS_HOLD_LOCK"])
        try:
            text, js = run_ps(), run_ps("--json")
        finally:
            status = holder.end()
            holder.kill()
        f = holder.facts
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("dispatcher lock: held by thread %d (pid %d)" % (f["tid"], f["pid"]),
                      text.stdout)
        self.assertEqual(js.returncode, 0, js.stderr)
        lock = json.loads(js.stdout)["lock"]
        self.assertEqual((lock["held"], lock["owner_thread"], lock["owner_tid"]),
                         (True, f["thread"], f["tid"]))
        threads = {t["tid"]: t for t in json.loads(js.stdout)["threads"]}
        self.assertTrue(threads[f["tid"]]["in_dispatcher"])
        self.assertEqual(status, 0)


class Churn(unittest.TestCase):
    """Read a namespace while four threads change it as fast as they can: every report is whole
    (exit 0, JSON that parses, every index in range), whatever half-made state it copied."""

    def test_reports_stay_whole(self):
        churn = Program(os.environ["PS_CHURN"])
        try:
            for round in range(100):
                text, js = run_ps(), run_ps("--json")
                self.assertEqual((text.returncode, text.stderr), (0, ""), round)
                self.assertEqual((js.returncode, js.stderr), (0, ""), round)
                report = json.loads(js.stdout)
                objects = report["limits"]["objects"]
                for chain in report["wait_chains"]:
                    for node in chain["nodes"]:
                        if node["kind"] == "object":
                            self.assertLess(node["object"], objects)
        finally:
            status = churn.end()
            churn.kill()
        self.assertEqual(status, 0)


def segment_path(namespace):
    return "/dev/shm/winsync-%d-%s" % (os.getuid(), namespace)


class Errors(unittest.TestCase):
    """--help, no segment, a foreign file, another layout version, a bad name."""

    def namespace(self, tag):
        name = "%s-%s" % (os.environ["WINSYNC_NAMESPACE"], tag)
        self.addCleanup(lambda: os.path.exists(segment_path(name)) and
                        os.unlink(segment_path(name)))
        return name

    def test_help(self):
        r = run_ps("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--namespace NAME", r.stdout)
        self.assertIn("--json", r.stdout)

    def test_no_segment(self):
        name = self.namespace("none")
        r = run_ps(namespace=name)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('namespace "%s" has no segment' % name, r.stderr)
        self.assertIn("--namespace NAME", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(segment_path(name)), "winsync-ps created the segment")

    def test_foreign_file(self):
        name = self.namespace("foreign")
        with open(segment_path(name), "wb") as f:
            f.write(b"not a segment" * 100)
        os.chmod(segment_path(name), 0o600)
        r = run_ps("--namespace", name)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("is not a winsync segment", r.stderr)
        self.assertIn("rm %s" % segment_path(name), r.stderr)

    def test_other_layout_version(self):
        name = self.namespace("version")
        header = b"WINSYNC\0" + struct.pack("<II", 4, 0) + b"\0" * 4088
        with open(segment_path(name), "wb") as f:
            f.write(header)
        r = run_ps("--namespace", name)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("was made by another winsync version (layout 4", r.stderr)

    def test_corrupt_layout(self):
        name = self.namespace("corrupt")
        source = segment_path(os.environ["WINSYNC_NAMESPACE"] + "-live")
        subprocess.run([os.environ["PS_SCENARIO"]], input="", universal_newlines=True,
                       env=dict(os.environ, WINSYNC_NAMESPACE=os.environ["WINSYNC_NAMESPACE"]
                                + "-live"), stdout=subprocess.DEVNULL, timeout=TIMEOUT,
                       check=True)
        self.addCleanup(os.unlink, source)
        with open(source, "rb") as f:
            data = bytearray(f.read())
        struct.pack_into("<Q", data, 16, len(data) + 4096)  # total_size no longer adds up
        with open(segment_path(name), "wb") as f:
            f.write(data)
        r = run_ps("--namespace", name)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("is corrupt", r.stderr)

    def test_bad_namespace_name(self):
        r = run_ps("--namespace", "no/slashes")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not a namespace name", r.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:], verbosity=2)
