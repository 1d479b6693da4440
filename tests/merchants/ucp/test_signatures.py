"""The flower shop's UCP signatures over HTTP: the key its profile publishes, signed webhooks,
and AP2 checkouts signed (and mandates required) only where the platform negotiated AP2."""

from __future__ import annotations

import json

import pytest

from merchants.ucp.signing import SignatureError, header_of, verify_checkout, verify_webhook

from .support import FakeClock, WebhookSink, client, create_body, flower_shop, payment, ucp_app

AP2 = "dev.ucp.shopping.ap2_mandate"
MANDATE = {"checkout_mandate": "header.payload.signature~kb"}


def shop_api(sink: WebhookSink):
    app = ucp_app({"flower-shop": flower_shop()}, FakeClock(), sink)
    return app, client(app)


def names(view: dict) -> list[str]:
    return [c["name"] for c in view["ucp"]["capabilities"]]


def test_the_profile_publishes_the_merchants_p256_key():
    _, api = shop_api(WebhookSink())
    (key,) = api.get("/.well-known/ucp").json()["signing_keys"]  # the hook checks the schema
    assert {k: key[k] for k in ("kid", "kty", "crv", "use", "alg")} == {
        "kid": "flower-shop-2026",
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
    }
    assert api.get("/merchants/flower-shop/.well-known/ucp").json()["signing_keys"] == [key]


def test_webhooks_carry_a_request_signature_over_the_bytes_posted():
    sink = WebhookSink()
    app, api = shop_api(sink)
    keys = api.get("/.well-known/ucp").json()["signing_keys"]
    session = api.post("/checkout-sessions", json=create_body()).json()
    api.post(f"/checkout-sessions/{session['id']}/complete", json=payment())
    app.state.webhooks.drain()
    ((content, headers),) = sink.raw
    assert sink.types() == ["order_placed"]
    assert header_of(headers["Request-Signature"]) == {
        "alg": "ES256",
        "b64": False,
        "crit": ["b64"],
        "kid": "flower-shop-2026",
    }
    assert verify_webhook(content, headers["Request-Signature"], keys)["kid"] == "flower-shop-2026"
    body = json.loads(content)
    assert body["order"]["totals"][-1] == {"type": "total", "amount": 3500}
    body["order"]["totals"][-1]["amount"] = 3499  # one cent off, re-serialized
    tampered = json.dumps(body, separators=(",", ":")).encode()
    with pytest.raises(SignatureError, match="does not match the content"):
        verify_webhook(tampered, headers["Request-Signature"], keys)


def test_without_ap2_in_the_platform_profile_nothing_is_signed_or_required():
    _, api = shop_api(WebhookSink())
    session = api.post("/checkout-sessions", json=create_body()).json()
    assert "ap2" not in session and AP2 not in names(session)
    assert names(session) == [
        "dev.ucp.shopping.checkout",
        "dev.ucp.shopping.fulfillment",
        "dev.ucp.shopping.discount",
        "dev.ucp.shopping.buyer_consent",
    ]
    done = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment()).json()
    assert done["status"] == "completed" and "ap2" not in done


def test_under_ap2_every_checkout_response_is_signed_and_complete_needs_a_mandate():
    _, api = shop_api(WebhookSink(ap2=True))
    keys = api.get("/.well-known/ucp").json()["signing_keys"]
    created = api.post("/checkout-sessions", json=create_body()).json()
    path = f"/checkout-sessions/{created['id']}"
    assert AP2 in names(created)
    assert created["totals"][-1] == {"type": "total", "amount": 3500}
    fetched = api.get(path).json()
    for view in (created, fetched):
        assert verify_checkout(view, keys) == {"alg": "ES256", "kid": "flower-shop-2026"}
    tampered = fetched | {"totals": [*fetched["totals"][:-1], {"type": "total", "amount": 3499}]}
    with pytest.raises(SignatureError, match="does not match the content"):
        verify_checkout(tampered, keys)
    refused = api.post(f"{path}/complete", json=payment())
    assert refused.status_code == 400
    assert refused.json()["messages"][0]["code"] == "mandate_required"
    assert api.get(path).json()["status"] == "ready_for_complete"
    done = api.post(f"{path}/complete", json=payment(ap2=MANDATE)).json()
    assert done["status"] == "completed"
    assert verify_checkout(done, keys)["kid"] == "flower-shop-2026"
    assert verify_checkout(api.get(path).json(), keys)["kid"] == "flower-shop-2026"
    canceled = api.post("/checkout-sessions", json=create_body()).json()
    closed = api.post(f"/checkout-sessions/{canceled['id']}/cancel").json()
    assert closed["status"] == "canceled" and verify_checkout(closed, keys)


def test_a_platform_that_cannot_be_fetched_gets_no_ap2():
    sink = WebhookSink(ap2=True)
    _, api = shop_api(sink)
    other = {"UCP-Agent": 'profile="http://nowhere.test/profile.json"'}
    session = api.post("/checkout-sessions", json=create_body(), headers=other).json()
    assert "ap2" not in session and AP2 not in names(session)
    again = api.post("/checkout-sessions", json=create_body(), headers=other).json()
    assert "ap2" not in again
    assert sink.fetched == ["http://nowhere.test/profile.json"]  # the failure is remembered
