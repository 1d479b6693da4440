"""No built-in scenario converts like no real shop does unless its file says why (issue 10), and
every built-in scenario's ledger balances (issue 11)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.ledger import verify_ledger
from agent_checkout.sim.realism import REAL_CONVERSION_CEILING, conversion_remark
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import builtin_scenarios, load_scenario


@pytest.mark.parametrize("name", builtin_scenarios())
def test_builtin_scenario_converts_like_a_shop_or_says_why(name, tmp_path):
    scenario = load_scenario(name)
    if scenario.conversion_note:
        assert len(scenario.conversion_note.split()) >= 8, "say why in a sentence"
        return
    arrivals = scenario.arrivals.model_copy(update={"sessions": 1500, "duration_minutes": None})
    sized = scenario.model_copy(update={"arrivals": arrivals})
    summary = run_scenario(sized, out=tmp_path).summary
    assert 0 < summary["conversion_rate"] <= REAL_CONVERSION_CEILING, (name, summary["funnel"])
    verdict = verify_ledger(tmp_path / "ledger.duckdb")
    assert verdict.ok, verdict
    assert verdict.orders == summary["orders"]


def test_remark_names_the_evidence_and_the_scenarios_reason():
    assert conversion_remark(0.1, None) is None
    assert conversion_remark(0.4551, "a  checkout\n test") == (
        "note: conversion 45.51% is far above real shops' 1-3% (docs/sources.md, "
        "'e-commerce conversion rate'): a checkout test"
    )
    assert conversion_remark(0.25, None).endswith(
        "every session here is a shopper ready to buy; give the scenario `channels:` for a "
        "realistic population, or say why in `conversion_note`"
    )


def test_run_prints_the_remark_under_its_figures(tmp_path):
    scenario = tmp_path / "ready.yaml"
    scenario.write_text(
        "name: ready\nmerchants: [northwind-outfitters]\n"
        "arrivals: {process: poisson, rate_per_minute: 60, sessions: 40}\n"
    )
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "give the scenario `channels:` for a realistic population" in result.output
    assert (tmp_path / "out" / "summary.json").exists()
