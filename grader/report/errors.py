"""Win32 error codes named in failure messages.

A test prints `CreateEventA failed: 120`; the report shows
`CreateEventA failed: 120 (ERROR_CALL_NOT_IMPLEMENTED: event_initialize still calls
ws_not_implemented)`. The names come from include/winsync.h of the grader's own tree, so they
are exactly the codes winsync can set. Which lab functions are unfinished comes from the lab's
log: the runtime prints one line for each function that calls ws_not_implemented().
"""

import functools
import re
from pathlib import Path

HEADER = Path(__file__).resolve().parents[2] / "include" / "winsync.h"
DEFINE = re.compile(r"^#define\s+(ERROR_\w+)\s+(\d+)L?\s*$", re.M)
# How the tests print an error code: "failed: 120", "error 120", "GetLastError 120". A code
# already followed by a parenthesis is left as it is.
CODE = re.compile(r"\b(failed:|error|GetLastError)(\s+)(\d+)\b(?!\s*\()")
UNFINISHED = re.compile(r"^winsync: (\w+)\(\) is not implemented yet", re.M)
CALL_NOT_IMPLEMENTED = 120


@functools.lru_cache(maxsize=None)
def names(header=HEADER):
    """{code: "ERROR_..."} from a header's #define lines; {} when it cannot be read."""
    try:
        text = Path(header).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    codes = {}
    for name, value in DEFINE.findall(text):
        codes.setdefault(int(value), name)
    return codes


def unfinished_functions(log_text):
    """The functions the runtime reported as still calling ws_not_implemented, in order."""
    return list(dict.fromkeys(UNFINISHED.findall(log_text)))


def read_unfinished(log_path):
    """unfinished_functions() of a log file; [] when there is no log to read."""
    if not log_path:
        return []
    try:
        return unfinished_functions(Path(log_path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def _not_implemented_reason(unfinished):
    if not unfinished:
        return "a function of your lab is still the skeleton's stub"
    verb = "calls" if len(unfinished) == 1 else "call"
    return f"{', '.join(unfinished)} still {verb} ws_not_implemented"


def name_codes(message, unfinished=(), header=HEADER):
    """`message` with each Win32 error code it prints followed by its name."""
    known = names(header)

    def named(match):
        code = int(match.group(3))
        if code not in known:
            return match.group(0)
        label = known[code]
        if code == CALL_NOT_IMPLEMENTED:
            label += ": " + _not_implemented_reason(unfinished)
        return f"{match.group(0)} ({label})"

    return CODE.sub(named, message)
