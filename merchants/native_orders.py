"""An order as each ACP version shows it, and the order-event bodies each version sends.

2026-04-17 made the order native: the ``Order`` object carries its line items (ordered,
current and fulfilled quantities), fulfillments with their event logs, adjustments (refunds,
credit, disputes) and totals, and its webhook's ``data`` is that whole ``Order`` (the legacy
``refunds[]`` is gone). 2025-09-29 keeps its small body (:meth:`OrderEvent.body`). Statuses are
the internal ones except ``fulfilled`` (everything delivered), which 2026-04-17 calls
``completed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from merchants.acp import API_VERSION, timestamp
from merchants.adjustments import Adjustment
from merchants.events import OrderEvent
from merchants.fulfillments import Fulfillment
from merchants.order_book import OrderRecord, line_ids

V2026_04_17 = "2026-04-17"
#: API versions whose order events a merchant can send.
WEBHOOK_VERSIONS: tuple[str, ...] = (API_VERSION, V2026_04_17)
_STATUS_2026 = {"fulfilled": "completed"}
EventBody = Callable[[OrderEvent], dict[str, Any]]


def order_2026(record: OrderRecord) -> dict[str, Any]:
    """``record`` as 2026-04-17's ``Order`` (``json-schema/schema.agentic_checkout.json``)."""
    order = record.order
    body: dict[str, Any] = {
        "type": "order",
        "id": order.id,
        "checkout_session_id": order.checkout_session_id,
        "permalink_url": record.permalink_url,
        "status": _STATUS_2026.get(record.status, record.status),
        "line_items": [],
        "fulfillments": [_fulfillment(f) for f in record.fulfillments],
        "adjustments": [_adjustment(a) for a in record.adjustments],
        "totals": _totals(record),
    }
    for line_id, line in zip(line_ids(order), order.lines, strict=True):
        current = 0 if record.canceled else line.quantity
        fulfilled = min(record.fulfilled(line_id), current)
        body["line_items"].append(
            {
                "id": line_id,
                "title": line.title,
                "product_id": line.product_id,
                "quantity": {"ordered": line.quantity, "current": current, "fulfilled": fulfilled},
                "unit_price": line.unit_price,
                "subtotal": line.subtotal,
                "status": _line_status(current, fulfilled),
            }
        )
    return body


def _line_status(current: int, fulfilled: int) -> str:
    """The schema's rule: removed, fulfilled, partial or processing."""
    if current == 0:
        return "removed"
    if fulfilled == current:
        return "fulfilled"
    return "partial" if fulfilled else "processing"


def _totals(record: OrderRecord) -> list[dict[str, Any]]:
    order = record.order
    rows = [
        ("items_base_amount", "Item(s) total", order.items_amount),
        ("discount", "Discount", order.discount_amount),
        ("subtotal", "Subtotal", order.items_amount - order.discount_amount),
        ("fulfillment", "Shipping", order.shipping_amount),
        ("tax", "Tax", order.tax_amount),
        ("total", "Total", order.total_amount),
    ]
    if record.refunded:
        rows.append(("amount_refunded", "Refunded", record.refunded))
    return [
        {"type": kind, "display_text": text, "amount": amount}
        for kind, text, amount in rows
        if amount or kind != "discount"
    ]


def _fulfillment(fulfillment: Fulfillment) -> dict[str, Any]:
    events = []
    for event in fulfillment.events:
        entry: dict[str, Any] = {
            "id": event.id,
            "type": event.type,
            "occurred_at": timestamp(event.occurred_at),
        }
        if event.description:
            entry["description"] = event.description
        if event.location:
            entry["location"] = event.location
        events.append(entry)
    return {
        "id": fulfillment.id,
        "type": fulfillment.type,
        "status": fulfillment.status,
        "line_items": [{"id": lid, "quantity": q} for lid, q in fulfillment.lines],
        "carrier": fulfillment.carrier,
        "tracking_number": fulfillment.tracking_number,
        "tracking_url": fulfillment.tracking_url,
        "events": events,
    }


def _adjustment(adjustment: Adjustment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": adjustment.id,
        "type": adjustment.type,
        "occurred_at": timestamp(adjustment.occurred_at),
        "status": adjustment.status,
        "amount": adjustment.amount,
        "currency": adjustment.currency,
    }
    if adjustment.reason:
        body["reason"] = adjustment.reason
    return body


def render_order(record: OrderRecord, version: str | None) -> dict[str, Any]:
    """The order for ``version``: 2026-04-17's ``Order``, else the mock-admin view."""
    return order_2026(record) if version == V2026_04_17 else record.wire()


def event_2026(event: OrderEvent) -> dict[str, Any]:
    """2026-04-17's ``WebhookEvent``: the type and the whole order as the event left it."""
    if event.record is None:
        raise ValueError(f"order event {event.type} for {event.order_id} carries no order record")
    return {"type": event.type, "data": order_2026(event.record)}


def event_body(version: str) -> EventBody:
    """What renders an order event's body for ``version`` (ValueError for any other)."""
    if version == API_VERSION:
        return OrderEvent.body
    if version == V2026_04_17:
        return event_2026
    raise ValueError(f"order events are sent as {' or '.join(WEBHOOK_VERSIONS)}, not {version!r}")
