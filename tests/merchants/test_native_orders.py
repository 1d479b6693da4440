"""ACP 2026-04-17 native orders in process: fulfillments with their event log, adjustments,
totals, and order events carrying the whole order as it was at each event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.errors import ProtocolError
from merchants.events import CallableSink
from merchants.merchant import Merchant
from merchants.native_orders import event_body, order_2026
from merchants.payments import PaymentProcessor

from .acp_2026_schemas import check, check_event
from .checkout_fixtures import NOW, buy_in_process, tiny_catalog
from .test_order_events import PROFILE, SECRET, TOTAL

ORDER = "ord_tiny_0000001"
TRACKING = "https://track.example/usps/"
TOTALS = [
    {"type": "items_base_amount", "display_text": "Item(s) total", "amount": 4998},
    {"type": "subtotal", "display_text": "Subtotal", "amount": 4998},
    {"type": "fulfillment", "display_text": "Shipping", "amount": 599},
    {"type": "tax", "display_text": "Tax", "amount": 405},
    {"type": "total", "display_text": "Total", "amount": TOTAL},
]


def _merchant(sink=None) -> Merchant:
    merchant = Merchant(PROFILE, seed=1, processor=PaymentProcessor(), catalog=tiny_catalog())
    if sink is not None:
        merchant.set_event_sink(sink, SECRET, "2026-04-17")
    return merchant


def _buy(merchant: Merchant) -> str:
    _, _, done = buy_in_process(merchant, "mug", NOW, quantity=2)
    assert done.order.id == ORDER
    return ORDER


def _line(current: int = 2, fulfilled: int = 0, status: str = "processing") -> dict:
    return {
        "id": "li_1",
        "title": "Stoneware Mug",
        "product_id": "mug",
        "quantity": {"ordered": 2, "current": current, "fulfilled": fulfilled},
        "unit_price": 2499,
        "subtotal": 4998,
        "status": status,
    }


def test_a_placed_order_is_2026_04_17s_order():
    merchant = _merchant()
    body = order_2026(merchant.order(_buy(merchant)))
    check("Order", body)
    assert body == {
        "type": "order",
        "id": ORDER,
        "checkout_session_id": "cs_tiny_0000001",
        "permalink_url": "https://tiny.example/orders/0000001",
        "status": "created",
        "line_items": [_line()],
        "fulfillments": [],
        "adjustments": [],
        "totals": TOTALS,
    }


def test_shipping_tracking_delivery_refunds_and_a_dispute():
    sink = CallableSink()
    merchant = _merchant(sink)
    order_id = _buy(merchant)
    hour = timedelta(hours=1)
    merchant.ship(order_id, NOW + hour)
    merchant.track(order_id, "in_transit", NOW + 20 * hour, "Memphis, TN")
    merchant.fulfill(order_id, NOW + 50 * hour)
    merchant.refund(order_id, 1000, NOW + 60 * hour)
    merchant.refund(order_id, 500, NOW + 61 * hour, "store_credit")
    merchant.dispute(order_id, TOTAL - 1500, NOW + 70 * hour, "product_not_received")
    with pytest.raises(ProtocolError) as refused:
        merchant.refund(order_id, 1, NOW + 71 * hour)  # the dispute holds the rest
    assert (refused.value.status, refused.value.code) == (400, "refund_exceeds_payment")

    body = order_2026(merchant.order(order_id))
    check("Order", body)
    number = merchant.order(order_id).fulfillments[0].tracking_number
    assert len(number) == 22 and number.isdigit()
    assert body["status"] == "completed"
    assert body["line_items"] == [_line(fulfilled=2, status="fulfilled")]
    assert body["fulfillments"] == [
        {
            "id": "ful_1",
            "type": "shipping",
            "status": "delivered",
            "line_items": [{"id": "li_1", "quantity": 2}],
            "carrier": "USPS",
            "tracking_number": number,
            "tracking_url": TRACKING + number,
            "events": [
                {"id": "evt_1", "type": "shipped", "occurred_at": "2026-11-11T13:00:00Z"},
                {
                    "id": "evt_2",
                    "type": "in_transit",
                    "occurred_at": "2026-11-12T08:00:00Z",
                    "location": "Memphis, TN",
                },
                {"id": "evt_3", "type": "delivered", "occurred_at": "2026-11-13T14:00:00Z"},
            ],
        }
    ]
    assert body["adjustments"] == [
        {
            "id": "adj_1",
            "type": "refund",
            "occurred_at": "2026-11-14T00:00:00Z",
            "status": "completed",
            "amount": 1000,
            "currency": "usd",
        },
        {
            "id": "adj_2",
            "type": "credit",
            "occurred_at": "2026-11-14T01:00:00Z",
            "status": "completed",
            "amount": 500,
            "currency": "usd",
        },
        {
            "id": "adj_3",
            "type": "dispute",
            "occurred_at": "2026-11-14T10:00:00Z",
            "status": "pending",
            "amount": 4502,
            "currency": "usd",
            "reason": "product_not_received",
        },
    ]
    assert body["totals"] == [
        *TOTALS,
        {"type": "amount_refunded", "display_text": "Refunded", "amount": 1500},
    ]
    record = merchant.order(order_id)
    assert (record.refunded, record.disputed, record.refundable) == (1500, 4502, 0)
    # 2025-09-29's refunds still list the refund and the credit, never the dispute.
    assert [(r.type, r.amount) for r in record.refunds] == [
        ("original_payment", 1000),
        ("store_credit", 500),
    ]

    events = [d.event for d in sink.deliveries]
    for event in events:
        check_event(event)
    assert [(e["type"], e["data"]["status"]) for e in events] == [
        ("order_create", "created"),
        ("order_update", "shipped"),
        ("order_update", "shipped"),
        ("order_update", "completed"),
        ("order_update", "completed"),
        ("order_update", "completed"),
        ("order_update", "completed"),
    ]
    # Each event carries the order as it was then: the log grows one entry at a time.
    assert [len(e["data"]["fulfillments"]) for e in events] == [0, 1, 1, 1, 1, 1, 1]
    logs = [[x["type"] for x in e["data"]["fulfillments"][0]["events"]] for e in events[1:4]]
    assert logs == [["shipped"], ["shipped", "in_transit"], ["shipped", "in_transit", "delivered"]]
    assert [len(e["data"]["adjustments"]) for e in events] == [0, 0, 0, 0, 1, 2, 3]
    assert events[-1]["data"] == body


def test_a_canceled_order_removes_its_lines_and_refunds_the_rest():
    merchant = _merchant()
    order_id = _buy(merchant)
    merchant.refund(order_id, 700, NOW)
    merchant.cancel_order(order_id, NOW + timedelta(minutes=5))
    body = order_2026(merchant.order(order_id))
    check("Order", body)
    assert body["status"] == "canceled"
    assert body["line_items"] == [_line(current=0, status="removed")]
    assert [(a["type"], a["amount"], a.get("reason")) for a in body["adjustments"]] == [
        ("refund", 700, None),
        ("refund", TOTAL - 700, "order canceled"),
    ]
    assert body["totals"][-1] == {
        "type": "amount_refunded",
        "display_text": "Refunded",
        "amount": TOTAL,
    }


def test_tracking_needs_a_shipment_and_a_known_event_type():
    merchant = _merchant()
    order_id = _buy(merchant)
    with pytest.raises(ProtocolError) as refused:
        merchant.track(order_id, "in_transit", NOW)
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    merchant.ship(order_id, NOW)
    with pytest.raises(ProtocolError) as refused:
        merchant.track(order_id, "teleported", NOW)
    assert (refused.value.status, refused.value.param) == (400, "$.type")
    assert refused.value.message.startswith("tracking event type must be one of processing, ")


def test_webhook_versions_are_checked():
    assert event_body("2025-09-29") is not event_body("2026-04-17")
    with pytest.raises(ValueError, match="order events are sent as 2025-09-29 or 2026-04-17"):
        event_body("2026-01-30")
