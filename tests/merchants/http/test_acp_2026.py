"""ACP 2026-04-17 checkout over HTTP: that version's request shapes, capability negotiation,
payment handlers, mandatory idempotency keys, and 3-D Secure through delegate authentication.

Every answer is schema-checked by the client hook (``support.check_response``): sessions and
errors against 2026-04-17's ``schema.agentic_checkout.json``, authentication sessions against
``schema.delegate_authentication.json``.
"""

from __future__ import annotations

import json

import pytest

from merchants.acp_2026.capabilities import DISCOUNT_EXTENSION, card_handler
from merchants.authentication import DENIED_CARD
from merchants.money import apply_bps
from merchants.payments import THREE_DS_CARD

from .support import (
    ADDRESS,
    SPEC_DIR_20260417,
    V26,
    Shop,
    create_body,
    details,
    keyed,
    payment_data,
    total,
)

SESSIONS = "/merchants/shop/checkout_sessions"
AUTHENTICATION = "/psp/delegate_authentication"
EXAMPLES = json.loads((SPEC_DIR_20260417 / "examples.agentic_checkout.json").read_text())
BUYER_2026 = {"full_name": "Ada Lovelace", "email": "ada@example.com"}
CARDHOLDER = {"type": "card", "exp_month": "12", "exp_year": "2030", "name": "Ada Lovelace"}


def _post(shop: Shop, path: str, body: dict | None = None, **headers: str):
    return shop.client.post(path, json=body, headers=keyed(headers))


def test_a_2026_purchase_from_create_to_order(shop: Shop):
    product = shop.product()
    contact = details(email="ada@example.com", phone_number="+14155550100")
    created = shop.create_2026(
        quantity=2,
        buyer=BUYER_2026,
        fulfillment_details=contact,
        capabilities={"interventions": {"supported": ["3ds", "biometric"]}},
    )
    assert created["buyer"] == BUYER_2026  # as sent: 2026-04-17 needs no first/last name
    assert created["fulfillment_details"] == contact
    assert created["capabilities"] == {
        "payment": {"handlers": [card_handler("shop", "stripe")]},
        "interventions": {"supported": ["3ds"], "required": [], "enforcement": "conditional"},
        "extensions": [DISCOUNT_EXTENSION],
    }
    (line,) = created["line_items"]  # two entries of one item: one line of two units
    assert (line["item"], line["quantity"]) == ({"id": product.id}, 2)
    assert created["status"] == "ready_for_payment"

    path = f"{SESSIONS}/{created['id']}"
    express = {"type": "shipping", "option_id": "express", "item_ids": [product.id]}
    updated = _post(shop, path, {"selected_fulfillment_options": [express]}).json()
    assert updated["selected_fulfillment_options"] == [express]
    base = 2 * product.price
    tax = apply_bps(base, 725) + apply_bps(1499, 725)
    assert total(updated, "fulfillment") == 1499
    assert total(updated) == base + 1499 + tax
    assert updated["capabilities"] == created["capabilities"]  # negotiated once, at create

    token = shop.token(updated)
    done = shop.complete_2026(updated, token, order_notes="Leave at the door.")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["order"]["id"]) == ("completed", "ord_shop_0000001")
    placed = shop.merchants["shop"].orders.get("ord_shop_0000001").order
    assert placed.total_amount == total(updated)
    assert shop.client.get(path, headers=V26).json() == body


def test_negotiation_keeps_only_what_both_sides_support(shop: Shop):
    wallet = {**card_handler("agent", "stripe"), "id": "wallet", "name": "com.example.wallet"}
    created = shop.create_2026(
        capabilities={
            "payment": {"handlers": [wallet]},
            "interventions": {"supported": ["biometric"]},
            "extensions": ["fulfillment"],
        },
        discounts={"codes": ["NOPE"]},
    )
    assert created["capabilities"] == {
        "payment": {"handlers": []},
        "interventions": {"supported": [], "required": [], "enforcement": "conditional"},
    }
    assert "discounts" not in created  # the extension was not negotiated
    refused = shop.complete_2026(created, shop.token(created))
    assert refused.status_code == 400
    assert refused.json() == {
        "type": "invalid_request",
        "code": "invalid",
        "message": "unknown payment handler 'card_tokenized' (this session offers: none)",
        "param": "$.payment_data.handler_id",
    }


