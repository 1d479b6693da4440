"""``run --check``: CI's exit code. A clean run exits 0; unhandled errors, oversells or an
unbalanced ledger exit 1 after the run is written, one line naming each."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from agent_checkout.agent.policy import RulePolicy
from agent_checkout.cli import app
from agent_checkout.sim.invariants import broken_invariants
from agent_checkout.sim.simulation import Simulation
from tests.conftest import SMALL_SCENARIO

runner = CliRunner()


def _checked(scenario, out):
    return runner.invoke(app, ["run", str(scenario), "--out", str(out), "--check"])


def _check_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("check failed")]


def test_unhandled_errors_and_oversells_fail_the_check_after_writing(
    write_scenario, tmp_path, monkeypatch
):
    def broken(self, offers, **_):
        raise RuntimeError("the agent broke")

    monkeypatch.setattr(RulePolicy, "recommend", broken)
    monkeypatch.setattr(Simulation, "oversold_units", lambda self: 2)
    out = tmp_path / "out"
    result = _checked(write_scenario(), out)
    assert result.exit_code == 1, result.output
    summary = json.loads((out / "summary.json").read_text())  # written before the verdict
    errors = summary["unhandled_errors"]
    assert errors == summary["outcomes"]["unhandled_error"] > 0
    assert _check_lines(result) == [
        f"check failed: unhandled errors: {errors} sessions ended in an unhandled error",
        "check failed: oversells: 2 units sold beyond stock",
    ]


def test_replications_are_checked_too(write_scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(Simulation, "oversold_units", lambda self: 1)
    out = tmp_path / "out"
    small = {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 40}}
    args = ["run", str(write_scenario(small)), "--out", str(out), "--replications", "2"]
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == 1, result.output
    assert _check_lines(result) == ["check failed: oversells: 2 units sold beyond stock"]


def test_a_clean_run_passes_and_an_unbalanced_ledger_is_named(write_scenario, tmp_path):
    out = tmp_path / "out"
    clean = _checked(write_scenario(), out)
    assert clean.exit_code == 0, clean.output
    assert _check_lines(clean) == []
    summary = json.loads((out / "summary.json").read_text())
    assert broken_invariants(summary, out) == []
    with duckdb.connect(str(out / "ledger.duckdb")) as con:
        order_id = con.execute("SELECT MIN(order_id) FROM orders").fetchone()[0]
        con.execute(
            "UPDATE postings SET amount = amount + 1 WHERE rowid = (SELECT MIN(rowid) FROM "
            "postings WHERE order_id = ? AND account = 'merchant')",
            [order_id],
        )
    assert broken_invariants(summary, out) == [
        f"unbalanced ledger: {out}/ledger.duckdb: ledger does not balance: "
        f"order postings do not sum to zero by 1 (order {order_id})"
    ]
    assert broken_invariants(summary, out, names=["no_oversell"]) == []
