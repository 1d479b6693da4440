"""Idempotency keys: the store with a fake clock, then the same rules over HTTP."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import httpx
import pytest

from merchants.errors import ProtocolError
from merchants.http import create_app
from merchants.http.idempotency import IdempotencyStore, StoredResponse, fingerprint

from .support import ADDRESS, HEADERS, NOW, FakeClock, Shop, build_shop

OK = StoredResponse(201, b'{"id":"cs_1"}')


# -- the store -------------------------------------------------------------------------------


def test_first_use_claims_then_replays():
    store = IdempotencyStore()
    assert store.begin("shop", "k1", "fp", NOW) is None
    store.finish("shop", "k1", OK)
    assert store.begin("shop", "k1", "fp", NOW + timedelta(hours=1)) == OK


def test_other_body_is_422_conflict():
    store = IdempotencyStore()
    store.begin("shop", "k1", "fp", NOW)
    store.finish("shop", "k1", OK)
    with pytest.raises(ProtocolError) as caught:
        store.begin("shop", "k1", "other", NOW)
    assert (caught.value.status, caught.value.code) == (422, "idempotency_conflict")


def test_in_flight_is_409():
    store = IdempotencyStore()
    store.begin("shop", "k1", "fp", NOW)
    with pytest.raises(ProtocolError) as caught:
        store.begin("shop", "k1", "fp", NOW)
    assert (caught.value.status, caught.value.code) == (409, "idempotency_in_flight")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_not_stored(status: int):
    store = IdempotencyStore()
    store.begin("shop", "k1", "fp", NOW)
    store.finish("shop", "k1", StoredResponse(status, b"{}"))
    assert len(store) == 0
    assert store.begin("shop", "k1", "other body is fine now", NOW) is None


def test_4xx_is_stored():
    store = IdempotencyStore()
    refused = StoredResponse(409, b'{"code":"invalid_state"}')
    store.begin("shop", "k1", "fp", NOW)
    store.finish("shop", "k1", refused)
    assert store.begin("shop", "k1", "fp", NOW) == refused


def test_abandon_releases_the_key():
    store = IdempotencyStore()
    store.begin("shop", "k1", "fp", NOW)
    store.abandon("shop", "k1")
    assert store.begin("shop", "k1", "fp", NOW) is None


def test_keys_live_24_hours_of_the_given_clock():
    store = IdempotencyStore()
    store.begin("shop", "k1", "fp", NOW)
    store.finish("shop", "k1", OK)
    store.begin("shop", "k2", "fp", NOW + timedelta(hours=1))
    store.finish("shop", "k2", OK)
    almost = NOW + timedelta(hours=24) - timedelta(microseconds=1)
    assert store.begin("shop", "k1", "fp", almost) == OK
    assert len(store) == 2
    assert store.begin("shop", "k1", "other", NOW + timedelta(hours=24)) is None  # fresh claim
    assert len(store) == 2  # k1 again (new) and k2
    assert store.begin("shop", "k3", "fp", NOW + timedelta(hours=25)) is None
    assert len(store) == 2  # k2 dropped on the way; k1 (claimed at 24 h) and k3 remain


def test_expired_entry_is_replaced_even_when_the_clock_went_back():
    store = IdempotencyStore()
    store.begin("shop", "late", "fp", NOW + timedelta(hours=30))
    store.begin("shop", "early", "fp", NOW)
    store.finish("shop", "early", OK)
    assert store.begin("shop", "early", "new", NOW + timedelta(hours=25)) is None


def test_scopes_do_not_share_keys():
    store = IdempotencyStore()
    store.begin(("shop", "POST", "/a"), "k1", "fp", NOW)
    assert store.begin(("crafts", "POST", "/a"), "k1", "other", NOW) is None
    assert store.begin(("shop", "POST", "/b"), "k1", "other", NOW) is None


def test_fingerprint_ignores_json_layout_only():
    assert fingerprint(b'{"a": 1, "b": [1, 2]}') == fingerprint(b'{"b":[1,2],"a":1}')
    assert fingerprint(b'{"a": 1}') != fingerprint(b'{"a": 2}')
    assert fingerprint(b"not json") == fingerprint(b"not json") != fingerprint(b"not json!")


# -- over HTTP -------------------------------------------------------------------------------


def _create(
    shop: Shop, key: str | None, quantity: int = 1, merchant: str = "shop"
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return shop.client.post(
        f"/merchants/{merchant}/checkout_sessions",
        headers=headers,
        json={
            "items": [{"id": shop.product(merchant).id, "quantity": quantity}],
            "fulfillment_address": ADDRESS,
        },
    )


def test_replay_returns_the_stored_answer(shop: Shop):
    first = _create(shop, "key-1")
    assert first.status_code == 201
    assert first.headers["Idempotency-Key"] == "key-1"
    assert "Idempotent-Replayed" not in first.headers
    shop.clock.advance(hours=1)
    again = _create(shop, "key-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Idempotency-Key"] == "key-1"
    assert again.content == first.content
    assert _create(shop, "key-2").json()["id"] == "cs_shop_0000002"  # no session was made


def test_same_key_other_body_is_422(shop: Shop):
    assert _create(shop, "key-1").status_code == 201
    conflict = _create(shop, "key-1", quantity=2)
    assert conflict.status_code == 422
    assert conflict.json() == {
        "type": "invalid_request",
        "code": "idempotency_conflict",
        "message": "Idempotency-Key has already been used with a different request body",
    }


def test_keys_are_per_merchant_and_route(shop: Shop):
    assert _create(shop, "key-1").json()["id"] == "cs_shop_0000001"
    assert _create(shop, "key-1", merchant="crafts").json()["id"] == "cs_crafts_0000001"
    session = "/merchants/shop/checkout_sessions/cs_shop_0000001"
    update = shop.client.post(
        session, headers={"Idempotency-Key": "key-1"}, json={"fulfillment_option_id": "express"}
    )
    assert (update.status_code, update.json()["fulfillment_option_id"]) == (200, "express")


def test_key_expires_after_24_hours(shop: Shop):
    first = _create(shop, "key-1")
    shop.clock.advance(hours=23, minutes=59)
    assert _create(shop, "key-1").headers.get("Idempotent-Replayed") == "true"
    shop.clock.advance(minutes=1)
    fresh = _create(shop, "key-1")
    assert "Idempotent-Replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]


def test_4xx_answers_replay(shop: Shop):
    session = _create(shop, None).json()
    cancel = f"/merchants/shop/checkout_sessions/{session['id']}/cancel"
    assert shop.client.post(cancel).status_code == 200
    refused = shop.client.post(cancel, headers={"Idempotency-Key": "c"})
    assert refused.status_code == 405
    again = shop.client.post(cancel, headers={"Idempotency-Key": "c"})
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (405, "true")
    assert again.content == refused.content


def test_invalid_bodies_and_header_errors_do_not_claim_the_key(shop: Shop):
    bad = shop.client.post(
        "/merchants/shop/checkout_sessions", headers={"Idempotency-Key": "k"}, json={"items": []}
    )
    assert bad.status_code == 400
    assert _create(shop, "k").status_code == 201


def test_delegate_payment_replays_the_same_token(shop: Shop):
    session = _create(shop, None).json()
    body = {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": "4242424242424242",
            "display_card_funding_type": "credit",
            "metadata": {},
        },
        "allowance": {
            "reason": "one_time",
            "max_amount": 10_000,
            "currency": "usd",
            "checkout_session_id": session["id"],
            "merchant_id": "shop",
            "expires_at": "2026-11-11T13:00:00Z",
        },
        "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
        "metadata": {},
    }
    url = "/psp/agentic_commerce/delegate_payment"
    first = shop.client.post(url, json=body, headers={"Idempotency-Key": "pay-1"})
    again = shop.client.post(url, json=body, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == again.status_code == 201
    assert (
        again.json()
        == first.json()
        == {
            "id": "vt_00000001",
            "created": "2026-11-11T12:00:00Z",
            "metadata": {"merchant_id": "shop"},
        }
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert shop.client.post(url, json=body).json()["id"] == "vt_00000002"


class _Flaky:
    """A merchant whose first create fails with a 503, as a briefly overloaded shop would."""

    def __init__(self, merchant) -> None:
        self.merchant, self.failures = merchant, 1

    def __getattr__(self, name):
        return getattr(self.merchant, name)

    def create_checkout(self, request, now):
        if self.failures:
            self.failures -= 1
            raise ProtocolError(
                503, "service_unavailable", "unavailable", "try again", retry_after=2
            )
        return self.merchant.create_checkout(request, now)


def test_5xx_is_not_stored_over_http(make_client, clock: FakeClock):
    merchants, processor = build_shop()
    app = create_app({"shop": _Flaky(merchants["shop"])}, processor, clock=clock)
    client = make_client(app, allow_5xx=True)
    body = {"items": [{"id": list(merchants["shop"].catalog)[0].id, "quantity": 1}]}
    url = "/merchants/shop/checkout_sessions"
    failed = client.post(url, json=body, headers={"Idempotency-Key": "k"})
    assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2")
    assert failed.json()["type"] == "service_unavailable"
    retried = client.post(url, json=body, headers={"Idempotency-Key": "k"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


class _Slow:
    """A merchant whose create waits until the test lets it go."""

    def __init__(self, merchant) -> None:
        self.merchant, self.entered, self.release = merchant, threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self.merchant, name)

    def create_checkout(self, request, now):
        self.entered.set()
        assert self.release.wait(5), "test never released the request"
        return self.merchant.create_checkout(request, now)


def test_key_in_flight_is_409(schemas, clock: FakeClock):
    merchants, processor = build_shop()
    slow = _Slow(merchants["shop"])
    app = create_app({"shop": slow}, processor, clock=clock)
    body = {"items": [{"id": list(merchants["shop"].catalog)[0].id, "quantity": 1}]}
    headers = {**HEADERS, "Idempotency-Key": "k"}

    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            url = "/merchants/shop/checkout_sessions"
            first = asyncio.create_task(client.post(url, json=body, headers=headers))
            assert await asyncio.to_thread(slow.entered.wait, 5)
            second = await client.post(url, json=body, headers=headers)
            slow.release.set()
            done = await asyncio.wait_for(first, 5)
            third = await client.post(url, json=body, headers=headers)
            return second, done, third

    in_flight, done, replayed = asyncio.run(scenario())
    assert in_flight.status_code == 409
    assert in_flight.json()["code"] == "idempotency_in_flight"
    schemas.check("Error", in_flight.json())
    assert done.status_code == 201
    assert (replayed.status_code, replayed.headers["Idempotent-Replayed"]) == (201, "true")
    assert replayed.content == done.content
