"""The winsync autograder: build a submission against the grader's own tree, run each lab's
Criterion tests in a sandbox, score them from lab.toml and write reports."""

VERSION = "1.0"
