"""Build the grader's own tree once (cached by content) and link student files into it.

The shared build is a CMake build of a snapshot of the grader's tree: runtime, include, cmake,
solutions (or the handout's prebuilt reference objects), the lab folders and tests/labs. The
students' own files are not part of it: in the snapshot each one is a placeholder, so editing
event.c never invalidates the cache. Per submission the grader compiles only the student's files,
with the exact command CMake uses for that slot, and relinks the lab's test binary with the
student's object in place of its slot's object (and the reference everywhere else).
"""

import fcntl
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from grader import sandbox, scan
from grader.progress import build_step

SNAPSHOT = ["CMakeLists.txt", "cmake", "include", "runtime", "solutions", "reference", "labs",
            "tests/labs", "tests/support"]
PLACEHOLDER = "/* Placeholder: the grader replaces this slot's object at link time. */\n" \
              "typedef int winsync_grader_placeholder;\n"
SKIP_PARTS = {"__pycache__", ".git"}


class BuildError(Exception):
    """The grader's own tree does not build; the message says where to look."""


def cache_root():
    if os.environ.get("WINSYNC_GRADER_CACHE"):
        return Path(os.environ["WINSYNC_GRADER_CACHE"])
    if os.geteuid() == 0:
        return Path("/var/cache/winsync-grader")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "winsync-grader"


def _tool_versions():
    out = []
    for argv in (["cc", "--version"], ["cmake", "--version"]):
        try:
            out.append(subprocess.run(argv, capture_output=True, text=True).stdout.split("\n")[0])
        except OSError:
            out.append("missing " + argv[0])
    return "\n".join(out)


def snapshot_files(root, labs):
    """relative path -> source path (None for a student file's placeholder)."""
    root = Path(root)
    students = {f"labs/{lab.folder}/{name}" for lab in labs for name in lab.student_files}
    files = {}
    for entry in SNAPSHOT:
        base = root / entry
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            rel = path.relative_to(root).as_posix()
            if SKIP_PARTS & set(path.relative_to(root).parts) or rel.endswith(".pyc"):
                continue
            files[rel] = None if rel in students else path
    for rel in students:
        files[rel] = None
    return files


def content_key(files):
    digest = hashlib.sha256(_tool_versions().encode())
    digest.update(Path(__file__).read_bytes())  # a new grader build logic means a new cache
    for rel in sorted(files):
        digest.update(rel.encode() + b"\0")
        digest.update(PLACEHOLDER.encode() if files[rel] is None else files[rel].read_bytes())
    return digest.hexdigest()[:20]


