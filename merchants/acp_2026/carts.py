"""Carts on the wire, as ACP 2026-04-17's ``Cart``: lines and totals as a session shows them,
messages without the address a cart never has."""

from __future__ import annotations

from typing import Any

from merchants.acp import timestamp
from merchants.carts import PricedCart
from merchants.versions import _line_2026 as line_2026  # one line shape for sessions and carts
from merchants.versions import _message_2026 as message_2026


def cart_body(priced: PricedCart, site_url: str) -> dict[str, Any]:
    cart, snapshot = priced.cart, priced.snapshot
    body: dict[str, Any] = {
        "id": cart.id,
        "line_items": [line_2026(line) for line in snapshot.lines],
    }
    if cart.buyer is not None:
        body["buyer"] = dict(cart.buyer)
    body["currency"] = snapshot.currency
    body["totals"] = [t.wire() for t in snapshot.totals]
    body["messages"] = [
        message_2026(note) for note in snapshot.notes if note.param != "$.fulfillment_address"
    ]
    body["continue_url"] = f"{site_url}/cart/{cart.id}"
    body["expires_at"] = timestamp(cart.expires_at)
    return body