def test_every_2026_post_needs_an_idempotency_key(shop: Shop):
    body = create_body(shop.product().id)
    missing = shop.client.post(SESSIONS, json=body, headers=V26)
    assert missing.status_code == 400
    assert missing.json() == EXAMPLES["error_400_idempotency_key_required"]
    session = shop.create_2026()
    assert shop.client.get(f"{SESSIONS}/{session['id']}", headers=V26).status_code == 200
    for path in (f"{SESSIONS}/{session['id']}/cancel", AUTHENTICATION, "/merchants/shop/carts"):
        refused = shop.client.post(path, json={}, headers=V26)
        assert (refused.status_code, refused.json()["code"]) == (400, "idempotency_key_required")
    assert shop.client.post(SESSIONS, json={"items": []}).status_code == 400  # 2025: optional
    ok = shop.client.post(
        SESSIONS, json={"items": [{"id": shop.product().id, "quantity": 1}]}
    )  # and still served without one
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"line_items": None}, "$.line_items"),
        ({"capabilities": None}, "$.capabilities"),
        ({"items": [{"id": "x", "quantity": 1}]}, "$.items"),
        ({"line_items": [{"id": "x", "quantity": 1}]}, "$.line_items[0].quantity"),
        ({"currency": "eur"}, "$.currency"),
        ({"line_items": [{"id": "p"}, {"id": "nope"}]}, "$.line_items[1].id"),
        ({"capabilities": {"interventions": {"supported": ["telepathy"]}}}, None),
        ({"fulfillment_details": {"address": {"name": "A"}}}, None),
    ],
)
def test_bad_2026_creates_are_400_naming_the_field(shop: Shop, change: dict, param: str | None):
    body = create_body(shop.product().id)
    for key, value in change.items():
        if value is None:
            del body[key]
        else:
            body[key] = value
    if "line_items" in change and change["line_items"]:
        body["line_items"] = [
            {**i, "id": shop.product().id} if i["id"] == "p" else i for i in body["line_items"]
        ]
    refused = _post(shop, SESSIONS, body)
    assert refused.status_code == 400, refused.text
    if param is not None:
        assert refused.json()["param"] == param
    else:
        assert refused.json()["param"].startswith("$.")


def test_bad_updates_and_completes_are_400_naming_the_field(shop: Shop):
    session = shop.create_2026()
    path = f"{SESSIONS}/{session['id']}"
    product_id = shop.product().id
    for option, param in [
        ({"type": "shipping", "option_id": "teleport", "item_ids": [product_id]}, ".option_id"),
        ({"type": "pickup", "option_id": "standard", "item_ids": [product_id]}, ".type"),
        ({"type": "shipping", "option_id": "standard", "item_ids": ["other"]}, ".item_ids[0]"),
    ]:
        refused = _post(shop, path, {"selected_fulfillment_options": [option]})
        assert refused.status_code == 400
        assert refused.json()["param"] == "$.selected_fulfillment_options[0]" + param
    po = _post(shop, path + "/complete", {"payment_data": {"purchase_order_number": "PO-1"}})
    assert (po.status_code, po.json()["code"], po.json()["param"]) == (
        400,
        "unsupported",
        "$.payment_data.purchase_order_number",
    )
    empty = _post(shop, path + "/complete", {"payment_data": {}})
    assert (empty.status_code, empty.json()["param"]) == (400, "$.payment_data")
    claimed = _post(
        shop,
        path + "/complete",
        {
            "payment_data": payment_data("vt_x"),
            "authentication_result": {"outcome": "authenticated"},
        },
    )
    assert (claimed.status_code, claimed.json()["param"]) == (400, "$.authentication_result")
    assert shop.client.get(path, headers=V26).json()["status"] == "ready_for_payment"  # untouched


def test_cancel_takes_an_intent_trace(shop: Shop):
    session = shop.create_2026()
    trace = EXAMPLES["cancel_checkout_session_request"]
    canceled = _post(shop, f"{SESSIONS}/{session['id']}/cancel", trace)
    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")


# -- delegate authentication ---------------------------------------------------------------


