"""Properties over random orders and random fee models: fees are non-negative ints and the
ledger journal of every order balances (buyer paid = merchant net + every fee + tax)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_checkout.fees import FeeModel, FeePricer, builtin_names, load_fee_model
from agent_checkout.ledger.store import journal
from merchants.orders import OrderLine, PlacedOrder

AT = datetime(2026, 11, 11, tzinfo=UTC)
CATEGORIES = ["toys", "kitchen", "jewelry", "electronics", "apparel", "garden"]
ORDER_MODELS = [n for n in builtin_names() if n != "sponsored-cpc"]

money = st.integers(0, 200_000)
rates = st.integers(0, 10_000)


@st.composite
def bands(draw) -> list[dict]:
    thresholds = sorted(draw(st.sets(st.integers(1, 1_000_000), max_size=3)))
    return [{"at_least": t, "rate_bps": draw(rates)} for t in [0, *thresholds]]


@st.composite
def components(draw, index: int) -> dict:
    component = {
        "name": f"c{index}",
        "payee": draw(
            st.sampled_from(
                ["ai_platform", "payment_processor", "marketplace", "affiliate_network"]
            )
        ),
        "payer": draw(st.sampled_from(["merchant", "buyer"])),
        "base": draw(st.sampled_from(["items", "items_shipping", "total"])),
        "fixed": draw(st.integers(0, 1_000)),
        "per_unit": draw(st.integers(0, 200)),
    }
    kind = draw(st.sampled_from(["flat", "value", "volume", "table", "item_minimum"]))
    if kind == "flat":
        component["rate_bps"] = draw(rates)
    elif kind == "value":
        component["tiers"] = {
            "mode": draw(st.sampled_from(["marginal", "whole"])),
            "bands": draw(bands()),
        }
    elif kind == "volume":
        component["tiers"] = {
            "by": "running_volume",
            "bands": draw(bands()),
            "window_days": draw(st.none() | st.integers(1, 400)),
        }
    else:
        component["base"] = "items"
        component["rate_bps"] = draw(rates)
        component["item_minimum"] = draw(st.none() | st.integers(0, 100))
        if kind == "table":
            component["categories"] = {
                c: draw(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "rate_bps": rates,
                            "per_unit": st.integers(0, 100),
                            "item_minimum": st.integers(0, 100),
                        },
                    )
                    | st.builds(lambda b: {"bands": b}, bands())
                )
                for c in draw(st.sets(st.sampled_from(CATEGORIES), max_size=3))
            }
    low, high = sorted(draw(st.tuples(money, money)))
    bounds = draw(st.sampled_from(["none", "min", "max", "both"]))
    if bounds in ("min", "both"):
        component["minimum"] = low
    if bounds in ("max", "both"):
        component["maximum"] = high
    if draw(st.booleans()):
        component["trigger"] = "purchase_attributed"
        component["attribution_days"] = draw(st.integers(1, 60))
    return component


@st.composite
def fee_models(draw) -> FeeModel:
    count = draw(st.integers(1, 4))
    return FeeModel.model_validate(
        {
            "name": "random",
            "title": "random",
            "source": "hypothesis",
            "components": [draw(components(i)) for i in range(count)],
        }
    )


@st.composite
def orders(draw, n: int) -> PlacedOrder:
    lines = tuple(
        OrderLine(f"p{i}", "x", draw(st.sampled_from(CATEGORIES)), qty, price, qty * price, 0)
        for i, (qty, price) in enumerate(
            draw(
                st.lists(
                    st.tuples(st.integers(1, 5), st.integers(0, 100_000)), min_size=1, max_size=4
                )
            )
        )
    )
    items = sum(line.subtotal for line in lines)
    discount, shipping, tax = draw(st.integers(0, items)), draw(money), draw(money)
    return PlacedOrder(
        id=f"o{n}",
        checkout_session_id=f"cs{n}",
        merchant_id=draw(st.sampled_from("ab")),
        platform=draw(st.sampled_from(["shopify", "etsy"])),
        currency="usd",
        lines=lines,
        items_amount=items,
        discount_amount=discount,
        shipping_amount=shipping,
        tax_amount=tax,
        total_amount=items - discount + shipping + tax,
        placed_at=AT + timedelta(days=draw(st.integers(0, 800))),
        buyer_email=None,
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fees_are_non_negative_ints_and_every_journal_balances(data):
    models = [data.draw(fee_models())] + [
        load_fee_model(n)
        for n in data.draw(st.lists(st.sampled_from(ORDER_MODELS), max_size=3, unique=True))
    ]
    pricer = FeePricer(models)
    for n in range(data.draw(st.integers(1, 4))):
        order = data.draw(orders(n))
        days_before = data.draw(st.none() | st.integers(-2, 90))
        clicked_at = None if days_before is None else order.placed_at - timedelta(days_before)
        lines = pricer.price(order, clicked_at=clicked_at)
        by_key = {(m.name, c.name): c for m in models for c in m.components}
        for line in lines:
            assert type(line.amount) is int and line.amount >= 0
            component = by_key[(line.model, line.component)]
            assert component.minimum is None or line.amount >= component.minimum
            assert component.maximum is None or line.amount <= component.maximum
        postings = journal(order, lines)
        assert sum(p[2] for p in postings) == 0
        paid = -sum(p[2] for p in postings if p[0] == "buyer")
        net = sum(p[2] for p in postings if p[0] == "merchant")
        tax = sum(p[2] for p in postings if p[0] == "tax_authority")
        assert paid == net + sum(f.amount for f in lines) + tax
        assert tax == order.tax_amount