class SharedBuild:
    """The cached build of the grader's tree; `manifest` describes what the grader links."""

    def __init__(self, root, labs, jobs=2, progress=None, status=None):
        self.root = Path(root).resolve()
        self.labs = labs
        self.jobs = jobs
        self.progress = progress or (lambda message: None)  # lines that stay
        self.status = status  # the one-time build's steps, as a live line (None: not shown)
        self.files = snapshot_files(self.root, labs)
        self.key = content_key(self.files)
        self.dir = cache_root() / self.key
        self.manifest = None

    def ensure(self):
        if self.manifest is not None:
            return self.manifest
        cache_root().mkdir(parents=True, exist_ok=True)
        os.chmod(cache_root(), 0o700)
        with open(cache_root() / f"{self.key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            manifest_path = self.dir / "manifest.json"
            if not manifest_path.exists():
                self.progress(f"building the grader's tree once (cache {self.dir})...")
                start = time.monotonic()
                self._build()
                self.progress(f"built the grader's tree in {time.monotonic() - start:.0f} s")
                manifest_path.write_text(json.dumps(self._collect(), indent=1))
        self.manifest = json.loads(manifest_path.read_text())
        return self.manifest

    # ---- the one-time build ----

    def _build(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        src, build = self.dir / "src", self.dir / "build"
        for rel, path in self.files.items():
            target = src / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path is None:
                target.write_text(PLACEHOLDER)
            else:
                shutil.copy2(path, target)
        log = self.dir / "build.log"
        configure = ["cmake", "-S", str(src), "-B", str(build), "-G", "Unix Makefiles",
                     "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DWINSYNC_BUILD_TESTS=ON"]
        if self._run(configure, log, "configuring") != 0:
            raise BuildError(f"the grader's tree does not configure (not the student's fault); see {log}")
        targets = [lab.target for lab in self.labs if self._target_dir(build, lab.target)]
        if targets:
            self._run(["cmake", "--build", str(build), f"-j{self.jobs}", "--target", *targets, "--", "-k"], log,
                      "building", targets)

    def _run(self, argv, log, doing, targets=()):
        """Run one step of the build into `log`; with a status callback, show what it is doing
        (how many of the lab `targets` are built, and Make's current step)."""
        with open(log, "ab") as out:
            out.write(("$ " + shlex.join(argv) + "\n").encode())
            out.flush()
            if self.status is None:
                return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode
            built = set()
            self.status(f"{doing} the grader's tree once...")
            with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
                for line in proc.stdout:
                    out.write(line)
                    step = build_step(line.decode(errors="replace"))
                    if step is None:
                        continue
                    if step.startswith("Built target ") and step.split()[-1] in targets:
                        built.add(step.split()[-1])
                    count = f"{len(built)}/{len(targets)} lab binaries built, " if targets else ""
                    self.status(f"{doing} the grader's tree once: {count}{step}")
            self.status("")
            return proc.returncode

    @staticmethod
    def _target_dir(build, target):
        found = list(build.glob(f"**/CMakeFiles/{target}.dir"))
        return found[0] if found else None

    def _collect(self):
        src, build = self.dir / "src", self.dir / "build"
        cache = _read_cmake_cache(build / "CMakeCache.txt")
        compile_db = {}
        for entry in json.loads((build / "compile_commands.json").read_text()):
            argv = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
            directory = Path(entry["directory"])
            output = entry.get("output") or argv[argv.index("-o") + 1]
            compile_db[str(Path(entry["file"]).resolve())] = {
                "directory": str(directory), "argv": argv, "output": str((directory / output).resolve())}
        archives = _archives(build)
        manifest = {"key": self.key, "src": str(src), "build": str(build),
                    "log": str(self.dir / "build.log"), "labs": {}}
        slot_objects = {}
        for lab in self.labs:
            slot_source = cache.get(f"WINSYNC_{lab.slot.upper()}_SOURCE")
            slot_dir = Path(slot_source).resolve().parent if slot_source else src / "solutions" / lab.folder
            files = {}
            for name in lab.student_files:
                source = str(slot_dir / name)
                reference = src / "reference" / lab.folder / (name + ".o")
                files[name] = {
                    "source": source,
                    "compile": compile_db.get(source),
                    "reference": str(reference) if reference.exists() else None,
                }
                if source in compile_db:
                    slot_objects[compile_db[source]["output"]] = lab.key
            manifest["labs"][lab.key] = {"files": files, **self._link_info(build, lab)}
        manifest["slot_objects"] = slot_objects
        self._manifest_labs = manifest["labs"]
        manifest["archives"] = archives
        for lab in self.labs:
            info = manifest["labs"][lab.key]
            if info.get("link_argv"):
                info["owned"], info["api"] = self._symbol_sets(info, archives, slot_objects, lab.key)
        return manifest

    def _link_info(self, build, lab):
        target_dir = self._target_dir(build, lab.target)
        if target_dir is None:
            return {"error": f"no CMake target {lab.target}: tests/labs/{lab.folder}/CMakeLists.txt "
                             f"must define it (see cmake/WinsyncTesting.cmake)"}
        link_dir = target_dir.parent.parent
        argv = shlex.split((target_dir / "link.txt").read_text().splitlines()[0])
        info = {"link_dir": str(link_dir), "link_argv": argv}
        # Only the inputs must exist: the handout's own link fails on the placeholders.
        inputs = [link_dir / token for token in argv[1:] if token.endswith((".o", ".a"))]
        if not all(path.exists() for path in inputs):
            info["error"] = f"the lab's tests do not compile in the grader's tree; see {self.dir / 'build.log'}"
        return info

    def _symbol_sets(self, info, archives, slot_objects, lab_key):
        """(owned, api): what the slot's object defines, and what the libraries it is linked with
        define (the members of the static archives on the link line, with the prebuilt reference
        objects the link substitutes for other slots; not the tests, Criterion or the C library)."""
        link_dir = Path(info["link_dir"])
        references = {f["compile"]["output"]: f["reference"] for lab in self._manifest_labs.values()
                      for f in lab["files"].values() if f["reference"] and f["compile"]}
        objects, members = [], []
        for token in info["link_argv"][1:]:
            path = (link_dir / token).resolve()
            if token.endswith(".o"):
                objects.append(str(path))
            elif token.endswith(".a") and str(path) in archives:
                members.extend(archives[str(path)])
        owned_objects = [o for o in objects + members if slot_objects.get(o) == lab_key]
        owned_objects += [f["reference"] for f in self._manifest_labs[lab_key]["files"].values() if f["reference"]]
        owned = scan.defined_symbols(owned_objects)
        api = scan.defined_symbols([references.get(m, m) for m in members])
        return sorted(owned), sorted(api)


def _read_cmake_cache(path):
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and ":" in line.split("=", 1)[0] and not line.startswith(("//", "#")):
            name_type, value = line.split("=", 1)
            values[name_type.split(":", 1)[0]] = value
    return values


def _archives(build):
    """Static libraries CMake creates: archive path -> member object paths."""
    archives = {}
    for link in build.glob("**/CMakeFiles/*.dir/link.txt"):
        directory = link.parent.parent.parent
        for line in link.read_text().splitlines():
            argv = shlex.split(line)
            if len(argv) > 2 and Path(argv[0]).name.endswith("ar") and argv[1] in ("qc", "q", "cr", "rc", "rcs"):
                archive = str((directory / argv[2]).resolve())
                archives.setdefault(archive, []).extend(str((directory / o).resolve()) for o in argv[3:])
    return archives


# ---- per submission ----

PUBLIC_HEADER_ROOTS = ("include", "runtime", "tests/support")  # what a compile may include
MAX_OBJECT_SIZE = 1 << 20  # a lab object has no business above this


def lay_out_sources(manifest, lab, student_files, tree):
    """The only files a student's compile sees, under `tree` (laid out like the grader's tree):
    the public headers and, in labs/<folder>/, the student's files and the lab's given headers.
    Returns the lab folder inside tree."""
    src, tree = Path(manifest["src"]), Path(tree)
    for top in PUBLIC_HEADER_ROOTS:
        for header in sorted((src / top).rglob("*.h")):
            target = tree / header.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(header, target)
    lab_dir = tree / "labs" / lab.folder
    lab_dir.mkdir(parents=True, exist_ok=True)
    for header in sorted((src / "labs" / lab.folder).glob("*.h")):
        if header.name not in student_files:
            shutil.copyfile(header, lab_dir / header.name)
    for name, path in student_files.items():
        shutil.copyfile(path, lab_dir / name)
    return lab_dir


def compile_student(manifest, lab, tree, out_dir, limits):
    """Compile the student's files laid out in `tree` (lay_out_sources), each in its own sandbox
    that shows only that tree and out_dir. Returns (objects, log text).

    Raises BuildError with the compiler's message when they do not compile."""
    info = manifest["labs"][lab.key]
    tree, out_dir = Path(tree), Path(out_dir)
    lab_dir = tree / "labs" / lab.folder
    objects, log = {}, []
    view = sandbox.View(read_only=[str(tree)], writable=[str(out_dir)], devices=False)
    for name, file_info in info["files"].items():
        command = file_info["compile"]
        if command is None:
            continue  # a header: it is used by the .c files from lab_dir
        output = out_dir / (name + ".o")
        argv = _student_compile_argv(command["argv"], manifest["src"], tree, lab_dir / name, output)
        compiler_log = out_dir.parent / f"compile-{name}.log"  # outside what the compile may write
        compiler_log.write_bytes(b"")
        outcome = sandbox.run(argv, out_dir, compiler_log, limits, view=view)
        messages = compiler_log.read_text(errors="replace").replace(f"{tree}/", "")
        log.append("$ " + shlex.join(argv) + "\n" + messages)
        if outcome.timed_out:
            raise BuildError(f"{name} does not compile: the compiler ran out of its {limits.wall:g} s "
                             "limit and was stopped (an #include of a device or a huge file?)")
        if outcome.returncode != 0 or outcome.error:
            detail = _first_errors(messages) or outcome.error or f"the compiler ended with {outcome.returncode}"
            raise BuildError(f"{name} does not compile:\n" + detail)
        if output.is_symlink() or not output.is_file():
            raise BuildError(f"{name} does not compile: the compiler left no object file")
        if output.stat().st_size > MAX_OBJECT_SIZE:
            raise BuildError(f"{name} compiles to {output.stat().st_size >> 20} MiB; a lab object may be at most "
                             f"{MAX_OBJECT_SIZE >> 20} MiB (a huge array?)")
        objects[command["output"]] = str(output)
    return objects, "\n".join(log)


def _student_compile_argv(argv, src, tree, source, output):
    """The slot's compile command for the student's file: include folders moved to the laid-out
    tree (only the public ones), no -Werror, no dependency files."""
    out, skip = [], False
    for i, token in enumerate(argv):
        if skip:
            skip = False
            continue
        if token in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if token in ("-Werror", "-MD", "-MMD", "-c") or token.startswith("-Werror="):
            continue
        if i > 0 and argv[i - 1] == "-c":
            continue
        if token.startswith("-I"):
            moved = _public_include(token[2:], src, tree)
            if moved is None:
                continue
            token = "-I" + moved
        out.append(token)
    return out + ["-o", str(output), "-c", str(source)]


def _public_include(folder, src, tree):
    """Where include folder `folder` of the grader's tree is in the laid-out tree (None: not shown)."""
    try:
        rel = Path(folder).resolve().relative_to(Path(src).resolve())
    except ValueError:
        return folder if Path(folder).is_relative_to("/usr") else None
    if rel.parts[:1] in (("include",), ("runtime",)) or rel.parts[:2] in (("tests", "support"),) \
            or (rel.parts[:1] == ("labs",) and len(rel.parts) == 2):
        return str(Path(tree) / rel)
    return None


def _first_errors(stderr, lines=12):
    kept = [line for line in stderr.splitlines() if line.strip()]
    return "\n".join(kept[:lines]) + ("\n..." if len(kept) > lines else "")


def link_lab(manifest, lab, substitutions, out_dir, extra_objects=()):
    """Link the lab's test binary with `substitutions` (reference object -> replacement) and the
    grader's `extra_objects` (its guard and this run's sentinels)."""
    info = manifest["labs"][lab.key]
    link_dir = Path(info["link_dir"])
    argv = list(info["link_argv"])
    argv[1:1] = [str(o) for o in extra_objects]
    out = out_dir / lab.target
    argv[argv.index("-o") + 1] = str(out)
    replaced = set()
    for i, token in enumerate(argv[1:], start=1):
        path = str((link_dir / token).resolve())
        if path in substitutions:
            argv[i] = substitutions[path]
            replaced.add(path)
        elif token.endswith(".a") and path in manifest["archives"]:
            members = manifest["archives"][path]
            if any(m in substitutions for m in members):
                archive = out_dir / f"{len(replaced)}-{Path(path).name}"
                archive.unlink(missing_ok=True)
                subprocess.run(["ar", "qcs", str(archive), *[substitutions.get(m, m) for m in members]],
                               check=True, capture_output=True)
                replaced.update(m for m in members if m in substitutions)
                argv[i] = str(archive)
    missing = [p for p in substitutions if p not in replaced and manifest["slot_objects"].get(p) == lab.key]
    if missing:
        raise BuildError(f"cannot put the student's object into {lab.target}: its link line has no "
                         f"object built from {missing[0]} (link with the `winsync` static library)")
    result = subprocess.run(argv, cwd=link_dir, capture_output=True, text=True, errors="replace", timeout=120)
    if result.returncode != 0:
        raise BuildError("the tests do not link with your file:\n" + _first_errors(result.stderr))
    return out
