"""``run --engine``: which engine walks the agent's graph, recorded in the summary; the same
run either way; a bad value is one line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import agent_checkout as ac
from agent_checkout.cli import app
from tests.conftest import SMALL_SCENARIO

runner = CliRunner()


def run(args: list[str]):
    return runner.invoke(app, ["run", *args])


def test_run_records_the_engine_and_both_engines_write_the_same_summary(write_scenario, tmp_path):
    scenario = str(write_scenario())
    summaries = {}
    for engine in ("langgraph", "fast", "auto"):
        out = tmp_path / engine
        result = run([scenario, "--seed", "3", "--engine", engine, "--out", str(out)])
        assert result.exit_code == 0, result.output
        summaries[engine] = json.loads((out / "summary.json").read_text())
    assert [summaries[e].pop("engine") for e in summaries] == ["langgraph", "fast", "fast"]
    assert summaries["langgraph"] == summaries["fast"] == summaries["auto"]
    assert summaries["fast"]["sessions"] == 150 and summaries["fast"]["orders"] > 0


def test_replications_and_the_python_api_take_the_engine(write_scenario, tmp_path):
    arrivals = {**SMALL_SCENARIO["arrivals"], "sessions": 30}
    scenario = str(write_scenario({**SMALL_SCENARIO, "arrivals": arrivals}))
    out = tmp_path / "pooled"
    args = [scenario, "--replications", "2", "--engine", "langgraph", "--out", str(out)]
    result = run(args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["engine"] == "langgraph"
    replica = json.loads((out / "replications" / "1" / "summary.json").read_text())
    assert replica["engine"] == "langgraph"
    assert ac.run(scenario, seed=3, engine="langgraph").summary.engine == "langgraph"
    assert ac.run(scenario, seed=3).summary.engine == "fast"


def test_a_bad_engine_is_one_line_and_writes_nothing(write_scenario, tmp_path):
    out = tmp_path / "out"
    result = run([str(write_scenario()), "--engine", "quick", "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert result.output == "error: --engine 'quick': choose one of langgraph, fast, auto\n"
