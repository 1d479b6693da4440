"""ACP 2026-04-17 orders over HTTP: the native Order by GET, its life driven by the mock admin,
and every order event POSTed, signed, to the agent's receiver, which refuses replays."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from agent_checkout.agent.order_webhooks import (
    WEBHOOK_PATH,
    OrderEventVerifier,
    ReceivedOrders,
    WebhookRejected,
    receiver_app,
)
from merchants.events import UrlSink, canonical_json

from ..acp_2026_schemas import check, check_event
from .support import Shop, total

SECRET = b"whsec_agent"
HOOK = "https://ai.example" + WEBHOOK_PATH
ORDER = "/merchants/shop/orders/ord_shop_0000001"
V26 = {"API-Version": "2026-04-17"}


@pytest.fixture
def agent(shop: Shop) -> tuple[TestClient, ReceivedOrders]:
    """The agent's webhook receiver, which the shop posts its 2026-04-17 order events to."""
    orders = ReceivedOrders()
    receiver = TestClient(receiver_app(OrderEventVerifier(SECRET), orders, shop.clock))
    shop.merchants["shop"].set_event_sink(UrlSink(HOOK, client=receiver), SECRET, "2026-04-17")
    return receiver, orders


def _buy(shop: Shop) -> dict:
    session = shop.create()
    done = shop.complete(session, shop.token(session))
    assert done.json()["status"] == "completed", done.text
    return done.json()


def _signed(body: bytes, t: int, secret: bytes = SECRET, request_id: str = "r1") -> dict:
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Merchant-Signature": f"t={t},v1={mac}",
        "Request-Id": request_id,
        "Content-Type": "application/json",
    }


def test_an_orders_life_reaches_the_agent_signed_and_whole(shop: Shop, agent):
    receiver, orders = agent
    completed = _buy(shop)
    paid = total(completed)
    steps = [
        ("ship", None),
        ("track", {"type": "out_for_delivery", "location": "San Francisco, CA"}),
        ("fulfill", None),
        ("refund", {"amount": 250}),
        ("dispute", {"amount": 1000, "reason": "product_unacceptable"}),
    ]
    for number, (action, body) in enumerate(steps, 1):
        shop.clock.advance(hours=number)
        answer = shop.client.post(f"{ORDER}/{action}", json=body)
        assert answer.status_code == 200, answer.text

    # The agent took every event, in order, each the whole order at that moment.
    statuses = [(e.type, e.data["status"]) for e in orders.events]
    assert statuses == [
        ("order_create", "created"),
        ("order_update", "shipped"),
        ("order_update", "shipped"),
        ("order_update", "completed"),
        ("order_update", "completed"),
        ("order_update", "completed"),
    ]
    for event in orders.events:
        check_event({"type": event.type, "data": event.data})
    assert [e.request_id for e in orders.events] == [
        f"ord_shop_0000001.{n:07d}" for n in range(1, 7)
    ]
    latest = orders.orders["ord_shop_0000001"]
    assert latest["checkout_session_id"] == completed["id"]
    assert [a["type"] for a in latest["adjustments"]] == ["refund", "dispute"]
    assert latest["totals"][-2:] == [
        {"type": "total", "display_text": "Total", "amount": paid},
        {"type": "amount_refunded", "display_text": "Refunded", "amount": 250},
    ]
    events = latest["fulfillments"][0]["events"]
    assert [(e["type"], e.get("location")) for e in events] == [
        ("shipped", None),
        ("out_for_delivery", "San Francisco, CA"),
        ("delivered", None),
    ]
    assert shop.merchants["shop"].undelivered == []

    # GET answers the same order, in 2026-04-17's shape when asked, the admin view otherwise.
    native = shop.client.get(ORDER, headers=V26)
    assert native.status_code == 200
    check("Order", native.json())
    assert native.json() == latest
    admin = shop.client.get(ORDER).json()
    assert (admin["status"], admin["refunded_amount"], admin["total_amount"]) == (
        "fulfilled",
        250,
        paid,
    )


