"""Order lifecycle events, as ACP's webhook carries them, signed so the receiver can trust them.

The body matches ``WebhookEvent`` in ACP's ``openapi.agentic_checkout_webhook.yaml``
(2025-09-29)::

    {"data": {"checkout_session_id": "...", "permalink_url": "...", "refunds": [],
              "status": "created", "type": "order"}, "type": "order_create"}

That schema forbids any other field, so the order id travels in the ``Request-Id`` header and
the event's time in ``Timestamp``, both of which the spec allows. Refund amounts are integer
minor units, as the schema says (the spec's example writes ``"1.00"``; the schema wins).

Signature: the body is canonical JSON (UTF-8, sorted keys, no spaces, non-ASCII unescaped), and
``Merchant-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is HMAC-SHA256 with the shared
secret over ``f"{t}.".encode() + body`` and ``t`` is the sending time. Binding ``t`` into the MAC
lets a receiver refuse replays older than a tolerance (300 s by default), as Stripe does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from merchants.acp import timestamp
from merchants.orders import PlacedOrder

if TYPE_CHECKING:
    from merchants.order_book import OrderRecord

EventType = Literal["order_create", "order_update"]
OrderStatus = Literal["created", "manual_review", "confirmed", "canceled", "shipped", "fulfilled"]
RefundType = Literal["store_credit", "original_payment"]

ORDER_STATUSES: tuple[str, ...] = (
    "created",
    "manual_review",
    "confirmed",
    "canceled",
    "shipped",
    "fulfilled",
)
REFUND_TYPES: tuple[str, ...] = ("store_credit", "original_payment")
SIGNATURE_HEADER = "Merchant-Signature"

#: Where an event goes: the raw body and the HTTP headers it is sent with.
EventSink = Callable[[bytes, dict[str, str]], None]


@dataclass(frozen=True, slots=True)
class Refund:
    """Money returned on an order, in minor units of the order's currency."""

    type: RefundType
    amount: int

    def __post_init__(self) -> None:
        if self.type not in REFUND_TYPES:
            raise ValueError(
                f"refund type must be one of {', '.join(REFUND_TYPES)}, got {self.type!r}"
            )
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError(
                f"refund amount must be a positive int of minor units, got {self.amount!r}"
            )


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One order event: the wire fields plus the order id and time the body cannot carry."""

    type: EventType
    order_id: str
    checkout_session_id: str
    permalink_url: str
    status: OrderStatus
    occurred_at: datetime
    refunds: tuple[Refund, ...] = field(default_factory=tuple)
    #: The whole order as this event left it: what a 2026-04-17 body renders (None when the
    #: event was built by hand).
    record: OrderRecord | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.type not in ("order_create", "order_update"):
            raise ValueError(f"event type must be order_create or order_update, got {self.type!r}")
        if self.status not in ORDER_STATUSES:
            raise ValueError(
                f"order status must be one of {', '.join(ORDER_STATUSES)}, got {self.status!r}"
            )
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be a timezone-aware datetime")

    def body(self) -> dict[str, Any]:
        """The JSON body, exactly ACP's ``WebhookEvent``."""
        return {
            "type": self.type,
            "data": {
                "type": "order",
                "checkout_session_id": self.checkout_session_id,
                "permalink_url": self.permalink_url,
                "status": self.status,
                "refunds": [{"type": r.type, "amount": r.amount} for r in self.refunds],
            },
        }


def order_created(
    order: PlacedOrder, permalink_url: str, *, record: OrderRecord | None = None
) -> OrderEvent:
    """The ``order_create`` event of a just-placed order, at the time it was placed."""
    return OrderEvent(
        type="order_create",
        order_id=order.id,
        checkout_session_id=order.checkout_session_id,
        permalink_url=permalink_url,
        status="created",
        occurred_at=order.placed_at,
        record=record,
    )


