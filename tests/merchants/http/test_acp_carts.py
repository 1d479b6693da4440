"""ACP 2026-04-17 carts over HTTP: create, read, replace, cancel; priced like a session, with
no shipping; every answer checked against ``schema.cart.json`` by the client hook."""

from __future__ import annotations

from merchants.money import apply_bps

from .support import V26, Shop, keyed, total

CARTS = "/merchants/shop/carts"
BUYER = {"email": "ada@example.com", "full_name": "Ada Lovelace"}


def _lines(shop: Shop, *units: tuple[int, int]) -> list[dict]:
    """``line_items`` for (product index, units) pairs: one entry per unit."""
    return [{"id": shop.product(index=i).id} for i, n in units for _ in range(n)]


def _expected_totals(shop: Shop, *units: tuple[int, int]) -> list[dict]:
    base = sum(shop.product(index=i).price * n for i, n in units)
    tax = sum(apply_bps(shop.product(index=i).price * n, 725) for i, n in units)
    return [
        {"type": "items_base_amount", "display_text": "Item(s) total", "amount": base},
        {"type": "subtotal", "display_text": "Subtotal", "amount": base},
        {"type": "tax", "display_text": "Tax", "amount": tax},
        {"type": "total", "display_text": "Total", "amount": base + tax},
    ]


def test_a_cart_lives_from_create_to_cancel(shop: Shop):
    created = shop.client.post(
        CARTS, json={"line_items": _lines(shop, (0, 2), (1, 1)), "buyer": BUYER}, headers=keyed()
    )
    assert created.status_code == 201, created.text
    cart = created.json()
    assert cart["id"] == "cart_shop_0000001"
    assert [(li["item"]["id"], li["quantity"]) for li in cart["line_items"]] == [
        (shop.product(index=0).id, 2),
        (shop.product(index=1).id, 1),
    ]
    assert cart["totals"] == _expected_totals(shop, (0, 2), (1, 1))  # no shipping: an estimate
    assert (cart["buyer"], cart["currency"], cart["messages"]) == (BUYER, "usd", [])
    assert cart["continue_url"] == "https://shop.example/cart/cart_shop_0000001"
    assert cart["expires_at"] == "2026-11-12T12:00:00Z"
    path = f"{CARTS}/{cart['id']}"
    assert shop.client.get(path, headers=V26).json() == cart

    replaced = shop.client.put(
        path, json={"line_items": _lines(shop, (2, 1))}, headers=keyed()
    ).json()
    assert [li["item"]["id"] for li in replaced["line_items"]] == [shop.product(index=2).id]
    assert replaced["totals"] == _expected_totals(shop, (2, 1))
    assert replaced["buyer"] == BUYER  # kept: no buyer sent

    # Checkout from the cart: a session with the cart's line items prices the same items.
    session = shop.create_2026(line_items=_lines(shop, (2, 1)))
    assert total(session, "subtotal") == total(replaced, "subtotal")

    canceled = shop.client.post(path + "/cancel", headers=keyed())
    assert (canceled.status_code, canceled.json()) == (200, replaced)
    gone = shop.client.get(path, headers=V26)
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")


def test_cart_refusals(shop: Shop):
    bad = shop.client.post(
        CARTS, json={"line_items": [*_lines(shop, (0, 1)), {"id": "nope"}]}, headers=keyed()
    )
    assert (bad.status_code, bad.json()["param"]) == (400, "$.line_items[1].id")
    empty = shop.client.post(CARTS, json={"line_items": []}, headers=keyed())
    assert (empty.status_code, empty.json()["param"]) == (400, "$.line_items")
    sold_out = shop.client.post(CARTS, json={"line_items": _lines(shop, (0, 9))}, headers=keyed())
    assert (sold_out.status_code, sold_out.json()["code"]) == (422, "out_of_stock")
    old = shop.client.post(CARTS, json={"line_items": _lines(shop, (0, 1))})  # 2025-09-29
    assert (old.status_code, old.json()["code"]) == (404, "not_found")
    unknown = shop.client.put(
        f"{CARTS}/cart_nope", json={"line_items": _lines(shop, (0, 1))}, headers=keyed()
    )
    assert unknown.status_code == 404
    assert shop.client.get(f"{CARTS}/cart_nope", headers=V26).status_code == 404


def test_a_cart_expires_after_a_day(shop: Shop):
    cart = shop.client.post(
        CARTS, json={"line_items": _lines(shop, (0, 1))}, headers=keyed()
    ).json()
    shop.clock.advance(hours=24)
    assert shop.client.get(f"{CARTS}/{cart['id']}", headers=V26).status_code == 404


def test_part_out_of_stock_is_a_message_not_an_error(shop: Shop):
    stock = shop.product(index=0).stock
    body = {"line_items": _lines(shop, (0, stock + 1), (1, 1))}
    cart = shop.client.post(CARTS, json=body, headers=keyed()).json()
    assert [(m["type"], m["code"], m["param"]) for m in cart["messages"]] == [
        ("error", "out_of_stock", "$.line_items[0]")
    ]
