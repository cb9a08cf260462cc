"""Render Mermaid diagrams with mermaid-cli (mmdc), for docs/check.py.

mmdc renders every ```mermaid block of a Markdown file, one PNG each (out-1.png, out-2.png...),
and stops at the first block that does not render. Each run starts a browser, so all the
diagrams go into one file, and after a failure the run starts again after the failed block.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 300
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser_environment():
    """The environment for mmdc: puppeteer uses the system's Chromium unless told otherwise."""
    env = dict(os.environ)
    if "PUPPETEER_EXECUTABLE_PATH" not in env:
        browser = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
        if browser:
            env["PUPPETEER_EXECUTABLE_PATH"] = browser
    return env


def error_summary(stderr):
    """The lines of mmdc's error that say what is wrong, without the JavaScript stack."""
    lines = [line.strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line and not line.startswith("at ")]
    return " | ".join(lines[:4]) or "mmdc failed without a message"


def png_name(where):
    """docs/concepts/04-events.md:56 -> docs-concepts-04-events.md-56.png"""
    return where.replace("/", "-").replace(":", "-") + ".png"


def render_all(program, blocks, keep_dir=None):
    """Renders blocks, a list of (where, diagram text); returns [(where, error)] for each that
    does not render. With keep_dir, the PNGs are kept there, named after `where`."""
    failures = []
    if keep_dir:
        Path(keep_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docs-mermaid-") as folder:
        folder = Path(folder)
        # Chromium refuses to start its sandbox as root (containers, CI); the pages are ours.
        config = folder / "puppeteer.json"
        config.write_text(json.dumps({"args": ["--no-sandbox"]}))
        env = browser_environment()
        start = 0
        while start < len(blocks):
            batch = blocks[start:]
            run = folder / f"run-{start}"
            run.mkdir()
            source = run / "in.md"
            source.write_text("".join(f"```mermaid\n{body}\n```\n\n" for _, body in batch))
            command = [program, "--quiet", "--puppeteerConfigFile", str(config), "--outputFormat", "png",
                       "--input", str(source), "--output", str(run / "out.md")]
            try:
                result = subprocess.run(command, env=env, capture_output=True, text=True,
                                        timeout=TIMEOUT_SECONDS)
                error = error_summary(result.stderr) if result.returncode else None
            except subprocess.TimeoutExpired:
                error = f"mmdc did not finish within {TIMEOUT_SECONDS} s"
            except OSError as exception:
                return [(where, f"cannot run {program}: {exception}") for where, _ in batch]
            rendered = 0
            while rendered < len(batch) and (run / f"out-{rendered + 1}.png").is_file():
                if keep_dir:
                    shutil.copyfile(run / f"out-{rendered + 1}.png",
                                    Path(keep_dir) / png_name(batch[rendered][0]))
                rendered += 1
            if rendered == len(batch) and error is None:
                break
            if rendered == len(batch):  # every PNG is there, yet mmdc failed: blame the last
                rendered -= 1
            failures.append((batch[rendered][0], error or "mmdc wrote no picture for it"))
            start += rendered + 1
    return failures
