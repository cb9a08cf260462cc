"""Counts that do not depend on the machine's load: instructions per operation (callgrind) and
context switches per operation (perf stat), beside the times bench/run measures.

Each count is taken at two batch sizes and subtracted, so that start-up and setup (the same in
both runs) cancel out: what is left is the cost of one operation.
"""
import re
import shutil
import subprocess

COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def per_operation(count, argv_for, small, large):
    """(count at `large` operations - count at `small`) / (large - small). argv_for(n) is the
    command that runs n operations; count(argv) runs it and returns the count."""
    return (count(argv_for(large)) - count(argv_for(small))) / (large - small)


def valgrind_works():
    return shutil.which("valgrind") is not None


def instructions(argv, env, timeout=300):
    """Instructions a run of argv executes in user space (callgrind, every thread)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    found = COLLECTED.search(result.stderr)
    if result.returncode != 0 or not found:
        raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}: "
                           f"{result.stderr.strip()[-500:]}")
    return int(found.group(1))


def perf_works():
    if not shutil.which("perf"):
        return False
    probe = subprocess.run(["perf", "stat", "-x,", "-e", "context-switches", "--", "true"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and ",context-switches" in probe.stderr \
        and "<not supported>" not in probe.stderr


def context_switches(argv, env, timeout=300):
    """Context switches of a run of argv and of every process it starts (perf stat)."""
    command = ["perf", "stat", "-x,", "-e", "context-switches", "--"] + argv
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode == 0:
        for line in result.stderr.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2] == "context-switches" and fields[0].isdigit():
                return int(fields[0])
    raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}: "
                       f"{result.stderr.strip()[-500:]}")
