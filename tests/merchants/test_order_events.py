"""An order's life after checkout, and the signed ACP order events it sends."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
import yaml

from merchants.errors import ProtocolError
from merchants.events import CallableSink, WebhookDeliveryError, canonical_json, verify_signature
from merchants.merchant import Merchant
from merchants.payments import PaymentProcessor
from merchants.profile import MerchantProfile, ShippingProfile
from merchants.specs import acp_spec_dir

from .checkout_fixtures import NOW, buy_in_process, tiny_catalog

SPEC = acp_spec_dir("2025-09-29") / "openapi.agentic_checkout_webhook.yaml"
SECRET = b"whsec_test"
PROFILE = MerchantProfile(
    id="tiny",
    name="Tiny",
    platform="shopify",
    tax_rate_bps=725,
    site_url="https://tiny.example",
    shipping=[
        ShippingProfile(
            id="standard", title="Standard", price=599, min_days=3, max_days=7, free_over=7500
        ),
        ShippingProfile(id="express", title="Express", price=1499, min_days=1, max_days=2),
    ],
)
TOTAL = 6002  # 2 mugs: 49.98 + shipping 5.99 + tax 4.05
PERMALINK = "https://tiny.example/orders/0000001"


@pytest.fixture(scope="module")
def webhook_event() -> jsonschema.Validator:
    document = yaml.safe_load(SPEC.read_text())
    schema = {"$ref": "#/components/schemas/WebhookEvent", "components": document["components"]}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _merchant(sink=None, secret=SECRET) -> Merchant:
    return Merchant(
        PROFILE,
        seed=1,
        processor=PaymentProcessor(),
        catalog=tiny_catalog(),
        event_sink=sink,
        webhook_secret=secret if sink else None,
    )


def _buy(merchant: Merchant, quantity: int = 2, at=NOW) -> str:
    _, _, done = buy_in_process(merchant, "mug", at, quantity=quantity)
    assert done.status == "completed"
    return done.order.id


def _event(status: str, *refunds: tuple[str, int], kind: str = "order_update") -> dict:
    return {
        "type": kind,
        "data": {
            "type": "order",
            "checkout_session_id": "cs_tiny_0000001",
            "permalink_url": PERMALINK,
            "status": status,
            "refunds": [{"type": t, "amount": a} for t, a in refunds],
        },
    }


def test_an_orders_life_sends_exact_signed_events(webhook_event):
    sink = CallableSink()
    merchant = _merchant(sink)
    order_id = _buy(merchant)
    assert order_id == "ord_tiny_0000001"
    steps = [
        (NOW + timedelta(hours=1), lambda at: merchant.ship(order_id, at)),
        (NOW + timedelta(days=3), lambda at: merchant.fulfill(order_id, at)),
        (NOW + timedelta(days=4), lambda at: merchant.refund(order_id, 1000, at)),
        (NOW + timedelta(days=5), lambda at: merchant.refund(order_id, 2, at, "store_credit")),
    ]
    for at, step in steps:
        step(at)
    assert [d.event for d in sink.deliveries] == [
        _event("created", kind="order_create"),
        _event("shipped"),
        _event("fulfilled"),
        _event("fulfilled", ("original_payment", 1000)),
        _event("fulfilled", ("original_payment", 1000), ("store_credit", 2)),
    ]
    sent_at = [NOW] + [at for at, _ in steps]
    for number, (delivery, at) in enumerate(zip(sink.deliveries, sent_at, strict=True), 1):
        webhook_event.validate(delivery.event)
        assert delivery.body == canonical_json(delivery.event)
        assert delivery.headers["Request-Id"] == f"ord_tiny_0000001.{number:07d}"
        assert delivery.headers["Timestamp"] == at.strftime("%Y-%m-%dT%H:%M:%SZ")
        header = delivery.headers["Merchant-Signature"]
        assert header.startswith(f"t={int(at.timestamp())},v1=")
        assert verify_signature(SECRET, delivery.body, header, at)
        assert not verify_signature(b"other", delivery.body, header, at)
    record = merchant.order(order_id)
    assert (record.status, record.refunded, record.refundable) == ("fulfilled", 1002, TOTAL - 1002)


def test_refunds_never_exceed_what_was_paid():
    sink = CallableSink()
    merchant = _merchant(sink)
    order_id = _buy(merchant)
    merchant.refund(order_id, TOTAL - 1, NOW)
    with pytest.raises(ProtocolError) as refused:
        merchant.refund(order_id, 2, NOW)
    assert (refused.value.status, refused.value.code, refused.value.param) == (
        400,
        "refund_exceeds_payment",
        "$.amount",
    )
    assert refused.value.message == (
        "refund of 2 exceeds the 1 left of the 6002 paid for order ord_tiny_0000001"
    )
    merchant.refund(order_id, 1, NOW)
    assert merchant.order(order_id).refundable == 0
    for bad in (0, -5, True):
        with pytest.raises(ProtocolError) as refused:
            merchant.refund(order_id, bad, NOW)
        assert refused.value.status == 400
    assert len(sink.deliveries) == 3  # create and two refunds; refusals send nothing


def test_cancel_restocks_and_refunds_the_rest():
    sink = CallableSink()
    merchant = _merchant(sink)
    order_id = _buy(merchant)
    assert merchant.catalog.get("mug").stock == 3
    merchant.refund(order_id, 500, NOW)
    canceled = merchant.cancel_order(order_id, NOW + timedelta(minutes=5))
    assert (canceled.status, canceled.refunded) == ("canceled", TOTAL)
    assert sink.deliveries[-1].event == _event(
        "canceled", ("original_payment", 500), ("original_payment", TOTAL - 500)
    )
    assert merchant.catalog.get("mug").stock == 5
    assert merchant.catalog.sold == {}
    with pytest.raises(ProtocolError) as refused:
        merchant.refund(order_id, 1, NOW)
    assert refused.value.code == "refund_exceeds_payment"


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        (["ship"], "cancel_order"),
        (["ship", "fulfill"], "ship"),
        ([], "fulfill"),
        (["cancel_order"], "ship"),
    ],
)
def test_refused_transitions_are_409_and_send_nothing(steps, action):
    sink = CallableSink()
    merchant = _merchant(sink)
    order_id = _buy(merchant)
    for step in steps:
        getattr(merchant, step)(order_id, NOW)
    sent = len(sink.deliveries)
    with pytest.raises(ProtocolError) as refused:
        getattr(merchant, action)(order_id, NOW)
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert len(sink.deliveries) == sent


def test_unknown_order_is_404():
    with pytest.raises(ProtocolError) as refused:
        _merchant().ship("ord_nope", NOW)
    assert (refused.value.status, refused.value.message) == (404, "order 'ord_nope' not found")


def test_without_a_sink_the_life_still_runs():
    merchant = _merchant()
    order_id = _buy(merchant)
    assert merchant.ship(order_id, NOW).status == "shipped"


def test_a_receiver_that_refuses_does_not_undo_the_sale():
    def refusing(body: bytes, headers: dict[str, str]) -> None:
        raise WebhookDeliveryError("POST https://ai.example/hook: HTTP 500")

    merchant = _merchant(refusing)
    order_id = _buy(merchant)
    assert merchant.order(order_id).status == "created"
    assert [(e.type, reason) for e, reason in merchant.undelivered] == [
        ("order_create", "POST https://ai.example/hook: HTTP 500")
    ]


def test_a_sink_needs_a_secret():
    with pytest.raises(ValueError, match="webhook_secret"):
        _merchant(CallableSink(), secret=None)
    with pytest.raises(ValueError, match="webhook_secret"):
        Merchant(
            PROFILE,
            seed=1,
            processor=PaymentProcessor(),
            catalog=tiny_catalog(),
            webhook_secret=SECRET,
        )
