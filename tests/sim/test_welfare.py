"""Shopper welfare: the money valuation is the logit's indifference price, surplus is valued once
per purchase (click-outs included, returns at 0), the best item is the true argmax, and a
small seeded run gives exact figures."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.sim.run import build_simulation, run_scenario
from agent_checkout.sim.scenario import Scenario, ShoppersSpec
from agent_checkout.sim.shoppers import item_utility, willingness_to_pay
from agent_checkout.sim.welfare import (
    BestItems,
    SessionWelfare,
    WelfareRecorder,
    WelfareTally,
    need_noun,
)
from merchants.catalog import Catalog, Product
from merchants.feed import FeedProduct
from merchants.orders import OrderLine, PlacedOrder
from tests.conftest import SMALL_SCENARIO

SPEC = ShoppersSpec(price_sensitivity=2.0, quality_weight=1.0, outside_utility=0.5)


@pytest.mark.parametrize("rating", [1.0, 3.2, 4.0, 4.6, 5.0])
@pytest.mark.parametrize(
    "spec",
    [
        SPEC,
        ShoppersSpec(price_sensitivity=0.7, quality_weight=2.5, outside_utility=-1.0),
        ShoppersSpec(price_sensitivity=4.0, quality_weight=0.0, outside_utility=2.5),
    ],
)
def test_at_the_valuation_the_shopper_is_indifferent(spec, rating):
    value = willingness_to_pay(spec, 10_000, rating)
    assert item_utility(spec, 10_000, value, rating) == pytest.approx(spec.outside_utility)
    cheaper, dearer = value * 0.99, value * 1.01
    assert item_utility(spec, 10_000, cheaper, rating) > spec.outside_utility
    assert item_utility(spec, 10_000, dearer, rating) < spec.outside_utility


def test_valuation_formula_and_the_shoppers_own_utility():
    # 10,000 × exp((1 × (4.6 − 4) − 0.5) / 2) = 10,000 × e^0.05
    assert willingness_to_pay(SPEC, 10_000, 4.6) == pytest.approx(10_512.710963760241)
    # no price sensitivity: money is not in utility; the value is the budget
    assert willingness_to_pay(SPEC.model_copy(update={"price_sensitivity": 0.0}), 777, 4.9) == 777
    population = build_simulation(Scenario.model_validate(SMALL_SCENARIO), 11).shopper
    shopper = population(0)
    value = shopper.valuation(4.6)
    offer = _feed(price=value, rating=4.6)
    top = Recommendation(offer=offer, rank=0, score=1.0)
    assert shopper.utility(top) == pytest.approx(shopper.spec.outside_utility)


def _feed(*, price: float, rating: float) -> FeedProduct:
    return FeedProduct.model_construct(
        id="p1", price=price, rating=rating, seller_id="m", attributes={}
    )


def _product(pid: str, price: int, rating: float, *, stock: int = 5, title: str = "Red Mug"):
    return Product(
        id=pid,
        title=title,
        description="",
        category="kitchen",
        brand="b",
        price=price,
        stock=stock,
        rating=rating,
        review_count=1,
        attributes={"color": "red"},
    )


def _order(lines: list[tuple[str, int, int]], discount: int = 0) -> PlacedOrder:
    items = sum(q * unit for _, q, unit in lines)
    return PlacedOrder(
        id="o1",
        checkout_session_id="cs1",
        merchant_id="m",
        platform="shopify",
        currency="usd",
        lines=tuple(OrderLine(p, "t", "kitchen", q, unit, q * unit, 0) for p, q, unit in lines),
        items_amount=items,
        discount_amount=discount,
        shipping_amount=500,
        tax_amount=300,
        total_amount=items - discount + 800,
        placed_at=datetime(2026, 11, 11, tzinfo=UTC),
    )


def _recorder(products: list[Product]) -> WelfareRecorder:
    market = {"m": SimpleNamespace(catalog=Catalog(products))}
    return WelfareRecorder(BestItems(market), WelfareTally(), sessions=[])


def test_surplus_is_worth_minus_items_paid_rounded_once():
    recorder = _recorder([_product("p1", 4000, 4.6)])
    shopper = SimpleNamespace(spec=SPEC, budget=10_000, need=Need("kitchen", "red mug"))
    recorder.started("s1", 1, shopper)
    recorder.bought("s1", _order([("p1", 2, 4000)], discount=500))
    recorder.ended("s1")
    # 2 × 10,512.710963760241 − (8,000 − 500) = 13,525.42: shipping and tax are not the item's
    assert recorder.sessions[0].surplus == 13_525
    assert recorder.tally.summary()["surplus_total"] == 13_525


def test_a_returned_order_and_a_session_without_purchase_are_worth_nothing():
    recorder = _recorder([_product("p1", 4000, 4.6)])
    shopper = SimpleNamespace(spec=SPEC, budget=10_000, need=Need("kitchen", "red mug"))
    for label in ("s1", "s2"):
        recorder.started(label, int(label[1:]), shopper)
    recorder.bought("s1", _order([("p1", 1, 4000)]), kept=False)
    recorder.ended("s1")
    recorder.ended("s2")
    assert [(s.bought, s.surplus) for s in recorder.sessions] == [(True, 0), (False, 0)]


def test_the_best_item_is_the_utility_argmax_in_stock_within_budget():
    products = [
        _product("cheap-poor", 1000, 3.0),  # 1 × (−1) − 2 ln 1000 = −14.82
        _product("mid-good", 2000, 4.8),  # 0.8 − 2 ln 2000 = −14.40: the best
        _product("gone", 1500, 5.0, stock=0),  # better still, but sold out
        _product("dear", 9000, 5.0),  # over budget 5,000
        _product("pan", 500, 5.0, title="Red Skillet"),  # not a mug
    ]
    recorder = _recorder(products)
    shopper = SimpleNamespace(spec=SPEC, budget=5000, need=Need("kitchen", "red mug"))
    assert need_noun(shopper.need) == "mug"
    assert recorder.best_items.best(shopper) == "m:mid-good"
    recorder.started("s1", 1, shopper)
    shown = [
        Recommendation(
            offer=_feed(price=p.price, rating=p.rating).model_copy(update={"id": pid}),
            rank=r,
            score=1.0,
        )
        for r, (pid, p) in enumerate((p.id, p) for p in products[:2])
    ]
    recorder.shown("s1", shown)
    recorder.shown("s1", shown[:1])  # a later list (after a sold-out pick) does not count
    recorder.ended("s1")
    assert recorder.sessions[0] == SessionWelfare(
        index=1, best="m:mid-good", shown=True, best_position=2
    )
    # the list is cached per need; a sale that empties the best item's shelf moves the answer
    products[1].stock = 0
    assert recorder.best_items.best(shopper) == "m:cheap-poor"


def test_the_cached_best_item_equals_a_search_of_every_catalog():
    simulation = build_simulation(Scenario.model_validate(SMALL_SCENARIO), 11)
    best = BestItems(simulation.merchants)
    found = 0
    for index in range(150):
        shopper = simulation.shopper(index)
        spec, need = shopper.spec, shopper.need
        noun = need_noun(need).lower().split()
        rows = [
            (item_utility(spec, shopper.budget, p.price, p.rating), m.id, p.id)
            for m in simulation.merchants.values()
            for p in m.catalog
            if p.category == need.category
            and p.available
            and p.price <= shopper.budget
            and need.matches(p.attributes)
            and all(
                any(t.rstrip("s") == w.rstrip("s") for t in p.title.lower().split()) for w in noun
            )
        ]
        expected = None
        if rows:
            _, merchant_id, product_id = min(rows, key=lambda r: (-r[0], r[1], r[2]))
            expected = f"{merchant_id}:{product_id}"
            found += 1
        assert best.best(shopper) == expected, index
    assert found == 137  # at the start; 135 in the run, as shelves empty


def test_mean_surplus_per_session_rounds_half_even():
    tally = WelfareTally()
    for surplus in (2, 3):
        tally.add(SessionWelfare(index=0, surplus=surplus))
    assert tally.summary()["surplus_per_session"] == 2  # 5 / 2 = 2.5 → 2
    tally.add(SessionWelfare(index=0, surplus=2))
    tally.add(SessionWelfare(index=0, surplus=0))
    assert tally.summary()["surplus_per_session"] == 2  # 7 / 4 = 1.75 → 2


SMALL_WELFARE = {
    "surplus_total": 284_355,
    "surplus_per_session": 1_896,  # 284,355 / 150 = 1,895.7
    "purchases_valued": 103,
    "sessions_with_best": 135,
    "best_shown": 96,
    "best_shown_first": 31,
    "best_position_total": 235,
    "best_shown_share": 0.711111,  # 96 / 135
    "best_first_share": 0.22963,  # 31 / 135
    "best_mean_position": 2.447917,
}


def test_a_small_seeded_run_gives_exact_welfare_figures():
    summary = run_scenario(Scenario.model_validate(SMALL_SCENARIO)).summary
    assert summary["orders"] == 103
    assert summary["welfare"] == SMALL_WELFARE


def test_session_records_add_up_to_the_summary():
    simulation = build_simulation(Scenario.model_validate(SMALL_SCENARIO), 11)
    simulation.welfare.sessions = []
    simulation.run()
    records = sorted(simulation.welfare.sessions, key=lambda s: s.index)
    assert [s.index for s in records] == list(range(150))
    assert sum(s.surplus for s in records) == SMALL_WELFARE["surplus_total"]
    shown = [s.best_position for s in records if s.best_position is not None]
    assert len(shown) == 96 and shown.count(1) == 31 and sum(shown) == 235
    assert all(s.surplus == 0 for s in records if not s.bought)
    assert math.isclose(sum(shown) / len(shown), SMALL_WELFARE["best_mean_position"], abs_tol=1e-6)


def test_click_out_purchases_and_returns_are_valued():
    click_out = {**SMALL_SCENARIO, "monetization": {"mode": "click_out"}}
    summary = run_scenario(Scenario.model_validate(click_out)).summary
    assert (summary["orders"], summary["outcomes"]["clicked_out"]) == (29, 112)
    assert summary["welfare"]["purchases_valued"] == 29
    assert summary["welfare"]["surplus_total"] == 61_248

    kept = build_simulation(Scenario.model_validate(SMALL_SCENARIO), 11)
    returning = build_simulation(
        Scenario.model_validate({**SMALL_SCENARIO, "returns": {"rate": 0.5}}), 11
    )
    for simulation in (kept, returning):
        simulation.welfare.sessions = []
        simulation.run()
    before = {s.index: s.surplus for s in kept.welfare.sessions}
    after = {s.index: s.surplus for s in returning.welfare.sessions}
    zeroed = [i for i in before if before[i] != after[i]]
    assert returning.metrics.refunds == len(zeroed) == 47
    assert all(after[i] == 0 for i in zeroed)
    assert returning.metrics.welfare.surplus_total == 174_408


def test_a_traced_session_ends_with_its_welfare():
    simulation = build_simulation(Scenario.model_validate(SMALL_SCENARIO), 11)
    simulation.welfare.sessions = []
    traces = [simulation.trace(i) for i in range(3)]
    simulation.run()
    records = {s.index: s for s in simulation.welfare.sessions}
    for index, trace in enumerate(traces):
        end = trace.records[-1]
        assert (end["best_item"], end["best_position"], end["surplus"]) == (
            records[index].best,
            records[index].best_position,
            records[index].surplus,
        )


def test_replications_pool_their_welfare():
    from agent_checkout.sim.replications import pooled_summary, run_replications

    scenario = Scenario.model_validate(SMALL_SCENARIO)
    summaries = run_replications(scenario, seed=11, replications=2)
    pooled = pooled_summary(scenario, 11, summaries)["welfare"]
    first, second = (s["welfare"] for s in summaries)
    assert first == SMALL_WELFARE  # replication 0 is the plain run
    for key in ("surplus_total", "best_shown", "best_shown_first", "best_position_total"):
        assert pooled[key] == first[key] + second[key]
    total = first["surplus_total"] + second["surplus_total"]
    assert pooled["surplus_per_session"] == round(total / 300)
    shown = first["best_shown"] + second["best_shown"]
    assert pooled["best_mean_position"] == round(pooled["best_position_total"] / shown, 6)
