"""A checkout's discounts: one store's share of a priced basket, and the effective unit price.

A store's checkout session prices its own lines together with any ``companions``: the lines
the same buyer holds at other stores of the marketplace, which a cross-store threshold counts.
Every store of the basket prices the same basket through :meth:`PromotionBook.price`, so each
one's share is the same as the whole basket priced at once. :func:`effective_price` runs that
very function on a basket that includes the option, so what an agent is told a unit costs is
what the checkout will charge. :func:`presale_price` is the same for a presale line (deposit now,
final payment later): the checkout's final sale and the agent's unit price both come from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from merchants.money import divide_half_even
from merchants.orders import OrderDiscount
from merchants.presales import Presale
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
    presale: str | None = None  # the presale's id: a deposit now, the rest at the final payment

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


@dataclass(frozen=True, slots=True)
class PresalePrice:
    """A presale line's sale: ``line_amount`` is what the buyer pays for the items over the
    deposit and the final payment together, before shipping and tax."""

    presale_id: str
    line: BasketLine
    discounts: tuple[OrderDiscount, ...]  # the promotions at the final payment, then inflation

    @property
    def line_amount(self) -> int:
        return self.line.base - sum(d.amount for d in self.discounts)

    @property
    def effective(self) -> EffectivePrice:
        """The line as an agent states it."""
        return EffectivePrice(
            list_unit=self.line.unit_price,
            quantity=self.line.quantity,
            line_amount=self.line_amount,
            discounts={d.promotion_id: d.amount for d in self.discounts},
            presale=self.presale_id,
        )


def presale_price(
    book: PromotionBook, presale: Presale, line: BasketLine, final_at: datetime
) -> PresalePrice:
    """``line`` of a presale product, its final payment made at ``final_at``: promotions price
    the part the deposit's value leaves (the price less ``presale.value`` per unit, alone in its
    basket), and the deposit's inflation is a discount that ``presale.funder`` pays."""
    left = replace(line, unit_price=line.unit_price - presale.value)
    promotions = store_discounts(book, line.store, [left], final_at) if book else NO_DISCOUNTS
    discounts = [
        OrderDiscount(d.promotion_id, d.kind, d.code, d.funder, d.amount)
        for d in promotions.applied
    ]
    if presale.inflation:
        inflation = presale.inflation * line.quantity
        discounts.append(
            OrderDiscount(presale.id, "presale_inflation", None, presale.funder, inflation)
        )
    return PresalePrice(presale.id, line, tuple(discounts))