def test_the_order_in_a_2026_session_answer_validates(shop: Shop):
    _buy(shop)
    body = shop.client.get(ORDER, headers=V26).json()
    check("Order", body)
    assert body["status"] == "created"
    assert [li["quantity"] for li in body["line_items"]] == [
        {"ordered": 1, "current": 1, "fulfilled": 0}
    ]


@pytest.mark.parametrize(
    ("action", "body", "status", "param"),
    [
        ("track", {"type": "teleported"}, 400, "$.type"),
        ("track", {"type": "in_transit"}, 409, None),  # not shipped yet
        ("dispute", {"amount": 0}, 400, "$.amount"),
        ("dispute", {"amount": 10**9}, 400, "$.amount"),
    ],
)
def test_bad_admin_input_is_4xx_in_acps_shape(shop: Shop, agent, action, body, status, param):
    _buy(shop)
    answer = shop.client.post(f"{ORDER}/{action}", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json().get("param") == param
    assert len(agent[1].events) == 1  # the create; a refused change sends nothing


def test_the_receiver_refuses_what_is_not_signed_right(shop: Shop, agent):
    receiver, orders = agent
    body = canonical_json(
        {"type": "order_update", "data": {"type": "order", "checkout_session_id": "cs_1"}}
    )
    t = int(shop.clock.now.timestamp())
    tampered = body.replace(b"cs_1", b"cs_2")
    cases = [
        (body, {"Content-Type": "application/json"}, "Missing Merchant-Signature header."),
        (
            body,
            {"Merchant-Signature": f"t={t},v1=abc"},
            "Merchant-Signature must be t=<timestamp>,v1=<64_hex>.",
        ),
        (body, _signed(body, t - 301), "Timestamp outside allowed window."),
        (body, _signed(body, t + 301), "Timestamp outside allowed window."),
        (body, _signed(body, t, b"whsec_other"), "Webhook signature verification failed."),
        (tampered, _signed(body, t), "Webhook signature verification failed."),
    ]
    for content, headers, message in cases:
        answer = receiver.post(WEBHOOK_PATH, content=content, headers=headers)
        assert answer.status_code == 401, (message, answer.text)
        assert answer.json() == {
            "type": "invalid_request",
            "code": "invalid_signature",
            "message": message,
        }
    # At the window's edge it is still taken; then the same request again is a replay.
    edge = _signed(body, t - 300)
    assert receiver.post(WEBHOOK_PATH, content=body, headers=edge).json() == {
        "received": True,
        "request_id": "r1",
    }
    replay = receiver.post(WEBHOOK_PATH, content=body, headers=edge)
    assert replay.status_code == 401
    assert replay.json()["message"] == "Webhook signature already used: a replayed request."
    # A redelivery, freshly signed, is acknowledged but applied once.
    again = receiver.post(WEBHOOK_PATH, content=body, headers=_signed(body, t))
    assert again.status_code == 200
    assert len(orders.events) == 1
    # A signed body that is not an event is 400.
    junk = b'{"type": "order_update"}'
    refused = receiver.post(WEBHOOK_PATH, content=junk, headers=_signed(junk, t))
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_payload")


def test_replays_are_remembered_only_while_they_could_pass(shop: Shop):
    verifier = OrderEventVerifier(SECRET, tolerance=60, remember=3)
    body = canonical_json({"type": "order_create", "data": {"checkout_session_id": "cs_1"}})
    t = int(shop.clock.now.timestamp())
    for n in range(5):
        verifier.verify(body, _signed(body, t + n, request_id=f"r{n}"), shop.clock.now)
    assert verifier.remembered == 3  # bounded
    later = shop.clock.now + timedelta(seconds=200)
    fresh = _signed(body, int(later.timestamp()), request_id="r9")
    assert verifier.verify(body, fresh, later).duplicate is False
    assert verifier.remembered == 1  # the others expired with their window
    # An expired signature replayed is refused as stale (its window has passed).
    with pytest.raises(WebhookRejected) as refused:
        verifier.verify(body, _signed(body, t, request_id="r0"), later)
    assert refused.value.reason == "stale"
