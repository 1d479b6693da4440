"""API versions over HTTP: one session, rendered as 2025-09-29 or 2026-04-17 asks.

Every session body here is also schema-checked by the client hook: against 2025-09-29's
``CheckoutSession`` or 2026-04-17's, by the request's ``API-Version``.
"""

from __future__ import annotations

import json

from merchants.acp_2026.capabilities import card_handler
from merchants.money import apply_bps
from merchants.payments import THREE_DS_CARD
from merchants.versions import REQUIRES_3DS

from .support import (
    ADDRESS,
    BUYER,
    SPEC_DIR,
    V26,
    Shop,
    create_body,
    details,
    keyed,
    payment_data,
    total,
)

EXAMPLES = json.loads(
    (SPEC_DIR.parent / "2026-04-17" / "examples.agentic_checkout.json").read_text()
)
SESSIONS = "/merchants/shop/checkout_sessions"


def _create(shop: Shop, headers: dict | None = None, **extra) -> dict:
    """Create in the version ``headers`` ask for, in that version's request shape."""
    if headers == V26:
        body, headers = create_body(shop.product().id), keyed()
    else:
        body = {"items": [{"id": shop.product().id, "quantity": 1}], "fulfillment_address": ADDRESS}
    response = shop.client.post(SESSIONS, json={**body, **extra}, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


def _totals(**amounts: int) -> list[dict]:
    text = {
        "items_base_amount": "Item(s) total",
        "subtotal": "Subtotal",
        "fulfillment": "Shipping",
        "tax": "Tax",
        "total": "Total",
    }
    return [{"type": k, "display_text": text[k], "amount": v} for k, v in amounts.items()]


def _same_order(body: dict, example: dict) -> bool:
    return [k for k in body if k in example] == [k for k in example if k in body]


def test_2026_04_17_body_is_that_versions_shape(shop: Shop):
    product = shop.product()
    body = _create(shop, V26)
    base, ship = product.price, 0 if product.price >= 7500 else 599
    tax, ship_tax = apply_bps(base, 725), apply_bps(ship, 725)
    assert body == {
        "id": "cs_shop_0000001",
        "protocol": {"version": "2026-04-17"},
        "capabilities": {
            "payment": {"handlers": [card_handler("shop", "stripe")]},
            "interventions": {"supported": ["3ds"], "required": [], "enforcement": "conditional"},
            "extensions": [{"name": "discount", "extends": ["$.CheckoutSession.discounts"]}],
        },
        "status": "ready_for_payment",
        "currency": "usd",
        "line_items": [
            {
                "id": "li_1",
                "item": {"id": product.id},
                "quantity": 1,
                "name": product.title,
                "unit_amount": base,
                "totals": [
                    {"type": "items_base_amount", "display_text": "Base Amount", "amount": base},
                    {"type": "discount", "display_text": "Discount", "amount": 0},
                    {"type": "subtotal", "display_text": "Subtotal", "amount": base},
                    {"type": "tax", "display_text": "Tax", "amount": tax},
                    {"type": "total", "display_text": "Total", "amount": base + tax},
                ],
            }
        ],
        "fulfillment_details": {"name": "Ada Lovelace", "address": ADDRESS},
        "selected_fulfillment_options": [
            {"type": "shipping", "option_id": "standard", "item_ids": [product.id]}
        ],
        "totals": _totals(
            items_base_amount=base,
            subtotal=base,
            fulfillment=ship,
            tax=tax + ship_tax,
            total=base + ship + tax + ship_tax,
        ),
        "fulfillment_options": [
            {
                "type": "shipping",
                "id": "standard",
                "title": "Standard",
                "description": "3-7 business days",
                "carrier": "USPS",
                "earliest_delivery_time": "2026-11-14T12:00:00Z",
                "latest_delivery_time": "2026-11-18T12:00:00Z",
                "totals": [
                    {"type": "subtotal", "display_text": "Shipping", "amount": ship},
                    {"type": "tax", "display_text": "Tax", "amount": ship_tax},
                    {"type": "total", "display_text": "Total", "amount": ship + ship_tax},
                ],
            },
            {
                "type": "shipping",
                "id": "express",
                "title": "Express",
                "description": "1-2 business days",
                "carrier": "UPS",
                "earliest_delivery_time": "2026-11-12T12:00:00Z",
                "latest_delivery_time": "2026-11-13T12:00:00Z",
                "totals": [
                    {"type": "subtotal", "display_text": "Shipping", "amount": 1499},
                    {"type": "tax", "display_text": "Tax", "amount": 109},
                    {"type": "total", "display_text": "Total", "amount": 1608},
                ],
            },
        ],
        "messages": [],
        "links": [
            {"type": "terms_of_use", "url": "https://shop.example/terms"},
            {"type": "privacy_policy", "url": "https://shop.example/privacy"},
        ],
        "created_at": "2026-11-11T12:00:00Z",
        "expires_at": "2026-11-11T12:30:00Z",
    }
    example = EXAMPLES["create_checkout_session_response"]
    assert _same_order(body, example)
    assert _same_order(body["line_items"][0], example["line_items"][0])
    assert list(body["fulfillment_options"][0]) == list(example["fulfillment_options"][0])


def test_one_session_two_versions(shop: Shop):
    created = _create(shop, V26, buyer=BUYER, fulfillment_details=details(email=BUYER["email"]))
    assert created["fulfillment_details"] == {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "address": ADDRESS,
    }
    path = f"{SESSIONS}/{created['id']}"
    old = shop.client.get(path).json()  # 2025-09-29: the hook checks that schema
    assert "protocol" not in old and old["fulfillment_address"] == ADDRESS
    assert old == shop.client.get(path).json()
    assert total(old) == total(created)
    assert shop.client.get(path, headers=V26).json() == created


def test_expired_is_canceled_for_2025_and_expired_for_2026(shop: Shop):
    session = _create(shop)
    path = f"{SESSIONS}/{session['id']}"
    shop.clock.advance(minutes=30)
    expired_message = [
        {"type": "info", "content_type": "plain", "content": "Checkout session expired."}
    ]
    old = shop.client.get(path).json()
    assert (old["status"], old["messages"]) == ("canceled", expired_message)
    new = shop.client.get(path, headers=V26).json()
    assert (new["status"], new["messages"]) == ("expired", expired_message)
    for headers in ({}, keyed()):
        response = shop.client.post(path + "/cancel", headers=headers)
        assert (response.status_code, response.json()["code"]) == (405, "invalid_state")


def test_canceled_stays_canceled_in_both(shop: Shop):
    session = _create(shop, V26)
    canceled = shop.client.post(f"{SESSIONS}/{session['id']}/cancel", headers=keyed()).json()
    assert canceled["status"] == "canceled"
    assert canceled["messages"] == [
        {"type": "info", "content_type": "plain", "content": "Checkout session canceled."}
    ]


def test_3ds_over_2025_09_29_through_the_authenticate_route(shop: Shop):
    session = _create(shop)
    path = f"{SESSIONS}/{session['id']}"
    token = shop.token(session, number=THREE_DS_CARD)
    challenged = shop.complete(session, token)
    assert challenged.status_code == 200
    body = challenged.json()
    assert body["status"] == "ready_for_payment" and "order" not in body
    assert body["messages"] == [
        {
            "type": "error",
            "code": "requires_3ds",
            "param": "$.payment_data",
            "content_type": "plain",
            "content": REQUIRES_3DS,
        }
    ]
    latest = shop.client.get(path, headers=V26).json()
    assert (latest["status"], latest["messages"]) == ("authentication_required", [])
    assert latest["authentication_metadata"]["flow_preference"] == {
        "type": "challenge",
        "challenge": {"type": "preferred"},
    }
    assert list(latest) == [
        k
        for k in [*EXAMPLES["checkout_session_authentication_required"], "created_at", "expires_at"]
        if k in latest
    ]

    authenticated = shop.client.post(path + "/authenticate", json={"result": "passed"})
    assert authenticated.status_code == 200
    assert (authenticated.json()["status"], authenticated.json()["messages"]) == (
        "ready_for_payment",
        [],
    )
    done = shop.complete(session, token)
    assert done.json()["status"] == "completed"
    assert done.json()["order"]["id"] == "ord_shop_0000001"


def test_3ds_failed_challenge_over_http(shop: Shop):
    session = _create(shop)
    path = f"{SESSIONS}/{session['id']}"
    token = shop.token(session, number=THREE_DS_CARD)
    shop.complete(session, token)
    assert shop.client.post(path + "/authenticate", json={"result": "failed"}).status_code == 200
    declined = shop.complete(session, token).json()
    assert declined["status"] == "ready_for_payment"
    assert [(m["code"], m["content"]) for m in declined["messages"]] == [
        ("payment_declined", "Payment declined: authentication_failed.")
    ]


def test_authenticate_route_refusals(shop: Shop):
    session = _create(shop)
    path = f"{SESSIONS}/{session['id']}/authenticate"
    nothing = shop.client.post(path, json={"result": "passed"})
    assert (nothing.status_code, nothing.json()["code"]) == (409, "invalid_state")
    bad = shop.client.post(path, json={"result": "maybe"})
    assert (bad.status_code, bad.json()["param"]) == (400, "$.result")


def test_3ds_over_2026_04_17_with_authentication_result(shop: Shop):
    session = _create(shop, V26)
    token = shop.token(session, number=THREE_DS_CARD)
    challenged = shop.complete_2026(session, token).json()
    assert (challenged["status"], challenged["messages"]) == ("authentication_required", [])
    result = EXAMPLES["authentication_result_example"]
    done = shop.complete_2026(session, token, authentication_result=result)
    assert done.json()["status"] == "completed"
    order = done.json()["order"]  # 2026-04-17's native Order, not just the reference
    assert {k: order[k] for k in ("type", "id", "checkout_session_id", "permalink_url")} == {
        "type": "order",
        "id": "ord_shop_0000001",
        "checkout_session_id": session["id"],
        "permalink_url": "https://shop.example/orders/0000001",
    }
    assert (order["status"], order["fulfillments"], order["adjustments"]) == ("created", [], [])
    (line,) = order["line_items"]
    assert (line["product_id"], line["status"]) == (shop.product().id, "processing")
    assert line["quantity"] == {"ordered": 1, "current": 1, "fulfilled": 0}
    assert order["totals"][-1] == {
        "type": "total",
        "display_text": "Total",
        "amount": total(session),
    }
    # 2026-04-17 carries the order on every read, as it stands now; 2025-09-29 only in
    # complete's answer.
    shop.merchants["shop"].ship("ord_shop_0000001", shop.clock.now)
    fetched = f"{SESSIONS}/{session['id']}"
    shipped = shop.client.get(fetched, headers=V26).json()["order"]
    assert (shipped["status"], shipped["fulfillments"][0]["status"]) == ("shipped", "shipped")
    assert "order" not in shop.client.get(fetched).json()


def test_3ds_denied_over_2026_04_17(shop: Shop):
    session = _create(shop, V26)
    token = shop.token(session, number=THREE_DS_CARD)
    shop.complete_2026(session, token)
    denied = shop.complete_2026(session, token, authentication_result={"outcome": "denied"}).json()
    assert denied["status"] == "ready_for_payment"
    assert [(m["type"], m["code"]) for m in denied["messages"]] == [("error", "payment_declined")]


def test_2025_09_29_requests_take_no_later_fields(shop: Shop):
    session = _create(shop)
    complete = shop.client.post(
        f"{SESSIONS}/{session['id']}/complete",
        json={
            "payment_data": {"token": "vt_x", "provider": "stripe"},
            "authentication_result": {"outcome": "authenticated"},
        },
    )
    assert (complete.status_code, complete.json()["param"]) == (400, "$.authentication_result")
    priced = shop.client.post(
        SESSIONS, json={"items": [{"id": shop.product().id, "quantity": 1, "unit_amount": 100}]}
    )
    assert (priced.status_code, priced.json()["param"]) == (400, "$.items[0].unit_amount")


def test_price_change_over_http_in_both_versions(shop: Shop):
    product = shop.product()
    session = _create(shop)
    old_price, new_price = product.price, product.price + 1000
    changed = shop.client.post(
        f"/merchants/shop/products/{product.id}/price", json={"price": new_price}
    )
    assert changed.json() == {
        "product_id": product.id,
        "old_price": old_price,
        "new_price": new_price,
        "at": "2026-11-11T12:00:00Z",
    }
    feed = shop.client.get("/merchants/shop/product_feed").json()
    assert feed[0]["price"] == new_price
    content = (
        f"Price of {product.title} changed from ${old_price // 100}.{old_price % 100:02d}"
        f" to ${new_price // 100}.{new_price % 100:02d}."
    )
    path = f"{SESSIONS}/{session['id']}"
    old = shop.client.get(path).json()
    assert old["messages"] == [
        {"type": "info", "param": "$.line_items[0]", "content_type": "plain", "content": content}
    ]
    assert old["line_items"][0]["base_amount"] == new_price
    new = shop.client.get(path, headers=V26).json()
    assert new["messages"] == [
        {
            "type": "warning",
            "code": "price_change",
            "param": "$.line_items[0]",
            "content_type": "plain",
            "content": content,
        }
    ]
    assert new["line_items"][0]["unit_amount"] == new_price
    assert new["status"] == old["status"] == "ready_for_payment"


def test_2026_client_states_the_price_it_expects(shop: Shop):
    product = shop.product()
    shown = product.price - 100
    body = _create(shop, V26, line_items=[{"id": product.id, "unit_amount": shown}])
    (warning,) = body["messages"]
    assert (warning["code"], warning["param"]) == ("price_change", "$.line_items[0]")
    assert warning["content"].endswith(f"to ${product.price // 100}.{product.price % 100:02d}.")
    same = _create(shop, V26, line_items=[{"id": product.id, "unit_amount": product.price}])
    assert same["messages"] == []


def test_unsupported_version_is_400(shop: Shop):
    response = shop.client.get(f"{SESSIONS}/cs_1", headers={"API-Version": "2024-01-01"})
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_request",
        "code": "unsupported_api_version",
        "message": "API-Version '2024-01-01' is not supported (supported: 2025-09-29, 2026-04-17)",
        "supported_versions": ["2025-09-29", "2026-04-17"],
    }


