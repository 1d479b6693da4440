"""Rounding: half-even at exactly half a cent, both ways, and once per fee line or order line."""

from __future__ import annotations

import pytest

from agent_checkout.fees import FeeModel, load_fee_model, price_order


def flat(rate_bps: int, **extra) -> FeeModel:
    return FeeModel.model_validate(
        {
            "name": "t",
            "title": "t",
            "source": "test",
            "components": [{"name": "fee", "payee": "marketplace", "rate_bps": rate_bps, **extra}],
        }
    )


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (500, 14 + 30),  # 2.9% x 5.00  = 0.145 -> 0.14 (down to even), + 0.30
        (1500, 44 + 30),  # 2.9% x 15.00 = 0.435 -> 0.44 (up to even), + 0.30
    ],
)
def test_shopify_basic_half_cent_goes_to_even(make_order, total, expected):
    [line] = price_order(make_order([("toys", 1, total)]), [load_fee_model("shopify-basic")])
    assert line.amount == expected


@pytest.mark.parametrize(
    ("items", "transaction", "processing"),
    [
        (50, 3, 2 + 25),  # 6.5% x 0.50 = 0.0325 -> 0.03; 3% x 0.50 = 0.015 -> 0.02 (up)
        (100, 6, 3 + 25),  # 6.5% x 1.00 = 0.065 -> 0.06 (down); 3% x 1.00 = 0.03
        (150, 10, 4 + 25),  # 6.5% x 1.50 = 0.0975 -> 0.10; 3% x 1.50 = 0.045 -> 0.04 (down)
        (300, 20, 9 + 25),  # 6.5% x 3.00 = 0.195 -> 0.20 (up); 3% x 3.00 = 0.09
    ],
)
def test_etsy_half_cents(make_order, items, transaction, processing):
    order = make_order([("toys", 1, items)], platform="etsy")
    lines = price_order(order, [load_fee_model("etsy-standard")])
    assert [f.amount for f in lines] == [20, transaction, processing]


def test_rounds_once_per_fee_line_not_per_unit(make_order):
    # associates kitchen 4.5%: 3 x 1.00 = 3.00 -> 0.135 -> 0.14 once (per unit would be
    # 3 x round(0.045) = 3 x 0.04 = 0.12)
    order = make_order([("kitchen", 3, 100)])
    assert [f.amount for f in price_order(order, [flat(450)])] == [14]
    model = load_fee_model("amazon-associates")
    [line] = model.fee_lines(order, trigger="purchase_attributed", clicked_at=order.placed_at)
    assert line.amount == 14


def test_category_table_rounds_per_order_line_then_sums(make_order):
    # two kitchen lines of 1.00 at 4.5%: each 0.045 -> 0.04 (even), sum 0.08;
    # rounding the order once would give 4.5% x 2.00 = 0.09
    order = make_order([("kitchen", 1, 100), ("kitchen", 1, 100)])
    model = load_fee_model("amazon-associates")
    [line] = model.fee_lines(order, trigger="purchase_attributed", clicked_at=order.placed_at)
    assert line.amount == 8
    assert [f.amount for f in price_order(order, [flat(450)])] == [9]


def test_marginal_tiers_round_the_sum_of_slices_once(make_order):
    # 0.5% of the first 1.00 (0.005) + 1.5% of the next 0.01 (0.00015): 0.00515 -> 0.01;
    # rounding each slice would give 0.00 + 0.00
    model = flat(
        0,
        tiers={
            "mode": "marginal",
            "bands": [{"at_least": 0, "rate_bps": 50}, {"at_least": 100, "rate_bps": 150}],
        },
    )
    assert [f.amount for f in price_order(make_order([("toys", 1, 101)]), [model])] == [1]
