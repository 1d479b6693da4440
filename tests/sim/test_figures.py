"""The summary's money adds up to the minor unit, and agrees with the ledger, on a run with
paid clicks, buyer surcharges and returns; the funnel never runs backwards."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from agent_checkout.sim.run import build_simulation, run_scenario
from agent_checkout.sim.scenario import Scenario, load_scenario
from tests.conftest import SMALL_SCENARIO

# Fee lines for every payer branch: a buyer surcharge on each order, given back on a refund, and
# a click fee charged to the buyer beside the sponsor's cost per click (billed by the sponsored
# ranking's own cpc, 45 by default).
SURCHARGES = {
    "name": "test-surcharges",
    "title": "A buyer surcharge per order and per followed link (a test model)",
    "source": "none: a test model",
    "currency": "usd",
    "components": [
        {
            "name": "convenience",
            "payee": "ai_platform",
            "payer": "buyer",
            "base": "total",
            "rate_bps": 150,
            "on_refund": "refund",
        },
        {
            "name": "link_fee",
            "payee": "ai_platform",
            "payer": "buyer",
            "trigger": "link_clicked",
            "fixed": 5,
        },
    ],
}


@pytest.fixture(scope="module")
def paid_clicks(tmp_path_factory) -> dict:
    """300 sessions, juniper's offers in the paid slot, a fifth of orders returned."""
    folder = tmp_path_factory.mktemp("paid-clicks")
    model = folder / "surcharges.yaml"
    model.write_text(yaml.safe_dump(SURCHARGES))
    scenario = folder / "paid-clicks.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                **SMALL_SCENARIO,
                "name": "paid-clicks",
                "seed": 5,
                "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 300},
                "agent": {"ranking": {"name": "sponsored", "params": {"sponsors": ["juniper"]}}},
                "fees": {"ai_platform": ["openai-instant-checkout", str(model)]},
                "returns": {"rate": 0.2},
            }
        )
    )
    out = folder / "run"
    summary = run_scenario(load_scenario(scenario), out=out).summary
    return {"summary": summary, "ledger": out / "ledger.duckdb"}


def test_money_adds_up_with_clicks_surcharges_and_returns(paid_clicks):
    s = paid_clicks["summary"]
    by_model = s["fees_by_model"]
    # Nothing here is vacuous: clicks were paid, orders returned, surcharges charged.
    assert s["clicks"] > 0 and s["click_fees"] == 50 * s["clicks"]  # 45 sponsor + 5 buyer
    assert by_model["sponsored-ranking"] == 45 * s["clicks"]
    assert 0 < s["refunds"] < s["orders"] and s["refunded"] > 0
    assert by_model["test-surcharges"] > 5 * s["clicks"]
    assert s["buyer_paid"] == s["gmv"] - s["refunded"] + 5 * s["clicks"]
    assert s["buyer_paid"] == s["merchant_net"] + s["fees_total"] + s["tax"]
    assert s["fees_total"] == sum(s["fees"].values()) == sum(by_model.values())


def test_summary_equals_the_ledgers_postings(paid_clicks):
    s = paid_clicks["summary"]
    con = duckdb.connect(str(paid_clicks["ledger"]), read_only=True)
    by_account = dict(
        con.execute("SELECT account, SUM(amount) FROM postings GROUP BY account").fetchall()
    )
    refunded = con.execute(
        "SELECT SUM(amount) FROM postings WHERE account = 'buyer' AND kind = 'refund'"
    ).fetchone()[0]
    con.close()
    assert by_account.pop("buyer") == -s["buyer_paid"]
    assert by_account.pop("merchant") == s["merchant_net"]
    assert by_account.pop("tax_authority") == s["tax"]
    assert by_account == s["fees"]
    assert refunded == s["refunded"]


def _sized(name: str, sessions: int):
    scenario = load_scenario(name)
    arrivals = scenario.arrivals.model_copy(update={"sessions": sessions, "duration_minutes": None})
    return scenario.model_copy(update={"arrivals": arrivals})


@pytest.mark.parametrize("name", ["baseline-web", "stress", "quickstart"])
def test_funnel_never_runs_backwards(name):
    scenario = _sized(name, 150)
    for seed in (1, 2, 3):
        summary = run_scenario(scenario, seed=seed).summary
        counts = list(summary["funnel"].values())
        assert list(summary["funnel"]) == [
            "sessions",
            "searched",
            "shown",
            "decided",
            "checkout_started",
            "paid",
        ]
        assert counts == sorted(counts, reverse=True), (name, seed, summary["funnel"])
        assert counts[0] == summary["sessions"] and counts[-1] == summary["outcomes"]["purchased"]


def test_exact_funnel_where_the_final_state_would_run_backwards():
    """Thin stock, shoppers racing: some decide, find their pick sold out at checkout, and then
    choose nothing. Read off the final state they would count as checkout_started but not as
    decided; counted as they pass, they are both."""
    scenario = Scenario.model_validate(
        {
            "name": "thin-stock",
            "seed": 1,
            "merchants": [
                {
                    "profile": "northwind-outfitters",
                    "catalog": {"size": 40, "stock_min": 0, "stock_max": 1},
                }
            ],
            "arrivals": {"process": "poisson", "rate_per_minute": 600, "sessions": 200},
            "shoppers": {"outside_utility": 0.0},
        }
    )
    simulation = build_simulation(scenario, 1)
    simulation.records = []
    metrics = simulation.run()
    finals = [record.state or {} for record in simulation.records]
    undecided_at_the_end = [s for s in finals if s.get("attempts") and s.get("choice") is None]
    assert len(undecided_at_the_end) == 4
    assert dict(metrics.funnel) == {
        "sessions": 200,
        "searched": 165,
        "shown": 54,
        "decided": 23,
        "checkout_started": 23,
        "paid": 19,
    }
    assert metrics.outcomes["purchased"] == 19 and metrics.outcomes["out_of_stock"] == 112
