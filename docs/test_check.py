"""Tests of docs/check.py on small repositories made in temporary folders.

Run: python3 -m unittest discover -s docs -p 'test_check.py'
"""

import contextlib
import io
import os
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

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

    def run_check(self, *extra, render=False):
        """(exit status, stdout); with render=False the diagrams are not rendered."""
        status, out, _ = self.run_check_with_summary(*extra, *([] if render else ["--no-render"]))
        return status, out

    def run_check_with_summary(self, *extra):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = check.main(["--root", str(self.root), *extra])
        return status, out.getvalue(), err.getvalue()

    def fake_mmdc(self):
        """A stand-in for mermaid-cli: one out-N.png per block, an error at a block saying BROKEN."""
        path = self.root / "fake-mmdc"
        path.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""\
            import re, sys
            from pathlib import Path
            args = sys.argv[1:]
            source = Path(args[args.index("--input") + 1])
            output = Path(args[args.index("--output") + 1])
            blocks = re.findall(r"```mermaid\\n(.*?)```", source.read_text(), re.S)
            for number, block in enumerate(blocks, 1):
                if "BROKEN" in block:
                    print("Error: Parse error on line 2:", file=sys.stderr)
                    print("    at render (index.js:1:1)", file=sys.stderr)
                    sys.exit(1)
                output.with_name(f"{output.stem}-{number}.png").write_bytes(b"PNG")
            """))
        os.chmod(path, 0o755)
        return path

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

    def test_two_self_transitions_on_one_state_are_reported(self):
        self.write("docs/README.md", "```mermaid\nstateDiagram-v2\n    A --> A : one\n"
                                     "    A --> B : go\n    A --> A : two\n```\n")
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("docs/README.md:5: state A has 2 self-transitions (lines 3, 5)", out)

    def test_one_self_transition_per_state_passes(self):
        self.write("docs/README.md", "```mermaid\nstateDiagram-v2\n    A --> A : one<br/>two\n"
                                     "    B --> B : three\n    A --> B : go\n    A --> B : again\n```\n")
        self.assertEqual(self.run_check(), (0, ""))

    def test_every_diagram_is_rendered_and_each_failure_is_reported(self):
        self.write("docs/README.md", "```mermaid\nflowchart\n    A --> B\n```\n\n"
                                     "```mermaid\nflowchart\n    BROKEN\n```\n\n"
                                     "```mermaid\nflowchart\n    C --> D\n```\n\n"
                                     "```mermaid\nflowchart\n    BROKEN again\n```\n")
        pictures = self.root / "png"
        status, out, summary = self.run_check_with_summary("--mmdc", str(self.fake_mmdc()),
                                                           "--render-dir", str(pictures))
        self.assertEqual(status, 1)
        self.assertIn("docs/README.md:6: the diagram does not render: Error: Parse error on line 2:", out)
        self.assertIn("docs/README.md:16: the diagram does not render", out)
        self.assertNotIn("index.js", out)
        self.assertIn("2 of 4 diagram(s) rendered", summary)
        self.assertEqual(sorted(p.name for p in pictures.iterdir()),
                         ["docs-README.md-1.png", "docs-README.md-11.png"])

    def test_diagrams_that_render_pass(self):
        self.write("docs/README.md", "```mermaid\nflowchart\n    A --> B\n```\n")
        status, out, summary = self.run_check_with_summary("--mmdc", str(self.fake_mmdc()))
        self.assertEqual((status, out), (0, ""))
        self.assertIn("1 of 1 diagram(s) rendered with fake-mmdc", summary)

    def test_without_mmdc_the_check_says_the_diagrams_were_not_rendered(self):
        self.write("docs/README.md", "```mermaid\nflowchart\n    BROKEN\n```\n")
        empty = self.root / "empty-path"
        empty.mkdir()
        environment = {key: value for key, value in os.environ.items() if key != "WINSYNC_MMDC"}
        with mock.patch.dict(os.environ, dict(environment, PATH=str(empty)), clear=True):
            status, out, summary = self.run_check_with_summary()
            self.assertEqual((status, out), (0, ""))
            self.assertIn("1 diagram(s) NOT rendered: mermaid-cli (mmdc) not found", summary)
            status, out, _ = self.run_check_with_summary("--require-render")
            self.assertEqual(status, 1)
            self.assertIn("mermaid-cli (mmdc) not found, and --require-render was given", out)

    def test_a_missing_mmdc_program_is_an_error(self):
        self.write("docs/README.md", "```mermaid\nflowchart\n    A --> B\n```\n")
        status, out, _ = self.run_check_with_summary("--mmdc", str(self.root / "no-such-mmdc"))
        self.assertEqual(status, 1)
        self.assertIn("no-such-mmdc: no such program", out)

    LAB = ("# Lab 01\n\n## Steps\n\n### Step 1: One\n\n*Easy, about 20 minutes.*\n\ntext\n\n"
           "### Step 2: Two\n\n*Hard, 1.5 to 2 hours: `f`, about 30 lines.*\n\n## Debugging\n\nx\n\n"
           "## Hints\n\n### Hints for Step 1\n\nhint\n")

    def test_a_complete_lab_handout_passes(self):
        self.write("labs/01-events/README.md", self.LAB)
        status, out = self.run_check()
        self.assertEqual((status, out), (0, ""))

    def test_a_lab_handout_without_hints_or_debugging_is_reported(self):
        self.write("labs/01-events/README.md", self.LAB.replace("## Hints", "## More").replace(
            "## Debugging", "## Notes"))
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("labs/01-events/README.md: no '## Hints' section", out)
        self.assertIn("labs/01-events/README.md: no '## Debugging' section", out)

    def test_a_step_without_difficulty_and_time_is_reported(self):
        self.write("labs/01-events/README.md", self.LAB.replace("*Easy, about 20 minutes.*", "Do it."))
        status, out = self.run_check()
        self.assertEqual(status, 1)
        self.assertIn("labs/01-events/README.md:5: the step's first line must give its difficulty", out)
        self.assertEqual(out.count("difficulty"), 1, out)

    def test_github_anchors(self):
        self.assertEqual(check.github_anchor("4. Events: auto-reset, `PulseEvent`'s pitfalls"),
                         "4-events-auto-reset-pulseevents-pitfalls")
        self.assertEqual(check.github_anchor("How this model relates to the real Windows kernel"),
                         "how-this-model-relates-to-the-real-windows-kernel")


if __name__ == "__main__":
    unittest.main()
