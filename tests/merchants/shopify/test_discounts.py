"""Discount codes on carts: exact totals for each kind, minimum, window, usage limit, rounding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.shopify import (
    CartLineInput,
    CartLineUpdateInput,
    DiscountBook,
    DiscountCode,
    allocate,
)
from merchants.shopify.discounts import default_discount_codes

from .support import NOW

TEES_AND_MUG = [
    CartLineInput(merchandise_id="tee_navy_m", quantity=2),
    CartLineInput(merchandise_id="mug", quantity=1),
]  # 4000 + 1250 = 5250


def amounts(cart) -> tuple[int, int, int, int]:
    """(subtotal, discount, tax, total) in minor units."""
    discount = sum(a.discounted_amount.minor for a in cart.discount_allocations)
    return (
        cart.cost.subtotal_amount.minor,
        discount,
        cart.cost.total_tax_amount.minor,
        cart.cost.total_amount.minor,
    )


def test_no_code_taxes_each_line(store):
    cart = store.cart_create(TEES_AND_MUG, None, [], NOW).cart
    # tax 4000 x 7.25% = 290, 1250 x 7.25% = 90.625 -> 91
    assert amounts(cart) == (5250, 0, 381, 5631)
    assert cart.cost.total_amount.amount == "56.31"


def test_percentage_rounds_once_half_even_and_allocates_exactly(store):
    cart = store.cart_create(TEES_AND_MUG, None, ["PCT15"], NOW).cart
    # 15% of 5250 = 787.5 -> 788 (half-even); split 600.38 / 187.62 -> 600 / 188 (largest
    # remainder); tax 3400 x 7.25% = 246.5 -> 246 and 1062 x 7.25% = 76.995 -> 77
    assert amounts(cart) == (5250, 788, 323, 4785)
    assert [[a.discounted_amount.minor for a in li.discount_allocations] for li in cart.lines] == [
        [600],
        [188],
    ]
    assert [li.cost.total_amount.minor for li in cart.lines] == [3400, 1062]
    assert [(c.code, c.applicable) for c in cart.discount_codes] == [("PCT15", True)]


def test_fixed_amount_needs_its_minimum_subtotal(store):
    payload = store.cart_create(
        [CartLineInput(merchandise_id="mug", quantity=1)], None, ["SAVE5"], NOW
    )
    assert amounts(payload.cart) == (1250, 0, 91, 1341)
    assert [(w.code, w.target) for w in payload.warnings] == [
        ("DISCOUNT_PURCHASE_NOT_IN_RANGE", "SAVE5")
    ]
    assert payload.cart.discount_codes[0].applicable is False
    line = payload.cart.lines[0].id
    update = [CartLineUpdateInput(id=line, quantity=2)]
    cart = store.cart_lines_update(payload.cart.id, update, NOW).cart
    # 2500 reaches the minimum: 2500 - 500 = 2000, tax 145
    assert amounts(cart) == (2500, 500, 145, 2145)
    assert cart.discount_codes[0].applicable is True


def test_a_fixed_amount_never_takes_the_cart_below_zero(store):
    cart = store.cart_create(TEES_AND_MUG, None, ["ALLOFF"], NOW).cart
    assert amounts(cart) == (5250, 5250, 0, 0)


def test_a_code_works_only_inside_its_window(store):
    cart_id = store.cart_create(TEES_AND_MUG, None, ["WEEKEND"], NOW).cart.id
    assert amounts(store.cart(cart_id, NOW))[1] == 1050  # 20% of 5250
    just_before_end = NOW + timedelta(hours=1) - timedelta(microseconds=1)
    assert store.cart(cart_id, just_before_end).discount_codes[0].applicable is True
    ended = store.cart(cart_id, NOW + timedelta(hours=1))
    assert ended.discount_codes[0].applicable is False and amounts(ended)[1] == 0
    not_started = store.cart(cart_id, NOW - timedelta(days=2))
    assert not_started.discount_codes[0].applicable is False
    payload = store.cart_discount_codes_update(cart_id, ["WEEKEND"], NOW + timedelta(hours=2))
    assert [w.code for w in payload.warnings] == ["DISCOUNT_CURRENTLY_INACTIVE"]


def test_a_usage_limit_counts_placed_orders_not_carts(store):
    first = store.cart_create(TEES_AND_MUG, None, ["ONCE"], NOW).cart
    second = store.cart_create(TEES_AND_MUG, None, ["ONCE"], NOW).cart
    assert amounts(first)[1] == amounts(second)[1] == 2625  # two carts hold it; none used it
    store.discounts.record_use("once")
    payload = store.cart_discount_codes_update(first.id, ["ONCE"], NOW)
    assert payload.cart.discount_codes[0].applicable is False
    assert [w.code for w in payload.warnings] == ["DISCOUNT_USAGE_LIMIT_REACHED"]
    assert amounts(payload.cart) == (5250, 0, 381, 5631)


def test_codes_do_not_combine_and_match_case_insensitively(store):
    payload = store.cart_create(TEES_AND_MUG, None, ["nope", "pct15", "SAVE5", "PCT15"], NOW)
    cart = payload.cart
    assert [(c.code, c.applicable) for c in cart.discount_codes] == [
        ("nope", False),
        ("pct15", True),
        ("SAVE5", False),
    ]  # the repeat is dropped
    assert [(w.code, w.target) for w in payload.warnings] == [
        ("DISCOUNT_NOT_FOUND", "nope"),
        ("DISCOUNT_CODE_NOT_HONOURED", "SAVE5"),
    ]
    assert amounts(cart)[1] == 788
    assert [a.code for a in cart.discount_allocations] == ["pct15"]


def test_an_empty_cart_has_no_entitled_lines(store):
    payload = store.cart_create([], None, ["PCT15"], NOW)
    assert [w.code for w in payload.warnings] == ["DISCOUNT_NO_ENTITLED_LINE_ITEMS"]
    assert amounts(payload.cart) == (0, 0, 0, 0)


def test_allocate_is_exact():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(788, [4000, 1250]) == [600, 188]
    assert allocate(7, [0, 0]) == [0, 0]
    assert sum(allocate(9_999, [3, 7, 11, 13])) == 9_999


def test_default_codes_are_the_same_for_a_merchant():
    assert default_discount_codes("north-wind") == default_discount_codes("north-wind")
    assert [c.code for c in default_discount_codes("north-wind")] == [
        "WELCOME10",
        "SAVE5",
        "BIG20",
        "NORTHWIND15",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        dict(code=" ", kind="percentage", value=100),
        dict(code="X", kind="percentage", value=10_001),
        dict(code="X", kind="fixed_amount", value=0),
        dict(code="X", kind="fixed_amount", value=5, usage_limit=-1),
    ],
)
def test_bad_codes_are_refused_when_configured(bad):
    with pytest.raises(ValueError):
        DiscountCode(**bad)


def test_a_book_refuses_a_code_defined_twice():
    with pytest.raises(ValueError, match="defined twice"):
        DiscountBook([DiscountCode("A", "percentage", 1), DiscountCode("a", "percentage", 2)])
