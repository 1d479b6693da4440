"""A whole purchase over HTTP equals the same purchase in process; allowance breaches decline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.acp import (
    Address,
    Allowance,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
    PaymentMethodCard,
)
from merchants.http.app import session_body
from merchants.money import apply_bps

from .support import ADDRESS, NOW, Shop, build_shop, total


def test_full_purchase_matches_in_process(shop: Shop):
    product = shop.product(index=4)
    # over HTTP: create with address -> choose express -> delegate payment -> complete
    created = shop.create(index=4, quantity=2)
    path = f"/merchants/shop/checkout_sessions/{created['id']}"
    shop.clock.advance(minutes=1)
    updated = shop.client.post(path, json={"fulfillment_option_id": "express"}).json()
    shop.clock.advance(minutes=1)
    token = shop.token(updated)
    shop.clock.advance(minutes=1)
    done = shop.complete(updated, token)
    assert done.status_code == 200
    completed = done.json()

    # in process, on an identically built merchant, at the same moments
    merchants, processor = build_shop()
    merchant = merchants["shop"]
    at = [NOW + timedelta(minutes=m) for m in range(4)]
    local_created = merchant.create_checkout(
        CheckoutSessionCreateRequest(
            items=[Item(id=product.id, quantity=2)], fulfillment_address=Address(**ADDRESS)
        ),
        at[0],
    )
    local_updated = merchant.update_checkout(
        local_created.id, CheckoutSessionUpdateRequest(fulfillment_option_id="express"), at[1]
    )
    local_token = processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=local_updated.total(),
                currency="usd",
                checkout_session_id=local_updated.id,
                merchant_id="shop",
                expires_at=at[2] + timedelta(minutes=15),
            ),
        ),
        at[2],
    ).id
    local_completed = merchant.complete_checkout(
        local_updated.id,
        CheckoutSessionCompleteRequest(payment_data=PaymentData(token=local_token)),
        at[3],
    )

    assert created == session_body(local_created)
    assert updated == session_body(local_updated)
    assert token == local_token
    assert completed == session_body(local_completed, with_order=True)
    items = product.price * 2
    tax = apply_bps(items, 725) + apply_bps(1499, 725)
    assert [(t["type"], t["amount"]) for t in completed["totals"]] == [
        ("items_base_amount", items),
        ("subtotal", items),
        ("fulfillment", 1499),
        ("tax", tax),
        ("total", items + 1499 + tax),
    ]
    assert completed["status"] == "completed"
    assert completed["order"]["id"] == "ord_shop_0000001"
    assert shop.product(index=4).stock == product.stock  # same object, decremented once
    assert merchants["shop"].catalog.sold == shop.merchants["shop"].catalog.sold == {product.id: 2}


def test_purchase_at_a_zero_tax_merchant(shop: Shop):
    product = shop.product("crafts", 0)
    session = shop.create(merchant="crafts", quantity=1)
    assert [(t["type"], t["amount"]) for t in session["totals"]] == [
        ("items_base_amount", product.price),
        ("subtotal", product.price),
        ("fulfillment", 0 if product.price >= 7500 else 599),
        ("tax", 0),
        ("total", product.price + (0 if product.price >= 7500 else 599)),
    ]
    done = shop.complete(session, shop.token(session, merchant="crafts"), merchant="crafts")
    assert done.json()["status"] == "completed"
    assert done.json()["order"]["id"] == "ord_crafts_0000001"


def _declined(response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] != "completed"
    assert "order" not in body
    errors = [m for m in body["messages"] if m["type"] == "error"]
    assert [(m["code"], m["param"]) for m in errors] == [("payment_declined", "$.payment_data")]
    return errors[0]["content"]


@pytest.mark.parametrize(
    "breach", ["over_allowance", "wrong_merchant", "allowance_expired", "invalid_token"]
)
def test_allowance_breach_is_payment_declined(shop: Shop, breach: str):
    session = shop.create()
    if breach == "over_allowance":
        token = shop.token(session, amount=total(session) - 1)
    elif breach == "wrong_merchant":
        token = shop.token(session, merchant="crafts")
    elif breach == "allowance_expired":
        token = shop.token(session, expires=NOW + timedelta(minutes=5))
        shop.clock.advance(minutes=6)
    else:
        token = "vt_forged"
    assert _declined(shop.complete(session, token)) == f"Payment declined: {breach}."
    # the session stays open: a good token then completes it
    shop.clock.advance(seconds=1)
    assert shop.complete(session, shop.token(session)).json()["status"] == "completed"


def test_reused_token_is_payment_declined(shop: Shop):
    first = shop.create()
    token = shop.token(first)
    assert shop.complete(first, token).json()["status"] == "completed"
    second = shop.create()
    assert _declined(shop.complete(second, token)) == "Payment declined: token_used."


def test_token_for_another_session_is_payment_declined(shop: Shop):
    first, second = shop.create(), shop.create()
    token = shop.token(first)
    assert _declined(shop.complete(second, token)) == ("Payment declined: wrong_checkout_session.")


def test_declining_test_card(shop: Shop):
    session = shop.create()
    token = shop.token(session, number="4000000000009995")
    assert _declined(shop.complete(session, token)) == "Payment declined: insufficient_funds."


def test_delegate_payment_refuses_bad_cards_and_past_allowances(shop: Shop):
    session = shop.create()
    body = {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": "4242-4242-4242",
            "display_card_funding_type": "credit",
            "metadata": {},
        },
        "allowance": {
            "reason": "one_time",
            "max_amount": 100,
            "currency": "usd",
            "checkout_session_id": session["id"],
            "merchant_id": "shop",
            "expires_at": "2026-11-11T12:30:00Z",
        },
        "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
        "metadata": {},
    }
    url = "/psp/agentic_commerce/delegate_payment"
    bad_card = shop.client.post(url, json=body)
    assert bad_card.json() == {
        "type": "invalid_request",
        "code": "invalid_card",
        "message": "Invalid card number provided",
        "param": "$.payment_method.number",
    }
    body["payment_method"]["number"] = "4242424242424242"
    body["allowance"]["expires_at"] = "2026-11-11T11:59:59Z"
    past = shop.client.post(url, json=body)
    assert (past.status_code, past.json()["param"]) == (400, "$.allowance.expires_at")
    body["allowance"]["expires_at"] = "2026-11-11T12:30:00"  # no offset: ambiguous
    naive = shop.client.post(url, json=body)
    assert (naive.status_code, naive.json()["param"]) == (400, "$.allowance.expires_at")
