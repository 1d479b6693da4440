"""Ranking policies on a hand-built list of offers: exact orders, labels, cpc and scores.

Budget 8000. Neutral scores (0.4 relevance + 0.4 budget fit + 0.2 rating / 5):
juniper:jp-1 0.984, northwind:nw-1 0.98, northwind:nw-2 0.792, juniper:jp-2 0.751556.
"""

from __future__ import annotations

import pytest

from agent_checkout.agent.policy import RulePolicy
from agent_checkout.agent.ranking import (
    DEFAULT_COMMISSION_WEIGHT,
    CommissionWeightedRanking,
    FirstPartyRanking,
    NeutralRanking,
    SponsoredRanking,
    ranking_policy,
    score_offers,
)
from agent_checkout.agent.state import Need
from agent_checkout.fees.earnings import UnitEarnings
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel

from .offers import OFFERS, offer

BUDGET = 8_000
NEED = Need(category="kitchen", query="skillet")


def ranked(ranking, offers=OFFERS, *, limit=5, excluded=()):
    return ranking.rank(score_offers(offers, budget=BUDGET, excluded=excluded), limit=limit)


def keys(recommendations):
    return [r.key for r in recommendations]


def test_neutral_orders_by_score_and_records_its_name():
    recs = ranked(NeutralRanking())
    assert keys(recs) == ["juniper:jp-1", "northwind:nw-1", "northwind:nw-2", "juniper:jp-2"]
    assert [r.score for r in recs] == [0.984, 0.98, 0.792, 0.751556]
    assert [r.rank for r in recs] == [0, 1, 2, 3]
    assert {r.ranking for r in recs} == {"neutral"} and {r.label for r in recs} == {None}


def test_ties_break_by_merchant_then_product_id():
    twins = [
        offer("zeta", "a", 4_000, 4.5),
        offer("acme", "b", 4_000, 4.5),
        offer("acme", "a", 4_000, 4.5),
    ]
    # acme:a is acme's second result, so less relevant; zeta:a and acme:b tie on score
    assert keys(ranked(NeutralRanking(), twins)) == ["acme:b", "zeta:a", "acme:a"]


def test_exclusions_sold_out_and_limit():
    offers = [*OFFERS, offer("acme", "gone", 100, 5.0, availability="out_of_stock")]
    recs = ranked(NeutralRanking(), offers, limit=2, excluded=["juniper:jp-1"])
    assert keys(recs) == ["northwind:nw-1", "northwind:nw-2"]


def test_commission_weight_zero_keeps_the_neutral_order_and_scores():
    rates = {"northwind": 400}
    neutral = ranked(NeutralRanking())
    weighted = ranked(CommissionWeightedRanking(rates_bps=rates, weight=0.0))
    assert keys(weighted) == keys(neutral)
    assert [r.score for r in weighted] == [r.score for r in neutral]
    assert {r.ranking for r in weighted} == {"commission_weighted"}


def test_commission_weight_flips_the_order_only_when_high_enough():
    rates = {"northwind": 400}  # nw-1 earns the platform 160, nw-2 240, juniper nothing
    ranking = CommissionWeightedRanking(rates_bps=rates, weight=0.0001)
    assert ranking.expected_commission(OFFERS[0]) == 160
    assert ranking.expected_commission(OFFERS[2]) == 0
    recs = ranked(ranking)
    assert keys(recs) == ["northwind:nw-1", "juniper:jp-1", "northwind:nw-2", "juniper:jp-2"]
    assert [r.score for r in recs] == [0.996, 0.984, 0.816, 0.751556]
    # 160 × 0.00001 = 0.0016 is short of the 0.004 gap: no flip
    low = ranked(CommissionWeightedRanking(rates_bps=rates, weight=0.00001))
    assert keys(low)[:2] == ["juniper:jp-1", "northwind:nw-1"]


def test_commission_rounds_half_even_and_uses_the_default_rate():
    ranking = CommissionWeightedRanking(rates_bps={}, default_bps=250)
    assert ranking.expected_commission(offer("m", "p", 1_010, 4.0)) == 25  # 25.25
    assert ranking.expected_commission(offer("m", "p", 1_020, 4.0)) == 26  # 25.5 -> 26
    assert ranking.expected_commission(offer("m", "p", 1_060, 4.0)) == 26  # 26.5 -> 26


def test_sponsored_product_takes_the_paid_slot_with_label_and_cpc():
    ranking = SponsoredRanking(sponsors={"juniper:jp-2"}, slots=1, cpc=45)
    recs = ranked(ranking)
    assert keys(recs) == ["juniper:jp-2", "juniper:jp-1", "northwind:nw-1", "northwind:nw-2"]
    assert [r.label for r in recs] == ["Sponsored", None, None, None]
    assert [ranking.cpc_for(r) for r in recs] == [45, 0, 0, 0]
    assert recs[0].score == 0.751556  # its neutral score: the slot was bought, not earned
    assert {r.ranking for r in recs} == {"sponsored"}


def test_sponsored_merchant_fills_only_its_slots_rest_is_organic():
    one = ranked(SponsoredRanking(sponsors={"northwind"}, slots=1, cpc=30))
    assert keys(one) == ["northwind:nw-1", "juniper:jp-1", "northwind:nw-2", "juniper:jp-2"]
    assert [r.label for r in one] == ["Sponsored", None, None, None]
    two = ranking_policy("sponsored", sponsors=["northwind"], slots=2, cpc=30)
    recs = ranked(two)
    assert keys(recs) == ["northwind:nw-1", "northwind:nw-2", "juniper:jp-1", "juniper:jp-2"]
    assert [two.cpc_for(r) for r in recs] == [30, 30, 0, 0]
    # a bare product id sponsors too; an organic recommendation costs nothing
    assert keys(ranked(SponsoredRanking(sponsors={"nw-2"})))[0] == "northwind:nw-2"
    assert two.cpc_for(ranked(NeutralRanking())[1]) == 0