def _authentication(shop: Shop, number: str, **extra) -> dict:
    body = {
        "merchant_id": "shop",
        "payment_method": {**CARDHOLDER, "number": number},
        "amount": {"value": 1000, "currency": "USD"},
        **extra,
    }
    created = _post(shop, AUTHENTICATION, body)
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize(
    ("number", "extra", "after_authenticate", "final"),
    [
        ("4242424242424242", {}, "authenticated", "authenticated"),
        (THREE_DS_CARD, {}, "action_required", "authenticated"),
        (DENIED_CARD, {}, "not_authenticated", "not_authenticated"),
        (
            "4242424242424242",
            {"flow_preference": {"type": "challenge", "challenge": {"type": "mandated"}}},
            "action_required",
            "authenticated",
        ),
    ],
)
def test_delegate_authentication_outcomes(shop: Shop, number, extra, after_authenticate, final):
    created = _authentication(shop, number, **extra)
    session_id = created["authentication_session_id"]
    assert session_id == "authn_0000001"
    assert (created["status"], created["action"]["type"]) == ("action_required", "fingerprint")
    path = f"{AUTHENTICATION}/{session_id}"
    answered = _post(shop, path + "/authenticate", {"fingerprint_completion": "Y"}).json()
    assert answered["status"] == after_authenticate
    if after_authenticate == "action_required":
        assert answered["action"]["type"] == "challenge"
    fetched = shop.client.get(path, headers=V26).json()
    assert fetched["status"] == final
    result = fetched["authentication_result"]
    assert result["trans_status"] == ("Y" if final == "authenticated" else "N")
    assert result["transaction_id"] == f"ds_{session_id}"
    again = _post(shop, path + "/authenticate", {"fingerprint_completion": "Y"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


def test_delegate_authentication_refusals(shop: Shop):
    missing = shop.client.get(f"{AUTHENTICATION}/authn_nope", headers=V26)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    bad = _post(shop, AUTHENTICATION, {"merchant_id": "shop", "amount": {"value": 1}})
    assert (bad.status_code, bad.json()["param"]) == (400, "$.payment_method")
    lower = _post(
        shop,
        AUTHENTICATION,
        {
            "merchant_id": "shop",
            "payment_method": {**CARDHOLDER, "number": "4242424242424242"},
            "amount": {"value": 1, "currency": "usd"},
        },
    )
    assert (lower.status_code, lower.json()["param"]) == (400, "$.amount.currency")


def _challenged(shop: Shop) -> tuple[dict, str]:
    session = shop.create_2026()
    token = shop.token(session, number=THREE_DS_CARD)
    challenged = shop.complete_2026(session, token).json()
    assert challenged["status"] == "authentication_required"
    return challenged, token


def test_3ds_through_delegate_authentication_then_complete(shop: Shop):
    session, token = _challenged(shop)
    metadata = session["authentication_metadata"]
    created = _authentication(
        shop,
        THREE_DS_CARD,
        acquirer_details=metadata["acquirer_details"],
        checkout_session_id=session["id"],
        amount={"value": total(session), "currency": "USD"},
    )
    path = f"{AUTHENTICATION}/{created['authentication_session_id']}"
    _post(shop, path + "/authenticate", {"fingerprint_completion": "Y"})
    result = shop.client.get(path, headers=V26).json()["authentication_result"]
    outcome = {
        "outcome": "authenticated",
        "outcome_details": {
            key: result[key]
            for key in (
                "three_ds_cryptogram",
                "electronic_commerce_indicator",
                "transaction_id",
                "version",
            )
        },
    }
    done = shop.complete_2026(session, token, authentication_result=outcome).json()
    assert (done["status"], done["order"]["id"]) == ("completed", "ord_shop_0000001")
    assert shop.processor._charges == 1


def test_the_providers_verdict_outweighs_the_agents_claim(shop: Shop):
    session, token = _challenged(shop)
    denied = _authentication(shop, DENIED_CARD)
    path = f"{AUTHENTICATION}/{denied['authentication_session_id']}"
    _post(shop, path + "/authenticate", {"fingerprint_completion": "Y"})
    claim = {
        "outcome": "authenticated",
        "outcome_details": {
            "three_ds_cryptogram": "forged==",
            "electronic_commerce_indicator": "05",
            "transaction_id": f"ds_{denied['authentication_session_id']}",
            "version": "2.2.0",
        },
    }
    declined = shop.complete_2026(session, token, authentication_result=claim).json()
    assert declined["status"] == "ready_for_payment"
    assert [(m["code"], m["content"]) for m in declined["messages"]] == [
        ("payment_declined", "Payment declined: authentication_failed.")
    ]


# -- discovery ------------------------------------------------------------------------------


def test_discovery_document_is_public_and_per_merchant(shop: Shop):
    from fastapi.testclient import TestClient

    bare = TestClient(shop.client.app)  # no token, no API-Version: the document is public
    origin = bare.get("/.well-known/acp.json")
    assert origin.status_code == 200
    assert origin.headers["cache-control"] == "public, max-age=3600"
    assert origin.json() == {
        "protocol": {
            "name": "acp",
            "version": "2026-04-17",
            "supported_versions": ["2025-09-29", "2026-04-17"],
            "documentation_url": "https://agenticcommerce.dev",
        },
        "api_base_url": "http://testserver/merchants/shop",
        "transports": ["rest", "mcp"],  # the MCP binding at {api_base_url}/mcp
        "capabilities": {
            "services": ["checkout", "orders", "delegate_payment", "carts"],
            "extensions": [{"name": "discount"}],
            "intervention_types": ["3ds"],
            "supported_currencies": ["usd"],
            "supported_locales": ["en-US"],
        },
    }
    mcp = origin.json()["api_base_url"].removeprefix("http://testserver") + "/mcp"
    ping = shop.client.post(mcp, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert ping.json() == {"jsonrpc": "2.0", "id": 1, "result": {}}  # the advertised binding
    crafts = shop.client.get("/merchants/crafts/.well-known/acp.json").json()
    assert crafts["api_base_url"] == "http://testserver/merchants/crafts"
    missing = shop.client.get("/merchants/nope/.well-known/acp.json")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_2026_delegate_payment_takes_no_risk_signals_and_longer_iins(shop: Shop):
    session = shop.create_2026()
    body = {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": "4242424242424242",
            "iin": "42424242",
            "display_card_funding_type": "credit",
            "metadata": {},
        },
        "allowance": {
            "reason": "one_time",
            "currency": "usd",
            "max_amount": total(session),
            "checkout_session_id": session["id"],
            "merchant_id": "shop",
            "expires_at": "2026-11-11T12:15:00Z",
        },
        "risk_signals": [],
        "metadata": {},
    }
    path = "/psp/agentic_commerce/delegate_payment"
    vaulted = _post(shop, path, body)
    assert vaulted.status_code == 201, vaulted.text
    done = shop.complete_2026(session, vaulted.json()["id"]).json()
    assert done["status"] == "completed"
    old = shop.client.post(path, json=body)  # 2025-09-29: at least one signal, IIN of 6
    assert (old.status_code, old.json()["param"]) == (400, "$.payment_method.iin")


def test_a_2026_update_replaces_items_contact_and_buyer(shop: Shop):
    session = shop.create_2026(buyer=BUYER_2026)
    path = f"{SESSIONS}/{session['id']}"
    second = shop.product(index=1)
    elsewhere = {**ADDRESS, "name": "Charles Babbage", "line_one": "1 Engine Way"}
    buyer = {"first_name": "Charles", "last_name": "Babbage", "email": "cb@example.com"}
    updated = _post(
        shop,
        path,
        {
            "line_items": [{"id": second.id}] * 3,
            "fulfillment_details": details(elsewhere),
            "buyer": buyer,
        },
    ).json()
    assert [(li["item"]["id"], li["quantity"]) for li in updated["line_items"]] == [(second.id, 3)]
    assert updated["fulfillment_details"] == details(elsewhere)
    assert updated["buyer"] == buyer
    old = shop.client.get(path).json()  # the same session as 2025-09-29 shows it
    assert (old["fulfillment_address"], old["buyer"]) == (elsewhere, buyer)
    # A 2025-09-29 update of the buyer is what a 2026-04-17 read shows next.
    renamed = {**buyer, "first_name": "Charlie"}
    shop.client.post(path, json={"buyer": renamed})
    assert shop.client.get(path, headers=V26).json()["buyer"] == renamed


def test_a_missing_address_is_named_by_its_2026_path(shop: Shop):
    session = shop.create_2026(address=False)
    assert session["status"] == "not_ready_for_payment"
    assert [(m["code"], m["param"]) for m in session["messages"]] == [
        ("missing", "$.fulfillment_details.address")
    ]
    old = shop.client.get(f"{SESSIONS}/{session['id']}").json()
    assert [(m["code"], m["param"]) for m in old["messages"]] == [
        ("missing", "$.fulfillment_address")
    ]


def test_3ds_for_an_agent_without_it_says_an_intervention_is_required(shop: Shop):
    session = shop.create_2026(capabilities={"interventions": {"supported": ["biometric"]}})
    token = shop.token(session, number=THREE_DS_CARD)
    challenged = shop.complete_2026(session, token).json()
    assert challenged["status"] == "authentication_required"
    assert [(m["type"], m["code"], m["param"]) for m in challenged["messages"]] == [
        ("error", "intervention_required", "$.capabilities.interventions")
    ]
    assert shop.processor._charges == 0
