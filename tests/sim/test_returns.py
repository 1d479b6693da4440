"""Returns in a run: every fee reversed by its model's rule, ledger and summary agreeing."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger import verify_ledger
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
from tests.conftest import SMALL_SCENARIO


def test_everything_returned(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario({**SMALL_SCENARIO, "returns": {"rate": 1.0}}))
    summary = run_scenario(scenario, out=tmp_path).summary
    assert summary["refunds"] == summary["orders"] > 0
    assert summary["refunded"] == summary["gmv"]
    fees = summary["fees_by_model"]
    assert fees["openai-instant-checkout"] == 0  # the commission is clawed back
    assert fees["shopify-basic"] > 0  # Shopify Payments keeps its fee on a refund
    assert summary["tax"] == 0
    # The merchant is left out of pocket by exactly the fees that were kept.
    assert summary["merchant_net"] == -summary["fees_total"]
    verdict = verify_ledger(tmp_path / "ledger.duckdb")
    assert verdict.ok and verdict.refunds == summary["orders"]
    con = duckdb.connect(str(tmp_path / "ledger.duckdb"), read_only=True)
    by_account = dict(
        con.execute("SELECT account, SUM(amount) FROM postings GROUP BY account").fetchall()
    )
    con.close()
    assert by_account["merchant"] == summary["merchant_net"]
    assert by_account.get("ai_platform", 0) == summary["fees"].get("ai_platform", 0) == 0
    assert by_account["payment_processor"] == summary["fees"]["payment_processor"]


def test_some_returned_is_deterministic(write_scenario):
    scenario = load_scenario(write_scenario({**SMALL_SCENARIO, "returns": {"rate": 0.2}}))
    a, b = (run_scenario(scenario).summary for _ in range(2))
    assert a == b and 0 < a["refunds"] < a["orders"]
