"""The event outbox: retries with back-off on 5xx and connection errors, none on 4xx, in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from merchants.events import (
    OrderEventEmitter,
    UrlSink,
    WebhookDeliveryError,
    order_updated,
    verify_signature,
)
from merchants.webhooks import EventOutbox, RetryPolicy

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
SECRET = b"whsec_test"
HOOK = "https://ai.example/hook"
FAST = RetryPolicy(attempts=4, first_delay=0.001, factor=2.0, max_delay=0.01)


def _event(order_id: str = "ord_1", status: str = "shipped"):
    return order_updated(order_id, "cs_1", status, NOW, permalink_url="https://m.example/o/1")


class Ticking:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _receiver(statuses: list[int | None]) -> tuple[list[httpx.Request], UrlSink]:
    """A UrlSink whose receiver answers ``statuses`` in turn (None: connection refused)."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses.pop(0)
        if status is None:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(status)

    return seen, UrlSink(HOOK, client=httpx.Client(transport=httpx.MockTransport(answer)))


def test_back_off_doubles_up_to_its_cap():
    policy = RetryPolicy()
    assert [policy.delay(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        RetryPolicy(attempts=0)


def test_a_500_is_retried_and_then_succeeds_with_a_fresh_signature_each_time():
    seen, sink = _receiver([500, None, 200])
    outbox = EventOutbox(FAST)
    outbox.connect(OrderEventEmitter(SECRET, sink))
    clock = Ticking()
    outbox.start(clock)
    try:
        outbox.put(_event(), NOW)
        assert outbox.wait_idle(5)
    finally:
        assert outbox.stop()
    assert [(a.number, a.status, a.delivered) for a in outbox.attempts] == [
        (1, 500, False),
        (2, None, False),
        (3, None, True),
    ]
    assert outbox.attempts[0].error == f"POST {HOOK}: HTTP 500"
    assert "connection refused" in outbox.attempts[1].error
    assert {r.headers["Request-Id"] for r in seen} == {"ord_1.0000001"}  # one id, every attempt
    assert len({r.content for r in seen}) == 1
    signatures = [r.headers["Merchant-Signature"] for r in seen]
    assert [s.split(",")[0] for s in signatures] == [
        f"t={int((NOW + timedelta(seconds=n)).timestamp())}" for n in (1, 2, 3)
    ]
    for request, attempt in zip(seen, outbox.attempts, strict=True):
        assert verify_signature(
            SECRET, request.content, request.headers["Merchant-Signature"], attempt.sent_at
        )
    assert outbox.undelivered == []


def test_a_4xx_is_final_and_5xx_gives_up_after_the_last_attempt():
    seen, sink = _receiver([410, 503, 503, 503, 503])
    outbox = EventOutbox(FAST)
    outbox.connect(OrderEventEmitter(SECRET, sink))
    outbox.put(_event("ord_gone"), NOW)
    outbox.put(_event("ord_down"), NOW)
    outbox.flush()  # the caller's thread: attempts follow at once, signed at the event's time
    assert [(a.order_id, a.number, a.status) for a in outbox.attempts] == [
        ("ord_gone", 1, 410),
        ("ord_down", 1, 503),
        ("ord_down", 2, 503),
        ("ord_down", 3, 503),
        ("ord_down", 4, 503),
    ]
    assert len(seen) == 5
    assert [(e.order_id, reason) for e, reason in outbox.undelivered] == [
        ("ord_gone", f"POST {HOOK}: HTTP 410"),
        ("ord_down", f"POST {HOOK}: HTTP 503"),
    ]
    assert {a.sent_at for a in outbox.attempts} == {NOW}


def test_events_keep_their_order_and_the_queue_is_bounded():
    delivered: list[str] = []
    outbox = EventOutbox(FAST, max_pending=3)
    outbox.connect(
        OrderEventEmitter(SECRET, lambda body, headers: delivered.append(headers["Request-Id"]))
    )
    for status in ("shipped", "fulfilled", "canceled", "shipped"):
        outbox.put(_event("ord_1", status), NOW)
    assert outbox.pending() == 3
    assert [(e.status, reason) for e, reason in outbox.undelivered] == [
        ("shipped", "outbox full (3 events waiting)")
    ]
    outbox.flush()
    assert delivered == ["ord_1.0000001", "ord_1.0000002", "ord_1.0000003"]
    assert outbox.pending() == 0


def test_without_a_sink_events_are_dropped():
    outbox = EventOutbox()
    outbox.put(_event(), NOW)
    assert (outbox.pending(), outbox.attempts, outbox.undelivered) == (0, [], [])


def test_a_sink_that_crashes_does_not_stop_the_worker():
    calls: list[str] = []

    def flaky(body: bytes, headers: dict[str, str]) -> None:
        calls.append(headers["Request-Id"])
        if len(calls) == 1:
            raise RuntimeError("bug in the receiver")

    outbox = EventOutbox(FAST)
    outbox.connect(OrderEventEmitter(SECRET, flaky))
    outbox.start(Ticking())
    try:
        outbox.put(_event("ord_a"), NOW)
        outbox.put(_event("ord_b"), NOW)
        assert outbox.wait_idle(5)
    finally:
        assert outbox.stop()
    assert calls == ["ord_a.0000001", "ord_b.0000002"]
    assert [(e.order_id, r) for e, r in outbox.undelivered] == [
        ("ord_a", "RuntimeError: bug in the receiver")
    ]


def test_delivery_error_status_decides_retry():
    assert WebhookDeliveryError("x").retryable
    assert WebhookDeliveryError("x", 500).retryable
    assert not WebhookDeliveryError("x", 404).retryable
