"""Etsy receipts from placed orders: exact amounts, transactions, refunds capped at the total."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.etsy import EtsyError, EtsyReceipts, listing_id_of, shop_id_of

from .shop_fixtures import NOW, buy, crafts, northwind, placed_order

PLACED = int(NOW.timestamp())
LATER = NOW + timedelta(days=3)


def usd(amount: int) -> dict:
    return {"amount": amount, "divisor": 100, "currency_code": "USD"}


@pytest.fixture
def receipts() -> EtsyReceipts:
    store = EtsyReceipts()
    store.record(placed_order())
    return store


def test_a_placed_order_becomes_a_paid_receipt_with_exact_amounts(receipts):
    receipt_id = receipts.receipt_id("ord_crafts_0000001")
    body = receipts.get(receipt_id, NOW).wire()
    assert body["receipt_id"] == receipt_id and 10**9 <= receipt_id < 10**10
    assert (body["shop_id"], body["order_id"], body["buyer_email"]) == (
        shop_id_of("crafts"),
        "ord_crafts_0000001",
        "ada@example.com",
    )
    assert (body["status"], body["is_paid"], body["is_shipped"]) == ("paid", True, False)
    assert body["created_timestamp"] == body["updated_timestamp"] == PLACED
    assert {
        k: body[k]
        for k in (
            "grandtotal",
            "subtotal",
            "total_price",
            "total_shipping_cost",
            "total_tax_cost",
            "discount_amt",
            "total_vat_cost",
        )
    } == {
        "grandtotal": usd(14855),  # 138.98 - 5.00 + 4.50 + 10.07
        "subtotal": usd(13398),  # items less discount, as Etsy reports it
        "total_price": usd(13898),
        "total_shipping_cost": usd(450),
        "total_tax_cost": usd(1007),
        "discount_amt": usd(500),
        "total_vat_cost": usd(0),
    }
    assert body["refunds"] == []
    assert [
        (t["listing_id"], t["sku"], t["quantity"], t["price"], t["receipt_id"])
        for t in body["transactions"]
    ] == [
        (listing_id_of("crafts", "p0"), "p0", 2, usd(2499), receipt_id),
        (listing_id_of("crafts", "p1"), "p1", 1, usd(8900), receipt_id),
    ]
    ids = [t["transaction_id"] for t in body["transactions"]]
    assert len(set(ids)) == 2


def test_ids_are_stable_and_recording_is_idempotent(receipts):
    again = EtsyReceipts()
    again.record(placed_order())
    again.record(placed_order())
    first = receipts.get(receipts.receipt_id("ord_crafts_0000001"), NOW)
    assert again.get(again.receipt_id("ord_crafts_0000001"), NOW) == first
    assert again.find_by_shop(shop_id_of("crafts"), now=NOW).count == 1


def test_orders_of_other_platforms_are_ignored():
    store = EtsyReceipts()
    store.record(placed_order("ord_north_0000001", merchant_id="north", platform="shopify"))
    with pytest.raises(EtsyError) as missing:
        store.receipt_id("ord_north_0000001")
    assert missing.value.status == 404


def test_refunds_append_and_never_pass_the_grand_total(receipts):
    receipt_id = receipts.receipt_id("ord_crafts_0000001")
    partial = receipts.refund(receipt_id, 4855, "damaged in transit", LATER)
    assert partial.status == "paid" and partial.refunded == 4855
    assert partial.wire()["refunds"] == [
        {
            "amount": usd(4855),
            "created_timestamp": int(LATER.timestamp()),
            "reason": "damaged in transit",
            "note_from_issuer": None,
            "status": "refunded",
        }
    ]
    assert partial.updated_timestamp == int(LATER.timestamp())
    with pytest.raises(EtsyError) as too_much:
        receipts.refund(receipt_id, 10001, "goodwill", LATER)
    assert (too_much.value.status, too_much.value.body()) == (
        400,
        {
            "error": f"Invalid parameter amount: 10001 exceeds the 10000 left to refund on "
            f"receipt {receipt_id} (grandtotal 14855)"
        },
    )
    assert receipts.get(receipt_id, LATER).refunded == 4855  # the refused one left no trace
    full = receipts.refund(receipt_id, 10000, "returned", LATER)
    assert (full.refunded, full.status) == (14855, "canceled")
    with pytest.raises(EtsyError, match="exceeds the 0 left"):
        receipts.refund(receipt_id, 1, "again", LATER)


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        (0, "x", "Invalid parameter amount: expected a positive integer of minor units, got 0"),
        (
            12.5,
            "x",
            "Invalid parameter amount: expected a positive integer of minor units, got 12.5",
        ),
        (100, " ", "Invalid parameter reason: must be non-empty text"),
    ],
)
def test_bad_refunds_are_400(receipts, amount, reason, message):
    with pytest.raises(EtsyError) as refused:
        receipts.refund(receipts.receipt_id("ord_crafts_0000001"), amount, reason, NOW)
    assert refused.value.body() == {"error": message}


def test_complete_marks_shipped_once(receipts):
    receipt_id = receipts.receipt_id("ord_crafts_0000001")
    done = receipts.complete(receipt_id, LATER)
    assert (done.status, done.is_shipped) == ("completed", True)
    with pytest.raises(EtsyError) as twice:
        receipts.complete(receipt_id, LATER)
    assert twice.value.status == 409
    with pytest.raises(EtsyError) as unknown:
        receipts.get(1, NOW)
    assert unknown.value.body() == {"error": "receipt 1 not found"}


def test_attached_receipts_follow_real_checkouts_newest_first():
    merchant, other = crafts(), northwind()
    store = EtsyReceipts()
    store.attach([merchant, other])
    store.attach([merchant])  # attaching twice does not double the sink
    assert merchant.checkout.order_sinks.count(store.record) == 1
    assert store.record not in other.checkout.order_sinks
    first = buy(merchant, "p1", 1)
    second = buy(merchant, "p0", 2, NOW + timedelta(minutes=5))
    page = store.find_by_shop(shop_id_of("crafts"), now=NOW)
    assert page.count == 2
    assert [r.order_id for r in page.results] == [second.order.id, first.order.id]
    lamp = page.results[1]
    # 89.00, free standard shipping over 35.00, 7.25% tax = 6.4525 -> 6.45
    assert (
        lamp.grandtotal.amount,
        lamp.subtotal.amount,
        lamp.total_shipping_cost.amount,
        lamp.total_tax_cost.amount,
    ) == (9545, 8900, 0, 645)
    assert [
        r.order_id
        for r in store.find_by_shop(shop_id_of("crafts"), now=NOW, limit=1, offset=1).results
    ] == [first.order.id]
    assert store.find_by_shop(1, now=NOW).count == 0
    with pytest.raises(EtsyError, match="limit: must be between 1 and 100, got 0"):
        store.find_by_shop(shop_id_of("crafts"), now=NOW, limit=0)
