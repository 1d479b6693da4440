"""Order events: ACP webhook bodies (checked against the spec's schema), signatures, sinks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import jsonschema
import pytest
import yaml

from merchants.events import (
    CallableSink,
    OrderEventEmitter,
    Refund,
    UrlSink,
    WebhookDeliveryError,
    canonical_json,
    order_created,
    order_updated,
    sign,
    verify_signature,
)
from merchants.orders import OrderLine, PlacedOrder
from merchants.specs import acp_spec_dir

SPEC = acp_spec_dir("2025-09-29") / "openapi.agentic_checkout_webhook.yaml"
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)  # unix 1794398400
SECRET = b"whsec_test"
PERMALINK = "https://merchant.example/orders/0000001"

ORDER = PlacedOrder(
    id="ord_tiny_0000001",
    checkout_session_id="cs_tiny_0000001",
    merchant_id="tiny",
    platform="shopify",
    currency="usd",
    lines=(OrderLine("mug", "Stoneware Mug", "kitchen", 2, 2499, 4998, 362),),
    items_amount=4998,
    discount_amount=0,
    shipping_amount=599,
    tax_amount=405,
    total_amount=6002,
    placed_at=NOW,
)


@pytest.fixture(scope="module")
def webhook_event_schema() -> jsonschema.Validator:
    document = yaml.safe_load(SPEC.read_text())
    # $refs point into the document ("#/components/schemas/..."), so keep it as the root.
    schema = {"$ref": "#/components/schemas/WebhookEvent", "components": document["components"]}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_order_created_body_matches_the_webhook_schema(webhook_event_schema):
    event = order_created(ORDER, PERMALINK)
    webhook_event_schema.validate(event.body())
    assert canonical_json(event.body()) == (
        b'{"data":{"checkout_session_id":"cs_tiny_0000001",'
        b'"permalink_url":"https://merchant.example/orders/0000001","refunds":[],'
        b'"status":"created","type":"order"},"type":"order_create"}'
    )
    assert (event.order_id, event.occurred_at) == ("ord_tiny_0000001", NOW)


@pytest.mark.parametrize(
    "status", ["manual_review", "confirmed", "shipped", "fulfilled", "canceled"]
)
def test_order_updated_bodies_match_the_webhook_schema(webhook_event_schema, status):
    refunds = [Refund("original_payment", 1000), Refund("store_credit", 2)]
    event = order_updated(
        "ord_tiny_0000001", "cs_tiny_0000001", status, NOW, permalink_url=PERMALINK, refunds=refunds
    )
    body = event.body()
    webhook_event_schema.validate(body)
    assert body["type"] == "order_update" and body["data"]["status"] == status
    assert body["data"]["refunds"] == [
        {"type": "original_payment", "amount": 1000},
        {"type": "store_credit", "amount": 2},
    ]


def test_schema_wants_integer_refund_amounts(webhook_event_schema):
    """The spec's example writes ``"1.00"``; its schema says integer, which the events follow."""
    example = {
        "type": "order_update",
        "data": {
            "type": "order",
            "checkout_session_id": "cs",
            "permalink_url": PERMALINK,
            "status": "shipped",
            "refunds": [{"type": "original_payment", "amount": "1.00"}],
        },
    }
    with pytest.raises(jsonschema.ValidationError):
        webhook_event_schema.validate(example)


def test_bad_events_are_refused():
    with pytest.raises(ValueError, match="order status must be one of"):
        order_updated("o", "cs", "lost", NOW, permalink_url=PERMALINK)
    with pytest.raises(ValueError, match="refund type"):
        Refund("cash", 100)
    with pytest.raises(ValueError, match="positive int of minor units"):
        Refund("original_payment", "1.00")
    with pytest.raises(ValueError, match="timezone-aware"):
        order_updated("o", "cs", "shipped", datetime(2026, 1, 1), permalink_url=PERMALINK)


