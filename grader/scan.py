"""Checks on a student's object file before it is linked into a test binary.

Code linked into a Criterion binary runs inside the runner: it could register a report hook,
a constructor, or replace a function the runtime, the tests, Criterion or libc define, and so
rewrite the results. A student object may only define the functions of its own slot (and
helpers of its own that collide with nothing) and may not call into Criterion or load code.
"""

import re
import subprocess

FORBIDDEN_SECTIONS = re.compile(r"^(cr_|\.criterion|\.init_array|\.preinit_array|\.fini_array|\.ctors|\.dtors)")
FORBIDDEN_CALLS = re.compile(
    r"^(cr_\w+|criterion_\w+|dlopen|dlmopen|dlsym|dlvsym|ptrace|process_vm_writev|syscall|system"
    r"|popen|exec[lv]\w*|fexecve|posix_spawnp?)$")
ALWAYS_FORBIDDEN = {"main", "_start", "_init", "_fini"}


class ScanError(Exception):
    """The object must not be linked; the message says why."""


def _run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise ScanError(f"{argv[0]} failed on the object file: {result.stderr.strip()}")
    return result.stdout


def sections(obj):
    names = []
    for line in _run(["objdump", "-h", str(obj)]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            names.append(parts[1])
    return names


def symbols(obj):
    """(defined, undefined, ifuncs): global symbol names of an object file."""
    defined, undefined, ifuncs = set(), set(), set()
    for line in _run(["nm", "-P", "-g", str(obj)]).splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U" or kind == "w":
            undefined.add(name)
        else:
            defined.add(name)
            if kind == "i":
                ifuncs.add(name)
    return defined, undefined, ifuncs


def defined_symbols(paths, dynamic=False):
    """Every global symbol defined by these objects, archives or shared libraries."""
    if not paths:
        return set()
    argv = ["nm", "-P", "-g", "--defined-only"] + (["-D"] if dynamic else []) + [str(p) for p in paths]
    result = subprocess.run(argv, capture_output=True, text=True)
    names = set()
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.endswith(":"):
            names.add(parts[0].split("@")[0])
    return names


def check(obj, source_name, owned, forbidden):
    """Raise ScanError unless `obj` is safe to link.

    owned: symbols the slot's reference defines (the student may define them);
    forbidden: symbols defined by everything else in the test binary.
    """
    problems = []
    bad = [s for s in sections(obj) if FORBIDDEN_SECTIONS.match(s)]
    if bad:
        problems.append(f"it defines section(s) {', '.join(sorted(set(bad)))} (Criterion hooks, "
                        "tests or constructors/destructors run outside the graded functions)")
    defined, undefined, ifuncs = symbols(obj)
    if ifuncs:
        problems.append(f"it defines indirect functions {', '.join(sorted(ifuncs))}")
    clash = sorted((defined & (forbidden | ALWAYS_FORBIDDEN)) - owned)
    if clash:
        problems.append(f"it defines {', '.join(clash[:8])}, which belong to the runtime, the tests, "
                        "Criterion or the C library; make your helpers `static`")
    calls = sorted(s for s in undefined if FORBIDDEN_CALLS.match(s))
    if calls:
        problems.append(f"it calls {', '.join(calls[:8])}, which graded code may not use")
    if problems:
        raise ScanError(f"{source_name} was rejected: " + "; ".join(problems) + ".")
