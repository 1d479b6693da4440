"""What one unit of an offer really costs: the agent works it out before the shopper decides.

A merchant's promotions (its own and its marketplace's) and presales are public, like its feed:
an in-process or simulated connector exposes them as ``promotions``, a
:class:`~merchants.promotions.PromotionBook`, and ``presales``, a
:class:`~merchants.presales.PresaleBook`. :class:`UnitPricer` runs the checkout's own functions
on the option at the quantity the shopper needs, so the unit price the agent states is the one
the checkout will charge, to the minor unit: :func:`merchants.discounts.effective_price` for a
plain offer; :func:`merchants.discounts.presale_price` for an offer whose merchant takes deposits
for it now, priced with the final payment made as its window opens (when the simulated shopper
pays it, :mod:`agent_checkout.sim.presale_payments`; docs/sources.md, Defaults with no public
figure, rows 'Presale final payment', 'Presale rules'): deposit plus final payment, the
deposit's inflation and the promotions of that time included. A connector that exposes neither
(HTTP) is priced at its list price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from agent_checkout.agent.state import Recommendation
from merchants.discounts import EffectivePrice, effective_price, presale_price
from merchants.feed import FeedProduct
from merchants.presales import PresaleBook
from merchants.promotions import BasketLine, PromotionBook

_NO_PROMOTIONS = PromotionBook()
_NO_PRESALES = PresaleBook()
B = TypeVar("B", PromotionBook, PresaleBook)


@dataclass(frozen=True)
class UnitPricer:
    """Effective unit prices of offers for one shopper's quantity, at ``now``."""

    books: Mapping[str, PromotionBook]  # merchant id -> the promotions its checkout applies
    quantity: int
    now: datetime
    #: merchant id -> the presales its checkout takes deposits for
    presales: Mapping[str, PresaleBook] = field(default_factory=dict)
    #: Lines the shopper already holds at stores of the marketplace: a cross-store threshold
    #: counts them, as the checkout's ``companions`` do (a presale's final payment is alone).
    basket: Sequence[BasketLine] = ()

    def price(self, offer: FeedProduct) -> EffectivePrice:
        """``offer`` after every discount, deposit and credit that applies to it added to
        ``basket``."""
        line = BasketLine(offer.seller_id, offer.id, self.quantity, offer.price)
        book = self.books.get(offer.seller_id, _NO_PROMOTIONS)
        presale = self.presales.get(offer.seller_id, _NO_PRESALES).open_for(offer, self.now)
        if presale is not None:
            return presale_price(book, presale, line, presale.final_payment_starts_at).effective
        if not book:  # nothing to apply: the list price is the price
            return EffectivePrice(offer.price, self.quantity, line.base, {})
        return effective_price(book, line, self.now, basket=self.basket)

    def priced(self, recommendation: Recommendation) -> Recommendation:
        """``recommendation`` carrying its effective unit price (what the assistant states)."""
        unit = self.price(recommendation.offer).unit
        return replace(recommendation, unit_price=unit, stated_price=None)

    def price_all(self, recommendations: Sequence[Recommendation]) -> list[Recommendation]:
        """Every recommendation priced, keeping a price a policy already worked out."""
        return [r if r.unit_price is not None else self.priced(r) for r in recommendations]


def promotion_books(merchants: Mapping[str, object]) -> dict[str, PromotionBook]:
    """Each connector's promotions, where it exposes them (``promotions``, not a call)."""
    return _exposed(merchants, "promotions", PromotionBook)


def presale_books(merchants: Mapping[str, object]) -> dict[str, PresaleBook]:
    """Each connector's presales, where it exposes them (``presales``, not a call)."""
    return _exposed(merchants, "presales", PresaleBook)


def _exposed(merchants: Mapping[str, object], name: str, kind: type[B]) -> dict[str, B]:
    books = {}
    for merchant_id, connector in merchants.items():
        book = getattr(connector, name, None)
        if isinstance(book, kind):
            books[merchant_id] = book
    return books
