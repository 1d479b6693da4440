"""Mock-admin routes: drive an order's life over HTTP; events reach a webhook URL, signed."""

from __future__ import annotations

import json

import httpx
import pytest

from merchants.events import UrlSink, verify_signature

from .support import NOW, Shop

SECRET = b"whsec_http"
HOOK = "https://ai.example/agentic_checkout/webhooks/order_events"
ORDER = "/merchants/shop/orders/ord_shop_0000001"


@pytest.fixture
def received(shop: Shop) -> list[httpx.Request]:
    """Events the shop's webhook receiver got, each checked for a valid signature."""
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        ok = verify_signature(
            SECRET, request.content, request.headers["Merchant-Signature"], shop.clock.now
        )
        return httpx.Response(200 if ok else 401)

    client = httpx.Client(transport=httpx.MockTransport(receiver))
    shop.merchants["shop"].set_event_sink(UrlSink(HOOK, client=client), SECRET)
    return seen


def _buy(shop: Shop) -> dict:
    session = shop.create()
    done = shop.complete(session, shop.token(session))
    assert done.json()["status"] == "completed"
    return done.json()


def _status(request: httpx.Request) -> tuple[str, str, list]:
    event = json.loads(request.content)
    return event["type"], event["data"]["status"], event["data"]["refunds"]


def test_drive_an_order_over_http(shop: Shop, received: list[httpx.Request]):
    completed = _buy(shop)
    paid = next(t["amount"] for t in completed["totals"] if t["type"] == "total")
    shop.clock.advance(hours=2)
    shipped = shop.client.post(ORDER + "/ship")
    assert shipped.status_code == 200
    assert shipped.json() == {
        "id": "ord_shop_0000001",
        "checkout_session_id": completed["id"],
        "permalink_url": "https://shop.example/orders/0000001",
        "status": "shipped",
        "currency": "usd",
        "total_amount": paid,
        "refunded_amount": 0,
        "refunds": [],
    }
    shop.clock.advance(days=2)
    assert shop.client.post(ORDER + "/fulfill", json={}).json()["status"] == "fulfilled"
    refunded = shop.client.post(ORDER + "/refund", json={"amount": 100})
    assert refunded.json()["refunds"] == [{"type": "original_payment", "amount": 100}]
    assert shop.client.get(ORDER).json() == refunded.json()
    assert [_status(r) for r in received] == [
        ("order_create", "created", []),
        ("order_update", "shipped", []),
        ("order_update", "fulfilled", []),
        ("order_update", "fulfilled", [{"type": "original_payment", "amount": 100}]),
    ]
    assert [r.url for r in received] == [httpx.URL(HOOK)] * 4
    assert received[1].headers["Timestamp"] == "2026-11-11T14:00:00Z"
    assert shop.merchants["shop"].undelivered == []


def test_cancel_over_http_restocks(shop: Shop, received: list[httpx.Request]):
    product = shop.product()
    stock = product.stock
    completed = _buy(shop)
    assert shop.product().stock == stock - 1
    canceled = shop.client.post(ORDER + "/cancel").json()
    paid = next(t["amount"] for t in completed["totals"] if t["type"] == "total")
    assert (canceled["status"], canceled["refunds"]) == (
        "canceled",
        [{"type": "original_payment", "amount": paid}],
    )
    assert shop.product().stock == stock
    assert _status(received[-1])[:2] == ("order_update", "canceled")


def test_admin_refusals_in_acp_error_shape(shop: Shop, received: list[httpx.Request]):
    _buy(shop)
    over = shop.client.post(ORDER + "/refund", json={"amount": 10**9})
    assert (over.status_code, over.json()["code"], over.json()["param"]) == (
        400,
        "refund_exceeds_payment",
        "$.amount",
    )
    zero = shop.client.post(ORDER + "/refund", json={"amount": 0})
    assert (zero.status_code, zero.json()["param"]) == (400, "$.amount")
    early = shop.client.post(ORDER + "/fulfill")
    assert (early.status_code, early.json()["code"]) == (409, "invalid_state")
    missing = shop.client.post("/merchants/shop/orders/ord_nope/ship")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    nobody = shop.client.post("/merchants/acme/orders/ord_shop_0000001/ship")
    assert nobody.status_code == 404
    unauthorized = shop.client.post(ORDER + "/ship", headers={"Authorization": ""})
    assert unauthorized.status_code == 401
    assert len(received) == 1  # only order_create


def test_admin_routes_need_no_api_version(shop: Shop):
    _buy(shop)
    del shop.client.headers["API-Version"]
    assert shop.client.post(ORDER + "/ship").status_code == 200


def test_set_price_route_refuses_bad_prices(shop: Shop):
    product = shop.product()
    url = f"/merchants/shop/products/{product.id}/price"
    for body, param in (
        ({"price": -1}, "$.price"),
        ({"price": "9.99"}, "$.price"),
        ({"price": 1, "cost": 1}, "$.cost"),
    ):
        response = shop.client.post(url, json=body)
        assert (response.status_code, response.json()["param"]) == (400, param), body
    unknown = shop.client.post("/merchants/shop/products/nope/price", json={"price": 1})
    assert (unknown.status_code, unknown.json()["message"]) == (404, "product 'nope' not found")
    assert shop.merchants["shop"].checkout.price_changes == []
    assert shop.clock.now == NOW
