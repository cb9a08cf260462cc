#!/usr/bin/env python3
"""Check that the workbook's pages point at things that exist.

Pages checked: docs/**/*.md, labs/*/README.md and README.md.

  * Every relative Markdown link ([text](path), [text](path#anchor), ![image](path), and
    reference definitions "[name]: path") resolves to a file or folder, and an #anchor into a
    Markdown page names one of its headings (GitHub's anchor rules). Web links are not fetched.
  * Every repository path a page names in backticks, outside fenced code blocks, exists:
    `labs/01-events/event.c`, `runtime/dispatcher/`. A span counts as a path when it has no
    spaces, contains a "/", and starts with a top-level entry of the repository (or one of the
    project's top-level folders). Spans with placeholders (NN, <...>, *, ...) are not checked.
  * Every `./command` a page names in backticks exists at the top of the repository and is
    executable (only the first word counts: `./grade release --out DIR` checks ./grade).
  * Every docs/examples/*.c is listed in docs/examples/CMakeLists.txt, so ctest runs it.
  * Every ```mermaid block starts with a diagram type GitHub renders, and no state of a state
    diagram has two self-transitions (Mermaid draws one loop per state and keeps only the last
    label: join the labels with <br/> in one transition).
  * Every diagram renders with mermaid-cli (`mmdc`), when it is installed: --mmdc PROGRAM, or
    $WINSYNC_MMDC, or `mmdc` on PATH. It needs a Chromium; Debian's is used when
    PUPPETEER_EXECUTABLE_PATH is not set. Install it anywhere, for example:
        PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix DIR @mermaid-js/mermaid-cli
        python3 docs/check.py --mmdc DIR/node_modules/.bin/mmdc --render-dir DIR/png
    Without mmdc the check says that the diagrams were NOT rendered (--require-render makes
    that an error); --render-dir keeps the PNGs, one per diagram, to look at.

Things that are generated (build folders, reports) can be ignored with glob patterns, one per
line, in docs/check-ignore.txt, or with --ignore PATTERN. A pattern written "?PATTERN" applies
only in a copy where nothing matches PATTERN: that is how the student handout, which has no
solutions/ or docs/instructor/, passes the same check as the instructor repository.
Exit status: 0 when everything resolves, 1 when something does not, 2 on a usage error.
"""

import argparse
import fnmatch
import os
import re
import shutil
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_mermaid  # noqa: E402

PROJECT_FOLDERS = {".ci", "bench", "cmake", "docs", "grader", "include", "labs", "runtime",
                   "solutions", "tests"}
