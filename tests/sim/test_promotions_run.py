"""A run with promotions: its summary's discounts by funder are the ledger's, and it balances."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger import verify_ledger
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

SCENARIO = """\
name: promotions
seed: 5
merchants:
  - profile: northwind-outfitters
    marketplace: mall
    promotions:
      - {id: five-off, kind: percentage, percent_bps: 500}
      - {id: every-50, kind: threshold, every: 5000, amount: 500}
  - profile: juniper-handmade
    marketplace: mall
    promotions: [{id: credit, kind: credit, amount: 200}]
arrivals: {process: poisson, rate_per_minute: 120, sessions: 80}
shoppers: {outside_utility: 1.0}
fees: {ai_platform: [openai-instant-checkout]}
"""


def test_discounts_by_funder_reconcile_with_the_ledger(tmp_path):
    path = tmp_path / "promotions.yaml"
    path.write_text(SCENARIO)
    summary = run_scenario(load_scenario(path), out=tmp_path / "run").summary
    ledger = tmp_path / "run" / "ledger.duckdb"
    assert verify_ledger(ledger).ok
    con = duckdb.connect(str(ledger), read_only=True)
    by_funder = dict(
        con.execute("SELECT funder, SUM(amount) FROM discount_lines GROUP BY 1").fetchall()
    )
    subsidies = con.execute(
        "SELECT SUM(amount) FROM postings WHERE kind = 'discount' AND account = 'merchant'"
    ).fetchone()[0]
    discount_total = con.execute("SELECT SUM(discount_amount) FROM orders").fetchone()[0]
    con.close()
    assert summary["orders"] > 0
    assert summary["discounts"]["by_funder"] == dict(sorted(by_funder.items()))
    assert set(by_funder) == {"merchant", "marketplace", "ai_platform"}
    assert (
        summary["discounts"]["subsidies"]
        == subsidies
        == by_funder["marketplace"] + by_funder["ai_platform"]
    )
    assert sum(by_funder.values()) == discount_total
    # Every order got the credit (marketplace-wide), 200 each.
    assert by_funder["ai_platform"] == 200 * summary["orders"]
    assert summary["ai_platform_net"] == (
        summary["fees"]["ai_platform"] - summary["inference_cost"] - by_funder["ai_platform"]
    )
