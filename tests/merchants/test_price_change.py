"""A price that changed since the feed was read: open sessions re-priced, with a message."""

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
    MessageInfo,
    PaymentData,
    PaymentMethodCard,
)
from merchants.checkout import PriceChange
from merchants.errors import ProtocolError
from merchants.payments import PaymentProcessor
from merchants.versions import render

from .checkout_fixtures import ADDRESS, NOW, tiny_service

LATER = NOW + timedelta(minutes=1)
# 2 mugs at 24.99: 49.98 + shipping 5.99 + tax 3.62 + 0.43 = 60.02
OLD_TOTAL = 6002
# 2 mugs at 27.99: 55.98 + shipping 5.99 + tax (4.05855 -> 4.06) + 0.43 = 66.46
NEW_TOTAL = 6646
CHANGED = "Price of Stoneware Mug changed from $24.99 to $27.99."


def _token(processor, session_id, amount):
    return processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=amount,
                currency="usd",
                checkout_session_id=session_id,
                merchant_id="tiny",
                expires_at=NOW + timedelta(minutes=15),
            ),
        ),
        NOW,
    ).id


def _complete(service, session_id, token, at=LATER):
    return service.complete(
        session_id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)), at
    )


def _two_mugs(service, at=NOW):
    return service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=2)], fulfillment_address=ADDRESS
        ),
        at,
    )


def test_open_session_is_repriced_with_an_info_message():
    orders, processor = [], PaymentProcessor()
    service = tiny_service(orders, processor=processor)
    session = _two_mugs(service)
    assert session.total() == OLD_TOTAL
    change = service.set_price("mug", 2799, LATER)
    assert change == PriceChange("mug", 2499, 2799, LATER)
    assert service.price_changes == [change]

    repriced = service.get(session.id, LATER)
    assert repriced.status == "ready_for_payment"  # a notice, not a blocker
    assert [(t.type, t.amount) for t in repriced.totals] == [
        ("items_base_amount", 5598),
        ("subtotal", 5598),
        ("fulfillment", 599),
        ("tax", 449),
        ("total", NEW_TOTAL),
    ]
    assert repriced.line_items[0].base_amount == 5598 and repriced.line_items[0].tax == 406
    assert repriced.messages == [MessageInfo(param="$.line_items[0]", content=CHANGED)]

    # The token the agent got for the old total is short now; one for the new total completes.
    short = _complete(service, session.id, _token(processor, session.id, OLD_TOTAL))
    assert [m.code for m in short.errors()] == ["payment_declined"]
    assert "over_allowance" in short.errors()[0].content
    done = _complete(service, session.id, _token(processor, session.id, NEW_TOTAL))
    assert done.status == "completed" and done.total() == NEW_TOTAL
    assert done.messages == []
    (order,) = orders
    assert (order.lines[0].unit_price, order.items_amount, order.total_amount) == (
        2799,
        5598,
        NEW_TOTAL,
    )

    # A closed session keeps the prices it closed with.
    service.set_price("mug", 1999, LATER + timedelta(minutes=1))
    assert service.get(session.id, LATER + timedelta(minutes=2)).total() == NEW_TOTAL


def test_the_same_change_as_2026_04_17_shows_it_a_warning():
    service = tiny_service()
    session = _two_mugs(service)
    service.set_price("mug", 2799, LATER)
    body = render(service.snapshot(session.id, LATER), "2026-04-17")
    assert body["messages"] == [
        {
            "type": "warning",
            "code": "price_change",
            "param": "$.line_items[0]",
            "content_type": "plain",
            "content": CHANGED,
        }
    ]
    assert (body["line_items"][0]["unit_amount"], body["totals"][-1]["amount"]) == (2799, NEW_TOTAL)
    assert render(service.snapshot(session.id, LATER), "2025-09-29")["messages"] == [
        {"type": "info", "param": "$.line_items[0]", "content_type": "plain", "content": CHANGED}
    ]


def test_a_cheaper_price_still_completes_with_the_old_token():
    orders, processor = [], PaymentProcessor()
    service = tiny_service(orders, processor=processor)
    session = _two_mugs(service)
    token = _token(processor, session.id, OLD_TOTAL)
    service.set_price("mug", 1999, LATER)
    # 2 x 19.99 = 39.98 + 5.99 + tax (2.89855 -> 2.90) + 0.43 = 49.30
    repriced = service.get(session.id, LATER)
    assert repriced.total() == 4930
    assert [m.content for m in repriced.messages] == [
        "Price of Stoneware Mug changed from $24.99 to $19.99."
    ]
    assert _complete(service, session.id, token).status == "completed"
    assert orders[0].total_amount == 4930


def test_sessions_opened_after_the_change_and_updated_items_carry_no_message():
    service = tiny_service()
    before = _two_mugs(service)
    service.set_price("mug", 2799, LATER)
    after = _two_mugs(service, LATER)
    assert after.total() == NEW_TOTAL and after.messages == []
    # Setting the items again quotes them afresh: the buyer has seen the new price.
    acknowledged = service.update(
        before.id, CheckoutSessionUpdateRequest(items=[Item(id="mug", quantity=2)]), LATER
    )
    assert acknowledged.total() == NEW_TOTAL and acknowledged.messages == []
    # Other updates keep the old quote, and so the message.
    other = _two_mugs(service, NOW)
    service.set_price("mug", 2999, LATER)
    kept = service.update(
        other.id, CheckoutSessionUpdateRequest(fulfillment_option_id="express"), LATER
    )
    assert [m.content for m in kept.messages] == [
        "Price of Stoneware Mug changed from $27.99 to $29.99."
    ]


def test_expected_prices_are_what_the_client_was_shown():
    service = tiny_service()
    session = service.create(
        CheckoutSessionCreateRequest(
            items=[Item(id="mug", quantity=2)], fulfillment_address=ADDRESS
        ),
        NOW,
        expected_prices={"mug": 2299},
    )
    assert [m.content for m in session.messages] == [
        "Price of Stoneware Mug changed from $22.99 to $24.99."
    ]
    assert session.total() == OLD_TOTAL


@pytest.mark.parametrize(
    ("product", "price", "status", "param"),
    [
        ("mug", -1, 400, "$.price"),
        ("mug", True, 400, "$.price"),
        ("mug", 12.5, 400, "$.price"),
        ("nope", 100, 404, None),
    ],
)
def test_bad_price_changes_are_refused(product, price, status, param):
    service = tiny_service()
    with pytest.raises(ProtocolError) as refused:
        service.set_price(product, price, NOW)
    assert (refused.value.status, refused.value.param) == (status, param)
    assert service.price_changes == [] and service.catalog.get("mug").price == 2499