def test_an_idempotency_key_means_one_operation_whatever_the_version(shop: Shop):
    body = {"items": [{"id": shop.product().id, "quantity": 1}], "fulfillment_address": ADDRESS}
    key = {"Idempotency-Key": "same"}
    first = shop.client.post(SESSIONS, json=body, headers=key)
    again = shop.client.post(SESSIONS, json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert (again.headers["Idempotent-Replayed"], again.json()) == ("true", first.json())
    other = shop.client.post(
        SESSIONS, json={**body, "items": [{"id": shop.product().id, "quantity": 2}]}, headers=key
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_conflict")
    assert shop.client.get(f"{SESSIONS}/cs_shop_0000002").status_code == 404  # one session
    # Cancel's body is empty in both versions: a 2026-04-17 replay of a 2025-09-29 cancel
    # is the same operation, rendered for who asks.
    cancel = f"{SESSIONS}/{first.json()['id']}/cancel"
    old = shop.client.post(cancel, headers={"Idempotency-Key": "stop"})
    new = shop.client.post(cancel, headers={**V26, "Idempotency-Key": "stop"})
    assert (old.status_code, new.status_code) == (200, 200)
    assert (new.headers["Idempotent-Replayed"], new.json()["status"]) == ("true", "canceled")
    assert new.json()["protocol"] == {"version": "2026-04-17"} and "protocol" not in old.json()
    session = _create(shop, V26)
    done = f"{SESSIONS}/{session['id']}/complete"
    pay = {"payment_data": payment_data(shop.token(session))}
    paid = shop.client.post(done, json=pay, headers=keyed({"Idempotency-Key": "pay"}))
    replay = shop.client.post(done, json=pay, headers=keyed({"Idempotency-Key": "pay"}))
    assert (paid.status_code, replay.status_code) == (200, 200)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert (paid.json()["status"], replay.json()["status"]) == ("completed", "completed")
    assert replay.json()["order"]["id"] == paid.json()["order"]["id"] == "ord_shop_0000001"
    assert len(shop.merchants["shop"].orders) == 1  # charged and placed once
    assert shop.processor._charges == 1


def test_the_2026_04_17_check_accepts_the_spec_examples_and_refuses_2025_bodies(schemas, shop):
    for name in (
        "create_checkout_session_response",
        "update_checkout_session_response",
        "complete_checkout_session_response",
        "get_checkout_session_response",
        "cancel_checkout_session_response",
        "checkout_session_authentication_required",
        "checkout_session_with_out_of_stock",
        "checkout_session_with_payment_declined",
    ):
        assert schemas.errors("CheckoutSession", EXAMPLES[name], bundle="2026-04-17") == [], name
    old = _create(shop)
    assert schemas.errors("CheckoutSession", old, bundle="2026-04-17")
    assert schemas.errors("CheckoutSession", _create(shop, V26)) != []  # and the other way