def test_emitter_signs_canonical_json_and_the_receiver_verifies_it():
    sink = CallableSink()
    emitter = OrderEventEmitter(SECRET, sink)
    sent_at = NOW + timedelta(seconds=3)
    body = emitter.emit(order_created(ORDER, PERMALINK), sent_at)
    (delivery,) = sink.deliveries
    assert delivery.body == body == canonical_json(order_created(ORDER, PERMALINK).body())
    mac = hmac.new(SECRET, b"1794398403." + body, hashlib.sha256).hexdigest()
    assert delivery.headers == {
        "Content-Type": "application/json",
        "Merchant-Signature": f"t=1794398403,v1={mac}",
        "Request-Id": "ord_tiny_0000001.0000001",
        "Timestamp": "2026-11-11T12:00:00Z",
    }
    assert delivery.event["data"]["status"] == "created"
    header = delivery.headers["Merchant-Signature"]
    assert verify_signature(SECRET, body, header, sent_at)
    assert verify_signature(SECRET, body, header, sent_at + timedelta(seconds=300))
    assert not verify_signature(SECRET, body, header, sent_at + timedelta(seconds=301))
    assert not verify_signature(SECRET, body, header, sent_at - timedelta(seconds=301))
    assert not verify_signature(b"other", body, header, sent_at)
    assert not verify_signature(SECRET, body.replace(b"created", b"shipped"), header, sent_at)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=1794398400",
        "v1=abc",
        "t=abc,v1=abc",
        "t=1,t=2,v1=abc",
        "garbage",
        "t=-5,v1=ab",
    ],
)
def test_malformed_signature_headers_fail(header):
    assert not verify_signature(SECRET, b"{}", header, NOW)


def test_any_of_several_signatures_may_match():
    good = sign(SECRET, b"{}", NOW)
    rotated = sign(b"old", b"{}", NOW) + "," + good.split(",")[1]
    assert verify_signature(SECRET, b"{}", rotated, NOW)


def test_order_sink_plugs_into_checkout_and_request_ids_count_up():
    received = []
    sink = CallableSink(received.append)
    on_order = OrderEventEmitter(SECRET, sink).order_sink(lambda o: f"https://m.example/{o.id}")
    on_order(ORDER)
    on_order(ORDER)
    assert [d.headers["Request-Id"] for d in received] == [
        "ord_tiny_0000001.0000001",
        "ord_tiny_0000001.0000002",
    ]
    assert received[0].event["data"]["permalink_url"] == "https://m.example/ord_tiny_0000001"
    assert verify_signature(
        SECRET, received[0].body, received[0].headers["Merchant-Signature"], NOW
    )


def test_url_sink_posts_the_signed_body():
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        ok = verify_signature(SECRET, request.content, request.headers["Merchant-Signature"], NOW)
        return httpx.Response(200 if ok else 401, json={"received": ok})

    client = httpx.Client(transport=httpx.MockTransport(receiver))
    sink = UrlSink("https://ai.example/agentic_checkout/webhooks/order_events", client=client)
    emitter = OrderEventEmitter(SECRET, sink)
    body = emitter.emit(
        order_updated(ORDER.id, ORDER.checkout_session_id, "shipped", NOW, permalink_url=PERMALINK),
        NOW,
    )
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == "/agentic_checkout/webhooks/order_events"
    assert request.content == body
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content)["data"]["status"] == "shipped"
    sink.close()
    assert not client.is_closed  # an injected client stays the caller's


def test_url_sink_reports_refusals_and_transport_failures():
    refusing = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(401)))
    with pytest.raises(WebhookDeliveryError, match=r"^POST https://ai.example/hook: HTTP 401$"):
        UrlSink("https://ai.example/hook", client=refusing)(b"{}", {})

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    failing = httpx.Client(transport=httpx.MockTransport(unreachable))
    with pytest.raises(WebhookDeliveryError, match="connection refused"):
        UrlSink("https://ai.example/hook", client=failing)(b"{}", {})
