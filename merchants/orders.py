"""The merchant's record of a placed order: what the money side needs to price it.

A checkout that completes emits one :class:`PlacedOrder` to the merchant's order sink. It carries
every amount the fee models look at (items, shipping, tax, total, categories, units), so that the
fee layer never needs to reach back into merchant state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from merchants.affiliates import Attribution


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: str
    title: str
    category: str
    quantity: int
    unit_price: int
    subtotal: int
    tax: int


@dataclass(frozen=True, slots=True)
class OrderDiscount:
    """One promotion applied to an order, and who funds it (:mod:`merchants.promotions`)."""

    promotion_id: str
    kind: str
    code: str | None
    funder: str  # merchant, marketplace or ai_platform
    amount: int


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """A completed order. ``total == items_amount - discount + shipping_amount + tax_amount``."""

    id: str
    checkout_session_id: str
    merchant_id: str
    platform: str
    currency: str
    lines: tuple[OrderLine, ...]
    items_amount: int
    discount_amount: int
    shipping_amount: int
    tax_amount: int
    total_amount: int
    placed_at: datetime
    buyer_email: str | None = None
    #: The promotions behind ``discount_amount``, which they add up to.
    discounts: tuple[OrderDiscount, ...] = ()
    #: A presale's sale (merchants.presales): its presale order and the deposit paid before
    #: the final payment, which ``total_amount`` includes.
    presale_id: str | None = None
    deposit: int = 0
    #: The shipping option chosen at checkout (its carrier ships the order).
    fulfillment_option_id: str | None = None
    #: The affiliate credited with the sale (merchants.affiliates), when the agent sent one.
    affiliate: Attribution | None = None

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)
