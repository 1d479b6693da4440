"""UCP orders: what a completed checkout became, with its fulfillment events and adjustments.

The purchase itself (lines, amounts, who funds each discount) is the internal
:class:`merchants.orders.PlacedOrder` in the merchant's order book, as for an ACP order; this
record holds what UCP adds on top: line ids, fulfillment expectations (where it goes, by which
option), the append-only event log (``shipped``, ``delivered``, ...) and adjustments (refunds,
returns, disputes). Events and adjustments are append-only: an update adds the ones whose ids
are new and never rewrites one already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from merchants.specs import UCP_VERSION

ORDER_CAPABILITY = "dev.ucp.shopping.order"


@dataclass(slots=True)
class UcpOrder:
    id: str
    checkout_id: str
    permalink_url: str
    line_items: list[dict[str, Any]]
    expectations: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    #: The platform profile the order's webhooks go to (from the completing request).
    platform_profile: str | None = None
    #: The AP2 checkout mandate the platform completed with, kept as proof of authorization.
    mandate: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    adjustments: list[dict[str, Any]] = field(default_factory=list)

    def wire(self) -> dict[str, Any]:
        return {
            "ucp": {
                "version": UCP_VERSION,
                "capabilities": [{"name": ORDER_CAPABILITY, "version": UCP_VERSION}],
            },
            "id": self.id,
            "checkout_id": self.checkout_id,
            "permalink_url": self.permalink_url,
            "line_items": [dict(line) for line in self.line_items],
            "fulfillment": {
                "expectations": [dict(e) for e in self.expectations],
                "events": [dict(e) for e in self.events],
            },
            "adjustments": [dict(a) for a in self.adjustments],
            "totals": [dict(t) for t in self.totals],
        }

    def line_ids(self) -> set[str]:
        return {line["id"] for line in self.line_items}

    def mark_fulfilled(self, quantities: dict[str, int]) -> None:
        """Count ``quantities`` (by line id) as fulfilled; a line all fulfilled says so."""
        for line in self.line_items:
            quantity = line["quantity"]
            done = min(quantity["total"], quantity["fulfilled"] + quantities.get(line["id"], 0))
            line["quantity"] = {"total": quantity["total"], "fulfilled": done}
            line["status"] = (
                "fulfilled" if done == quantity["total"] else "partial" if done else "processing"
            )


def webhook_body(order: UcpOrder, event_type: str, event_id: str, created: str) -> dict[str, Any]:
    """An order event as UCP's ``order_event_webhook`` sends it: the order, plus ``event_id``
    and ``created_time``; also ``event_type`` and the order under ``order``, as platforms (and
    the conformance suite) read them."""
    body = order.wire()
    return {
        **body,
        "event_id": event_id,
        "created_time": created,
        "event_type": event_type,
        "order": order.wire(),
    }