def test_sponsored_with_no_sponsor_in_the_results_is_neutral():
    recs = ranked(SponsoredRanking(sponsors={"acme"}))
    assert keys(recs) == keys(ranked(NeutralRanking()))
    assert {r.label for r in recs} == {None}


def test_first_party_comes_first_or_gets_a_boost():
    strict = ranked(FirstPartyRanking(merchant_ids={"northwind"}))
    assert keys(strict) == ["northwind:nw-1", "northwind:nw-2", "juniper:jp-1", "juniper:jp-2"]
    assert {r.ranking for r in strict} == {"first_party"}
    soft = ranked(ranking_policy("first_party", merchant_ids=["northwind"], boost=0.1))
    assert keys(soft) == ["northwind:nw-1", "juniper:jp-1", "northwind:nw-2", "juniper:jp-2"]
    labelled = ranked(FirstPartyRanking(merchant_ids={"juniper"}, label="Our store"))
    assert [r.label for r in labelled] == ["Our store", "Our store", None, None]


def test_rule_policy_takes_a_ranking():
    policy = RulePolicy(limit=3, ranking=ranking_policy("first_party", merchant_ids={"juniper"}))
    recs = policy.recommend(OFFERS, need=NEED, budget=BUDGET, excluded=[])
    assert keys(recs) == ["juniper:jp-1", "juniper:jp-2", "northwind:nw-1"]
    assert policy.name == "rules"


def test_ranking_policy_by_name_rejects_unknown_names_and_parameters():
    assert ranking_policy("neutral") == NeutralRanking()
    with pytest.raises(ValueError, match="unknown ranking 'paid'.*commission_weighted"):
        ranking_policy("paid")
    with pytest.raises(ValueError, match="ranking 'sponsored':.*bid"):
        ranking_policy("sponsored", bid=3)
    with pytest.raises(ValueError, match="slots, cpc and bids"):
        ranking_policy("sponsored", sponsors={"x"}, cpc=-1)
    with pytest.raises(ValueError, match="slots, cpc and bids"):
        ranking_policy("sponsored", bids={"x": -1})
    with pytest.raises(ValueError, match=r"give sponsors \(all paying cpc\) or bids"):
        ranking_policy("sponsored", sponsors={"x"}, bids={"y": 3})


def test_advertisers_bids_win_the_slot_by_bid_times_neutral_score():
    # ad rank: northwind:nw-1 100 × 0.98 = 98.0 beats juniper:jp-1 99 × 0.984 = 97.416
    ranking = ranking_policy("sponsored", bids={"northwind": 100, "juniper": 99})
    recs = ranked(ranking)
    assert keys(recs) == ["northwind:nw-1", "juniper:jp-1", "northwind:nw-2", "juniper:jp-2"]
    assert [r.label for r in recs] == ["Sponsored", None, None, None]
    assert [r.cpc for r in recs] == [100, 0, 0, 0]  # the winner pays its own bid
    # one cent more for juniper (101 × 0.984 = 99.384) and its best offer takes the slot
    richer = ranked(SponsoredRanking(bids={"northwind": 100, "juniper": 101}, slots=2))
    assert keys(richer) == ["juniper:jp-1", "northwind:nw-1", "northwind:nw-2", "juniper:jp-2"]
    assert [r.cpc for r in richer] == [101, 100, 0, 0]
    # the only advertiser gets the slot however little it bids; others never pay
    lone = ranked(SponsoredRanking(bids={"northwind": 1}))
    assert keys(lone)[0] == "northwind:nw-1" and [r.cpc for r in lone] == [1, 0, 0, 0]


def test_commission_priced_through_fee_models_steers_to_what_earns_most():
    bonus = FeeModel.model_validate(
        {
            "name": "shopify-bonus",
            "title": "t",
            "source": "test",
            "components": [
                {"name": "bonus", "payee": "ai_platform", "rate_bps": 100, "platforms": ["shopify"]}
            ],
        }
    )
    instant = load_fee_model("openai-instant-checkout")
    earnings = UnitEarnings(
        {
            "northwind": ("shopify", [instant, load_fee_model("shopify-basic"), bonus]),
            "juniper": ("etsy", [instant, load_fee_model("etsy-standard"), bonus]),
        }
    )
    # northwind 4% + 1% (shopify only); juniper 4%; the merchant platforms' fees earn it nothing
    assert [earnings(o) for o in OFFERS] == [200, 300, 200, 360]
    # an attributed commission counts too: amazon-associates pays 4.5% on kitchen
    linked = UnitEarnings({"juniper": ("etsy", [load_fee_model("amazon-associates")])})
    assert linked(OFFERS[2]) == 225 and linked(OFFERS[0]) == 0  # no models for northwind
    assert ranking_policy("commission_weighted").weight == DEFAULT_COMMISSION_WEIGHT == 0.0005
    ranking = ranking_policy("commission_weighted", commission=earnings, weight=0.002)
    recs = ranked(ranking)
    # neutral + 0.002 × commission: jp-2 0.751556 + 0.72, nw-2 0.792 + 0.6, jp-1 0.984 + 0.4,
    # nw-1 0.98 + 0.4: the neutral order turned upside down
    assert keys(recs) == ["juniper:jp-2", "northwind:nw-2", "juniper:jp-1", "northwind:nw-1"]
    assert [r.score for r in recs] == [1.471556, 1.392, 1.384, 1.38]
