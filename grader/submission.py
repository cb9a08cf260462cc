"""Where a student's files come from: a working copy, the solutions, or a submission folder.

Only the files a lab declares as the student's are ever taken; they must be regular files
(no symbolic links, which could point at the reference solution) of reasonable size.
"""

from pathlib import Path

MAX_FILE_SIZE = 1 << 20


class SubmissionError(Exception):
    """The student's file cannot be used; the message says what to do."""


class Source:
    def __init__(self, name):
        self.name = name

    def candidates(self, lab, file_name):
        raise NotImplementedError

    def find(self, lab, file_name):
        for path in self.candidates(lab, file_name):
            if path.is_symlink():
                raise SubmissionError(f"{path} is a symbolic link; submit the file itself.")
            if path.is_file():
                if path.stat().st_size > MAX_FILE_SIZE:
                    raise SubmissionError(f"{path} is larger than {MAX_FILE_SIZE >> 10} KiB.")
                return path
        expected = f"labs/{lab.folder}/{file_name}"
        raise SubmissionError(f"no {file_name} in {self.name}: expected {expected} or {file_name}.")


class WorkingCopy(Source):
    """The student's own checkout: labs/NN-topic/<file>."""

    def __init__(self, root):
        super().__init__("this working copy")
        self.root = Path(root)

    def candidates(self, lab, file_name):
        return [self.root / "labs" / lab.folder / file_name]


class Solutions(Source):
    def __init__(self, root):
        super().__init__("the reference solutions")
        self.root = Path(root)

    def candidates(self, lab, file_name):
        return [self.root / "solutions" / lab.folder / file_name]


class Folder(Source):
    """A submission folder: a copy of the repository, or just the student's files."""

    def __init__(self, folder, name=None):
        self.folder = Path(folder)
        super().__init__(name or str(folder))

    def candidates(self, lab, file_name):
        direct = [self.folder / "labs" / lab.folder / file_name, self.folder / lab.folder / file_name,
                  self.folder / file_name]
        found = [p for p in direct if p.exists() or p.is_symlink()]
        if found:
            return found
        others = [p for p in self.folder.rglob(file_name)
                  if not any(part.startswith(".") or part in ("solutions", "tests") for part in
                             p.relative_to(self.folder).parts)]
        return sorted(others, key=lambda p: (lab.folder not in p.parts, len(p.parts), str(p)))


class Files(Source):
    """Explicit files: {lab key: {file name: path}} (mutants, tests)."""

    def __init__(self, name, files):
        super().__init__(name)
        self.files = files

    def candidates(self, lab, file_name):
        path = self.files.get(lab.key, {}).get(file_name)
        return [Path(path)] if path else []
