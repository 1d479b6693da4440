"""A clone needs nothing beside it: no project file names the steering folder or this machine's
paths, and the files tests validate against ship inside the project."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROJECT = ["agent_checkout", "merchants", "tests", "scenarios", "examples", "benchmarks", "docs"]
# Written so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./shared|/wor[k]/|shared[/](?:specs|reference)")


def _project_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    for folder in PROJECT:
        files += (
            p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    return files


def test_no_project_file_points_outside_the_checkout():
    found = []
    for path in _project_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [
            f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert found == []


def test_ci_runs_the_tests_in_a_copy_with_nothing_beside_it():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'git archive --format=tar HEAD | tar -x -C "$work/agent-checkout"' in ci
    assert 'cd "$work/agent-checkout"' in ci
    assert ci.index('cd "$work/agent-checkout"') < ci.index("python3 -m venv .venv")
