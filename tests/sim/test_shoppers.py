"""The shopper population: identities by locale, and each behavioural parameter at work."""

from __future__ import annotations

import math

import pytest

from agent_checkout.agent.state import Recommendation
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, ShoppersSpec, load_scenario
from agent_checkout.sim.shoppers import ShopperPopulation
from agent_checkout.sim.streams import RandomStreams
from merchants.feed import FeedProduct
from tests.conftest import SMALL_SCENARIO


def _population(**spec) -> ShopperPopulation:
    return ShopperPopulation(ShoppersSpec(**spec), {"kitchen": 1.0}, RandomStreams(1))


def _offer(price: int, rating: float = 4.0) -> FeedProduct:
    return FeedProduct(
        id="p",
        title="Mug",
        description="",
        price=price,
        currency="usd",
        availability="in_stock",
        inventory_quantity=3,
        category="kitchen",
        brand="B",
        rating=rating,
        review_count=1,
        seller_id="m",
        seller_name="M",
    )


def test_identities_follow_locales_and_shopper_i_is_always_the_same():
    population = _population(locales={"zh_CN": 1.0, "de_DE": 1.0})
    countries = {population.shopper(i).address.country for i in range(60)}
    assert countries == {"CN", "DE"}
    assert population.shopper(7) == _population(locales={"zh_CN": 1.0, "de_DE": 1.0}).shopper(7)


def test_utility_terms():
    shopper = _population(sponsored_penalty=0.3, position_bias=0.15).shopper(0)
    plain = Recommendation(offer=_offer(shopper.budget // 2, 5.0), rank=2, score=0)
    sponsored = Recommendation(offer=plain.offer, rank=2, score=0, label="Sponsored", cpc=45)
    # rating 5 -> +1; price half the budget -> -2 ln(0.5) = +1.386; rank 2 -> -0.3
    assert shopper.utility(plain) == pytest.approx(1 + 2 * math.log(2) - 0.3, abs=1e-3)
    assert shopper.utility(plain) - shopper.utility(sponsored) == pytest.approx(0.3)


def test_an_item_credit_makes_free_is_weighed_as_one_minor_unit():
    shopper = _population().shopper(0)
    free = Recommendation(offer=_offer(590), rank=0, score=0, unit_price=0)
    cent = Recommendation(offer=_offer(590), rank=0, score=0, unit_price=1)
    assert (
        shopper.utility(free)
        == shopper.utility(cent)
        == pytest.approx(2 * math.log(shopper.budget))
    )


def test_no_trust_means_no_choice():
    shopper = _population(trust=0.0, outside_utility=-50).shopper(3)
    assert shopper.choose([Recommendation(offer=_offer(100), rank=0, score=0)]) is None


def _outcomes(write_scenario, shoppers: dict) -> dict:
    data = {**SMALL_SCENARIO, "shoppers": {**SMALL_SCENARIO["shoppers"], **shoppers}}
    return run_scenario(load_scenario(write_scenario(data, name="s.yaml"))).summary


def test_impatient_shoppers_abandon(write_scenario):
    summary = _outcomes(write_scenario, {"patience": {"median_seconds": 0.01, "sigma": 0}})
    outcomes = summary["outcomes"]
    # Every session that got as far as recommendations gave up waiting.
    assert outcomes["abandoned"] == summary["funnel"]["shown"] > 140
    assert outcomes["abandoned"] + outcomes["no_match"] == 150 and summary["orders"] == 0


def test_extra_costs_make_shoppers_balk_at_checkout(write_scenario):
    never = _outcomes(write_scenario, {"checkout_acceptance": 0.0})
    assert never["orders"] == 0 and never["checkout_abandonment"] == 1.0
    assert never["outcomes"]["abandoned"] == never["funnel"]["checkout_started"] > 0
    wary = _outcomes(write_scenario, {"extra_cost_sensitivity": 3.0})
    easy = _outcomes(write_scenario, {})
    assert wary["checkout_abandonment"] > easy["checkout_abandonment"]


def test_unknown_locale_is_a_scenario_error(write_scenario):
    data = {**SMALL_SCENARIO, "shoppers": {"locales": {"xx_YY": 1.0}}}
    with pytest.raises(
        ScenarioError, match=r"bad.yaml:\d+: shoppers.locales.xx_YY: unknown locale \(Faker"
    ):
        load_scenario(write_scenario(data, name="bad.yaml"))


def test_needs_may_require_an_attribute_and_only_matching_items_are_chosen():
    population = _population(attribute_share=1.0)
    shopper = population.shopper(5)
    ((name, value),) = shopper.need.attributes
    assert name == "color" and value in shopper.need.query  # kitchen's first attribute
    wrong = Recommendation(
        offer=_offer(100).model_copy(update={"attributes": {name: "none"}}), rank=0, score=0
    )
    right = Recommendation(
        offer=_offer(100).model_copy(update={"attributes": {name: value}}), rank=1, score=0
    )
    shopper.spec = shopper.spec.model_copy(update={"outside_utility": -50})
    assert shopper.choose([wrong, right]) is right
    assert shopper.choose([wrong]) is None
    assert _population(attribute_share=0.0).shopper(5).need.attributes == ()


def test_per_endpoint_latency(write_scenario):
    profile = {
        "profile": "northwind-outfitters",
        "latency": {"median_ms": 100, "sigma": 0},
        "latency_by_endpoint": {"complete_checkout": {"median_ms": 900, "sigma": 0}},
    }
    data = {**SMALL_SCENARIO, "merchants": [profile]}
    latency = run_scenario(load_scenario(write_scenario(data, name="l.yaml"))).summary["latency_ms"]
    assert latency["northwind.search"]["max"] == 100.0
    assert latency["northwind.complete_checkout"]["p50"] == 900.0
