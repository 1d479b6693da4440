"""The CLI: a run writes its files; bad input is one line naming file and field, no traceback."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app

runner = CliRunner()


def test_run_then_verify(write_scenario, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(write_scenario()), "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "conversion" in result.output and "sessions/s" in result.output
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "scenario",
        "seed",
        "sessions",
        "orders",
        "conversion_rate",
        "currency",
        "gmv",
        "fees",
        "outcomes",
        "unhandled_errors",
        "oversells",
    ):
        assert key in summary
    assert summary["seed"] == 3 and summary["sessions"] == 150
    assert "sessions_per_second" not in summary and "elapsed" not in json.dumps(summary)
    verified = runner.invoke(app, ["ledger", "verify", str(out)])
    assert verified.exit_code == 0
    assert f"ledger balances: {summary['orders']} orders" in verified.output


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"arrivals": {"rate_per_minute": 5, "sessions": 10, "burst": 3}},
            "arrivals.burst: unknown field",
        ),
        (
            {"arrivals": {"rate_per_minute": "fast", "sessions": 10}},
            "arrivals.rate_per_minute: Input should be a valid number",
        ),
        (
            {"arrivals": {"rate_per_minute": -1, "sessions": 10}},
            "arrivals.rate_per_minute: Input should be greater than 0",
        ),
        ({"arrivals": None}, "arrivals: Input should be a valid dictionary"),
        ({"merchants": ["no-such-shop"]}, "merchants.0: no merchant profile 'no-such-shop'"),
        ({"fees": {"ai_platform": ["four-percent"]}}, "fees: unknown fee model 'four-percent'"),
    ],
)
def test_bad_scenario_is_one_line(write_scenario, tmp_path, change, expected):
    from tests.conftest import SMALL_SCENARIO

    path = write_scenario({**SMALL_SCENARIO, **change}, name="bad.yaml")
    out = tmp_path / "keep"
    out.mkdir()
    (out / "summary.json").write_text("earlier run\n")
    line = _error_line(runner.invoke(app, ["run", str(path), "--out", str(out)]))
    assert str(path) in line and expected in line
    assert (out / "summary.json").read_text() == "earlier run\n"


def test_missing_file_and_bad_yaml(tmp_path):
    line = _error_line(runner.invoke(app, ["run", str(tmp_path / "nope.yaml")]))
    assert "nope.yaml: file not found" in line
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    assert "broken.yaml: not valid YAML (line 2)" in _error_line(
        runner.invoke(app, ["run", str(broken)])
    )
    assert "no such scenario" in _error_line(runner.invoke(app, ["run", "nonexistent"]))


def test_verify_without_ledger(tmp_path):
    line = _error_line(runner.invoke(app, ["ledger", "verify", str(tmp_path)]))
    assert "no ledger here" in line


def test_run_replications_then_verify_each(write_scenario, tmp_path):
    out = tmp_path / "reps"
    result = runner.invoke(
        app, ["run", str(write_scenario()), "--replications", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 replications" in result.output and "mean [95% CI]" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 2 and summary["sessions"] == 300
    assert summary["orders"] == sum(r["orders"] for r in summary["per_replication"])
    assert set(summary["ci95"]["orders"]) == {"mean", "low", "high"}
    verified = runner.invoke(app, ["ledger", "verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert verified.output.count("ledger balances") == 2
