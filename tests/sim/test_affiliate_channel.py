"""The affiliate channel pays its commission: every order that came through it pays the
affiliate network (affiliate-network), which a scenario can replace or switch off; the
channel's shoppers buy the same either way."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger.verify import verify_ledger
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario
from tests.conftest import SMALL_SCENARIO, fixed_channels

AFFILIATE = {
    **SMALL_SCENARIO,
    "name": "affiliates",
    "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 150},
    "channels": fixed_channels({"affiliate": 1}),  # mixes fixed: refits do not move the pins
}


def test_affiliate_orders_pay_the_network_by_category(tmp_path):
    summary = run_scenario(Scenario.model_validate(AFFILIATE), out=tmp_path).summary
    assert summary["orders"] == 17
    assert summary["channels"]["affiliate"]["fees"] == {
        "affiliate_network": 1_994,
        "marketplace": 1_596,
        "payment_processor": 2_493,
    }
    with duckdb.connect(str(tmp_path / "ledger.duckdb"), read_only=True) as con:
        first = con.execute(
            "SELECT o.merchant_id, f.component, f.payer, f.payee, f.base_amount, f.rate_bps, "
            "f.amount FROM fee_lines f JOIN orders o USING (order_id) "
            "WHERE f.model = 'affiliate-network' ORDER BY o.placed_at LIMIT 4"
        ).fetchall()
        every_order = con.execute(
            "SELECT COUNT(DISTINCT order_id) FROM fee_lines WHERE model = 'affiliate-network'"
        ).fetchone()[0]
    line = ("affiliate_commission", "merchant", "affiliate_network")
    assert first == [
        ("juniper", *line, 999, 400, 40),  # 39.96
        ("juniper", *line, 1_299, 300, 39),  # 38.97
        ("juniper", *line, 1_099, 450, 49),  # 49.455 (kitchen)
        ("northwind", *line, 1_799, 300, 54),  # 53.97
    ]
    assert every_order == 17
    assert verify_ledger(tmp_path / "ledger.duckdb").ok


def test_a_scenario_switches_it_off_or_replaces_it_and_demand_stays():
    (mix,) = AFFILIATE["channels"].values()
    off = {**AFFILIATE, "channels": {"affiliate": {**mix, "fee_models": []}}}
    summary = run_scenario(Scenario.model_validate(off)).summary
    assert summary["orders"] == 17
    assert summary["fees"] == {"marketplace": 1_596, "payment_processor": 2_493}
    flat = {**AFFILIATE, "channels": {"affiliate": {**mix, "fee_models": ["flat-per-order"]}}}
    summary = run_scenario(Scenario.model_validate(flat)).summary
    assert summary["orders"] == 17 and summary["fees_by_model"]["flat-per-order"] == 17 * 50
