"""3-D Secure in process: a challenged card charges nothing until its result is in."""

from __future__ import annotations

import random
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
from merchants.payments import THREE_DS_CARD, PaymentProcessor
from merchants.versions import REQUIRES_3DS

from .checkout_fixtures import ADDRESS, NOW, tiny_service

# 1 mug: 24.99 + standard shipping 5.99 + tax (1.811775 -> 1.81, 0.434275 -> 0.43) = 33.22
TOTAL = 3322


def _token(
    processor,
    session_id,
    *,
    amount=TOTAL,
    number=THREE_DS_CARD,
    expires=NOW + timedelta(minutes=15),
):
    return processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number=number),
            allowance=Allowance(
                max_amount=amount,
                currency="usd",
                checkout_session_id=session_id,
                merchant_id="tiny",
                expires_at=expires,
            ),
        ),
        NOW,
    ).id


def _complete(service, session_id, token, at=NOW):
    return service.complete(
        session_id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)), at
    )


@pytest.fixture
def shop():
    orders, processor = [], PaymentProcessor()
    service = tiny_service(orders, processor=processor)
    session = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=1)], fulfillment_address=ADDRESS
        ),
        NOW,
    )
    assert session.total() == TOTAL
    return service, processor, orders, session.id


def test_requires_3ds_then_pass_then_completed(shop):
    service, processor, orders, session_id = shop
    token = _token(processor, session_id)
    challenged = _complete(service, session_id, token)
    assert challenged.status == "ready_for_payment"  # 2025-09-29 has no authentication_required
    assert [(m.code, m.param, m.content) for m in challenged.errors()] == [
        ("requires_3ds", "$.payment_data", REQUIRES_3DS)
    ]
    assert challenged.order is None and orders == []
    assert service.catalog.get("mug").stock == 5
    assert service.snapshot(session_id, NOW).status == "authentication_required"
    # Completing again before authenticating asks again and still charges nothing.
    again = _complete(service, session_id, token)
    assert [m.code for m in again.errors()] == ["requires_3ds"] and orders == []

    authenticated = service.authenticate(session_id, True, NOW)
    assert authenticated.status == "ready_for_payment"
    assert authenticated.messages == []
    done = _complete(service, session_id, token)
    assert done.status == "completed"
    assert done.order.id == "ord_tiny_0000001"
    assert [o.total_amount for o in orders] == [TOTAL]
    assert service.catalog.get("mug").stock == 4


def test_failed_challenge_is_payment_declined_and_a_new_card_may_follow(shop):
    service, processor, orders, session_id = shop
    token = _token(processor, session_id)
    assert [m.code for m in _complete(service, session_id, token).errors()] == ["requires_3ds"]
    assert service.authenticate(session_id, False, NOW).status == "ready_for_payment"
    declined = _complete(service, session_id, token)
    assert declined.status == "ready_for_payment"
    assert [(m.code, m.param, m.content) for m in declined.errors()] == [
        ("payment_declined", "$.payment_data", "Payment declined: authentication_failed.")
    ]
    assert orders == []
    assert "token_used" in _complete(service, session_id, token).errors()[0].content
    other = _token(processor, session_id, number="4242424242424242")
    assert _complete(service, session_id, other).status == "completed"


def test_allowance_is_checked_before_the_challenge(shop):
    service, processor, orders, session_id = shop
    short = _token(processor, session_id, amount=TOTAL - 1)
    assert declined_reason(_complete(service, session_id, short)) == "over_allowance"
    assert service.snapshot(session_id, NOW).status == "ready_for_payment"


def test_allowance_still_binds_after_a_passed_challenge(shop):
    service, processor, orders, session_id = shop
    token = _token(processor, session_id, expires=NOW + timedelta(minutes=2))
    _complete(service, session_id, token)
    service.authenticate(session_id, True, NOW + timedelta(minutes=1))
    late = _complete(service, session_id, token, at=NOW + timedelta(minutes=3))
    assert declined_reason(late) == "allowance_expired"
    assert orders == []


def test_authenticate_needs_a_pending_challenge(shop):
    service, processor, orders, session_id = shop
    with pytest.raises(ProtocolError) as refused:
        service.authenticate(session_id, True, NOW)
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    token = _token(processor, session_id)
    _complete(service, session_id, token)
    service.authenticate(session_id, True, NOW)
    with pytest.raises(ProtocolError):  # the result is in: nothing is pending any more
        service.authenticate(session_id, True, NOW)


def test_update_drops_a_pending_challenge(shop):
    service, processor, orders, session_id = shop
    _complete(service, session_id, _token(processor, session_id))
    updated = service.update(
        session_id, CheckoutSessionUpdateRequest(fulfillment_option_id="express"), NOW
    )
    assert updated.status == "ready_for_payment" and updated.messages == []
    assert service.snapshot(session_id, NOW).status == "ready_for_payment"


def test_complete_may_carry_the_challenge_result(shop):
    service, processor, orders, session_id = shop
    token = _token(processor, session_id)
    _complete(service, session_id, token)
    done = service.complete(
        session_id,
        CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)),
        NOW,
        authenticated=True,
    )
    assert done.status == "completed"


def test_three_ds_rate_draws_once_per_token_from_the_processor_rng():
    always = PaymentProcessor(three_ds_rate=1.0)
    service = tiny_service(processor=always)
    session = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=1)], fulfillment_address=ADDRESS
        ),
        NOW,
    )
    plain = _token(always, session.id, number="4242424242424242")
    assert [m.code for m in _complete(service, session.id, plain).errors()] == ["requires_3ds"]

    rng = random.Random(0)
    never = PaymentProcessor(rng=rng, three_ds_rate=0.0)
    service = tiny_service(processor=never)
    session = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=1)], fulfillment_address=ADDRESS
        ),
        NOW,
    )
    token = _token(never, session.id, number="4242424242424242")
    assert _complete(service, session.id, token).status == "completed"
    assert rng.random() == random.Random(0).random()  # a zero rate draws nothing


def test_three_ds_rate_must_be_a_probability():
    with pytest.raises(ValueError, match="three_ds_rate"):
        PaymentProcessor(three_ds_rate=1.5)


def declined_reason(session) -> str:
    (error,) = session.errors()
    assert error.code == "payment_declined"
    return error.content.removeprefix("Payment declined: ").removesuffix(".")
