"""The examples run offline: buy something, query a run, price a custom fee model, assert."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"


@pytest.mark.parametrize("name", ["buy_one_item.py", "llm_policy.py"])
def test_example_runs(name, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    assert "outcome: purchased" in capsys.readouterr().out


def test_run_and_query_reads_the_ledger_and_charts_the_comparison(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["run_and_query.py", str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "run_and_query.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        "400 sessions, 3 orders",
        "orders table: 3 rows; fee lines: 10 rows",
        "  ai_platform        $2.72",
        "  marketplace        $2.81",
        "  payment_processor  $2.95",
    ]
    assert lines[6].split() == ["openai-instant-checkout", "#" * 40, "322"]
    assert lines[7].split() == ["flat-per-order", "#" * 16, "125"]


def test_custom_fee_model_is_compared_with_a_builtin(capsys):
    runpy.run_path(str(EXAMPLES / "custom_fee_model.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:5] for line in lines[:2]] == [
        ["openai-instant-checkout", "AI", "platform", "revenue", "322"],
        ["two-percent-plus-ten", "AI", "platform", "revenue", "186"],
    ]
    assert lines[2] == "same shoppers in every variant: True"


def test_the_pytest_example_passes():
    """Its tests, called as pytest would (the fixture built once, by hand)."""
    example = runpy.run_path(str(EXAMPLES / "assert_in_pytest.py"))
    run = example["quickstart"].__wrapped__()
    checks = [f for name, f in example.items() if name.startswith("test_")]
    assert len(checks) == 4
    for check in checks:
        check(run)
