"""Which submissions' lab files are suspiciously alike: OUT/similarity.csv and similarity.html.

The comparing is done by SIM, Dick Grune's similarity tester (Debian `similarity-tester`,
`sim_c` for C): it reduces each file to C tokens (identifiers, numbers and strings each become one
token; layout and comments disappear) and reports runs of at least --min-run tokens (sim's
default, 24) that two files share. Per lab file, this module:
1. removes the common base: the lines of each submission that sim finds in the lab's skeleton or
   reference solution are blanked (line numbers stay), since copying the handout is not
   plagiarism and every correct solution resembles the reference;
2. compares what is left of every submission with every other (`sim_c -e -a -s`), and reports
   each pair that shares a run: the share of each file's remaining code found in the other
   (`sim_c -p`), the tokens matched and the passages, side by side in the HTML page.
"""

import argparse
import csv
import html
import io
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SIM = "sim_c"
MIN_RUN = 24  # tokens: sim's own default
THRESHOLD = 50  # percent: pairs at or above it are shown in full in the HTML page
RUN_LINE = re.compile(r"^(\S.*?): line (\d+)-(\d+)\s*\|(\S.*?): line (\d+)-(\d+)\s*\[(\d+)\]\s*$")
PERCENT_LINE = re.compile(r"^(\S.*?) consists for (\d+) % of (\S.*?) material\s*$")


class SimUnavailable(Exception):
    pass


@dataclass
class Run:
    a_lines: tuple  # (first, last), 1-based
    b_lines: tuple
    tokens: int


@dataclass
class Pair:
    lab: str  # "01-events"
    file: str  # "event.c"
    a: str  # submission names, a < b
    b: str
    a_in_b: int = 0  # percent of a's own (non-base) code found in b
    b_in_a: int = 0
    runs: list = field(default_factory=list)

    @property
    def percent(self):
        return max(self.a_in_b, self.b_in_a)

    @property
    def tokens(self):
        return sum(run.tokens for run in self.runs)


@dataclass
class FileSet:
    """One lab file of the class: the originals, what is left of them without the base."""
    lab: str
    file: str
    originals: dict  # submission name -> text
    base: list  # names of the base files ("skeleton", "reference solution")
    base_share: dict = field(default_factory=dict)  # submission -> percent of its lines from the base
    pairs: list = field(default_factory=list)


def available():
    return shutil.which(SIM) is not None


