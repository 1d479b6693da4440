"""The vectorized re-pricing path equals the per-order pricer to the minor unit: line by line on
a recorded ledger for every built-in fee model, and in ``reprice``'s totals (refunds included),
whichever path ``auto`` picks. Volume tiers, clicks and channels: see the _history tests.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import duckdb
import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees import load_fee_model, price_order, refund_lines
from agent_checkout.fees.library import builtin_names
from agent_checkout.fees.model import FeeModel
from agent_checkout.fees.pricing import order_fee_line
from agent_checkout.ledger import Ledger, RepriceError, reprice_variants
from agent_checkout.ledger.fee_sql import FeeSql
from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.recorded import recorded_orders
from agent_checkout.ledger.vectorized import half_even, line_amounts
from merchants.money import divide_half_even
from tests.fees.conftest import AT, build_order

CATEGORIES = ("apparel", "jewelry", "electronics", "kitchen", "toys")


def _orders(count: int) -> list:
    """Orders with discounts, shipping and tax, amounts in steps of 50¢ so half-way ties occur."""
    rng = random.Random(14)
    orders = []
    for n in range(count):
        merchant = rng.randrange(6)
        lines = [
            (rng.choice(CATEGORIES), rng.choice((1, 1, 2, 3)), rng.randrange(1, 800) * 50)
            for _ in range(rng.choice((0, 1, 1, 2, 3)))
        ]
        items = sum(q * p for _, q, p in lines)
        orders.append(
            build_order(
                lines,
                shipping=rng.choice((0, 499, 1000)),
                tax=rng.choice((0, items * 8 // 100)),
                discount=rng.choice((0, 0, items // 10, items // 3)),
                platform="shopify" if merchant % 2 == 0 else "etsy",
                merchant=f"m{merchant}",
                order_id=f"o{n:04d}",
                at=AT + timedelta(minutes=n),
            )
        )
    return orders


def run_models(order):
    own = "shopify-basic" if order.platform == "shopify" else "etsy-standard"
    return [load_fee_model("openai-instant-checkout"), load_fee_model(own)]


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("vectorized") / "ledger.duckdb"
    rng = random.Random(41)
    with Ledger(path) as ledger:
        ledger.start_run(scenario="parity", seed=1, currency="usd", fee_models=["x"])
        for order in _orders(200):
            lines = price_order(order, run_models(order))
            ledger.record(order, lines)
            if order.total_amount and rng.random() < 0.2:  # refunded in one to three parts
                left = order.total_amount
                for _ in range(rng.choice((1, 2, 3))):
                    amount = rng.randrange(1, left + 1)
                    before = ledger.refunded(order.id)
                    reversal = refund_lines(
                        order, lines, amount, run_models(order), refunded_before=before
                    )
                    ledger.record_refund(order, amount, reversal, order.placed_at, "return")
                    left -= amount
                    if not left:
                        break
    return path


def test_half_even_in_sql_matches_python_on_ties_and_signs():
    con = duckdb.connect()
    cases = [(n, d) for n in range(-30, 31) for d in (1, 2, 3, 4, 7, 10, 10_000)]
    cases += [(125_000, 10_000), (135_000, 10_000), (-125_000, 10_000), (-135_000, 10_000)]
    wide = [(10**20 + 5, 10), (-(10**20) - 15, 10)]
    got = con.execute(
        "SELECT " + ", ".join(half_even(str(n), str(d)) for n, d in cases + wide)
    ).fetchone()
    assert [int(x) for x in got] == [divide_half_even(n, d) for n, d in cases + wide]
    narrow = FeeSql("BIGINT")
    got = con.execute("SELECT " + ", ".join(narrow.half_even(str(n), str(d)) for n, d in cases))
    assert [int(x) for x in got.fetchone()] == [divide_half_even(n, d) for n, d in cases]
    with pytest.raises(duckdb.OutOfRangeException):  # never wraps: the caller widens instead
        con.execute(f"SELECT {narrow.half_even(str(2**63 - 2), str(2**63 - 1))}").fetchone()


@pytest.mark.parametrize("name", sorted(builtin_names()))
def test_vectorized_lines_equal_the_per_order_pricer(ledger_path, name):
    model = load_fee_model(name)
    con = open_read_only(ledger_path)
    try:
        vectorized = line_amounts(con, model)
        expected = {
            (order.id, component.name): order_fee_line(model.name, component, order).amount
            for order, _ in recorded_orders(con)
            for component in model.components
            if component.trigger == "order_completed" and component.applies_to(order.platform)
        }
    finally:
        con.close()
    assert vectorized == expected
    assert len(expected) > 0 or all(c.trigger != "order_completed" for c in model.components)


@pytest.mark.parametrize("replace_all", [False, True])
def test_reprice_totals_are_identical_for_every_builtin_model(ledger_path, replace_all):
    variants = {name: [load_fee_model(name)] for name in builtin_names()}
    per_order, _ = reprice_variants(
        ledger_path, variants, replace_all=replace_all, engine="per-order"
    )
    vectorized, _ = reprice_variants(
        ledger_path, variants, replace_all=replace_all, engine="vectorized"
    )
    assert vectorized == per_order
    assert all(result.refunds > 0 for result in vectorized.values())
    auto, _ = reprice_variants(ledger_path, variants, replace_all=replace_all)
    assert auto == per_order


def test_vectorized_refuses_a_ledger_only_the_loop_can_refuse(ledger_path, tmp_path):
    with pytest.raises(RepriceError, match="engine: 'fast' is not one of"):
        reprice_variants(ledger_path, {"a": [load_fee_model("flat-per-order")]}, engine="fast")
    order = build_order([("toys", 1, 1000)], order_id="over")
    path = tmp_path / "over.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="over", seed=1, currency="usd", fee_models=["x"])
        ledger.record(order, [])
    con = duckdb.connect(str(path))  # a refund beyond the total, written behind the ledger
    con.execute(
        "INSERT INTO refunds (refund_id, order_id, seq, amount) VALUES ('r', 'over', 1, 1001)"
    )
    con.close()
    variants = {"a": [load_fee_model("flat-per-order")]}
    with pytest.raises(
        RepriceError, match="engine vectorized: a refund is not positive or exceeds"
    ):
        reprice_variants(path, variants, engine="vectorized")
    with pytest.raises(ValueError, match="order over: refund of 1001 exceeds what is left"):
        reprice_variants(path, variants)  # auto: the loop says which order


#: Shapes no vectorized built-in has: order-value tiers both ways, minimum and cap, platform
#: filters, a buyer surcharge, and each refund rule.
SHAPES = FeeModel.model_validate(
    {
        "name": "shapes",
        "title": "every shape the vectorized path prices",
        "source": "test",
        "currency": "usd",
        "components": [
            {
                "name": "whole_tiers",
                "payee": "ai_platform",
                "base": "items_shipping",
                "tiers": {
                    "bands": [
                        {"at_least": 0, "rate_bps": 450},
                        {"at_least": 5000, "rate_bps": 325},
                        {"at_least": 20000, "rate_bps": 150},
                    ]
                },
                "minimum": 75,
                "on_refund": "refund",
            },
            {
                "name": "marginal_tiers",
                "payee": "marketplace",
                "tiers": {
                    "mode": "marginal",
                    "bands": [
                        {"at_least": 0, "rate_bps": 1500},
                        {"at_least": 9999, "rate_bps": 5},
                    ],
                },
                "maximum": 2500,
                "platforms": ["etsy"],
                "on_refund": "keep",
            },
            {
                "name": "surcharge",
                "payee": "payment_processor",
                "payer": "buyer",
                "base": "total",
                "rate_bps": 275,
                "fixed": 30,
                "per_unit": 5,
                "platforms": ["shopify"],
                "on_refund": "refund_percentage_keep_fixed",
            },
        ],
    }
)


def test_every_vectorized_shape_equals_the_per_order_pricer(ledger_path):
    con = open_read_only(ledger_path)
    try:
        expected = {
            (order.id, component.name): order_fee_line("shapes", component, order).amount
            for order, _ in recorded_orders(con)
            for component in SHAPES.components
            if component.applies_to(order.platform)
        }
        assert line_amounts(con, SHAPES) == expected
    finally:
        con.close()
    variants = {"shapes": [SHAPES], "both": [SHAPES, load_fee_model("stripe-standard")]}
    vectorized, _ = reprice_variants(ledger_path, variants, engine="vectorized")
    assert vectorized == reprice_variants(ledger_path, variants, engine="per-order")[0]
    assert set(vectorized["shapes"].fees) >= {
        ("shapes", "ai_platform"),
        ("shapes", "marketplace"),
        ("shapes", "payment_processor"),
    }


def test_cli_engines_print_the_same_table(ledger_path):
    def table(engine: str) -> str:
        args = ["reprice", str(ledger_path), "--fee-models", "flat-per-order,stripe-standard"]
        result = CliRunner().invoke(app, [*args, "--engine", engine])
        assert result.exit_code == 0, result.output
        return result.output

    vectorized = table("vectorized")
    assert "Re-priced run" in vectorized
    assert vectorized == table("per-order") == table("auto")


#: Per-line shapes: a discount split whose tie decides which category pays, per-line rounding
#: (two half-cent ties that an order-level rounding would add up), per-item bands scaled by the
#: quantity, per-unit and per-item minimums by category, a fixed part, an order cap and the
#: refund rule that keeps the fixed part.
PER_LINE = FeeModel.model_validate(
    {
        "name": "per-line",
        "title": "every per-line shape the vectorized path prices",
        "source": "test",
        "currency": "usd",
        "components": [
            {
                "name": "tie_split",
                "payee": "marketplace",
                "categories": {"apparel": {"rate_bps": 10000}, "toys": {"rate_bps": 0}},
            },
            {
                "name": "per_line_rounding",
                "payee": "ai_platform",
                "rate_bps": 1000,
                "item_minimum": 0,
            },
            {
                "name": "bands_minimum",
                "payee": "affiliate_network",
                "rate_bps": 800,
                "item_minimum": 30,
                "fixed": 100,
                "per_unit": 1,
                "maximum": 20000,
                "categories": {
                    "jewelry": {
                        "bands": [
                            {"at_least": 0, "rate_bps": 2000},
                            {"at_least": 25000, "rate_bps": 500},
                        ],
                        "per_unit": 10,
                    }
                },
                "on_refund": "refund_percentage_keep_fixed",
            },
        ],
    }
)


def test_per_line_components_equal_the_per_order_pricer_line_by_line(tmp_path):
    orders = [
        build_order([("apparel", 1, 1000), ("toys", 1, 1000)], discount=1, order_id="x"),
        build_order([("toys", 1, 1000), ("apparel", 1, 1000)], discount=1, order_id="y"),
        build_order([("kitchen", 1, 25), ("kitchen", 1, 25)], order_id="z"),
        build_order([("jewelry", 2, 30000), ("kitchen", 3, 100)], shipping=499, order_id="w"),
        build_order([], shipping=1000, order_id="empty"),
    ]
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="per-line", seed=1, currency="usd", fee_models=["per-line"])
        for n, order in enumerate(orders):
            order = replace(order, placed_at=AT + timedelta(minutes=n))
            lines = price_order(order, [PER_LINE])
            ledger.record(order, lines)
            if order.id in ("w", "y"):  # a partial refund, then the rest
                for amount in (
                    order.total_amount // 3,
                    order.total_amount - order.total_amount // 3,
                ):
                    before = ledger.refunded(order.id)
                    reversal = refund_lines(
                        order, lines, amount, [PER_LINE], refunded_before=before
                    )
                    ledger.record_refund(order, amount, reversal, order.placed_at, "return")
    con = open_read_only(path)
    try:
        vectorized = line_amounts(con, PER_LINE)
        expected = {
            (order.id, c.name): order_fee_line("per-line", c, order).amount
            for order, _ in recorded_orders(con)
            for c in PER_LINE.components
        }
    finally:
        con.close()
    assert vectorized == expected
    # the tie goes to the earlier line: apparel pays 999 in x, 1000 in y
    assert (vectorized[("x", "tie_split")], vectorized[("y", "tie_split")]) == (999, 1000)
    assert vectorized[("z", "per_line_rounding")] == 4  # 2 + 2, not half_even(5.0) of the order
    # jewelry: 20% of 50,000 + 5% of 10,000 + 2 x 10; kitchen: 3 x 8 raised to 3 x 30; + 100
    assert vectorized[("w", "bands_minimum")] == 10_500 + 20 + 90 + 100
    assert vectorized[("empty", "bands_minimum")] == 100
    per_order, _ = reprice_variants(path, {"p": [PER_LINE]}, engine="per-order")
    assert reprice_variants(path, {"p": [PER_LINE]}, engine="vectorized")[0] == per_order
    assert per_order["p"].refunds == 4


def test_amounts_beyond_bigint_products_are_priced_exactly(tmp_path):
    """A total whose product with a rate overflows BIGINT: the query runs again in HUGEINT."""
    order = build_order([("jewelry", 1, 4 * 10**16)], shipping=1, order_id="huge")
    stripe = load_fee_model("stripe-standard")
    path = tmp_path / "huge.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="huge", seed=1, currency="usd", fee_models=[stripe.name])
        lines = price_order(order, [stripe])
        ledger.record(order, lines)
        back = refund_lines(order, lines, order.total_amount // 3, [stripe])
        ledger.record_refund(order, order.total_amount // 3, back, order.placed_at, "return")
    variants = {"s": [stripe], "flat": [load_fee_model("flat-per-order")]}
    vectorized, _ = reprice_variants(path, variants, engine="vectorized")
    assert vectorized == reprice_variants(path, variants, engine="per-order")[0]
    # 2.9% of 40,000,000,000,000,001 rounds half-even once, plus 30
    assert divide_half_even((4 * 10**16 + 1) * 290, 10_000) + 30 == lines[0].amount
    assert vectorized["s"].fees[("stripe-standard", "payment_processor")] == lines[0].amount
