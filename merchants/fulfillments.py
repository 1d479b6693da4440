"""How an order's items travel to the buyer: fulfillments and their append-only event log.

ACP 2026-04-17's native orders describe delivery as fulfillments (shipping, pickup, digital),
each with the line items it carries, the carrier and tracking number, and a log of events
(shipped, in transit, delivered, ...) that only ever grows. A :class:`Fulfillment` is frozen:
:meth:`Fulfillment.log` returns a new one with the event appended, so an order record taken
before stays as it was (webhook bodies render the record of their moment).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

#: Event types ACP 2026-04-17 defines for a fulfillment's log (``FulfillmentEvent.type``).
FULFILLMENT_EVENT_TYPES: tuple[str, ...] = (
    "processing",
    "shipped",
    "in_transit",
    "out_for_delivery",
    "ready_for_pickup",
    "delivered",
    "failed_attempt",
    "returned_to_sender",
    "canceled",
    "undeliverable",
)
#: The fulfillment status an event leaves behind (``Fulfillment.status``'s defined values).
_STATUS_AFTER = {
    "processing": "processing",
    "shipped": "shipped",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "ready_for_pickup": "ready_for_pickup",
    "delivered": "delivered",
    "failed_attempt": "in_transit",  # the carrier tries again
    "returned_to_sender": "failed",
    "canceled": "canceled",
    "undeliverable": "failed",
}
#: Statuses in which a fulfillment no longer counts its units as fulfilled.
UNFULFILLED = frozenset({"failed", "canceled"})


@dataclass(frozen=True, slots=True)
class FulfillmentEvent:
    """One entry of a fulfillment's log: what happened, when, and where."""

    id: str
    type: str
    occurred_at: datetime
    location: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Fulfillment:
    """A shipment of some of an order's lines: ``lines`` are ``(line id, quantity)`` pairs."""

    id: str
    lines: tuple[tuple[str, int], ...]
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str = "processing"
    events: tuple[FulfillmentEvent, ...] = ()
    type: str = "shipping"

    @property
    def counts(self) -> bool:
        """Whether its units count as fulfilled (not failed or canceled)."""
        return self.status not in UNFULFILLED

    def log(
        self,
        event_type: str,
        now: datetime,
        *,
        location: str | None = None,
        description: str | None = None,
    ) -> Fulfillment:
        """This fulfillment with one more event at the end of its log, and the status it sets."""
        if event_type not in _STATUS_AFTER:
            raise ValueError(
                f"fulfillment event type must be one of {', '.join(FULFILLMENT_EVENT_TYPES)}, "
                f"got {event_type!r}"
            )
        event = FulfillmentEvent(
            f"evt_{len(self.events) + 1}", event_type, now, location, description
        )
        return replace(self, status=_STATUS_AFTER[event_type], events=(*self.events, event))


def tracking_number(order_id: str, serial: int) -> str:
    """A 22-digit tracking number (the USPS length), a function of the order and shipment."""
    digest = hashlib.sha256(f"{order_id}/{serial}".encode()).hexdigest()
    return "94" + str(int(digest, 16))[:20]


def tracking_url(carrier: str, number: str) -> str:
    """Where the buyer follows the parcel (a mock carrier site; nothing is fetched)."""
    return f"https://track.example/{carrier.lower()}/{number}"
