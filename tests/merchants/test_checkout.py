"""ACP checkout in process: totals to the cent, transitions, stock, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.acp import (
    Allowance,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
    PaymentMethodCard,
)
from merchants.errors import ProtocolError
from merchants.payments import PaymentProcessor

from .checkout_fixtures import ADDRESS, BUYER, NOW, tiny_service


def _token(
    processor,
    session,
    *,
    amount=None,
    merchant="tiny",
    number="4242424242424242",
    expires=NOW + timedelta(minutes=15),
):
    return processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number=number),
            allowance=Allowance(
                max_amount=session.total() if amount is None else amount,
                currency="usd",
                checkout_session_id=session.id,
                merchant_id=merchant,
                expires_at=expires,
            ),
        ),
        NOW,
    ).id


def _open(service, item: str, quantity: int = 1):
    """A checkout of ``quantity`` of one item, shipped to the test address, opened at NOW."""
    return service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id=item, quantity=quantity)], fulfillment_address=ADDRESS
        ),
        NOW,
    )


def _complete(service, session, token, at=NOW):
    return service.complete(
        session.id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)), at
    )


def test_totals_to_the_cent_and_purchase():
    orders, processor = [], PaymentProcessor()
    service = tiny_service(orders, processor=processor)
    created = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=2)], buyer=BUYER, fulfillment_address=ADDRESS
        ),
        NOW,
    )
    # 2 x 24.99 = 49.98; standard shipping 5.99 (under the 75.00 free threshold)
    # tax 7.25%: items 3.62355 -> 3.62, shipping 0.434275 -> 0.43; total 49.98 + 5.99 + 4.05
    assert created.status == "ready_for_payment"
    assert created.fulfillment_option_id == "standard"
    assert [(t.type, t.amount) for t in created.totals] == [
        ("items_base_amount", 4998),
        ("subtotal", 4998),
        ("fulfillment", 599),
        ("tax", 405),
        ("total", 6002),
    ]
    express = service.update(
        created.id, CheckoutSessionUpdateRequest(fulfillment_option_id="express"), NOW
    )
    # express 14.99, tax 1.086775 -> 1.09; total 49.98 + 14.99 + 3.62 + 1.09 = 69.68
    assert express.total() == 6968
    done = _complete(service, express, _token(processor, express))
    assert done.status == "completed"
    assert done.order.id == "ord_tiny_0000001"
    assert service.catalog.get("mug").stock == 3
    (order,) = orders
    assert (order.items_amount, order.shipping_amount, order.tax_amount, order.total_amount) == (
        4998,
        1499,
        471,
        6968,
    )
    assert order.units == 2 and order.lines[0].category == "kitchen"


def test_free_shipping_over_threshold():
    service = tiny_service()
    created = _open(service, "lamp")
    # 89.00 >= 75.00: standard shipping is free; tax 6.4525 -> 6.45
    assert created.total("fulfillment") == 0
    assert created.total() == 8900 + 645


def test_without_address_not_ready():
    service = tiny_service()
    created = service.create(CheckoutSessionCreateRequest(items=[Item(id="mug", quantity=1)]), NOW)
    assert created.status == "not_ready_for_payment"
    assert [m.code for m in created.errors()] == ["missing"]
    with pytest.raises(ProtocolError) as refused:
        _complete(service, created, "vt_x")
    assert refused.value.status == 409


def test_out_of_stock_at_create_and_never_oversold():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    too_many = _open(service, "lamp", 2)
    assert too_many.status == "not_ready_for_payment"
    assert [(m.code, m.param) for m in too_many.errors()] == [("out_of_stock", "$.line_items[0]")]
    # Two sessions race for the last lamp: both are ready, only the first to complete wins.
    first, second = (_open(service, "lamp") for _ in "ab")
    assert first.status == second.status == "ready_for_payment"
    won = _complete(service, first, _token(processor, first))
    lost = _complete(service, second, _token(processor, second))
    assert won.status == "completed"
    assert lost.status == "not_ready_for_payment"
    assert [m.code for m in lost.errors()] == ["out_of_stock"]
    assert service.catalog.get("lamp").stock == 0
    assert service.catalog.oversold_units() == 0


def test_backorder_product_sells_beyond_stock():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    session = _open(service, "pre", 3)
    assert _complete(service, session, _token(processor, session)).status == "completed"
    assert service.catalog.get("pre").stock == -3
    assert service.catalog.oversold_units() == 0


def test_cancel_transitions():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    session = _open(service, "mug")
    assert service.cancel(session.id, NOW).status == "canceled"
    for action in (
        lambda: service.cancel(session.id, NOW),
        lambda: _complete(service, session, "vt_x"),
    ):
        with pytest.raises(ProtocolError) as refused:
            action()
        assert refused.value.status in (405, 409)
    paid = _open(service, "mug")
    _complete(service, paid, _token(processor, paid))
    with pytest.raises(ProtocolError) as refused:
        service.cancel(paid.id, NOW)
    assert refused.value.status == 405


def test_session_expires_after_ttl():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor, session_ttl=timedelta(minutes=30))
    session = _open(service, "mug")
    later = NOW + timedelta(minutes=30)
    expired = service.get(session.id, later)
    assert expired.status == "canceled"
    assert [m.content for m in expired.messages] == ["Checkout session expired."]
    with pytest.raises(ProtocolError) as refused:
        _complete(service, session, _token(processor, session), at=later)
    assert (refused.value.status, refused.value.code) == (409, "session_expired")


@pytest.mark.parametrize(
    ("breach", "kwargs"),
    [
        ("over_allowance", {"amount": 100}),
        ("wrong_merchant", {"merchant": "someone_else"}),
        ("allowance_expired", {"expires": NOW + timedelta(seconds=1)}),
    ],
)
def test_token_allowance_breach_is_a_decline(breach, kwargs):
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    session = _open(service, "mug")
    token = _token(processor, session, **kwargs)
    done = _complete(service, session, token, at=NOW + timedelta(seconds=5))
    assert done.status == "ready_for_payment"  # ready for another token
    assert [m.code for m in done.errors()] == ["payment_declined"]
    assert breach in done.errors()[0].content
    assert service.catalog.get("mug").stock == 5


def test_token_is_single_use_and_declined_card_can_be_replaced():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    session = _open(service, "mug")
    declined = _complete(service, session, _token(processor, session, number="4000000000000002"))
    assert "generic_decline" in declined.errors()[0].content
    token = _token(processor, session)
    assert _complete(service, session, token).status == "completed"
    other = _open(service, "mug")
    reused = _complete(service, other, token)
    assert "token_used" in reused.errors()[0].content


def test_unknown_item_is_a_protocol_error():
    with pytest.raises(ProtocolError) as refused:
        tiny_service().create(
            CheckoutSessionCreateRequest(items=[Item(id="nope", quantity=1)]), NOW
        )
    assert (refused.value.status, refused.value.param) == (400, "$.items[0].id")


def test_memory_stays_bounded_sessions_and_orders_are_forgotten():
    service = tiny_service()
    first = _open(service, "mug")
    later = NOW + timedelta(minutes=30) + timedelta(hours=1)  # expired, then retained an hour
    for _ in range(1023):  # the 1024th create sweeps
        service.create(CheckoutSessionCreateRequest(items=[Item(id="mug", quantity=1)]), later)
    with pytest.raises(ProtocolError) as gone:
        service.get(first.id, later)
    assert gone.value.status == 404
    assert service.get(f"cs_tiny_{1024:07d}", later).id == "cs_tiny_0001024"


def test_expired_tokens_are_forgotten_and_ids_stay_unique():
    processor = PaymentProcessor()
    service = tiny_service(processor=processor)
    session = _open(service, "mug")
    tokens = {_token(processor, session, expires=NOW + timedelta(seconds=1)) for _ in range(1023)}
    later = NOW + timedelta(minutes=1)
    processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=1,
                currency="usd",
                checkout_session_id=session.id,
                merchant_id="tiny",
                expires_at=later + timedelta(minutes=5),
            ),
        ),
        later,
    )
    assert len(tokens) == 1023 and len(processor._tokens) == 1


def test_address_it_cannot_ship_to_is_an_invalid_message():
    service = tiny_service()
    service.ships_to = frozenset({"US"})
    abroad = ADDRESS.model_copy(update={"country": "DE"})
    session = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=1)], fulfillment_address=abroad
        ),
        NOW,
    )
    assert session.status == "not_ready_for_payment"
    assert [(m.code, m.param) for m in session.errors()] == [
        ("invalid", "$.fulfillment_address.country")
    ]
    fixed = service.update(
        session.id, CheckoutSessionUpdateRequest(fulfillment_address=ADDRESS), NOW
    )
    assert fixed.status == "ready_for_payment" and fixed.errors() == []
