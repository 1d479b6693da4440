"""Promotions pinned to the fen: a Singles' Day basket over two stores of one marketplace.

By hand (CNY, minor units): tmall-a holds kettle 2 x 19900 = 39800 and mug 5990, tmall-b the lamp
12900: 58690 in all. The stages, each on what the earlier ones left:

* a-coupon (store coupon, ¥20 from ¥200, tmall-a only): 2000 over 39800 : 5990 -> 1738, 262
  (1737.37 and 261.63 floored, the remainder to the larger fraction, the mug);
* every-300-off-50 (threshold, marketplace): left 38062 + 5728 + 12900 = 56690, one full ¥300
  -> 5000 over them -> 3357, 505, 1138;
* AI5 (platform coupon, ¥5 from ¥100, tmall-b): left 11762 -> 500 on the lamp;
* red-packet (credit ¥10, marketplace): left 34705 + 5223 + 11262 = 51190 -> 678, 102, 220.

Lines after: 34027, 5121, 11042; basket 50190 = 58690 - 2000 - 5000 - 500 - 1000.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from merchants.discounts import effective_price
from merchants.promotions import BasketLine, Promotion, PromotionBook

from .checkout_fixtures import pay
from .promotion_fixtures import A_LINES, B_LINES, CODES, NOW, open_session, two_stores


def _basket(orders: list | None = None):
    stores = two_stores(orders)
    a = open_session(stores["tmall-a"], {"a1": 2, "a2": 1}, codes=CODES, companions=B_LINES)
    b = open_session(stores["tmall-b"], {"b1": 1}, codes=CODES, companions=A_LINES)
    return stores, a, b


def test_stacked_basket_over_two_stores_is_exact_to_the_fen():
    stores, a, b = _basket()
    assert [(li.base_amount, li.discount, li.subtotal, li.total) for li in a.line_items] == [
        (39800, 5773, 34027, 34027),
        (5990, 869, 5121, 5121),
    ]
    assert [(li.base_amount, li.discount, li.subtotal) for li in b.line_items] == [
        (12900, 1858, 11042)
    ]
    assert [(t.type, t.amount) for t in a.totals] == [
        ("items_base_amount", 45790),
        ("discount", 6642),
        ("subtotal", 39148),
        ("fulfillment", 0),
        ("tax", 0),
        ("total", 39148),
    ]
    assert a.total() + b.total() == 50190
    parts = {
        store: [
            (d.promotion_id, d.funder, d.amount, d.shares, d.stage)
            for d in stores[store].checkout.snapshot(session.id, NOW).discounts.applied
        ]
        for store, session in (("tmall-a", a), ("tmall-b", b))
    }
    assert parts == {
        "tmall-a": [
            ("a-coupon", "merchant", 2000, (1738, 262), 2),
            ("every-300-off-50", "marketplace", 3862, (3357, 505), 3),
            ("red-packet", "ai_platform", 780, (678, 102), 5),
        ],
        "tmall-b": [
            ("every-300-off-50", "marketplace", 1138, (1138,), 3),
            ("AI5", "ai_platform", 500, (500,), 4),
            ("red-packet", "ai_platform", 220, (220,), 5),
        ],
    }


def test_rejected_codes_come_back_as_messages():
    _, _, b = _basket()
    assert [(m.type, m.param, m.content) for m in b.messages] == [
        ("info", "$.discounts.codes", "Code nope is not valid."),
        ("info", "$.discounts.codes", "Your basket does not reach the minimum for code B10."),
    ]


def test_the_order_carries_each_discount_and_its_funder():
    orders: list = []
    stores, _, b = _basket(orders)
    _, done = pay(stores["tmall-b"], b.id, b.total(), NOW)
    assert done.status == "completed"
    (order,) = orders
    assert (order.items_amount, order.discount_amount, order.total_amount) == (12900, 1858, 11042)
    assert [(d.promotion_id, d.code, d.funder, d.amount) for d in order.discounts] == [
        ("every-300-off-50", None, "marketplace", 1138),
        ("AI5", "AI5", "ai_platform", 500),
        ("red-packet", None, "ai_platform", 220),
    ]


def test_effective_price_is_what_the_checkout_charges():
    stores, a, b = _basket()
    book = stores["tmall-a"].checkout.promotions
    lamp = effective_price(book, B_LINES[0], NOW, codes=CODES, basket=A_LINES)
    assert (lamp.list_unit, lamp.line_amount, lamp.unit) == (12900, 11042, 11042)
    assert lamp.line_amount == b.line_items[0].subtotal
    kettle = effective_price(book, A_LINES[0], NOW, codes=CODES, basket=[A_LINES[1], *B_LINES])
    assert (kettle.line_amount, kettle.unit) == (34027, 17014)  # 17013.5 -> half-even 17014
    assert kettle.line_amount == a.line_items[0].subtotal
    alone = effective_price(book, B_LINES[0], NOW)  # no threshold reached: only the credit
    assert (alone.line_amount, alone.discounts) == (11900, {"red-packet": 1000})


def _percent(pid: str, bps: int, code: str | None = None, **extra) -> Promotion:
    return Promotion(id=pid, kind="percentage", percent_bps=bps, code=code, **extra)


def test_one_per_stage_and_scope_the_larger_wins_and_the_losing_code_is_refused():
    book = PromotionBook([("s", _percent("P5", 500, "P5")), ("s", _percent("P8", 800, "P8"))])
    priced = book.price([BasketLine("s", "x", 1, 1001)], NOW, ["p5", "P8", "P8"])
    assert [(a.promotion.id, a.amount) for a in priced.applied] == [("P8", 80)]  # 80.08 -> 80
    assert [(r.code, r.reason) for r in priced.rejected] == [
        ("P8", "discount_code_already_applied"),
        ("p5", "discount_code_combination_disallowed"),
    ]


def test_percentage_rounds_half_even_once_then_splits_exactly():
    book = PromotionBook([("s", _percent("auto", 1250))])
    lines = [BasketLine("s", "x", 1, 100), BasketLine("s", "y", 1, 100), BasketLine("s", "z", 1, 4)]
    priced = book.price(lines, NOW)
    # 12.5% of 204 = 25.5 -> 26 (half-even); 26 over 100:100:4 = 12.745, 12.745, 0.51:
    # floors 12, 12, 0 leave 2, to the two largest remainders
    assert priced.applied[0].amount == 26
    assert priced.applied[0].shares == (13, 13, 0)


def test_a_promotion_outside_its_window_is_expired():
    later = _percent("NOV", 1000, "NOV", ends_at=NOW)
    priced = PromotionBook([("s", later)]).price([BasketLine("s", "x", 1, 500)], NOW, ["NOV"])
    assert priced.applied == ()
    assert [r.reason for r in priced.rejected] == ["discount_code_expired"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kind": "bogus", "amount": 1}, "kind"),
        ({"kind": "fixed_amount", "amount": -1}, "amount"),
        ({"kind": "threshold", "every": 300}, "needs amount"),
        ({"kind": "credit", "amount": 5, "percent_bps": 10}, "percent_bps does not apply"),
    ],
)
def test_a_malformed_promotion_is_refused(fields, problem):
    with pytest.raises(ValidationError, match=problem):
        Promotion.model_validate({"id": "p", **fields})