def order_updated(
    order_id: str,
    checkout_session_id: str,
    status: OrderStatus,
    now: datetime,
    *,
    permalink_url: str,
    refunds: Iterable[Refund] = (),
    record: OrderRecord | None = None,
) -> OrderEvent:
    """An ``order_update`` event: a new status, and every refund so far (the list is whole)."""
    return OrderEvent(
        type="order_update",
        order_id=order_id,
        checkout_session_id=checkout_session_id,
        permalink_url=permalink_url,
        status=status,
        occurred_at=now,
        refunds=tuple(refunds),
        record=record,
    )


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no whitespace, UTF-8; what the MAC covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def sign(secret: bytes, body: bytes, now: datetime) -> str:
    """The ``Merchant-Signature`` value for ``body`` sent at ``now``."""
    t = int(_aware(now).timestamp())
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(
    secret: bytes, body: bytes, header: str, now: datetime, tolerance: int = 300
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within ``tolerance`` s of ``now``.

    Accepts several ``v1=`` entries (a sender rotating secrets); any malformed header is False.
    """
    t: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if name == "t":
            if t is not None or not value.isdigit():
                return False
            t = int(value)
        elif name == "v1":
            candidates.append(value)
    if t is None or not candidates or abs(_aware(now).timestamp() - t) > tolerance:
        return False
    expected = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, c) for c in candidates)


@dataclass(frozen=True, slots=True)
class Envelope:
    """An event ready to send: its canonical body and the ``Request-Id`` every attempt repeats."""

    event: OrderEvent
    body: bytes
    request_id: str


class OrderEventEmitter:
    """Serializes, signs and hands order events to a sink, with a deterministic ``Request-Id``.

    :meth:`envelope` fixes the body and id once; :meth:`send` signs at the sending time, so a
    retried delivery carries a fresh ``Merchant-Signature`` over the same bytes and id.
    """

    def __init__(
        self,
        secret: bytes,
        sink: EventSink,
        body: Callable[[OrderEvent], dict[str, Any]] = OrderEvent.body,
    ) -> None:
        if not secret:
            raise ValueError("the webhook secret must not be empty")
        self._secret, self.sink, self._body = secret, sink, body
        self._sent = 0

    def envelope(self, event: OrderEvent) -> Envelope:
        """Serialize ``event`` and give it the next ``Request-Id`` (callers serialize calls).

        ``body`` renders it in the receiver's API version (:func:`merchants.native_orders.
        event_body`); the id is unique per emitter, so a receiver can refuse a replayed one.
        """
        self._sent += 1
        body = canonical_json(self._body(event))
        return Envelope(event, body, f"{event.order_id}.{self._sent:07d}")

    def send(self, envelope: Envelope, now: datetime) -> None:
        """One delivery attempt at ``now``: sign, then call the sink (which may raise)."""
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, envelope.body, now),
            "Request-Id": envelope.request_id,
            "Timestamp": timestamp(envelope.event.occurred_at),
        }
        self.sink(envelope.body, headers)

    def emit(self, event: OrderEvent, now: datetime) -> bytes:
        """Send ``event`` at ``now`` (the signing time); returns the body that was sent."""
        envelope = self.envelope(event)
        self.send(envelope, now)
        return envelope.body

    def order_sink(self, permalink: Callable[[PlacedOrder], str]) -> Callable[[PlacedOrder], None]:
        """An order sink for :class:`merchants.checkout.CheckoutService` emitting order_create."""

        from merchants.order_book import OrderRecord  # it builds on this module

        def on_order(order: PlacedOrder) -> None:
            url = permalink(order)
            event = order_created(order, url, record=OrderRecord(order, url))
            self.emit(event, order.placed_at)

        return on_order


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event as a sink received it."""

    body: bytes
    headers: dict[str, str]

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


class CallableSink:
    """An in-process receiver: keeps every delivery and passes it on to ``handler`` if given."""

    def __init__(self, handler: Callable[[Delivery], None] | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self._handler = handler

    def __call__(self, body: bytes, headers: dict[str, str]) -> None:
        delivery = Delivery(body, dict(headers))
        self.deliveries.append(delivery)
        if self._handler is not None:
            self._handler(delivery)


class WebhookDeliveryError(Exception):
    """The receiver could not be reached or did not answer 2xx.

    ``status`` is the receiver's HTTP status, ``None`` when it was never reached. A 4xx means
    the receiver refuses this event for good; anything else may pass on a later attempt.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.status is None or not 400 <= self.status < 500


class UrlSink:
    """POSTs each event to a webhook URL with httpx; ``client`` lets tests inject a transport.

    Raises :class:`WebhookDeliveryError` on a non-2xx answer or a transport failure, so the
    caller decides whether to retry (:class:`merchants.webhooks.EventOutbox` does); nothing is
    retried here.
    """

    def __init__(self, url: str, client: Any = None, timeout: float = 10.0) -> None:
        self.url, self._client, self._timeout = url, client, timeout
        self._owned = client is None

    def __call__(self, body: bytes, headers: Mapping[str, str]) -> None:
        import httpx  # only a sink that really posts needs httpx

        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout)
        try:
            response = self._client.post(self.url, content=body, headers=dict(headers))
        except httpx.HTTPError as problem:
            raise WebhookDeliveryError(f"POST {self.url}: {problem}") from problem
        if not response.is_success:
            raise WebhookDeliveryError(
                f"POST {self.url}: HTTP {response.status_code}", response.status_code
            )

    def close(self) -> None:
        """Close the client this sink created (an injected client stays the caller's)."""
        if self._owned and self._client is not None:
            self._client.close()
            self._client = None