def _sim(args, names, cwd):
    """sim_c's output for the files (names given on its standard input, which -i reads)."""
    try:
        done = subprocess.run([SIM, *args, "-i"], input="\n".join(names) + "\n", cwd=cwd, capture_output=True,
                              text=True, errors="replace", timeout=600)
    except FileNotFoundError:
        raise SimUnavailable(f"{SIM} is not installed: sudo apt-get install similarity-tester") from None
    if done.returncode != 0:
        raise SimUnavailable(f"{SIM} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return done.stdout


def _runs(output):
    for line in output.splitlines():
        match = RUN_LINE.match(line)
        if match:
            a, a1, a2, b, b1, b2, tokens = match.groups()
            yield a, b, Run((int(a1), int(a2)), (int(b1), int(b2)), int(tokens))


def _file_name(name):
    return f"./{name}.c"  # "./": a name may start with "-"


def _name(path):
    return Path(path).name[:-2]


def compare(fileset, work, min_run=MIN_RUN):
    """Fill fileset.base_share and fileset.pairs, working in the folder work."""
    names = sorted(fileset.originals)
    original, stripped, base = work / "original", work / "stripped", work / "base"
    for folder in (original, stripped, base):
        folder.mkdir(parents=True)
    for name in names:
        (original / f"{name}.c").write_text(fileset.originals[name])
    lines = {name: fileset.originals[name].split("\n") for name in names}
    blank = {name: set() for name in names}
    if fileset.base:
        for number, text in enumerate(fileset.base):
            (base / f"{number}.c").write_text(text)
        listing = [f"original/{_file_name(n)[2:]}" for n in names] + ["/"] + [
            f"base/{number}.c" for number in range(len(fileset.base))]
        for a, _, run in _runs(_sim(["-S", "-n", "-w", "400", "-r", str(min_run)], listing, work)):
            blank[_name(a)].update(range(run.a_lines[0], run.a_lines[1] + 1))
    for name in names:
        kept = [("" if number in blank[name] else line) for number, line in enumerate(lines[name], start=1)]
        (stripped / f"{name}.c").write_text("\n".join(kept))
        code = [number for number, line in enumerate(lines[name], start=1) if line.strip()]
        fileset.base_share[name] = round(100 * len(blank[name] & set(code)) / len(code)) if code else 0
    if len(names) < 2:
        return fileset
    listing = [_file_name(name) for name in names]
    pairs = {}
    runs_output = _sim(["-e", "-a", "-s", "-n", "-w", "400", "-r", str(min_run)], listing, stripped)
    for a, b, run in _runs(runs_output):
        a, b = _name(a), _name(b)
        if a < b:  # -a reports each run both ways
            pairs.setdefault((a, b), Pair(fileset.lab, fileset.file, a, b)).runs.append(run)
    percent_output = _sim(["-p", "-e", "-a", "-s", "-t", "1", "-r", str(min_run)], listing, stripped)
    for line in percent_output.splitlines():
        match = PERCENT_LINE.match(line)
        if match:
            a, percent, b = _name(match.group(1)), int(match.group(2)), _name(match.group(3))
            pair = pairs.get((min(a, b), max(a, b)))
            if pair is not None:
                if a < b:
                    pair.a_in_b = percent
                else:
                    pair.b_in_a = percent
    fileset.pairs = sorted(pairs.values(), key=lambda p: (-p.percent, -p.tokens, p.a, p.b))
    return fileset


# ---- Finding the files -------------------------------------------------------------------------


def _base(root, lab, file_name):
    found = []
    for where in ("labs", "solutions"):
        path = Path(root) / where / lab.folder / file_name
        if path.is_file():
            found.append(path.read_text(errors="replace"))
    return found


def collect(root, labs, folder, scratch):
    """[FileSet] of the class folder, one per lab file; and the submissions that could not be read."""
    from grader import batch
    from grader.submission import Folder, SubmissionError

    submissions, _ = batch.discover(folder, skip={Path(scratch).resolve()})
    wanted = {f for lab in labs for f in lab.student_files}
    sources, skipped = {}, []
    for sub in submissions:
        if sub.kind == "folder":
            sources[sub.name] = Folder(sub.path, sub.name)
        elif sub.kind == "archive":
            into = Path(scratch) / "unpacked" / sub.name
            into.mkdir(parents=True)
            try:
                batch.unpack(sub.path, wanted, into)
                sources[sub.name] = Folder(into, sub.name)
            except batch.ArchiveError as error:
                skipped.append(f"{sub.name}: {error}")
        else:
            skipped.append(f"{sub.name}: not an archive the grader reads")
    filesets = []
    for lab in labs:
        for file_name in lab.student_files:
            originals = {}
            for name, source in sources.items():
                try:
                    originals[name] = source.find(lab, file_name).read_text(errors="replace")
                except (SubmissionError, OSError):
                    continue
            filesets.append(FileSet(f"{lab.number:02d}-{lab.slug}", file_name, originals,
                                    _base(root, lab, file_name)))
    return filesets, skipped


def analyse(root, labs, folder, min_run=MIN_RUN):
    """([FileSet] with their pairs, skipped submissions) of a class folder."""
    with tempfile.TemporaryDirectory(prefix="winsync-similarity-") as scratch:
        scratch = Path(scratch)
        filesets, skipped = collect(root, labs, folder, scratch)
        for number, fileset in enumerate(filesets):
            compare(fileset, scratch / f"work-{number}", min_run)
    return filesets, skipped


# ---- The reports -------------------------------------------------------------------------------


def render_csv(filesets):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lab", "file", "a", "b", "a_in_b_percent", "b_in_a_percent", "tokens", "runs",
                     "a_base_percent", "b_base_percent"])
    for fileset in filesets:
        for pair in fileset.pairs:
            writer.writerow([pair.lab, pair.file, pair.a, pair.b, pair.a_in_b, pair.b_in_a, pair.tokens,
                             " ".join(f"{r.a_lines[0]}-{r.a_lines[1]}:{r.b_lines[0]}-{r.b_lines[1]}"
                                      for r in pair.runs),
                             fileset.base_share.get(pair.a, 0), fileset.base_share.get(pair.b, 0)])
    return out.getvalue()


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 80em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { margin: 0; font-size: 12px; background: #f6f6f2; padding: 4px; overflow-x: auto; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-bottom: 1em; }
.why { background: #eef3fb; padding: 0.5em 1em; }
"""

WHY = """<div class='why'><p><b>How to read this page.</b> SIM (<code>sim_c</code>) compares C tokens, so
renaming identifiers, changing layout or comments does not hide a copy. Before comparing, every line a
submission shares with the lab's skeleton or reference solution (the common base) is removed: copying the
handout is not plagiarism, and a correct lab file is small and has one right behaviour, so correct solutions
come out close to the reference and to each other. What remains is each student's own code; a pair is listed
when that code shares a run of at least {min_run} tokens, with the share of each file's own code found in the
other.</p>
<p><b>Why derived files look alike.</b> Files made from one solution (the reference with a small change, as
the grader's mutants are, or one student's solution handed round) share everything but the change. Against
the base their shared part disappears and each change is usually shorter than a run, so they are not listed,
unless two files carry the same change of a run's length or more: the same mistake, worth reading. Compared
without the base they would all be 90-100% alike. The column "from the base" says how much of each
file is the base: a file that is almost all reference solution is worth a look of its own (a leaked
solution), though two such files are not a pair here.</p>
<p>Similarity is a reason to read two files, never proof: look for shared mistakes and odd choices.</p></div>"""


def _passage(text, lines):
    first, last = lines
    chosen = text.split("\n")[first - 1:last]
    return "\n".join(f"{number:4d}  {line}" for number, line in enumerate(chosen, start=first))


def render_html(filesets, skipped=(), threshold=THRESHOLD, min_run=MIN_RUN):
    e = html.escape
    pairs = sum(len(f.pairs) for f in filesets)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>winsync similarity</title>"
             f"<style>{STYLE}</style></head><body><h1>Similarity: {pairs} pairs share code beyond the base</h1>",
             WHY.format(min_run=min_run)]
    if skipped:
        parts.append("<h2>Not compared</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in skipped) + "</ul>")
    for fileset in filesets:
        high = [p for p in fileset.pairs if p.percent >= threshold]
        parts.append(f"<h2>{e(fileset.lab)}: {e(fileset.file)}</h2><p>{len(fileset.originals)} submissions, "
                     f"{len(fileset.pairs)} pairs listed, {len(high)} at {threshold}% or more "
                     f"(shown in full below).</p>")
        if not fileset.pairs:
            continue
        parts.append("<table><tr><th>A</th><th>B</th><th>A in B</th><th>B in A</th><th>Tokens</th>"
                     "<th>A from the base</th><th>B from the base</th></tr>")
        parts += [f"<tr><td>{e(p.a)}</td><td>{e(p.b)}</td><td class='n'>{p.a_in_b}%</td>"
                  f"<td class='n'>{p.b_in_a}%</td><td class='n'>{p.tokens}</td>"
                  f"<td class='n'>{fileset.base_share.get(p.a, 0)}%</td>"
                  f"<td class='n'>{fileset.base_share.get(p.b, 0)}%</td></tr>" for p in fileset.pairs]
        parts.append("</table>")
        for pair in high:
            parts.append(f"<h3>{e(pair.a)} and {e(pair.b)} ({pair.percent}%)</h3>")
            for run in pair.runs:
                parts.append(f"<div class='side'><div><b>{e(pair.a)}</b> lines {run.a_lines[0]}-{run.a_lines[1]}"
                             f"<pre>{e(_passage(fileset.originals[pair.a], run.a_lines))}</pre></div>"
                             f"<div><b>{e(pair.b)}</b> lines {run.b_lines[0]}-{run.b_lines[1]} ({run.tokens} tokens)"
                             f"<pre>{e(_passage(fileset.originals[pair.b], run.b_lines))}</pre></div></div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write(root, chosen, folder, out, min_run=MIN_RUN, threshold=THRESHOLD):
    """Write out/similarity.csv and out/similarity.html; returns the problems (the batch goes on)."""
    try:
        filesets, skipped = analyse(root, chosen, folder, min_run)
    except SimUnavailable as error:
        return [f"similarity: {error}; the grades are written, the similarity report is not"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "similarity.csv").write_text(render_csv(filesets))
    (out / "similarity.html").write_text(render_html(filesets, skipped, threshold, min_run))
    listed = sum(len(f.pairs) for f in filesets)
    high = sum(1 for f in filesets for p in f.pairs if p.percent >= threshold)
    print(f"similarity: {listed} pairs share code beyond the base, {high} at {threshold}% or more: "
          f"{out / 'similarity.html'}", file=sys.stderr)
    return []


def main(argv):
    from grader import config

    parser = argparse.ArgumentParser(prog="grade similarity",
                                     description="Compare the lab files of a class folder with SIM (sim_c), the "
                                                 "skeletons and reference solutions excluded as a common base; "
                                                 "writes OUT/similarity.html and OUT/similarity.csv. Grades nothing.")
    parser.add_argument("folder", type=Path, help="the class folder (as for --batch)")
    parser.add_argument("labs", nargs="*", metavar="LAB", help="lab number, slug or folder (default: all)")
    parser.add_argument("--out", type=Path, required=True, help="the folder for the two files")
    parser.add_argument("--min-run", type=int, default=MIN_RUN,
                        help="shortest run of tokens reported (sim's -r; default: %(default)s)")
    parser.add_argument("--threshold", type=int, default=THRESHOLD,
                        help="pairs at or above this percent are shown in full (default: %(default)s)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the grader's tree (its skeletons and solutions are the base)")
    args = parser.parse_intermixed_args(argv)
    if not args.folder.is_dir():
        raise config.ConfigError(f"similarity: {args.folder} is not a folder of submissions.")
    if args.min_run < 1 or not 0 <= args.threshold <= 100:
        raise config.ConfigError("similarity: --min-run must be 1 or more, --threshold 0 to 100.")
    labs = config.load_labs(args.root)
    chosen = config.select_labs(labs, args.labs)
    problems = write(args.root, chosen, args.folder, args.out, args.min_run, args.threshold)
    for problem in problems:
        print(f"grade: {problem}", file=sys.stderr)
    return 2 if problems else 0
