"""Carts: a basket built up before checkout (ACP 2026-04-17's cart capability).

A cart is the items and the buyer, nothing else: no status, no payment, no address. It is
priced like a checkout session on every read (:meth:`merchants.checkout.CheckoutService.quote`,
so the same catalog prices, promotions and tax), and its totals are an estimate: no shipping
until checkout. A canceled or expired cart is gone (404), as the spec has it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from merchants.acp import Item
from merchants.checkout import CheckoutService
from merchants.errors import ProtocolError, not_found
from merchants.snapshot import SessionSnapshot

#: How long a cart lives untouched. An assumption: the spec sets no lifetime.
CART_TTL = timedelta(hours=24)


@dataclass(slots=True)
class Cart:
    id: str
    items: list[Item]
    buyer: Mapping[str, Any] | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A cart and its pricing at one moment, for a protocol to render."""

    cart: Cart
    snapshot: SessionSnapshot


class CartBook:
    """One merchant's carts. Thread-safe; ids come from the checkout's id source."""

    def __init__(self, checkout: CheckoutService, ttl: timedelta = CART_TTL) -> None:
        self.checkout, self.ttl = checkout, ttl
        self._carts: dict[str, Cart] = {}
        self._created = 0
        self._lock = threading.Lock()

    def create(
        self, items: Sequence[Item], buyer: Mapping[str, Any] | None, now: datetime
    ) -> PricedCart:
        priced = _available(self.checkout.quote(items, now, param="$.line_items"))
        with self._lock:
            self._created += 1
            cart_id = self.checkout.ids.mint(f"cart_{self.checkout.merchant_id}_", self._created)
            cart = Cart(cart_id, list(items), buyer, now, now + self.ttl)
            self._carts[cart.id] = cart
        return PricedCart(cart, priced)

    def get(self, cart_id: str, now: datetime) -> PricedCart:
        cart = self._find(cart_id, now)
        return PricedCart(cart, self.checkout.quote(cart.items, now, param="$.line_items"))

    def replace(
        self,
        cart_id: str,
        items: Sequence[Item],
        buyer: Mapping[str, Any] | None,
        now: datetime,
    ) -> PricedCart:
        """PUT: the items are replaced whole; the buyer too when one is sent."""
        cart = self._find(cart_id, now)
        priced = _available(self.checkout.quote(items, now, param="$.line_items"))
        with self._lock:
            cart.items = list(items)
            if buyer is not None:
                cart.buyer = buyer
            cart.expires_at = now + self.ttl
        return PricedCart(cart, priced)

    def cancel(self, cart_id: str, now: datetime) -> PricedCart:
        """The cart's final state; from now on it does not exist."""
        final = self.get(cart_id, now)
        with self._lock:
            self._carts.pop(cart_id, None)
        return final

    def _find(self, cart_id: str, now: datetime) -> Cart:
        with self._lock:
            cart = self._carts.get(cart_id)
            if cart is not None and now >= cart.expires_at:
                del self._carts[cart_id]
                cart = None
        if cart is None:
            raise not_found(f"cart {cart_id}")
        return cart


def _available(snapshot: SessionSnapshot) -> SessionSnapshot:
    """The spec's 422 when every line is out of stock (some out is a message, not an error)."""
    out = {n.param for n in snapshot.notes if n.code == "out_of_stock"}
    if snapshot.lines and all(f"$.line_items[{i}]" in out for i in range(len(snapshot.lines))):
        raise ProtocolError(422, "invalid_request", "out_of_stock", "every item is out of stock")
    return snapshot
