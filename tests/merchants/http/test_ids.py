"""Ids: 128-bit random from ``serve``, serial and identical for a seed in process."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient

from agent_checkout.commands.serve import scenario_app
from agent_checkout.sim.scenario import load_scenario
from merchants.ids import SecretIds, SerialIds
from merchants.shopify import ShopifyStorefront
from merchants.shopify.cart_shapes import CartLineInput

from ..checkout_fixtures import buy_in_process
from .support import ADDRESS, CARD, HEADERS, NOW, build_shop

RANDOM = r"[A-Za-z0-9_-]{22}"  # token_urlsafe(16): 16 bytes, 22 base64url characters


def _bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "==")) * 8


def _served_ids(client: TestClient) -> dict[str, str]:
    """Buy once over HTTP and open a cart: every id a stranger could try to guess."""
    product = client.get("/merchants/northwind/product_feed").json()[0]["id"]
    session = client.post(
        "/merchants/northwind/checkout_sessions",
        json={"items": [{"id": product, "quantity": 1}], "fulfillment_address": ADDRESS},
    ).json()
    total = next(t["amount"] for t in session["totals"] if t["type"] == "total")
    token = client.post(
        "/psp/agentic_commerce/delegate_payment",
        json={
            "payment_method": CARD,
            "allowance": {
                "reason": "one_time",
                "currency": "usd",
                "max_amount": total,
                "checkout_session_id": session["id"],
                "merchant_id": "northwind",
                "expires_at": "2099-01-01T00:00:00Z",
            },
            "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
            "metadata": {},
        },
    ).json()["id"]
    done = client.post(
        f"/merchants/northwind/checkout_sessions/{session['id']}/complete",
        json={"payment_data": {"token": token, "provider": "stripe"}},
    ).json()
    cart = client.post("/merchants/northwind/storefront/carts").json()["cart"]
    return {
        "session": session["id"],
        "token": token,
        "order": done["order"]["id"],
        "permalink": done["order"]["permalink_url"],
        "cart": cart["id"],
    }


def test_serve_mints_128_bit_random_ids_that_differ_between_servers_of_one_seed():
    scenario = load_scenario("quickstart")
    first = _served_ids(TestClient(scenario_app(scenario), headers=HEADERS))
    second = _served_ids(TestClient(scenario_app(scenario), headers=HEADERS))
    for ids in (first, second):
        assert re.fullmatch(rf"cs_northwind_{RANDOM}", ids["session"]), ids
        assert re.fullmatch(rf"vt_{RANDOM}", ids["token"]), ids
        assert re.fullmatch(rf"ord_northwind_{RANDOM}", ids["order"]), ids
        assert re.fullmatch(rf"cart_northwind_{RANDOM}", ids["cart"]), ids
        tail = ids["order"].removeprefix("ord_northwind_")
        assert ids["permalink"].endswith(f"/orders/{tail}")
        assert {_bits(ids[k][-22:]) for k in ("session", "token", "order", "cart")} == {128}
    assert all(first[k] != second[k] for k in first), (first, second)


def test_secret_ids_are_random_and_serial_ids_are_the_serial():
    minted = {SecretIds().mint("cs_m_", 1) for _ in range(1_000)}
    assert len(minted) == 1_000
    assert all(re.fullmatch(rf"cs_m_{RANDOM}", i) and _bits(i[5:]) == 128 for i in minted)
    assert SerialIds().mint("cs_m_", 12) == "cs_m_0000012"
    assert SerialIds().mint("vt_", 3, 8) == "vt_00000003"


def _in_process_ids() -> list[str]:
    shop = build_shop()[0]["shop"]
    ids = []
    for index in range(2):
        product = list(shop.catalog)[index].id
        session, token, done = buy_in_process(shop, product, NOW, address=ADDRESS)
        ids += [session.id, token, done.order.id, done.order.permalink_url]
    cart = ShopifyStorefront(shop).cart_create(
        [CartLineInput(merchandiseId=product)], None, [], NOW
    )
    return [*ids, cart.cart.id]


def test_in_process_ids_are_the_same_for_the_same_seed():
    first = _in_process_ids()
    assert first == _in_process_ids()
    assert first == [
        "cs_shop_0000001",
        "vt_00000001",
        "ord_shop_0000001",
        "https://shop.example/orders/0000001",
        "cs_shop_0000002",
        "vt_00000002",
        "ord_shop_0000002",
        "https://shop.example/orders/0000002",
        "cart_shop_0000001",
    ]
