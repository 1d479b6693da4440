"""The AI platform's end of ACP order webhooks: verify each event, refuse replays, keep orders.

A merchant POSTs every order event signed with ``Merchant-Signature: t=<unix>,v1=<64 hex>``,
HMAC-SHA256 over ``f"{t}.".encode() + raw_body`` with the shared secret
(``openapi.agentic_checkout_webhook.yaml``, 2026-04-17). :class:`OrderEventVerifier` refuses,
with the spec's 401 messages, a missing or malformed header, a ``t`` outside the tolerance
window (300 s, as the spec recommends), a MAC that does not match, and a replay: the very same
signed request seen before (kept for the window; older ones fail the timestamp check anyway).
A redelivery of an event already taken (same ``Request-Id``, freshly signed after the answer
was lost) is genuine: it is accepted as a ``duplicate`` for the caller to acknowledge and skip.

:class:`ReceivedOrders` keeps the latest state of each order the events told about, and
:func:`receiver_app` puts both behind the spec's route, for a test or a local agent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

WEBHOOK_PATH = "/agentic_checkout/webhooks/order_events"
#: The spec's recommended timestamp tolerance, seconds.
TOLERANCE = 300
_HEADER = re.compile(r"^t=(\d{1,12})((?:,v1=[a-fA-F0-9]{64})+)$")

Refusal = Literal["missing", "malformed", "stale", "invalid", "replayed", "bad_payload"]
_MESSAGES: dict[str, str] = {
    "missing": "Missing Merchant-Signature header.",
    "malformed": "Merchant-Signature must be t=<timestamp>,v1=<64_hex>.",
    "stale": "Timestamp outside allowed window.",
    "invalid": "Webhook signature verification failed.",
    "replayed": "Webhook signature already used: a replayed request.",
}


class WebhookRejected(Exception):
    """An event refused: ``reason`` says why, ``status`` is the HTTP answer (401, or 400)."""

    def __init__(self, reason: Refusal, message: str | None = None) -> None:
        super().__init__(message or _MESSAGES[reason])
        self.reason = reason
        self.status = 400 if reason == "bad_payload" else 401

    def body(self) -> dict[str, str]:
        """The webhook spec's ``Error`` shape."""
        code = "invalid_payload" if self.reason == "bad_payload" else "invalid_signature"
        return {"type": "invalid_request", "code": code, "message": str(self)}


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An event whose signature checked out; ``duplicate`` when its id was taken before."""

    type: str
    data: dict[str, Any]
    request_id: str | None
    signed_at: int
    duplicate: bool = False


class OrderEventVerifier:
    """Checks ``Merchant-Signature`` and refuses replays. Thread-safe; memory is bounded.

    ``remember`` bounds both the signatures kept for replay checks and the event ids kept to
    spot duplicates (the oldest are dropped first).
    """

    def __init__(
        self, secret: bytes, *, tolerance: int = TOLERANCE, remember: int = 100_000
    ) -> None:
        if not secret:
            raise ValueError("the webhook secret must not be empty")
        if tolerance <= 0:
            raise ValueError(f"tolerance must be positive seconds, got {tolerance}")
        self._secret, self.tolerance, self._remember = secret, tolerance, remember
        self._signatures: dict[str, int] = {}
        self._expiry: deque[tuple[int, str]] = deque()
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, body: bytes, headers: Mapping[str, str], now: datetime) -> ReceivedEvent:
        """The event in ``body`` if ``headers`` sign it validly at ``now``; else WebhookRejected."""
        header = _header(headers, "merchant-signature")
        if header is None:
            raise WebhookRejected("missing")
        found = _HEADER.match(header.strip())
        if found is None:
            raise WebhookRejected("malformed")
        t = int(found.group(1))
        moment = now.timestamp()
        if abs(moment - t) > self.tolerance:
            raise WebhookRejected("stale")
        expected = hmac.new(self._secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        macs = [m.removeprefix("v1=").lower() for m in found.group(2).split(",")[1:]]
        if not any(hmac.compare_digest(expected, mac) for mac in macs):
            raise WebhookRejected("invalid")
        event = _event(body)
        request_id = _header(headers, "request-id")
        with self._lock:
            if expected in self._signatures:
                raise WebhookRejected("replayed")
            self._signatures[expected] = t
            self._expiry.append((t + self.tolerance, expected))
            self._forget(int(moment))
            duplicate = request_id is not None and request_id in self._ids
            if request_id is not None:
                self._ids[request_id] = None
                self._ids.move_to_end(request_id)
                while len(self._ids) > self._remember:
                    self._ids.popitem(last=False)
        return ReceivedEvent(event["type"], event["data"], request_id, t, duplicate)

    @property
    def remembered(self) -> int:
        """Signatures kept to spot replays: those still inside the window, at most ``remember``."""
        with self._lock:
            return len(self._signatures)

    def _forget(self, now: int) -> None:
        """Drop signatures whose timestamp can no longer pass the window, or beyond the bound."""
        while self._expiry and (self._expiry[0][0] < now or len(self._expiry) > self._remember):
            _, mac = self._expiry.popleft()
            self._signatures.pop(mac, None)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _event(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise WebhookRejected("bad_payload", f"body is not JSON: {problem}") from None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data"), dict)
        or not isinstance(event["data"].get("checkout_session_id"), str)
    ):
        raise WebhookRejected(
            "bad_payload", "body must be {type: str, data: {checkout_session_id, ...}}"
        )
    return event


@dataclass
class ReceivedOrders:
    """The latest state of each order, by order id (2026-04-17) or checkout session id."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[ReceivedEvent] = field(default_factory=list)

    def take(self, event: ReceivedEvent) -> None:
        """Apply an event (a duplicate changes nothing: it was applied when first taken)."""
        if event.duplicate:
            return
        self.events.append(event)
        key = event.data.get("id") or event.data["checkout_session_id"]
        self.orders[key] = event.data


def receiver_app(
    verifier: OrderEventVerifier,
    orders: ReceivedOrders,
    clock: Callable[[], datetime],
) -> FastAPI:
    """An app serving the webhook spec's one route: 200 ``{received, request_id}`` or the
    spec's ``Error`` (401 for any signature problem, 400 for a body that is not an event)."""
    app = FastAPI(title="agent-checkout order webhook receiver")
    lock = threading.Lock()

    @app.post(WEBHOOK_PATH)
    async def order_events(request: Request) -> Response:
        body = await request.body()
        try:
            event = verifier.verify(body, request.headers, clock())
        except WebhookRejected as refused:
            return JSONResponse(refused.body(), status_code=refused.status)
        with lock:
            orders.take(event)
        answer: dict[str, Any] = {"received": True}
        if event.request_id is not None:
            answer["request_id"] = event.request_id
        return JSONResponse(answer)

    return app
