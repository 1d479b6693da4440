"""The built-in neutrality audit: rankings named without parameters take their sponsors and the
platform's commission from the scenario, the three variants differ on common random numbers,
and each paid click bills its own advertiser's bid."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger.verify import verify_ledger
from agent_checkout.sim.compare import compare_variants, parse_vary, variants_of, vary
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
from agent_checkout.sim.scenario_ranking import scenario_ranking
from tests.agent.offers import offer

AUDIT = load_scenario("neutrality-audit")
#: A CI-sized copy: 400 of its 4,000 sessions.
SMALL = vary(AUDIT, "arrivals.sessions", 400)


def test_the_scenario_configures_both_steering_rankings():
    sponsored = scenario_ranking(vary(AUDIT, "agent.ranking", "sponsored"))
    assert sponsored.bids == {"northwind": 35, "juniper": 60} and sponsored.slots == 1
    weighted = scenario_ranking(vary(AUDIT, "agent.ranking", "commission_weighted"))
    # 4% in the chat (openai-instant-checkout, items and shipping) + the associate commission
    # of a link-out (amazon-associates: kitchen 4.5%, apparel 4%, outdoor 3%)
    assert weighted.expected_commission(offer("northwind", "k", 4_000, 4.0)) == 160 + 180
    apparel = offer("juniper", "a", 2_499, 4.0).model_copy(update={"category": "apparel"})
    assert weighted.expected_commission(apparel) == 100 + 100  # 99.96 each, half-even
    tent = offer("northwind", "t", 1_010, 4.0).model_copy(update={"category": "outdoor"})
    assert weighted.expected_commission(tent) == 40 + 30  # 40.4 and 30.3


#: seed 5, one replication of 400 sessions: (orders, GMV, AI platform revenue, surplus per
#: session, best item shown, shown first). Conversion stays under 1% (2 of 400 neutral); the
#: sponsored revenue holds its paid clicks, commission weighting buries the best item.
FIGURES = {
    "neutral": (2, 6_380, 165, -10, 0.632353, 0.191176),
    "sponsored": (1, 1_769, 131, -1, 0.632353, 0.176471),
    "commission_weighted": (1, 4_932, 184, -6, 0.382353, 0.102941),
}
NAMES = (
    "orders",
    "gmv",
    "ai_platform_revenue",
    "surplus_per_session",
    "best_shown_share",
    "best_first_share",
)


def test_three_rankings_differ_on_the_same_demand():
    path, values = parse_vary("agent.ranking=neutral,sponsored,commission_weighted")
    comparison = compare_variants(
        SMALL, variants_of(SMALL, path, values), seed=5, replications=1, vary=path
    )
    got = {
        label: tuple(comparison["figures"][label][name]["mean"] for name in NAMES)
        for label in comparison["variants"]
    }
    assert got == FIGURES
    assert comparison["arrivals_identical"] is True
    assert comparison["demand_identical"] is False


def test_each_paid_click_bills_its_advertisers_bid(tmp_path):
    result = run_scenario(vary(SMALL, "agent.ranking", "sponsored"), out=tmp_path)
    with duckdb.connect(str(tmp_path / "ledger.duckdb"), read_only=True) as con:
        billed = con.execute(
            "SELECT c.merchant_id, l.amount, l.payer, l.payee, COUNT(*) FROM click_lines l "
            "JOIN clicks c USING (click_id) WHERE l.model = 'sponsored-ranking' "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert billed == [
        ("juniper", 60, "merchant", "ai_platform", 1),
        ("northwind", 35, "merchant", "ai_platform", 1),
    ]
    assert result.summary["fees_by_model"]["sponsored-ranking"] == 95
    assert verify_ledger(tmp_path / "ledger.duckdb").ok
