"""A small run and a small comparison, each with its report.html, shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from tests.conftest import SMALL_SCENARIO

runner = CliRunner()

#: A comparison runs every variant and replication: 30 sessions each keep it quick.
TINY = {
    **SMALL_SCENARIO,
    "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 30},
}


@pytest.fixture(scope="session")
def reported_run(tmp_path_factory) -> Path:
    """``run small --seed 3 --report``'s folder."""
    root = tmp_path_factory.mktemp("report-run")
    (root / "small.yaml").write_text(yaml.safe_dump(SMALL_SCENARIO))
    out = root / "run"
    args = ["run", str(root / "small.yaml"), "--seed", "3", "--out", str(out), "--report"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}/report.html" in result.output
    return out


@pytest.fixture(scope="session")
def reported_comparison(tmp_path_factory) -> Path:
    """``compare small --fee-models openai-instant-checkout,flat-per-order --report``'s folder."""
    root = tmp_path_factory.mktemp("report-compare")
    (root / "small.yaml").write_text(yaml.safe_dump(TINY))
    out = root / "compare"
    models = "openai-instant-checkout,flat-per-order"
    args = ["compare", str(root / "small.yaml"), "--fee-models", models, "--replications", "2"]
    result = runner.invoke(app, [*args, "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    return out
