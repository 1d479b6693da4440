"""Every built-in fee model against hand-computed orders, to the cent (arithmetic in comments)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent_checkout.fees import (
    Click,
    FeeContext,
    FeePricer,
    builtin_names,
    load_fee_model,
    price_attributed,
    price_click,
    price_order,
)
from agent_checkout.fees.explain import SOURCES_NOTE, source_lines
from agent_checkout.ledger.store import journal

AT = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
SOURCES_PAGE = Path(__file__).parents[2] / "docs" / "sources.md"
# "docs/sources.md, <section>, row 'A'" or "..., rows 'A', 'B'": where a model's figures are
CITATION = re.compile(r"^docs/sources\.md, ([^,]+), rows? ((?:'[^']+'(?:, )?)+)")


def amounts(lines):
    return [(f.model, f.component, f.payer, f.payee, f.base_amount, f.amount) for f in lines]


def net_of_merchant(order, lines):
    return sum(p[2] for p in journal(order, lines) if p[0] == "merchant")


def test_library_lists_every_model_and_each_cites_a_source():
    names = builtin_names()
    assert names == sorted(
        [
            "affiliate-network",
            "amazon-associates",
            "amazon-referral",
            "etsy-offsite-ads",
            "etsy-standard",
            "first-party",
            "flat-per-order",
            "jd-like",
            "openai-instant-checkout",
            "shopify-advanced",
            "shopify-basic",
            "shopify-grow",
            "shopify-plus",
            "shopify-third-party-surcharge-advanced",
            "shopify-third-party-surcharge-basic",
            "shopify-third-party-surcharge-grow",
            "shopify-third-party-surcharge-plus",
            "sponsored-cpc",
            "stripe-standard",
            "tmall-like",
        ]
    )
    for name in names:
        model = load_fee_model(name)
        assert model.name == name
        assert CITATION.match(model.source), name


def _sources_rows() -> dict[str, set[str]]:
    """Each section of docs/sources.md with the names in the first column of its table."""
    sections: dict[str, set[str]] = {}
    rows: set[str] = set()
    for line in SOURCES_PAGE.read_text().splitlines():
        if line.startswith("## "):
            rows = sections.setdefault(line[3:], set())
        elif line.startswith("| ") and not line.startswith("|---"):
            rows.add(line[2:].split(" | ", 1)[0])
    return sections


def test_every_row_a_builtin_model_cites_is_on_the_sources_page():
    sections = _sources_rows()
    cited = 0
    for name in builtin_names():
        section, rows = CITATION.match(load_fee_model(name).source).groups()
        assert section in sections, (name, section)
        for row in re.findall(r"'([^']+)'", rows):
            assert row in sections[section], (name, row)
            cited += 1
    assert cited == 22  # 20 models; etsy-standard cites three rows


def test_fees_show_says_what_the_sources_page_is():
    assert source_lines(load_fee_model("stripe-standard")) == [
        "source: docs/sources.md, Fees charged per order, row 'Stripe, domestic card': 2.9% + 30¢ "
        "per successful charge (stripe.com/pricing, transcribed copy)",
        "(docs/sources.md: the page of public figures and their sources in the agent-checkout "
        "source repository, one row per figure.)",
    ]
    assert source_lines(load_fee_model("first-party"))[1] == SOURCES_NOTE


def test_openai_instant_checkout_four_percent_of_items_and_shipping(make_order):
    order = make_order([("apparel", 1, 1000)], shipping=250, tax=91)
    # 4% x (10.00 + 2.50) = 0.50 exactly; tax is not in the base
    assert amounts(price_order(order, [load_fee_model("openai-instant-checkout")])) == [
        ("openai-instant-checkout", "checkout_fee", "merchant", "ai_platform", 1250, 50)
    ]


def test_affiliate_network_by_category_on_items_only(make_order):
    order = make_order([("kitchen", 1, 1_010), ("outdoor", 2, 1_250)], shipping=500, tax=91)
    # one line: 4.5% x 10.10 + 3% x 25.00 = 0.4545 + 0.75 = 1.2045 -> 1.20; no shipping or tax
    assert amounts(price_order(order, [load_fee_model("affiliate-network")])) == [
        ("affiliate-network", "affiliate_commission", "merchant", "affiliate_network", 3_510, 120)
    ]


def test_stripe_standard(make_order):
    order = make_order([("kitchen", 1, 9300)], shipping=0, tax=700)  # total 100.00
    # 2.9% x 100.00 = 2.90, + 0.30 = 3.20
    assert amounts(price_order(order, [load_fee_model("stripe-standard")])) == [
        ("stripe-standard", "payment_processing", "merchant", "payment_processor", 10000, 320)
    ]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ("basic", 232),  # 2.9%  x 69.68 = 2.02072 -> 2.02, + 0.30
        ("grow", 218),  # 2.7%  x 69.68 = 1.88136 -> 1.88, + 0.30
        ("advanced", 204),  # 2.5%  x 69.68 = 1.742   -> 1.74, + 0.30
        ("plus", 187),  # 2.25% x 69.68 = 1.5678  -> 1.57, + 0.30
    ],
)
def test_shopify_payments_plans(make_order, plan, expected):
    order = make_order([("kitchen", 2, 2499)], shipping=1499, tax=471)  # total 69.68
    [line] = price_order(order, [load_fee_model(f"shopify-{plan}")])
    assert (line.base, line.base_amount, line.fixed, line.amount) == ("total", 6968, 30, expected)


@pytest.mark.parametrize(
    ("plan", "rate", "expected"),
    [
        ("basic", 200, 139),  # 2%   x 69.68 = 1.3936  -> 1.39
        ("grow", 100, 70),  # 1%   x 69.68 = 0.6968  -> 0.70
        ("advanced", 60, 42),  # 0.6% x 69.68 = 0.41808 -> 0.42
        ("plus", 20, 14),  # 0.2% x 69.68 = 0.13936 -> 0.14
    ],
)
def test_shopify_third_party_surcharge_per_plan(make_order, plan, rate, expected):
    model = load_fee_model(f"shopify-third-party-surcharge-{plan}")
    order = make_order([("kitchen", 2, 2499)], shipping=1499, tax=471)
    [line] = price_order(order, [model])
    assert (line.payee, line.rate_bps, line.amount) == ("marketplace", rate, expected)
    etsy = make_order([("kitchen", 2, 2499)], platform="etsy")
    assert price_order(etsy, [model]) == []  # a Shopify surcharge only


def test_etsy_standard(make_order):
    order = make_order([("jewelry", 3, 1200)], platform="etsy")  # items 36.00, total 36.00
    # renewal 3 x 0.20 = 0.60; transaction 6.5% x 36.00 = 2.34; processing 3% x 36.00 = 1.08,
    # + 0.25 = 1.33
    assert [
        (f.component, f.amount) for f in price_order(order, [load_fee_model("etsy-standard")])
    ] == [("listing_renewal", 60), ("transaction", 234), ("payment_processing", 133)]


def test_etsy_offsite_ads_attribution_window_and_rate(make_order):
    model = load_fee_model("etsy-offsite-ads")
    order = make_order([("jewelry", 1, 5000)], shipping=500, tax=399, platform="etsy")
    # 15% x (50.00 + 5.00) = 8.25 (the shop has no sales yet)
    assert price_order(order, [model]) == []  # not a click-through order: no ads fee
    for days, expected in ((0, 825), (10, 825), (30, 825), (31, None)):
        lines = price_attributed(order, order.placed_at - timedelta(days=days), [model])
        assert [f.amount for f in lines] == ([] if expected is None else [expected]), days
    later = price_attributed(order, order.placed_at + timedelta(hours=1), [model])
    assert later == []  # an order before the click is not attributed to it


def test_etsy_offsite_ads_capped_at_100_dollars(make_order):
    order = make_order([("jewelry", 1, 80000)], platform="etsy")
    # 15% x 800.00 = 120.00 -> capped at 100.00
    [line] = price_attributed(order, order.placed_at, [load_fee_model("etsy-offsite-ads")])
    assert (line.rate_bps, line.amount) == (1500, 10000)


def test_etsy_offsite_ads_rate_falls_to_12_percent_at_10k_of_sales(make_order):
    pricer = FeePricer(
        [load_fee_model("etsy-offsite-ads")], FeeContext(opening={"juniper": 990_000})
    )  # $9,900 before the run

    def buy(n, items, shipping=0):
        order = make_order(
            [("jewelry", 1, items)],
            shipping=shipping,
            platform="etsy",
            merchant="juniper",
            at=AT + timedelta(hours=n),
            order_id=f"o{n}",
        )
        return [(f.rate_bps, f.amount) for f in pricer.price(order, clicked_at=order.placed_at)]

    assert buy(1, 5000, 500) == [(1500, 825)]  # volume 9,900.00 < 10k: 15% x 55.00 = 8.25
    assert buy(2, 6000) == [(1500, 900)]  # volume 9,955.00: 15% x 60.00 = 9.00
    assert buy(3, 5000, 500) == [(1200, 660)]  # volume 10,015.00: 12% x 55.00 = 6.60
    assert (
        pricer.context.volume("juniper", AT + timedelta(days=1)) == 990_000 + 5_500 + 6_000 + 5_500
    )


def test_etsy_offsite_ads_volume_counts_only_the_last_365_days(make_order):
    pricer = FeePricer({"shop": [load_fee_model("etsy-offsite-ads")]})

    def buy(day, items):
        order = make_order(
            [("home_decor", 1, items)],
            platform="etsy",
            merchant="shop",
            at=AT + timedelta(days=day),
            order_id=f"d{day}",
        )
        return [(f.rate_bps, f.amount) for f in pricer.price(order, clicked_at=order.placed_at)]

    assert buy(0, 600_000) == [(1500, 10_000)]  # 15% x 6,000.00 = 900.00 -> cap 100.00
    assert buy(100, 500_000) == [(1500, 10_000)]  # volume 6,000.00: 15%, capped
    assert buy(200, 10_000) == [(1200, 1_200)]  # volume 11,000.00: 12% x 100.00 = 12.00
    # day 400: the day-0 sale left the window; volume 5,000.00 + 100.00: 15% x 100.00 = 15.00
    assert buy(400, 10_000) == [(1500, 1_500)]


def test_amazon_associates_category_table_excludes_shipping_and_tax(make_order):
    model = load_fee_model("amazon-associates")
    order = make_order(
        [
            ("kitchen", 2, 2500),  # 4.5% x 50.00 = 2.25
            ("toys", 1, 3000),  # 3%   x 30.00 = 0.90
            ("electronics", 1, 6500),  # 4%   x 65.00 = 2.60 (all other)
            ("gift_cards", 1, 5000),  # 0%
            ("garden", 1, 1000),  # not listed: 4% x 10.00 = 0.40
        ],
        shipping=599,
        tax=700,
    )
    # 2.25 + 0.90 + 2.60 + 0 + 0.40 = 6.15 on items 205.00 (blended 3.00%)
    [line] = price_attributed(order, order.placed_at - timedelta(hours=2), [model])
    assert (line.payee, line.base_amount, line.rate_bps, line.amount) == (
        "ai_platform",
        20500,
        300,
        615,
    )
    assert price_attributed(order, order.placed_at - timedelta(hours=25), [model]) == []
    assert price_order(order, [model]) == []


def test_amazon_referral_categories_tiers_and_per_item_minimum(make_order):
    order = make_order(
        [
            ("electronics", 1, 6500),  # 8% x 65.00 = 5.20
            ("apparel", 2, 4500),  # clothing 17% x 90.00 = 15.30
            ("jewelry", 1, 30000),  # 20% x 250.00 + 5% x 50.00 = 50.00 + 2.50 = 52.50
            ("kitchen", 1, 150),  # 15% x 1.50 = 0.225 -> 0.22 (half-even) -> minimum 0.30
            ("toys", 3, 100),  # 15% x 3.00 = 0.45 -> minimum 3 x 0.30 = 0.90
        ],
        shipping=999,
    )
    # 5.20 + 15.30 + 52.50 + 0.30 + 0.90 = 74.20 on items 459.50
    [line] = price_order(order, [load_fee_model("amazon-referral")])
    assert (line.payee, line.base_amount, line.amount) == ("marketplace", 45950, 7420)


def test_amazon_referral_jewelry_bands_are_per_item(make_order):
    order = make_order([("jewelry", 2, 30000)])
    # per ring 20% x 250 + 5% x 50 = 52.50; two rings 105.00 (not 20% x 250 + 5% x 350 = 67.50)
    [line] = price_order(order, [load_fee_model("amazon-referral")])
    assert line.amount == 10500


def test_sponsored_cpc_prices_clicks_not_orders(make_order):
    model = load_fee_model("sponsored-cpc")
    click = Click("m1", "shopify", "usd", "outdoor", AT)
    assert amounts(price_click(click, [model])) == [
        ("sponsored-cpc", "sponsored_click", "merchant", "ai_platform", 0, 45)
    ]
    [line] = FeePricer([model]).price_click(click)
    assert (line.base, line.units, line.amount) == ("click", 1, 45)
    assert price_order(make_order([("outdoor", 1, 7500)]), [model]) == []


def test_first_party_moves_the_sale_to_the_platform(make_order):
    order = make_order([("apparel", 1, 5000)], shipping=500, tax=400)  # total 59.00
    lines = price_order(order, [load_fee_model("first-party"), load_fee_model("stripe-standard")])
    # the whole sale net of tax, 55.00, goes to the AI platform; Stripe 2.9% x 59.00 = 1.711
    # -> 1.71, + 0.30 = 2.01, paid by the store
    assert amounts(lines) == [
        ("first-party", "first_party_sale", "merchant", "ai_platform", 5500, 5500),
        ("stripe-standard", "payment_processing", "merchant", "payment_processor", 5900, 201),
    ]
    postings = journal(order, lines)
    assert sum(p[2] for p in postings) == 0
    assert ("ai_platform", "first-party", 5500, "first-party/first_party_sale") in postings
    assert net_of_merchant(order, lines) == 5900 - 400 - 5500 - 201 == -201


def test_flat_per_order(make_order):
    for items in (100, 100_000):
        [line] = price_order(make_order([("toys", 1, items)]), [load_fee_model("flat-per-order")])
        assert line.amount == 50


def test_fixed_amount_models_refuse_another_currency(make_order):
    order = make_order([("toys", 1, 1000)], currency="eur")
    with pytest.raises(ValueError, match="priced in usd, not eur"):
        price_order(order, [load_fee_model("shopify-basic")])
    assert [f.amount for f in price_order(order, [load_fee_model("openai-instant-checkout")])] == [
        40
    ]  # pure rates price any currency
