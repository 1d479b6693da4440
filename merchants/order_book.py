"""What happens to an order after checkout: ship, track, deliver, cancel, refund, dispute.

Every change returns the :class:`merchants.events.OrderEvent` that reports it, with the whole
:class:`OrderRecord` it left, so the merchant can sign and send it in any version's shape.
Transitions (anything else is 409 ``invalid_state``)::

    created -> shipped -> fulfilled   (ship opens a fulfillment; track adds to its event log;
                                       fulfill logs its delivery)
    created -> canceled               (stock goes back; whatever is not yet refunded is refunded)
    refund, dispute                   any status, while they stay within what was paid

Refunds and disputes together never exceed the order's total (400 ``refund_exceeds_payment``).
A record is frozen: each change stores a new one, so fulfillment logs and adjustments only grow.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from merchants.adjustments import ADJUSTMENT_OF_REFUND, Adjustment
from merchants.catalog import Catalog
from merchants.errors import ProtocolError, invalid, not_found
from merchants.events import (
    REFUND_TYPES,
    OrderEvent,
    OrderStatus,
    Refund,
    RefundType,
    order_created,
    order_updated,
)
from merchants.fulfillments import (
    FULFILLMENT_EVENT_TYPES,
    Fulfillment,
    tracking_number,
    tracking_url,
)
from merchants.orders import PlacedOrder

_SHIPPABLE = ("created", "confirmed", "manual_review")
#: Log entries ``track`` accepts; ``shipped`` and ``delivered`` come from ship and fulfill.
TRACKING_EVENTS: tuple[str, ...] = tuple(
    t for t in FULFILLMENT_EVENT_TYPES if t not in ("shipped", "delivered", "canceled")
)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as the merchant keeps it: what was paid, its status, shipments and adjustments."""

    order: PlacedOrder
    permalink_url: str
    status: OrderStatus = "created"
    adjustments: tuple[Adjustment, ...] = ()
    fulfillments: tuple[Fulfillment, ...] = ()
    canceled: bool = False  # every line's current quantity is 0

    @property
    def refunds(self) -> tuple[Refund, ...]:
        """The refunds and store credit so far, as 2025-09-29 lists them."""
        return tuple(r for a in self.adjustments if (r := a.refund()) is not None)

    @property
    def refunded(self) -> int:
        return sum(a.amount for a in self.adjustments if a.returns_money)

    @property
    def disputed(self) -> int:
        return sum(a.amount for a in self.adjustments if a.type == "dispute")

    @property
    def refundable(self) -> int:
        return self.order.total_amount - self.refunded - self.disputed

    def fulfilled(self, line_id: str) -> int:
        """Units of line ``line_id`` (``li_1``, ...) in fulfillments that have not failed."""
        return sum(
            quantity
            for f in self.fulfillments
            if f.counts
            for lid, quantity in f.lines
            if lid == line_id
        )

    def wire(self) -> dict[str, Any]:
        """The mock-admin API's view of the order."""
        return {
            "id": self.order.id,
            "checkout_session_id": self.order.checkout_session_id,
            "permalink_url": self.permalink_url,
            "status": self.status,
            "currency": self.order.currency,
            "total_amount": self.order.total_amount,
            "refunded_amount": self.refunded,
            "refunds": [{"type": r.type, "amount": r.amount} for r in self.refunds],
        }


def line_ids(order: PlacedOrder) -> list[str]:
    """The ids of an order's lines, as its checkout session numbered them."""
    return [f"li_{n}" for n in range(1, len(order.lines) + 1)]