PLACEHOLDER = re.compile(r"NN|<|>|\*|\.\.\.|\{|\}|\$|%")
INLINE_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s{0,3}(```+|~~~+)\s*([\w-]*)")
STATE_TRANSITION = re.compile(r"^\s*([\w*\[\]]+)\s*-->\s*([\w*\[\]]+)\s*(?::.*)?$")
MERMAID_TYPES = ("stateDiagram-v2", "stateDiagram", "sequenceDiagram", "flowchart", "graph",
                 "classDiagram", "erDiagram", "gantt", "pie", "journey", "gitGraph", "timeline",
                 "mindmap", "quadrantChart", "xychart-beta", "block-beta")


def github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = text.lower()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in " -_" or category[0] in "LN" or category == "Mn":
            kept.append(char)
    return "".join(kept).replace(" ", "-")


class Page:
    """A Markdown file split into its prose lines (with line numbers) and its fenced blocks."""

    def __init__(self, path):
        self.path = path
        self.prose = []    # (line number, text) outside fences
        self.fences = []   # (line number of the opening fence, info string, body)
        fence, info, start, body = None, "", 0, []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = FENCE.match(line)
            if fence is None and match:
                fence, info, start, body = match.group(1), match.group(2), number, []
            elif fence is not None and line.strip().startswith(fence[0] * len(fence)) \
                    and line.strip().strip(fence[0]) == "":
                self.fences.append((start, info, "\n".join(body)))
                fence = None
            elif fence is not None:
                body.append(line)
            else:
                self.prose.append((number, line))
        self._anchors = None

    def anchors(self):
        if self._anchors is None:
            seen, anchors = {}, set()
            for _, line in self.prose:
                match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
                if not match:
                    continue
                base = github_anchor(match.group(1))
                count = seen.get(base, 0)
                seen[base] = count + 1
                anchors.add(base if count == 0 else f"{base}-{count}")
            for _, line in self.prose:  # explicit <a name="..."> / id="..." targets
                anchors.update(re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", line))
            self._anchors = anchors
        return self._anchors


class Checker:
    def __init__(self, root, ignore):
        self.root = root
        self.ignore = ignore
        self.problems = []
        self.pages = {}
        self.top_level = {p.name for p in root.iterdir()} | PROJECT_FOLDERS
        self.diagrams = []  # (page, line of the opening fence, body) of every mermaid block

    def page(self, path):
        path = path.resolve()
        if path not in self.pages:
            self.pages[path] = Page(path)
        return self.pages[path]

    def ignored(self, name):
        name = name.strip("/")
        return any(fnmatch.fnmatch(name, pattern.strip("/")) or
                   fnmatch.fnmatch(name, pattern.strip("/") + "/*") for pattern in self.ignore)

    def report(self, page, line, message):
        self.problems.append(f"{page.path.relative_to(self.root)}:{line}: {message}")

    def check_link(self, page, line, target):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            return  # http:, https:, mailto:...: not fetched
        path_part, _, anchor = target.partition("#")
        if path_part:
            resolved = (page.path.parent / path_part).resolve()
            try:
                relative = resolved.relative_to(self.root).as_posix()
            except ValueError:
                self.report(page, line, f"link {target!r} leaves the repository")
                return
            if self.ignored(relative):
                return
            if not resolved.exists():
                self.report(page, line, f"link {target!r}: {relative} does not exist")
                return
        else:
            resolved = page.path
        if anchor and resolved.is_file() and resolved.suffix == ".md":
            if anchor.lower() not in self.page(resolved).anchors():
                name = resolved.relative_to(self.root).as_posix()
                self.report(page, line, f"link {target!r}: {name} has no heading with anchor #{anchor}")

    def check_code_span(self, page, line, span):
        span = span.strip()
        if span.startswith("./"):
            command = span.split()[0]
            if self.ignored(command[2:]):
                return
            path = self.root / command[2:]
            if not path.is_file():
                self.report(page, line, f"`{span}`: {command} does not exist at the top of the repository")
            elif not path.stat().st_mode & 0o111:
                self.report(page, line, f"`{span}`: {command} is not executable")
            return
        if " " in span or "/" not in span or PLACEHOLDER.search(span) or span.startswith("/"):
            return
        first = span.split("/")[0]
        if first not in self.top_level or self.ignored(span):
            return
        if not (self.root / span).exists():
            self.report(page, line, f"`{span}` does not exist in the repository")

    def check_page(self, path):
        page = self.page(path)
        for line, text in page.prose:
            for match in REFERENCE_DEFINITION.finditer(text):
                self.check_link(page, line, match.group(1))
            without_code = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
            for match in INLINE_LINK.finditer(without_code):
                self.check_link(page, line, match.group(1))
            for match in CODE_SPAN.finditer(text):
                self.check_code_span(page, line, match.group(2))
        for line, info, body in page.fences:
            if info == "mermaid":
                self.diagrams.append((page, line, body))
                first = next((l.strip() for l in body.splitlines() if l.strip()), "")
                if not first.startswith(MERMAID_TYPES):
                    self.report(page, line, f"mermaid block starts with {first!r}, not a diagram type")
                elif first.startswith("stateDiagram"):
                    self.check_self_transitions(page, line, body)

    def check_self_transitions(self, page, fence_line, body):
        """Mermaid draws one loop per state: a second self-transition hides the first's label."""
        loops = {}
        for offset, text in enumerate(body.splitlines(), 1):
            match = STATE_TRANSITION.match(text)
            if match and match.group(1) == match.group(2):
                loops.setdefault(match.group(1), []).append(fence_line + offset)
        for state, lines in loops.items():
            if len(lines) > 1:
                where = ", ".join(str(n) for n in lines)
                self.report(page, lines[-1], f"state {state} has {len(lines)} self-transitions (lines "
                            f"{where}): Mermaid shows only the last label; join the labels with <br/> "
                            "in one transition")

    def check_examples_are_built(self):
        folder = self.root / "docs" / "examples"
        cmake = folder / "CMakeLists.txt"
        if not folder.is_dir():
            return
        listed = cmake.read_text(encoding="utf-8") if cmake.exists() else ""
        words = set(re.findall(r"[\w.-]+", listed))
        for source in sorted(folder.glob("*.c")):
            if source.stem not in words and source.name not in words:
                self.problems.append(f"docs/examples/{source.name}: not built by docs/examples/CMakeLists.txt")


LAB_STEP = re.compile(r"^#{2,3} Step \d+:", re.M)
STEP_ESTIMATE = re.compile(r"^\*(Easy|Medium|Hard)\b[^*\n]*\b(minutes?|hours?)\b", re.I)


def check_lab_handout(checker, path):
    """A lab's README lets a student work alone: Hints, Debugging, and for every step a first line
    giving its difficulty and a time (*Medium, about 30 minutes.*)."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(checker.root).as_posix()
    for section in ("Hints", "Debugging"):
        if not re.search(rf"^## {section}\b", text, re.M):
            checker.problems.append(f"{name}: no '## {section}' section (every lab handout has one)")
    steps = list(LAB_STEP.finditer(text))
    if not steps:
        checker.problems.append(f"{name}: no '## Step N:' or '### Step N:' heading")
    for match in steps:
        line = text.count("\n", 0, match.start()) + 1
        after = text[match.end():].split("\n", 1)[1] if "\n" in text[match.end():] else ""
        first = next((l for l in after.splitlines() if l.strip()), "")
        if not STEP_ESTIMATE.match(first):
            checker.problems.append(f"{name}:{line}: the step's first line must give its difficulty "
                                    f"and time, e.g. '*Medium, about 30 minutes.*' (found {first[:60]!r})")


def pages_of(root):
    pages = sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
    pages += sorted(root.glob("labs/*/README.md"))
    if (root / "README.md").exists():
        pages.append(root / "README.md")
    return pages


def read_ignore_file(path):
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def active_patterns(root, patterns):
    """The patterns in force: "?PATTERN" only when no path of this copy matches PATTERN."""
    active = []
    for pattern in patterns:
        if pattern.startswith("?"):
            pattern = pattern[1:].strip("/")
            if next(iter(root.glob(pattern)), None) is not None:
                continue
        active.append(pattern)
    return active


def main(argv=None):
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=here.parent,
                        help="the repository to check (default: the one this script is in)")
    parser.add_argument("--ignore", action="append", default=[], metavar="PATTERN",
                        help="a glob of repository paths not to require (repeatable); added to "
                             "docs/check-ignore.txt")
    parser.add_argument("--mmdc", metavar="PROGRAM",
                        help="mermaid-cli's mmdc, to render every diagram (default: $WINSYNC_MMDC, "
                             "else mmdc on PATH; without it the diagrams are not rendered)")
    parser.add_argument("--render-dir", type=Path, metavar="DIR",
                        help="keep the rendered PNGs here (PAGE-LINE.png), to look at")
    parser.add_argument("--no-render", action="store_true", help="do not render the diagrams")
    parser.add_argument("--require-render", action="store_true",
                        help="fail when the diagrams cannot be rendered (no mmdc)")
    parser.add_argument("pages", nargs="*", type=Path, help="check only these Markdown files")
    args = parser.parse_args(argv)
    if args.no_render and (args.require_render or args.render_dir):
        parser.error("--no-render contradicts --require-render and --render-dir")

    root = args.root.resolve()
    if not root.is_dir():
        parser.error(f"--root {root}: not a folder")
    ignore = active_patterns(root, read_ignore_file(root / "docs" / "check-ignore.txt") + args.ignore)
    checker = Checker(root, ignore)
    pages = [p.resolve() for p in args.pages] if args.pages else pages_of(root)
    for page in pages:
        if not page.is_file():
            parser.error(f"{page}: no such file")
        checker.check_page(page)
    if not args.pages:
        checker.check_examples_are_built()
        for handout in sorted(root.glob("labs/[0-9][0-9]-*/README.md")):
            check_lab_handout(checker, handout)

    rendering = render_diagrams(checker, args)

    for problem in checker.problems:
        print(problem)
    status = "ok" if not checker.problems else f"{len(checker.problems)} problem(s)"
    print(f"docs/check.py: {len(pages)} pages checked, {status}; {rendering}", file=sys.stderr)
    return 1 if checker.problems else 0


def render_diagrams(checker, args):
    """Renders every diagram with mmdc; returns the sentence the summary ends with."""
    count = len(checker.diagrams)
    if count == 0:
        return "no diagrams to render"
    if args.no_render:
        return f"{count} diagram(s) NOT rendered (--no-render)"
    program = args.mmdc or os.environ.get("WINSYNC_MMDC") or shutil.which("mmdc")
    if not program:
        if args.require_render:
            checker.problems.append("mermaid-cli (mmdc) not found, and --require-render was given: "
                                    "see `python3 docs/check.py --help` to install it")
        return (f"{count} diagram(s) NOT rendered: mermaid-cli (mmdc) not found "
                "(--mmdc PROGRAM; see --help)")
    if not Path(program).is_file() and not shutil.which(program):
        checker.problems.append(f"--mmdc {program}: no such program")
        return f"{count} diagram(s) NOT rendered"
    blocks = [(f"{page.path.relative_to(checker.root)}:{line}", body)
              for page, line, body in checker.diagrams]
    failures = render_mermaid.render_all(program, blocks, args.render_dir)
    for where, message in failures:
        checker.problems.append(f"{where}: the diagram does not render: {message}")
    return f"{count - len(failures)} of {count} diagram(s) rendered with {Path(program).name}"


if __name__ == "__main__":
    sys.exit(main())
