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
from pathlib import Path

from grader import scan

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

    def __init__(self, root, labs, jobs=2, progress=None):
        self.root = Path(root).resolve()
        self.labs = labs
        self.jobs = jobs
        self.progress = progress or (lambda message: None)
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
                self._build()
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
        if self._run(configure, log) != 0:
            raise BuildError(f"the grader's tree does not configure (not the student's fault); see {log}")
        targets = [lab.target for lab in self.labs if self._target_dir(build, lab.target)]
        if targets:
            self._run(["cmake", "--build", str(build), f"-j{self.jobs}", "--target", *targets, "--", "-k"], log)

    @staticmethod
    def _run(argv, log):
        with open(log, "a") as out:
            out.write("$ " + shlex.join(argv) + "\n")
            out.flush()
            return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode

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
                info["owned"], info["forbidden"] = self._symbol_sets(info, archives, slot_objects, lab.key)
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
        link_dir = Path(info["link_dir"])
        objects, libraries = [], []
        for token in info["link_argv"][1:]:
            path = (link_dir / token).resolve()
            if token.endswith(".o"):
                objects.append(str(path))
            elif token.endswith(".a") and str(path) in archives:
                objects.extend(archives[str(path)])
        owned_objects = [o for o in objects if slot_objects.get(o) == lab_key]
        other_objects = [o for o in objects if slot_objects.get(o) != lab_key]
        other_objects += [f["reference"] for key, lab in self._manifest_labs.items() if key != lab_key
                          for f in lab["files"].values() if f["reference"]]
        owned = scan.defined_symbols(owned_objects)
        for token in info["link_argv"][1:]:
            if token.startswith("-l"):
                libraries.append(_find_library(token[2:]))
            elif token.endswith(".so") or ".so." in token:
                libraries.append(token)
        libraries.append(_find_library("c"))
        forbidden = scan.defined_symbols(other_objects) | scan.defined_symbols([l for l in libraries if l], dynamic=True)
        return sorted(owned), sorted(forbidden - owned)


def _find_library(name):
    for candidate in (f"lib{name}.so", f"lib{name}.so.6"):
        out = subprocess.run(["cc", f"-print-file-name={candidate}"], capture_output=True, text=True).stdout.strip()
        if out and os.path.isabs(out) and os.path.exists(out):
            with open(out, "rb") as f:
                if f.read(4) == b"\x7fELF":  # not a linker script such as libc.so
                    return os.path.realpath(out)
    return None


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

def compile_student(manifest, lab, lab_dir, out_dir):
    """Compile the student's files found in lab_dir. Returns (objects, log text).

    Raises BuildError with the compiler's message when they do not compile."""
    info = manifest["labs"][lab.key]
    objects, log = {}, []
    for name, file_info in info["files"].items():
        command = file_info["compile"]
        if command is None:
            continue  # a header: it is used by the .c files from lab_dir
        argv = _student_compile_argv(command["argv"], command["output"], lab_dir / name, out_dir / (name + ".o"))
        result = subprocess.run(argv, cwd=command["directory"], capture_output=True, text=True, timeout=120)
        log.append("$ " + shlex.join(argv) + "\n" + result.stdout + result.stderr)
        if result.returncode != 0:
            stderr = result.stderr.replace(f"{lab_dir}/", f"labs/{lab.folder}/")
            raise BuildError(f"{name} does not compile:\n" + _first_errors(stderr))
        objects[command["output"]] = str(out_dir / (name + ".o"))
    return objects, "\n".join(log)


def _student_compile_argv(argv, reference_output, source, output):
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
        out.append(token)
    return out + ["-o", str(output), "-c", str(source)]


def _first_errors(stderr, lines=12):
    kept = [line for line in stderr.splitlines() if line.strip()]
    return "\n".join(kept[:lines]) + ("\n..." if len(kept) > lines else "")


def link_lab(manifest, lab, substitutions, out_dir):
    """Link the lab's test binary with `substitutions` (reference object -> replacement)."""
    info = manifest["labs"][lab.key]
    link_dir = Path(info["link_dir"])
    argv = list(info["link_argv"])
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
    result = subprocess.run(argv, cwd=link_dir, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BuildError("the tests do not link with your file:\n" + _first_errors(result.stderr))
    return out
