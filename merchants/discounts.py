"""A checkout's discounts: one store's share of a priced basket, and the effective unit price.

A store's checkout session prices its own lines together with any ``companions``: the lines
the same buyer holds at other stores of the marketplace, which a cross-store threshold counts.
Every store of the basket prices the same basket through :meth:`PromotionBook.price`, so each
one's share is the same as the whole basket priced at once. :func:`effective_price` runs that
very function on a basket that includes the option, so what an agent is told a unit costs is
what the checkout will charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from merchants.money import divide_half_even
from merchants.promotions import Applied, BasketLine, PricedBasket, PromotionBook, Rejected


@dataclass(frozen=True, slots=True)
class StoreDiscount:
    """One promotion's part of a store's session: its amount there and its line shares."""

    promotion_id: str
    title: str
    kind: str
    code: str | None
    funder: str
    amount: int
    shares: tuple[int, ...]  # per line of the session, in its order
    stage: int
    percent_bps: int | None = None
    fixed: int | None = None


@dataclass(frozen=True, slots=True)
class CheckoutDiscounts:
    """What a store's session shows of its basket's promotions."""

    line_discounts: tuple[int, ...]
    applied: tuple[StoreDiscount, ...]
    rejected: tuple[Rejected, ...]
    codes: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.line_discounts)


NO_DISCOUNTS = CheckoutDiscounts((), (), (), ())


def store_discounts(
    book: PromotionBook,
    store: str,
    lines: Sequence[BasketLine],
    now: datetime,
    *,
    codes: Sequence[str] = (),
    companions: Sequence[BasketLine] = (),
) -> CheckoutDiscounts:
    """``store``'s share of the basket ``lines + companions`` priced at ``now``."""
    priced = book.price([*lines, *companions], now, codes)
    own = range(len(lines))
    applied = tuple(_store_part(a, own) for a in priced.applied if any(a.shares[i] for i in own))
    return CheckoutDiscounts(
        tuple(priced.line_discount(i) for i in own), applied, priced.rejected, priced.codes
    )


def _store_part(applied: Applied, own: range) -> StoreDiscount:
    promotion = applied.promotion
    shares = tuple(applied.shares[i] for i in own)
    return StoreDiscount(
        promotion_id=promotion.id,
        title=promotion.name,
        kind=promotion.kind,
        code=promotion.code,
        funder=promotion.paid_by,
        amount=sum(shares),
        shares=shares,
        stage=applied.stage,
        percent_bps=promotion.percent_bps,
        fixed=promotion.amount,
    )


@dataclass(frozen=True, slots=True)
class EffectivePrice:
    """An option after every discount and credit: ``line_amount`` is exactly what the checkout
    charges for the line before tax; ``unit`` is it per unit, half-even to the minor unit."""

    list_unit: int
    quantity: int
    line_amount: int
    discounts: dict[str, int]  # promotion id -> its share of this line

    @property
    def unit(self) -> int:
        return divide_half_even(self.line_amount, self.quantity)


def effective_price(
    book: PromotionBook,
    option: BasketLine,
    now: datetime,
    *,
    codes: Sequence[str] = (),
    basket: Sequence[BasketLine] = (),
) -> EffectivePrice:
    """What ``option`` costs once added to ``basket`` (lines already held, at any store of the
    marketplace), with ``codes``: the price the checkout of that basket will charge."""
    priced: PricedBasket = book.price([option, *basket], now, codes)
    return EffectivePrice(
        list_unit=option.unit_price,
        quantity=option.quantity,
        line_amount=priced.line_amount(0),
        discounts={a.promotion.id: a.shares[0] for a in priced.applied if a.shares[0]},
    )
