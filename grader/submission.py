"""Where a student's files come from: a working copy, the solutions, or a submission folder.

Only the files a lab declares as the student's are ever taken; they must be regular files of
reasonable size reached without a symbolic link (a link, even a folder one, could point at the
reference solution).
"""

from pathlib import Path

MAX_FILE_SIZE = 1 << 20


class SubmissionError(Exception):
    """The student's file cannot be used; the message says what to do."""


class Source:
    base = None  # the folder the submission's paths start from (links below it are refused)

    def __init__(self, name):
        self.name = name

    def candidates(self, lab, file_name):
        raise NotImplementedError

    def find(self, lab, file_name):
        for path in self.candidates(lab, file_name):
            link = self._link_on_the_way(path)
            if link:
                raise SubmissionError(f"{link} is a symbolic link; submit the file itself, in a real folder.")
            if path.is_file():
                if path.stat().st_size > MAX_FILE_SIZE:
                    raise SubmissionError(f"{path} is larger than {MAX_FILE_SIZE >> 10} KiB.")
                return path
        expected = f"labs/{lab.folder}/{file_name}"
        raise SubmissionError(f"no {file_name} in {self.name}: expected {expected} or {file_name}.")

    def _link_on_the_way(self, path):
        """The first symbolic link among path and the folders between self.base and it, or None."""
        path = Path(path)
        if path.is_symlink():
            return path
        if self.base is None:
            return None
        try:
            parts = path.relative_to(self.base).parts
        except ValueError:
            return path  # outside the submission
        folder = Path(self.base)
        for part in parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                return folder
        return None


class WorkingCopy(Source):
    """The student's own checkout: labs/NN-topic/<file>."""

    def __init__(self, root):
        super().__init__("this working copy")
        self.root = self.base = Path(root)

    def candidates(self, lab, file_name):
        return [self.root / "labs" / lab.folder / file_name]


class Solutions(Source):
    def __init__(self, root):
        super().__init__("the reference solutions")
        self.root = self.base = Path(root)

    def candidates(self, lab, file_name):
        return [self.root / "solutions" / lab.folder / file_name]


class Folder(Source):
    """A submission folder: a copy of the repository, or just the student's files."""

    def __init__(self, folder, name=None):
        self.folder = self.base = Path(folder)
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
