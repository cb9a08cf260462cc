#!/usr/bin/env python3
"""Differential random testing of winsync against Wine.

Runs the same seeded call sequences (difftest.c) on winsync and under Wine, compares every
return value and GetLastError() call by call, and shrinks each unexplained mismatch to a
minimal script, saved as a regular conformance test (regress_*.c, Wine's results expected).

  difftest.py --build BUILD_DIR                 CI size: 3000 sequences
  difftest.py --build BUILD_DIR --sequences 100000
  difftest.py --build BUILD_DIR --replay FILE   compare one script (trace lines)

Exit status: 0 no unexplained mismatch, 1 mismatches, 77 Wine or mingw missing.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.9 and 3.10
    sys.path.insert(0, str(REPO))
    from grader import tomlcompat as tomllib
SKIP = "SKIPPED: wine not installed (apt-get install wine gcc-mingw-w64-x86-64)"


def parse_trace(text):
    """{sequence number: [(call, result), ...]} from a trace."""
    seqs, current = {}, None
    for line in text.replace("\r", "").splitlines():
        m = re.match(r"# seq (\d+)$", line)
        if m:
            current = seqs.setdefault(int(m.group(1)), [])
        elif " => " in line and current is not None:
            call, result = line.split(" => ", 1)
            current.append((call, result))
    return seqs


def load_rules():
    """The known differences that the random tester may meet (known-differences.toml)."""
    with open(HERE / "known-differences.toml", "rb") as f:
        data = tomllib.load(f)
    rules = []
    for d in data.get("difference", []):
        if "difftest_call" in d:
            rules.append((d["id"], re.compile(d["difftest_call"]),
                          re.compile(d.get("difftest_winsync", ".*")),
                          re.compile(d.get("difftest_wine", ".*"))))
    return rules


class Sides:
    """Runs scripts on both implementations."""

    def __init__(self, args):
        self.native = Path(args.bin_dir) / "conformance-difftest"
        if not self.native.exists():
            sys.exit(f"difftest: {self.native} not built (cmake --build BUILD --target conformance-difftest)")
        self.wine_dir = Path(args.wine_dir)
        self.exe = self.wine_dir / "difftest.exe"
        self.build_wine()

    def build_wine(self):
        sources = [HERE / "difftest.c", HERE / "difftest_exec.h"]
        if self.exe.exists() and all(s.stat().st_mtime <= self.exe.stat().st_mtime for s in sources):
            return
        self.wine_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["x86_64-w64-mingw32-gcc", "-std=c17", "-O2", "-DWIN32_LEAN_AND_MEAN", "-Wall", "-Wextra", "-Werror",
                        "-o", str(self.exe), str(HERE / "difftest.c")], check=True)

    def winsync(self, argv, stdin=None):
        ns = f"difftest-{os.getpid()}"
        env = dict(os.environ, WINSYNC_NAMESPACE=ns)
        try:
            return subprocess.run([str(self.native), *argv], input=stdin, env=env, text=True,
                                  capture_output=True, timeout=600).stdout
        finally:
            for p in Path("/dev/shm").glob(f"winsync-{os.getuid()}-{ns}*"):
                p.unlink(missing_ok=True)

    def wine(self, argv, stdin=None):
        return subprocess.run([str(HERE / "run-wine.sh"), "--exec", str(self.exe), *argv],
                              input=stdin, text=True, capture_output=True, timeout=600).stdout.replace("\r", "")

    def both(self, argv, stdin=None):
        return parse_trace(self.winsync(argv, stdin)), parse_trace(self.wine(argv, stdin))


def first_difference(ws, wine):
    for i, (a, b) in enumerate(zip(ws, wine)):
        if a != b:
            return i
    return None if len(ws) == len(wine) else min(len(ws), len(wine))


def explain(rules, ws, wine, i):
    if i >= len(ws) or i >= len(wine):
        return None
    call = ws[i][0]
    for rule_id, call_re, ws_re, wine_re in rules:
        if call_re.search(call) and ws_re.search(ws[i][1]) and wine_re.search(wine[i][1]):
            return rule_id
    return None


def script(seq, calls):
    return f"# seq {seq}\n" + "".join(f"{c}\n" for c in calls)


def unexplained(rules, ws, wine):
    i = first_difference(ws, wine)
    return i is not None and explain(rules, ws, wine, i) is None


def shrink(sides, rules, calls):
    """Greedy delta debugging: drop chunks, then single calls, while the first difference
    stays unexplained. Every round tests all candidates in one run per side."""
    chunk = max(1, len(calls) // 2)
    while True:
        candidates = [calls[:k] + calls[k + chunk:] for k in range(0, len(calls), chunk)]
        candidates = [c for c in candidates if c]
        text = "".join(script(900000 + n, c) for n, c in enumerate(candidates))
        ws, wine = sides.both(["--replay", "-"], text)
        for n, c in enumerate(candidates):
            key = 900000 + n
            if unexplained(rules, ws.get(key, []), wine.get(key, [])):
                calls = c
                break
        else:
            if chunk == 1:
                return calls
            chunk = max(1, chunk // 2)


def save_regression(seq, calls, wine_results):
    """Writes regress_<id>.c: the script with Wine's results as the expectation."""
    digest = hashlib.sha1("\n".join(calls).encode()).hexdigest()[:8]
    path = HERE / f"regress_{digest}.c"
    if path.exists():
        return path
    rows = "\n".join(f'    {{"{c}", "{r}"}},' for c, r in zip(calls, wine_results))
    path.write_text(f"""/* Found by difftest.py (sequence {seq}) and shrunk to {len(calls)} calls: winsync and Wine
 * disagreed on the last call. The expected results are Wine's; if Wine is the one that differs
 * from Windows, record it in known-differences.toml instead of keeping this file. */
#include "conformance.h"
#include "difftest_exec.h"

static const char *const script[][2] = {{
{rows}
}};

static void replay(void)
{{
    struct dt_state st;
    char got[128], check[32];
    dt_begin(&st, {seq});
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {{
        dt_exec(&st, script[i][0], got, sizeof got);
        snprintf(check, sizeof check, "call%02u", (unsigned)i);
        CHECK_STR(check, script[i][1], got);
    }}
    dt_end(&st);
}}

CF_MAIN("regress_{digest}", NULL, CF_TEST(replay))
""")
    if shutil.which("clang-format"):
        subprocess.run(["clang-format", "-i", str(path)], cwd=REPO)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="CMake build directory (finds tests/conformance in it)")
    ap.add_argument("--bin-dir", help="directory holding conformance-difftest")
    ap.add_argument("--wine-dir", default=str(REPO / "build-conformance-wine"))
    ap.add_argument("--sequences", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--length", type=int, default=30, help="calls per sequence")
    ap.add_argument("--batch", type=int, default=20000, help="sequences per process")
    ap.add_argument("--max-shrink", type=int, default=5, help="mismatches to shrink")
    ap.add_argument("--no-save", action="store_true", help="do not write regress_*.c files")
    ap.add_argument("--replay", help="compare one script file instead of random sequences")
    args = ap.parse_args()
    if not args.bin_dir:
        if not args.build:
            ap.error("give --build or --bin-dir")
        args.bin_dir = str(Path(args.build) / "tests" / "conformance")
    if not shutil.which("wine") or not shutil.which("x86_64-w64-mingw32-gcc"):
        print(SKIP)
        return 77

    sides = Sides(args)
    rules = load_rules()
    if args.replay:
        text = Path(args.replay).read_text()
        runs = [sides.both(["--replay", "-"], text)]
    else:
        runs = []
        for start in range(args.seed, args.seed + args.sequences, args.batch):
            count = min(args.batch, args.seed + args.sequences - start)
            runs.append(sides.both([str(start), str(count), str(args.length)]))

    same = calls_compared = 0
    explained, mismatches, mismatch_details = {}, [], []
    for ws_seqs, wine_seqs in runs:
        for seq in sorted(set(ws_seqs) | set(wine_seqs)):
            ws, wine = ws_seqs.get(seq, []), wine_seqs.get(seq, [])
            i = first_difference(ws, wine)
            calls_compared += len(wine) if i is None else i + 1
            if i is None:
                same += 1
                continue
            rule = explain(rules, ws, wine, i)
            if rule:
                explained[rule] = explained.get(rule, 0) + 1
            else:
                mismatches.append((seq, [c for c, _ in wine[:i + 1]] or [c for c, _ in ws[:i + 1]]))
                mismatch_details.append((seq, ws, wine, i))

    total = same + sum(explained.values()) + len(mismatches)
    summary = [f"difftest: {total} sequences, {calls_compared} calls compared: {same} identical, "
               f"{sum(explained.values())} explained, {len(mismatches)} unexplained"]
    summary += [f"  explained by {rule}: {n}" for rule, n in sorted(explained.items())]
    kinds = {}
    for seq, ws, wine, i in mismatch_details:
        fn = (ws[i][0] if i < len(ws) else wine[i][0]).split()[0]
        kind = (fn, ws[i][1] if i < len(ws) else "(missing)", wine[i][1] if i < len(wine) else "(missing)")
        kinds.setdefault(kind, []).append(seq)
    for (fn, a, b), seqs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        summary.append(f"  unexplained: {fn}: winsync {a} / wine {b}: {len(seqs)} sequences, e.g. {seqs[0]}")
    # One representative per kind of mismatch (call and both results) is shrunk.
    calls_of = dict(mismatches)
    seen = set()
    for seq, calls in [(seqs[0], calls_of[seqs[0]]) for seqs in
                       sorted(kinds.values(), key=len, reverse=True)][:args.max_shrink]:
        small = shrink(sides, rules, calls)
        ws, wine = sides.both(["--replay", "-"], script(seq, small))
        ws, wine = ws.get(seq, []), wine.get(seq, [])
        key = tuple(small)
        if key in seen:
            continue
        seen.add(key)
        summary.append(f"\nsequence {seq} shrunk from {len(calls)} to {len(small)} calls:")
        for k, call in enumerate(small):
            a = ws[k][1] if k < len(ws) else "(missing)"
            b = wine[k][1] if k < len(wine) else "(missing)"
            mark = "   " if a == b else "!= "
            summary.append(f"  {mark}{call:<44} winsync: {a:<24} wine: {b}")
        if not args.no_save and len(wine) == len(small):
            summary.append(f"  saved as {save_regression(seq, small, [r for _, r in wine]).name}")
    print("\n".join(summary))
    Path(args.wine_dir).mkdir(parents=True, exist_ok=True)
    (Path(args.wine_dir) / "difftest-summary.txt").write_text("\n".join(summary) + "\n")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
