"""Hand-computed orders: every fee line, the merchant's net and the ledger, to the cent."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, journal, verify_ledger
from merchants.orders import OrderLine, PlacedOrder

AT = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)

SHOPIFY_ORDER = PlacedOrder(
    id="ord_n_1",
    checkout_session_id="cs_n_1",
    merchant_id="northwind",
    platform="shopify",
    currency="usd",
    lines=(OrderLine("mug", "Stoneware Mug", "kitchen", 2, 2499, 4998, 362),),
    items_amount=4998,
    discount_amount=0,
    shipping_amount=1499,
    tax_amount=471,
    total_amount=6968,
    placed_at=AT,
    buyer_email="ada@example.com",
)

ETSY_ORDER = PlacedOrder(
    id="ord_j_1",
    checkout_session_id="cs_j_1",
    merchant_id="juniper",
    platform="etsy",
    currency="usd",
    lines=(OrderLine("ring", "Silver Ring", "jewelry", 2, 1900, 3800, 276),),
    items_amount=3800,
    discount_amount=0,
    shipping_amount=450,
    tax_amount=309,
    total_amount=4559,
    placed_at=AT,
    buyer_email="bo@example.com",
)


def _models(*names):
    return [load_fee_model(n) for n in names]


def test_shopify_basic_order_with_instant_checkout():
    lines = price_order(SHOPIFY_ORDER, _models("openai-instant-checkout", "shopify-basic"))
    # 4% of items + shipping: 0.04 x 64.97 = 2.5988 -> 2.60
    # Shopify Payments Basic: 2.9% x 69.68 = 2.02072 -> 2.02, + 0.30 = 2.32
    assert [(f.model, f.component, f.payee, f.base_amount, f.amount) for f in lines] == [
        ("openai-instant-checkout", "checkout_fee", "ai_platform", 6497, 260),
        ("shopify-basic", "payment_processing", "payment_processor", 6968, 232),
    ]
    postings = journal(SHOPIFY_ORDER, lines)
    assert sum(p[2] for p in postings) == 0
    net = sum(p[2] for p in postings if p[0] == "merchant")
    assert net == 6968 - 471 - 260 - 232 == 6005
    assert -sum(p[2] for p in postings if p[0] == "buyer") == net + 260 + 232 + 471


def test_etsy_order_with_instant_checkout():
    lines = price_order(ETSY_ORDER, _models("openai-instant-checkout", "etsy-standard"))
    # 4% of 42.50 = 1.70; renewal 2 x 0.20; transaction 6.5% x 42.50 = 2.7625 -> 2.76;
    # processing 3% x 45.59 = 1.3677 -> 1.37, + 0.25 = 1.62
    assert [(f.component, f.payee, f.amount) for f in lines] == [
        ("checkout_fee", "ai_platform", 170),
        ("listing_renewal", "marketplace", 40),
        ("transaction", "marketplace", 276),
        ("payment_processing", "payment_processor", 162),
    ]
    net = sum(p[2] for p in journal(ETSY_ORDER, lines) if p[0] == "merchant")
    assert net == 4559 - 309 - 648 == 3602


def test_ledger_file_balances_and_verify_names_a_bad_order(tmp_path):
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="hand", seed=1, currency="usd", fee_models=["x"])
        for order, names in (
            (SHOPIFY_ORDER, ("openai-instant-checkout", "shopify-basic")),
            (ETSY_ORDER, ("openai-instant-checkout", "etsy-standard")),
        ):
            ledger.record(order, price_order(order, _models(*names)), session_id="s1")
    verdict = verify_ledger(path)
    assert verdict.ok and (verdict.orders, verdict.postings) == (2, 3 + 2 * 2 + 3 + 4 * 2)
    con = duckdb.connect(str(path))
    assert con.execute(
        "SELECT account, SUM(amount) FROM postings GROUP BY account ORDER BY account"
    ).fetchall() == [
        ("ai_platform", 430),
        ("buyer", -11527),
        ("marketplace", 316),
        ("merchant", 9607),
        ("payment_processor", 394),
        ("tax_authority", 780),
    ]
    assert con.execute(
        "SELECT party FROM postings WHERE account = 'tax_authority' LIMIT 1"
    ).fetchone() == ("",)
    con.execute(
        "UPDATE fee_lines SET amount = amount + 1 WHERE order_id = 'ord_j_1' "
        "AND component = 'transaction'"
    )
    con.close()
    verdict = verify_ledger(path)
    assert not verdict.ok and verdict.order_id == "ord_j_1"
    assert "buyer paid != merchant net + fees + tax" in str(verdict)
