"""The language's pricing rules on hand-computed orders: tiers, bounds, payers, lines, volume."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent_checkout.fees import (
    Click,
    FeeContext,
    FeeModel,
    FeePricer,
    price_attributed,
    price_click,
    price_order,
)
from agent_checkout.fees.rates import split_proportionally
from agent_checkout.ledger.store import journal


def model(**component) -> FeeModel:
    return FeeModel.model_validate(
        {
            "name": "t",
            "title": "t",
            "source": "test",
            "components": [{"name": "fee", "payee": "ai_platform", **component}],
        }
    )


BANDS = [
    {"at_least": 0, "rate_bps": 500},
    {"at_least": 10_000, "rate_bps": 300},
    {"at_least": 50_000, "rate_bps": 100},
]


@pytest.mark.parametrize(
    ("items", "marginal", "whole"),
    [
        (9_999, 500, 500),  # 5% x 99.99 = 4.9995 -> 5.00 either way
        (10_000, 500, 300),  # marginal 5% x 100 = 5.00; whole: reaches $100, 3% x 100 = 3.00
        (60_000, 1_800, 600),  # marginal 5.00 + 3% x 400 + 1% x 100 = 18.00; whole 1% x 600 = 6.00
    ],
)
def test_order_value_tiers_marginal_and_whole(make_order, items, marginal, whole):
    order = make_order([("toys", 1, items)])
    by_mode = {
        mode: price_order(order, [model(tiers={"mode": mode, "bands": BANDS})])[0]
        for mode in ("marginal", "whole")
    }
    assert (by_mode["marginal"].amount, by_mode["whole"].amount) == (marginal, whole)
    assert by_mode["whole"].rate_bps in (500, 300, 100)


def test_blended_rate_is_recorded_for_marginal_tiers(make_order):
    [line] = price_order(
        make_order([("toys", 1, 60_000)]), [model(tiers={"mode": "marginal", "bands": BANDS})]
    )
    assert line.rate_bps == 300  # 18.00 / 600.00 = 3%


def test_minimum_and_maximum_per_order(make_order):
    bounded = model(rate_bps=100, minimum=100, maximum=500)
    # 1% x 5.00 = 0.05 -> minimum 1.00; 1% x 100.00 = 1.00; 1% x 200.00 = 2.00 stays;
    # 1% x 900.00 = 9.00 -> cap 5.00
    got = [
        price_order(make_order([("toys", 1, items)]), [bounded])[0].amount
        for items in (500, 10_000, 20_000, 90_000)
    ]
    assert got == [100, 100, 200, 500]


def test_fixed_and_per_unit(make_order):
    order = make_order([("toys", 2, 1000), ("kitchen", 3, 500)])
    # 1% x 35.00 = 0.35, + 0.10, + 5 units x 0.02 = 0.10: 0.55
    [line] = price_order(order, [model(rate_bps=100, fixed=10, per_unit=2)])
    assert (line.units, line.amount) == (5, 55)


def test_buyer_surcharge_is_added_to_what_the_buyer_pays(make_order):
    order = make_order([("kitchen", 2, 2499)], shipping=1499, tax=471)  # total 69.68
    lines = price_order(order, [model(payer="buyer", base="total", rate_bps=100)])
    # 1% x 69.68 = 0.6968 -> 0.70, on top of the total
    assert [(f.payer, f.amount) for f in lines] == [("buyer", 70)]
    postings = journal(order, lines)
    assert sum(p[2] for p in postings) == 0
    assert [p[2] for p in postings if p[0] == "buyer"] == [-(6968 + 70)]
    assert sum(p[2] for p in postings if p[0] == "merchant") == 6968 - 471  # untouched


def test_platform_specific_rates(make_order):
    both = FeeModel.model_validate(
        {
            "name": "t",
            "title": "t",
            "source": "s",
            "components": [
                {
                    "name": "on_shopify",
                    "payee": "ai_platform",
                    "rate_bps": 400,
                    "platforms": ["shopify"],
                },
                {"name": "on_etsy", "payee": "ai_platform", "rate_bps": 300, "platforms": ["etsy"]},
            ],
        }
    )
    for platform, expected in (("shopify", [("on_shopify", 40)]), ("etsy", [("on_etsy", 30)])):
        order = make_order([("toys", 1, 1000)], platform=platform)
        assert [(f.component, f.amount) for f in price_order(order, [both])] == expected


def test_order_discount_is_shared_among_lines_before_a_category_table(make_order):
    table = model(
        rate_bps=400, categories={"kitchen": {"rate_bps": 450}, "toys": {"rate_bps": 300}}
    )
    order = make_order([("kitchen", 1, 3000), ("toys", 1, 1000)], discount=1000)
    # discount 10.00 split 3:1 -> 7.50 and 2.50; kitchen 4.5% x 22.50 = 1.0125 -> 1.01;
    # toys 3% x 7.50 = 0.225 -> 0.22 (half-even): 1.23 on 30.00
    [line] = price_order(order, [table])
    assert (line.base_amount, line.amount) == (3000, 123)


def test_category_per_unit_and_item_minimum_overrides(make_order):
    table = model(
        per_unit=5,
        item_minimum=10,
        categories={"toys": {"per_unit": 1}, "kitchen": {"item_minimum": 50}},
    )
    order = make_order([("toys", 2, 100), ("kitchen", 1, 100), ("garden", 1, 100)])
    # toys 2 x 0.01 = 0.02 -> minimum 2 x 0.10 = 0.20; kitchen 0.05 -> minimum 0.50;
    # garden 0.05 -> minimum 0.10: 0.80
    assert price_order(order, [table])[0].amount == 80


def test_click_prices_by_category(make_order):
    cpc = model(trigger="link_clicked", per_unit=45, categories={"electronics": {"per_unit": 80}})
    at = make_order([("toys", 1, 1)]).placed_at
    for category, expected in (("electronics", 80), ("toys", 45)):
        [line] = price_click(Click("m1", "shopify", "usd", category, at), [cpc])
        assert (line.per_unit, line.amount) == (expected, expected)
    assert price_click(Click("m1", "shopify", "usd", "toys", at), [model(rate_bps=1)]) == []


def test_attributed_purchase_with_a_pricer(make_order):
    referral = model(trigger="purchase_attributed", attribution_days=7, rate_bps=500)
    pricer = FeePricer([referral, model(rate_bps=100)])
    order = make_order([("toys", 1, 2000)])
    # always 1% x 20.00 = 0.20; with a click 6 days before, also 5% x 20.00 = 1.00
    assert [f.amount for f in pricer.price(order)] == [20]
    assert [
        f.amount for f in pricer.price(order, clicked_at=order.placed_at - timedelta(days=6))
    ] == [20, 100]
    assert price_attributed(order, order.placed_at - timedelta(days=8), [referral]) == []


def test_stateless_pricing_sees_no_volume_and_the_pricer_records_it(make_order):
    tiered = model(
        tiers={
            "by": "running_volume",
            "bands": [{"at_least": 0, "rate_bps": 300}, {"at_least": 5_000, "rate_bps": 200}],
        }
    )
    orders = [
        make_order(
            [("toys", 1, 3_000)],
            order_id=f"o{n}",
            at=make_order([]).placed_at + timedelta(minutes=n),
        )
        for n in range(3)
    ]
    # stateless: every order at 3% x 30.00 = 0.90
    assert [price_order(o, [tiered])[0].amount for o in orders] == [90, 90, 90]
    pricer = FeePricer([tiered])
    # volume before: 0, 30.00, 60.00 -> 3%, 3%, 2%
    assert [pricer.price(o)[0].amount for o in orders] == [90, 90, 60]
    assert price_order(orders[0], [tiered], FeeContext({"m1": 5_000}))[0].amount == 60


def test_context_volume_in_and_out_of_order(make_order):
    at = make_order([]).placed_at
    context = FeeContext()
    for minutes, items in ((0, 100), (20, 300), (10, 200)):  # the last arrives out of order
        context.record(make_order([("toys", 1, items)], at=at + timedelta(minutes=minutes)))
    assert [context.volume("m1", at + timedelta(minutes=m)) for m in (-1, 0, 10, 15, 20)] == [
        0,
        100,
        300,
        300,
        600,
    ]
    assert context.volume("m1", at + timedelta(days=1, minutes=15), window_days=1) == 300
    assert context.volume("other", at) == 0


def test_pricer_names_a_merchant_without_models(make_order):
    with pytest.raises(KeyError, match="no fee models for merchant 'm1'"):
        FeePricer({"m2": []}).price(make_order([("toys", 1, 100)]))


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1, 1, 1], [4, 3, 3]),
        (1000, [3000, 1000], [750, 250]),
        (5, [0, 0], [5, 0]),
        (0, [2, 3], [0, 0]),
        (7, [], []),
    ],
)
def test_split_proportionally_is_exact(total, weights, expected):
    assert split_proportionally(total, weights) == expected
