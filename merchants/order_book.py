"""What happens to an order after checkout: ship, fulfill, cancel, refund.

Every change returns the :class:`merchants.events.OrderEvent` that reports it, so the merchant
can sign and send it. Transitions (anything else is 409 ``invalid_state``)::

    created -> shipped -> fulfilled
    created -> canceled          (stock goes back; whatever is not yet refunded is refunded)
    refund                       any status, while refunds stay within what was paid

Refunds never exceed the order's total (400 ``refund_exceeds_payment``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

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
from merchants.orders import PlacedOrder

_SHIPPABLE = ("created", "confirmed", "manual_review")


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as the merchant keeps it: what was paid, its status and refunds so far."""

    order: PlacedOrder
    permalink_url: str
    status: OrderStatus = "created"
    refunds: tuple[Refund, ...] = ()

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def refundable(self) -> int:
        return self.order.total_amount - self.refunded

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
        with self._lock:
            self._records[order.id] = OrderRecord(order, permalink_url)
            if self.limit is not None and len(self._records) > self.limit:
                del self._records[next(iter(self._records))]  # the oldest
        return order_created(order, permalink_url)

    def ship(self, order_id: str, now: datetime) -> OrderEvent:
        return self._move(order_id, _SHIPPABLE, "shipped", "ship", now)

    def fulfill(self, order_id: str, now: datetime) -> OrderEvent:
        return self._move(order_id, ("shipped",), "fulfilled", "fulfill", now)

    def cancel(self, order_id: str, now: datetime) -> OrderEvent:
        """Cancel an unshipped order: restock its units and refund what is left of the payment."""
        with self._lock:
            record = self.get(order_id)
            self._check(record, _SHIPPABLE, "cancel")
            self.catalog.put_back({line.product_id: line.quantity for line in record.order.lines})
            refunds = record.refunds
            if record.refundable > 0:
                refunds += (Refund("original_payment", record.refundable),)
            return self._store(replace(record, status="canceled", refunds=refunds), now)

    def refund(
        self, order_id: str, amount: int, now: datetime, type: RefundType = "original_payment"
    ) -> OrderEvent:
        """Return ``amount`` minor units; the event lists every refund so far."""
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise invalid(
                f"refund amount must be a positive int of minor units, got {amount!r}", "$.amount"
            )
        if type not in REFUND_TYPES:
            raise invalid(f"refund type must be one of {', '.join(REFUND_TYPES)}", "$.type")
        with self._lock:
            record = self.get(order_id)
            if amount > record.refundable:
                raise ProtocolError(
                    400,
                    "invalid_request",
                    "refund_exceeds_payment",
                    f"refund of {amount} exceeds the {record.refundable} left of the "
                    f"{record.order.total_amount} paid for order {order_id}",
                    "$.amount",
                )
            refunds = (*record.refunds, Refund(type, amount))
            return self._store(replace(record, refunds=refunds), now)

    def _move(
        self,
        order_id: str,
        allowed: tuple[str, ...],
        status: OrderStatus,
        action: str,
        now: datetime,
    ) -> OrderEvent:
        with self._lock:
            record = self.get(order_id)
            self._check(record, allowed, action)
            return self._store(replace(record, status=status), now)

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
        )
