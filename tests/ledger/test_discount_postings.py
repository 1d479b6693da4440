"""Discounts in the ledger: each posted to its funder, every journal still balancing.

The Singles' Day lamp order of ``tests/merchants/promotion_fixtures`` (tmall-b): list 12900,
discounts 1138 (threshold, the marketplace), 500 (AI5 coupon, the AI platform) and 220 (credit,
the AI platform); the buyer pays 11042. The 4% checkout fee applies to the price paid (items less
discounts plus shipping): 4% of 11042 = 441.68 -> 442.
"""

from __future__ import annotations

import duckdb

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, verify_ledger
from tests.merchants.checkout_fixtures import pay
from tests.merchants.promotion_fixtures import A_LINES, CODES, NOW, open_session, two_stores

FEE = "openai-instant-checkout/checkout_fee"


def _lamp_order():
    orders: list = []
    stores = two_stores(orders)
    session = open_session(stores["tmall-b"], {"b1": 1}, codes=CODES, companions=A_LINES)
    pay(stores["tmall-b"], session.id, session.total(), NOW)
    return orders[0]


def test_subsidies_are_posted_from_their_funders_to_the_merchant(tmp_path):
    order = _lamp_order()
    lines = price_order(order, [load_fee_model("openai-instant-checkout")])
    assert [(f.component, f.base_amount, f.amount) for f in lines] == [("checkout_fee", 11042, 442)]
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.record(order, lines)
    assert str(verify_ledger(path)).startswith("ledger balances: 1 orders")
    con = duckdb.connect(str(path), read_only=True)
    postings = con.execute(
        "SELECT kind, account, party, amount, memo FROM postings ORDER BY journal, seq"
    ).fetchall()
    assert postings == [
        ("order", "buyer", "", -11042, "order total"),
        ("order", "merchant", "tmall-b", 11042, "sale"),
        ("order", "tax_authority", "", 0, "sales tax"),
        ("order", "merchant", "tmall-b", -442, FEE),
        ("order", "ai_platform", "openai-instant-checkout", 442, FEE),
        ("discount", "marketplace", "every-300-off-50", -1138, "discount/every-300-off-50"),
        ("discount", "merchant", "tmall-b", 1138, "discount/every-300-off-50"),
        ("discount", "ai_platform", "AI5", -500, "discount/AI5"),
        ("discount", "merchant", "tmall-b", 500, "discount/AI5"),
        ("discount", "ai_platform", "red-packet", -220, "discount/red-packet"),
        ("discount", "merchant", "tmall-b", 220, "discount/red-packet"),
    ]
    by_funder = con.execute(
        "SELECT funder, SUM(amount) FROM discount_lines GROUP BY funder ORDER BY funder"
    ).fetchall()
    assert by_funder == [("ai_platform", 720), ("marketplace", 1138)]
    # The merchant is made whole: sale 11042 - fee 442 + subsidies 1858 = list 12900 - 442.
    merchant = con.execute(
        "SELECT SUM(amount) FROM postings WHERE account = 'merchant'"
    ).fetchone()[0]
    assert merchant == 12900 - 442
    con.close()


def test_verify_names_a_subsidy_that_does_not_match_its_lines(tmp_path):
    order = _lamp_order()
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.record(order, [])
    con = duckdb.connect(str(path))
    con.execute("UPDATE discount_lines SET funder = 'merchant' WHERE promotion_id = 'AI5'")
    con.close()
    verdict = verify_ledger(path)
    assert str(verdict) == (
        f"ledger does not balance: discount postings != subsidies in its discount lines by 500 "
        f"(order {order.id})"
    )
