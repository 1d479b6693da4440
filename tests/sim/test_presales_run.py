"""A run with a presale: deposits through the agent, final payments in virtual time, forfeits;
the summary's presale figures are the ledger's, and the ledger balances."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger import verify_ledger
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

SCENARIO = """\
name: presale
seed: 3
start: 2026-11-01T00:00:00Z
merchants:
  - profile: northwind-outfitters
    presales:
      - id: early-bird
        category: footwear
        deposit: 500
        deposit_value: 1000
        funder: ai_platform
        final_payment_starts_at: 2026-11-01T01:00:00Z
        final_payment_ends_at: 2026-11-01T03:00:00Z
        final_payment_probability: 0.8
arrivals: {process: poisson, rate_per_minute: 60, sessions: 60}
shoppers: {categories: {footwear: 1}}
fees: {ai_platform: [openai-instant-checkout]}
"""


def test_presale_figures_reconcile_with_the_ledger(tmp_path):
    path = tmp_path / "presale.yaml"
    path.write_text(SCENARIO)
    summary = run_scenario(load_scenario(path), out=tmp_path / "run").summary
    ledger = tmp_path / "run" / "ledger.duckdb"
    assert verify_ledger(ledger).ok
    presales = summary["presales"]
    con = duckdb.connect(str(ledger), read_only=True)
    events = dict(con.execute("SELECT event, COUNT(*) FROM presales GROUP BY 1").fetchall())
    forfeited = con.execute(
        "SELECT SUM(amount) FROM postings WHERE kind = 'presale' AND account = 'merchant'"
    ).fetchone()[0]
    held = con.execute(
        "SELECT SUM(amount) FROM postings WHERE account = 'customer_deposits'"
    ).fetchone()[0]
    inflation = con.execute(
        "SELECT SUM(amount) FROM discount_lines WHERE kind = 'presale_inflation'"
    ).fetchone()[0]
    con.close()
    assert presales["started"] == events["deposit"] > 0
    assert presales["completed"] == events["completed"] > 0
    assert presales["forfeited"] == events["forfeited"] > 0
    assert presales["held"] == 0 and presales["deposits_held"] == held == 0
    assert presales["deposits_paid"] == 500 * presales["started"]  # one pair of shoes each
    assert presales["forfeited_amount"] == forfeited == 500 * presales["forfeited"]
    by_funder = summary["discounts"]["by_funder"]
    assert inflation == 500 * presales["completed"] == by_funder["ai_platform"]
    assert summary["buyer_paid"] == summary["merchant_net"] + summary["fees_total"] + summary["tax"]
    assert summary["oversells"] == 0
