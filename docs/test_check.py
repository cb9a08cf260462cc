"""Tests of docs/check.py on small repositories made in temporary folders.

Run: python3 -m unittest discover -s docs -p 'test_check.py'
"""

import contextlib
import io
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check  # noqa: E402


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.root = Path(self.folder.name)
        self.write("runtime/kernel.h", "")
        self.write("docs/examples/CMakeLists.txt", "set(DOCS_EXAMPLES one)\n")
        self.write("docs/examples/one.c", "")
        self.write("grade", "#!/bin/sh\n")
        os.chmod(self.root / "grade", 0o755)
        self.write("docs/concepts/a.md", "# Title A\n\n## Two words\n\ntext\n")

    def tearDown(self):
        self.folder.cleanup()

    def write(self, name, text):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def run_check(self, *extra):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = check.main(["--root", str(self.root), *extra])
        return status, out.getvalue()

    def test_a_clean_tree_passes(self):
        self.write("docs/README.md", "See [A](concepts/a.md#two-words), `runtime/kernel.h`, `./grade 02`,\n"
                                     "[web](https://example.com) and `labs/NN-topic/lab.toml`.\n")
        self.assertEqual(self.run_check(), (0, ""))

    def test_a_missing_link_target_is_reported(self):
        self.write("docs/README.md", "See [B](concepts/b.md).\n")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("docs/README.md:1: link 'concepts/b.md'", out)

    def test_a_missing_anchor_is_reported(self):
        self.write("docs/README.md", "See [A](concepts/a.md#three-words).\n")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("#three-words", out)

    def test_a_missing_path_or_command_in_backticks_is_reported(self):
        self.write("docs/README.md", "Read `runtime/kernel.c` and run `./run-tests`.\n")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("`runtime/kernel.c` does not exist", out)
        self.assertIn("./run-tests does not exist", out)

    def test_fenced_code_is_not_checked_for_paths(self):
        self.write("docs/README.md", "```sh\ncat `runtime/nothing.c`\n```\n")
        self.assertEqual(self.run_check()[0], 0)

    def test_ignore_patterns_from_the_file_and_the_command_line(self):
        self.write("docs/README.md", "`build/x` `runtime/gen.c` [r](../reference/x.o)\n")
        self.write("docs/check-ignore.txt", "# generated\nreference\n")
        self.assertEqual(self.run_check("--ignore", "runtime/gen.c")[0], 0)

    def test_conditional_patterns_apply_only_where_the_path_is_absent(self):
        self.write("docs/README.md", "See `solutions/01-events/event.c`.\n")
        self.write("docs/check-ignore.txt", "?solutions\n")
        self.assertEqual(self.run_check()[0], 0)  # a handout: no solutions/ at all
        self.write("solutions/02-mutexes/mutex.c", "")
        status, out = self.run_check()  # the instructor repository: the path must exist
        self.assertEqual(status, 1)
        self.assertIn("`solutions/01-events/event.c` does not exist", out)

    def test_an_example_not_built_by_cmake_is_reported(self):
        self.write("docs/examples/two.c", "")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("two.c: not built", out)

    def test_a_mermaid_block_without_a_diagram_type_is_reported(self):
        self.write("docs/README.md", "```mermaid\nstate A\n```\n```mermaid\nsequenceDiagram\n    A->>B: x\n```\n")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("docs/README.md:1: mermaid block", out)
        self.assertNotIn(":4:", out)

    def test_github_anchors(self):
        self.assertEqual(check.github_anchor("4. Events: auto-reset, `PulseEvent`'s pitfalls"),
                         "4-events-auto-reset-pulseevents-pitfalls")
        self.assertEqual(check.github_anchor("How this model relates to the real Windows kernel"),
                         "how-this-model-relates-to-the-real-windows-kernel")


if __name__ == "__main__":
    unittest.main()
