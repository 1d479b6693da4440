"""Billing follows configuration: a sponsored ranking's ``cpc`` bills each paid click itself,
and a fee model that would bill the same clicks again is refused."""

from __future__ import annotations

import duckdb
import pytest

from agent_checkout.sim.compare import variant
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario
from tests.conftest import SMALL_SCENARIO


def sponsored(cpc: int, **extra) -> Scenario:
    ranking = {"name": "sponsored", "params": {"sponsors": ["juniper"], "cpc": cpc}}
    data = {**SMALL_SCENARIO, "name": "paid-slots", "agent": {"ranking": ranking}, **extra}
    return Scenario.model_validate(data)


def test_a_ranking_cpc_bills_clicks_without_a_fee_model(tmp_path):
    scenario = sponsored(30)
    assert scenario.fees.ai_platform == ["openai-instant-checkout"]  # no cost-per-click model
    summary = run_scenario(scenario, out=tmp_path).summary
    assert summary["clicks"] == 19
    assert summary["click_fees"] == 19 * 30 == summary["fees_by_model"]["sponsored-ranking"]
    assert summary["companies"]["merchant:juniper"]["sales"] < summary["gmv_by_merchant"]["juniper"]
    with duckdb.connect(str(tmp_path / "ledger.duckdb"), read_only=True) as con:
        lines = con.execute(
            "SELECT model, component, payer, payee, base, fixed, units, amount, currency, "
            "COUNT(*) FROM click_lines GROUP BY ALL"
        ).fetchall()
        clicks = con.execute("SELECT merchant_id, COUNT(*), SUM(fees) FROM clicks GROUP BY 1")
        clicks = clicks.fetchall()
        postings = con.execute(
            "SELECT account, party, SUM(amount) FROM postings WHERE kind = 'click' "
            "GROUP BY ALL ORDER BY account"
        ).fetchall()
    assert lines == [
        ("sponsored-ranking", "sponsored_click", "merchant", "ai_platform", "click", 30, 1, 30,
         "usd", 19)
    ]  # fmt: skip
    assert clicks == [("juniper", 19, 570)]
    assert postings == [
        ("ai_platform", "sponsored-ranking", 570),
        ("merchant", "juniper", -570),
    ]


def test_a_zero_cpc_bills_nothing_and_says_so_in_the_file():
    summary = run_scenario(sponsored(0)).summary
    assert summary["clicks"] == 0 and summary["click_fees"] == 0
    assert "sponsored-ranking" not in summary["fees_by_model"]


def test_a_cost_per_click_model_beside_the_ranking_is_double_billing():
    expected = (
        "fees.ai_platform: fee model sponsored-cpc bills sponsored clicks that the sponsored "
        "ranking already bills at agent.ranking.params.cpc; remove it (set the price per click "
        "with cpc)"
    )
    with pytest.raises(ValueError, match="sponsored-cpc bills sponsored clicks") as raised:
        sponsored(45, fees={"ai_platform": ["openai-instant-checkout", "sponsored-cpc"]})
    assert expected in str(raised.value)
    with pytest.raises(ValueError) as raised:  # nor may `compare` swap it in
        variant(sponsored(45), "sponsored-cpc")
    assert str(raised.value) == expected.removeprefix("fees.ai_platform: ")


def test_cost_per_click_still_prices_links_of_other_rankings():
    data = {**SMALL_SCENARIO, "name": "links", "fees": {"ai_platform": ["sponsored-cpc"]}}
    summary = run_scenario(
        Scenario.model_validate({**data, "monetization": {"mode": "click_out"}})
    ).summary
    assert summary["clicks"] > 0
    assert summary["fees_by_model"]["sponsored-cpc"] == 45 * summary["clicks"]
