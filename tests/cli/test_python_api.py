"""The Python API as the README shows it: ``run_scenario`` takes a name, a path or a Scenario."""

from __future__ import annotations

import json
import sys

import pytest

import agent_checkout
from agent_checkout import RunResult, ScenarioError, load_scenario, run_scenario
from tests.conftest import SMALL_SCENARIO

TWENTY = {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 20}}

# Seed 3 of the 20-session scenario, in minor units (USD cents).
EXPECTED = {
    "sessions": 20,
    "orders": 14,
    "gmv": 46259,
    "merchant_net": 38005,
    "fees": {"ai_platform": 1726, "marketplace": 1658, "payment_processor": 1742},
}


def _figures(summary: dict) -> dict:
    return {key: summary[key] for key in EXPECTED}


def test_a_path_runs_and_writes_nothing_without_out(write_scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_scenario(TWENTY)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_scenario(str(path), seed=3)
    assert isinstance(result, RunResult) and result.out is None
    assert _figures(result.summary) == EXPECTED
    assert result.summary["seed"] == 3 and result.summary["currency"] == "usd"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_a_scenario_object_and_out_give_the_same_run(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario(TWENTY))
    result = run_scenario(scenario, seed=3, out=tmp_path / "runs" / "a")
    assert result.out == tmp_path / "runs" / "a"
    assert _figures(result.summary) == EXPECTED
    assert json.loads((result.out / "summary.json").read_text()) == result.summary
    assert sorted(p.name for p in result.out.iterdir()) == ["ledger.duckdb", "summary.json"]


def test_a_builtin_name_is_loaded(monkeypatch):
    # Loading "quickstart" by name is what is tested; an impossible trace stops the run before
    # it simulates, after the name has been resolved and the file read.
    with pytest.raises(ValueError, match=r"trace: session 20000 is not in the run \(sessions are"):
        run_scenario("quickstart", trace=[20000])
    assert load_scenario("quickstart").arrivals.sessions == 20000


def test_bad_input_raises_one_clear_error(write_scenario):
    with pytest.raises(ScenarioError, match="nope: no such scenario file or built-in scenario"):
        run_scenario("nope")
    path = write_scenario(TWENTY)
    bound = r"give a whole number from 0 to 9223372036854775807 \(2\*\*63 - 1\)"
    with pytest.raises(ValueError, match=rf"seed -1: {bound}"):
        run_scenario(path, seed=-1)
    with pytest.raises(ValueError, match="seed 9223372036854775808"):
        run_scenario(path, seed=2**63)


def test_the_package_root_exports_the_api():
    assert agent_checkout.run_scenario is run_scenario
    assert {"run_scenario", "load_scenario", "RunResult", "Scenario"} <= set(dir(agent_checkout))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        agent_checkout.nope  # noqa: B018


def test_a_backend_that_cannot_run_is_one_clear_error(monkeypatch):
    from agent_checkout.sim.backends import BackendError

    small = agent_checkout.Scenario.model_validate(SMALL_SCENARIO)
    monkeypatch.setitem(sys.modules, "ray", None)  # an install without the ray extra
    with pytest.raises(BackendError, match=r"^--backend ray needs Ray: pip install 'agent-che"):
        agent_checkout.compare(small, fee_models=["flat-per-order"], backend="ray")
    with pytest.raises(BackendError, match=r"^--address: a Ray cluster's address; give it with"):
        agent_checkout.compare(small, fee_models=["flat-per-order"], address="h:6379")
