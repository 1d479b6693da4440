"""Refunds reverse each built-in's fee lines by its ``on_refund`` rule, to the cent.

Arithmetic in the comments: a reversal is ``half_even(refundable x refunded / total)``; several
partial refunds round the cumulative share, so their pieces add up to the whole.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent_checkout.fees import (
    FeeModel,
    builtin_names,
    load_fee_model,
    price_attributed,
    price_order,
    refund_lines,
)
from agent_checkout.fees.explain import describe_component
from agent_checkout.fees.schema import fee_model_json_schema
from tests.fees.conftest import AT, build_order


def models(*names: str) -> list[FeeModel]:
    return [load_fee_model(n) for n in names]


def back(lines) -> list[tuple[str, str, int]]:
    return [(f.model, f.component, f.amount) for f in lines]


# items 2 x 24.99, shipping 14.99, tax 4.71: total 69.68
SHOPIFY = build_order([("kitchen", 2, 2499)], shipping=1499, tax=471)
# items 2 x 19.00, shipping 4.50, tax 3.09: total 45.59
ETSY = build_order([("jewelry", 2, 1900)], shipping=450, tax=309, platform="etsy")

EXPECTED_RULES = {
    "affiliate-network": {"affiliate_commission": "refund"},
    "amazon-associates": {"associate_commission": "refund"},
    "amazon-referral": {"referral": "refund"},
    "etsy-offsite-ads": {"offsite_ads": "refund"},
    "etsy-standard": {
        "listing_renewal": "keep",
        "transaction": "refund",
        "payment_processing": "refund_percentage_keep_fixed",
    },
    "first-party": {"first_party_sale": "refund"},
    "jd-like": {"commission": "refund", "payment_processing": "keep"},
    "flat-per-order": {"order_fee": "keep"},
    "openai-instant-checkout": {"checkout_fee": "refund"},
    "shopify-advanced": {"payment_processing": "keep"},
    "shopify-basic": {"payment_processing": "keep"},
    "shopify-grow": {"payment_processing": "keep"},
    "shopify-plus": {"payment_processing": "keep"},
    "shopify-third-party-surcharge-advanced": {"third_party_gateway": "keep"},
    "shopify-third-party-surcharge-basic": {"third_party_gateway": "keep"},
    "shopify-third-party-surcharge-grow": {"third_party_gateway": "keep"},
    "shopify-third-party-surcharge-plus": {"third_party_gateway": "keep"},
    "sponsored-cpc": {"sponsored_click": "keep"},
    "stripe-standard": {"payment_processing": "keep"},
    "tmall-like": {"technical_service_fee": "refund", "payment_processing": "keep"},
}


def test_every_builtin_sets_and_justifies_its_refund_rule():
    assert sorted(EXPECTED_RULES) == builtin_names()
    for name, rules in EXPECTED_RULES.items():
        model = load_fee_model(name)
        assert {c.name: c.on_refund for c in model.components} == rules, name
        assert "On refund" in model.notes, name
        assert all("on_refund" in c.model_fields_set for c in model.components), name


def test_refund_rule_is_in_the_schema_and_in_fees_show():
    component = fee_model_json_schema()["$defs"]["FeeComponent"]["properties"]["on_refund"]
    assert component["enum"] == ["refund", "keep", "refund_percentage_keep_fixed"]
    assert component["default"] == "refund"
    rows = dict(describe_component(load_fee_model("etsy-standard").components[2]))
    assert rows["on refund"] == "percentage part returned pro rata; fixed and per-unit parts kept"
    rows = dict(describe_component(load_fee_model("stripe-standard").components[0]))
    assert rows["on refund"] == "kept: nothing is returned"


def test_shopify_order_full_and_half_refund():
    names = (
        "openai-instant-checkout",
        "shopify-basic",
        "shopify-third-party-surcharge-basic",
        "stripe-standard",
        "flat-per-order",
        "first-party",
    )
    lines = price_order(SHOPIFY, models(*names))
    # 4% x 64.97 = 2.60; 2.9% x 69.68 + 0.30 = 2.32; 2% x 69.68 = 1.39; stripe 2.32; 0.50;
    # first-party 100% x 64.97
    assert [f.amount for f in lines] == [260, 232, 139, 232, 50, 6497]
    full = refund_lines(SHOPIFY, lines, 6968, models(*names))
    assert back(full) == [
        ("openai-instant-checkout", "checkout_fee", -260),
        ("first-party", "first_party_sale", -6497),
    ]  # processors, Shopify's surcharge and the flat fee are kept
    half = refund_lines(SHOPIFY, lines, 3484, models(*names))
    # 2.60 / 2 = 1.30 exactly; 64.97 / 2 = 32.485 -> half-even 32.48
    assert back(half) == [
        ("openai-instant-checkout", "checkout_fee", -130),
        ("first-party", "first_party_sale", -3248),
    ]
    line = half[0]
    assert (line.payer, line.payee, line.base, line.base_amount, line.rate_bps) == (
        "merchant",
        "ai_platform",
        "items_shipping",
        6497,
        400,
    )


@pytest.mark.parametrize(
    ("tax", "fee", "expected"),
    [
        (1, 107, -54),  # base 26.75: 4% = 1.07; total 26.76, half: 0.535 -> 0.54 (to even)
        (0, 105, -52),  # base 26.25 + 0.01 shipping: 1.05; total 26.26, half: 0.525 -> 0.52
    ],
)
def test_half_even_on_an_exact_half(tax, fee, expected):
    shipping = 0 if tax else 1
    order = build_order([("toys", 1, 2675 if tax else 2625)], tax=tax, shipping=shipping)
    lines = price_order(order, models("openai-instant-checkout"))
    assert lines[0].amount == fee
    [line] = refund_lines(order, lines, order.total_amount // 2, models("openai-instant-checkout"))
    assert line.amount == expected


def test_etsy_partial_refunds_add_up_to_the_full_reversal():
    names = ("openai-instant-checkout", "etsy-standard")
    lines = price_order(ETSY, models(*names))
    assert [f.amount for f in lines] == [170, 40, 276, 162]
    first = refund_lines(ETSY, lines, 1000, models(*names))
    # 1.70 x 10/45.59 = 0.3729 -> 0.37; 2.76 x ... = 0.6054 -> 0.61; processing keeps 0.25:
    # 1.37 x ... = 0.3005 -> 0.30; the renewal is kept
    assert back(first) == [
        ("openai-instant-checkout", "checkout_fee", -37),
        ("etsy-standard", "transaction", -61),
        ("etsy-standard", "payment_processing", -30),
    ]
    rest = refund_lines(ETSY, lines, 3559, models(*names), refunded_before=1000)
    assert back(rest) == [
        ("openai-instant-checkout", "checkout_fee", -133),
        ("etsy-standard", "transaction", -215),
        ("etsy-standard", "payment_processing", -107),
    ]
    full = refund_lines(ETSY, lines, 4559, models(*names))
    assert (
        [a + b for (*_, a), (*_, b) in zip(back(first), back(rest), strict=True)]
        == [f.amount for f in full]
        == [-170, -276, -137]
    )


def test_amazon_referral_per_line_table_refunds_pro_rata():
    order = build_order([("jewelry", 2, 30000), ("electronics", 1, 1000)])
    lines = price_order(order, models("amazon-referral"))
    # jewelry per item: 20% x 250 + 5% x 50 = 52.50, x 2 = 105.00; electronics 8% x 10 = 0.80
    assert lines[0].amount == 10580
    refund = models("amazon-referral")
    assert refund_lines(order, lines, 30500, refund)[0].amount == -5290  # exactly half
    assert refund_lines(order, lines, 1, refund) == []  # 0.1734 of a cent -> 0, left out
    assert refund_lines(order, lines, 3, refund)[0].amount == -1  # 0.52 -> 1
    assert refund_lines(order, lines, 61000, refund)[0].amount == -10580


def test_attributed_commissions_are_clawed_back():
    order = build_order([("kitchen", 1, 2000), ("toys", 1, 1000)], shipping=500)
    associates = models("amazon-associates")
    lines = price_attributed(order, AT - timedelta(hours=2), associates)
    assert lines[0].amount == 120  # 4.5% x 20 + 3% x 10
    assert refund_lines(order, lines, 1750, associates)[0].amount == -60
    assert refund_lines(order, lines, 1000, associates)[0].amount == -34  # 1.20 x 10/35 = 0.3429

    order = build_order([("toys", 1, 2000)], shipping=500, tax=200, platform="etsy")
    ads = models("etsy-offsite-ads")
    lines = price_attributed(order, AT - timedelta(days=3), ads)
    assert lines[0].amount == 375  # 15% x 25.00
    assert refund_lines(order, lines, 900, ads)[0].amount == -125  # a third
    assert refund_lines(order, lines, 100, ads)[0].amount == -14  # 0.1389 -> 0.14


def _model(**component) -> FeeModel:
    return FeeModel.model_validate(
        {"name": "mine", "title": "t", "source": "s", "components": [{"name": "c", **component}]}
    )


def test_percentage_keep_fixed_keeps_fixed_and_per_unit_parts():
    model = _model(
        payee="payment_processor",
        base="total",
        rate_bps=300,
        fixed=25,
        per_unit=10,
        on_refund="refund_percentage_keep_fixed",
    )
    order = build_order([("toys", 3, 1000)])  # total 30.00, 3 units
    [line] = price_order(order, [model])
    assert line.amount == 90 + 25 + 30
    assert back(refund_lines(order, [line], 3000, [model])) == [("mine", "c", -90)]
    capped = _model(
        payee="payment_processor", fixed=50, maximum=40, on_refund="refund_percentage_keep_fixed"
    )
    [line] = price_order(order, [capped])
    assert refund_lines(order, [line], 3000, [capped]) == []  # all of it is the fixed part


def test_a_buyer_surcharge_goes_back_to_the_buyer():
    model = _model(payee="ai_platform", payer="buyer", rate_bps=150)
    [line] = price_order(SHOPIFY, [model])
    [reversal] = refund_lines(SHOPIFY, [line], 6968, [model])
    # 1.5% x 49.98 = 0.7497 -> 0.75, all of it back on a full refund
    assert (reversal.payer, reversal.payee, reversal.amount) == ("buyer", "ai_platform", -75)


def test_bad_refunds_are_refused_in_one_line():
    lines = price_order(SHOPIFY, models("openai-instant-checkout"))
    given = models("openai-instant-checkout")
    with pytest.raises(ValueError, match=r"order ord_1: refund of 6969 exceeds what is left"):
        refund_lines(SHOPIFY, lines, 6969, given)
    with pytest.raises(ValueError, match=r"exceeds what is left of its total \(968 of 6968\)"):
        refund_lines(SHOPIFY, lines, 1000, given, refunded_before=6000)
    with pytest.raises(ValueError, match="must be positive"):
        refund_lines(SHOPIFY, lines, 0, given)
    with pytest.raises(ValueError, match="no fee model 'openai-instant-checkout'"):
        refund_lines(SHOPIFY, lines, 100, models("stripe-standard"))
