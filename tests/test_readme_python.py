"""Every Python block in the README runs as printed and prints what its closing comments say.

A block ends with the output it prints, as ``# ...`` lines; a block that talks to
``http://127.0.0.1:8000`` (``agent-checkout serve quickstart --port 8000`` in the README) gets
that very app, served by uvicorn on a free loopback port for the length of the block.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from itertools import takewhile
from pathlib import Path

import pytest

from agent_checkout.commands.serve import scenario_app
from agent_checkout.sim.scenario import load_scenario
from tests.loopback import served

README = (Path(__file__).parents[1] / "README.md").read_text()
BLOCKS = [
    (README.count("\n", 0, m.start()) + 2, m.group(1))
    for m in re.finditer(r"```python\n(.*?)```", README, re.S)
]
SERVER = "http://127.0.0.1:8000"


def printed(block: str) -> list[str]:
    """The output a block promises: its closing ``# `` comment lines, in order."""
    tail = takewhile(lambda line: line.startswith("# "), reversed(block.rstrip().splitlines()))
    return [line[2:] for line in reversed(list(tail))]


def served_quickstart():
    """``agent-checkout serve quickstart`` in a thread on a free 127.0.0.1 port; its base URL."""
    return served(scenario_app(load_scenario("quickstart")))


def test_the_readme_has_python_blocks_that_say_what_they_print():
    assert len(BLOCKS) >= 2
    assert all(printed(block) for _, block in BLOCKS)


@pytest.mark.parametrize(("line", "block"), BLOCKS, ids=[f"line{n}" for n, _ in BLOCKS])
def test_readme_python_block(line, block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # blocks write where a user would: the working directory
    with ExitStack() as stack:
        code = "\n" * (line - 1) + block  # a traceback names the README's own line
        if SERVER in block:
            code = code.replace(SERVER, stack.enter_context(served_quickstart()))
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.splitlines() == printed(block)
