"""Discount codes: percentage or fixed amount, with a minimum subtotal, a window and a limit.

Arithmetic is exact on integer minor units and rounds once:

* percentage: ``apply_bps(subtotal, bps)``, half-even to the minor unit, on the whole cart;
* fixed amount: ``min(value, subtotal)``, so a cart never goes below zero.

The cart-level amount is then split over the lines in proportion to their subtotals by the
largest-remainder method (:func:`allocate`), so line allocations add up to it exactly.

Why a code does not apply is said with Shopify's ``CartWarningCode`` names. A code's usage
counts when an order that used it is placed (:meth:`DiscountBook.record_use`), not when a cart
holds it, as on Shopify.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from merchants.money import BPS, apply_bps
from merchants.money import allocate as allocate  # re-exported; shared with promotions

DiscountKind = Literal["percentage", "fixed_amount"]
NotApplicable = Literal[
    "DISCOUNT_NOT_FOUND",  # no such code
    "DISCOUNT_CURRENTLY_INACTIVE",  # before starts_at, or at/after ends_at
    "DISCOUNT_PURCHASE_NOT_IN_RANGE",  # subtotal under minimum_subtotal
    "DISCOUNT_USAGE_LIMIT_REACHED",  # usage_limit orders already placed with it
    "DISCOUNT_NO_ENTITLED_LINE_ITEMS",  # empty cart
    "DISCOUNT_CODE_NOT_HONOURED",  # another code already applies (codes do not combine)
]


@dataclass(frozen=True, slots=True)
class DiscountCode:
    """One code. ``value`` is basis points for a percentage, minor units for a fixed amount."""

    code: str
    kind: DiscountKind
    value: int
    minimum_subtotal: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive: the code stops working at this instant
    usage_limit: int | None = None

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise ValueError("a discount code needs a non-blank code")
        if self.kind == "percentage" and not 0 < self.value <= BPS:
            raise ValueError(f"{self.code}: percentage must be 1..{BPS} bps, got {self.value}")
        if self.kind == "fixed_amount" and self.value <= 0:
            raise ValueError(f"{self.code}: fixed amount must be positive, got {self.value}")
        if self.minimum_subtotal < 0 or (self.usage_limit is not None and self.usage_limit < 0):
            raise ValueError(f"{self.code}: minimum_subtotal and usage_limit must be >= 0")

    def amount(self, subtotal: int) -> int:
        """What the code takes off ``subtotal`` (minor units), before any eligibility check."""
        if self.kind == "percentage":
            return apply_bps(subtotal, self.value)
        return min(self.value, subtotal)


def default_discount_codes(merchant_id: str) -> list[DiscountCode]:
    """The codes every mock Shopify merchant has unless configured otherwise.

    Same merchant id, same codes; none expires, since a profile has no calendar.
    """
    return [
        DiscountCode("WELCOME10", "percentage", 1_000),
        DiscountCode("SAVE5", "fixed_amount", 500, minimum_subtotal=2_500),
        DiscountCode("BIG20", "percentage", 2_000, minimum_subtotal=15_000, usage_limit=25),
        DiscountCode(
            f"{merchant_id.upper().replace('-', '')}15",
            "percentage",
            1_500,
            minimum_subtotal=5_000,
            usage_limit=100,
        ),
    ]


class DiscountBook:
    """A merchant's codes (matched case-insensitively, as Shopify does) and their usage."""

    def __init__(self, codes: Iterable[DiscountCode]) -> None:
        self._codes: dict[str, DiscountCode] = {}
        for code in codes:
            key = code.code.strip().upper()
            if key in self._codes:
                raise ValueError(f"discount code {code.code!r} is defined twice")
            self._codes[key] = code
        self._uses: dict[str, int] = {}

    def get(self, code: str) -> DiscountCode | None:
        return self._codes.get(code.strip().upper())

    def uses(self, code: str) -> int:
        return self._uses.get(code.strip().upper(), 0)

    def record_use(self, code: str) -> None:
        """Count one placed order that used ``code``; unknown codes are ignored."""
        key = code.strip().upper()
        if key in self._codes:
            self._uses[key] = self._uses.get(key, 0) + 1

    def check(self, code: str, subtotal: int, now: datetime) -> NotApplicable | None:
        """Why ``code`` cannot apply to a cart of ``subtotal`` at ``now``, or None if it can."""
        found = self.get(code)
        if found is None:
            return "DISCOUNT_NOT_FOUND"
        if (found.starts_at is not None and now < found.starts_at) or (
            found.ends_at is not None and now >= found.ends_at
        ):
            return "DISCOUNT_CURRENTLY_INACTIVE"
        if found.usage_limit is not None and self.uses(code) >= found.usage_limit:
            return "DISCOUNT_USAGE_LIMIT_REACHED"
        if subtotal <= 0:
            return "DISCOUNT_NO_ENTITLED_LINE_ITEMS"
        if subtotal < found.minimum_subtotal:
            return "DISCOUNT_PURCHASE_NOT_IN_RANGE"
        return None