class OrderBook:
    """Orders by id; ``lock`` is shared with checkout, so a restock and a sale never interleave."""

    def __init__(self, catalog: Catalog, lock: threading.RLock | None = None) -> None:
        self.catalog = catalog
        self._lock = lock or threading.RLock()
        self._records: dict[str, OrderRecord] = {}
        self.limit: int | None = None  # keep only the newest orders (the simulation sets it)

    def __len__(self) -> int:
        return len(self._records)

    def get(self, order_id: str) -> OrderRecord:
        with self._lock:
            record = self._records.get(order_id)
            if record is None:
                raise not_found(f"order {order_id!r}")
            return record

    def place(self, order: PlacedOrder, permalink_url: str) -> OrderEvent:
        record = OrderRecord(order, permalink_url)
        with self._lock:
            self._records[order.id] = record
            if self.limit is not None and len(self._records) > self.limit:
                del self._records[next(iter(self._records))]  # the oldest
        return order_created(order, permalink_url, record=record)

    def ship(self, order_id: str, now: datetime, carrier: str = "USPS") -> OrderEvent:
        """Ship every line in one fulfillment, whose log starts with ``shipped``."""
        with self._lock:
            record = self.get(order_id)
            self._check(record, _SHIPPABLE, "ship")
            serial = len(record.fulfillments) + 1
            number = tracking_number(order_id, serial)
            shipment = Fulfillment(
                id=f"ful_{serial}",
                lines=tuple(
                    zip(
                        line_ids(record.order),
                        (li.quantity for li in record.order.lines),
                        strict=True,
                    )
                ),
                carrier=carrier,
                tracking_number=number,
                tracking_url=tracking_url(carrier, number),
            ).log("shipped", now)
            fulfillments = (*record.fulfillments, shipment)
            return self._store(replace(record, status="shipped", fulfillments=fulfillments), now)

    def track(
        self, order_id: str, event_type: str, now: datetime, location: str | None = None
    ) -> OrderEvent:
        """Append a carrier event (in transit, out for delivery, ...) to the open shipment."""
        if event_type not in TRACKING_EVENTS:
            raise invalid(
                f"tracking event type must be one of {', '.join(TRACKING_EVENTS)}", "$.type"
            )
        with self._lock:
            record = self.get(order_id)
            self._check(record, ("shipped",), "track")
            last = record.fulfillments[-1].log(event_type, now, location=location)
            fulfillments = (*record.fulfillments[:-1], last)
            return self._store(replace(record, fulfillments=fulfillments), now)

    def fulfill(self, order_id: str, now: datetime) -> OrderEvent:
        """The shipment arrived: its log ends with ``delivered``; the order is fulfilled."""
        with self._lock:
            record = self.get(order_id)
            self._check(record, ("shipped",), "fulfill")
            last = record.fulfillments[-1].log("delivered", now)
            fulfillments = (*record.fulfillments[:-1], last)
            return self._store(replace(record, status="fulfilled", fulfillments=fulfillments), now)

    def cancel(self, order_id: str, now: datetime) -> OrderEvent:
        """Cancel an unshipped order: restock its units and refund what is left of the payment."""
        with self._lock:
            record = self.get(order_id)
            self._check(record, _SHIPPABLE, "cancel")
            self.catalog.put_back({line.product_id: line.quantity for line in record.order.lines})
            adjustments = record.adjustments
            if record.refundable > 0:
                adjustments += (
                    self._adjustment(record, "refund", record.refundable, now, "order canceled"),
                )
            changed = replace(record, status="canceled", adjustments=adjustments, canceled=True)
            return self._store(changed, now)

    def refund(
        self, order_id: str, amount: int, now: datetime, type: RefundType = "original_payment"
    ) -> OrderEvent:
        """Return ``amount`` minor units; the event lists every refund so far."""
        if type not in REFUND_TYPES:
            raise invalid(f"refund type must be one of {', '.join(REFUND_TYPES)}", "$.type")
        return self._adjust(order_id, ADJUSTMENT_OF_REFUND[type], amount, now, None)

    def dispute(self, order_id: str, amount: int, now: datetime, reason: str) -> OrderEvent:
        """The buyer's bank opened a chargeback of ``amount``: a pending ``dispute``."""
        return self._adjust(order_id, "dispute", amount, now, reason, status="pending")

    def _adjust(
        self,
        order_id: str,
        kind: str,
        amount: int,
        now: datetime,
        reason: str | None,
        status: str = "completed",
    ) -> OrderEvent:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise invalid(
                f"{kind} amount must be a positive int of minor units, got {amount!r}", "$.amount"
            )
        with self._lock:
            record = self.get(order_id)
            if amount > record.refundable:
                raise ProtocolError(
                    400,
                    "invalid_request",
                    "refund_exceeds_payment",
                    f"{kind} of {amount} exceeds the {record.refundable} left of the "
                    f"{record.order.total_amount} paid for order {order_id}",
                    "$.amount",
                )
            adjustment = self._adjustment(record, kind, amount, now, reason, status)
            adjustments = (*record.adjustments, adjustment)
            return self._store(replace(record, adjustments=adjustments), now)

    @staticmethod
    def _adjustment(
        record: OrderRecord,
        kind: Any,
        amount: int,
        now: datetime,
        reason: str | None,
        status: str = "completed",
    ) -> Adjustment:
        serial = len(record.adjustments) + 1
        return Adjustment(f"adj_{serial}", kind, amount, record.order.currency, now, status, reason)

    @staticmethod
    def _check(record: OrderRecord, allowed: tuple[str, ...], action: str) -> None:
        if record.status not in allowed:
            raise ProtocolError(
                409,
                "invalid_request",
                "invalid_state",
                f"cannot {action} order {record.order.id}: it is {record.status}",
            )

    def _store(self, record: OrderRecord, now: datetime) -> OrderEvent:
        self._records[record.order.id] = record
        return order_updated(
            record.order.id,
            record.order.checkout_session_id,
            record.status,
            now,
            permalink_url=record.permalink_url,
            refunds=record.refunds,
            record=record,
        )
