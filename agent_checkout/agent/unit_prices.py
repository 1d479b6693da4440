"""What one unit of an offer really costs: the agent works it out before the shopper decides.

A merchant's promotions (its own and its marketplace's) are public, like its feed: an
in-process or simulated connector exposes them as ``promotions``, a
:class:`~merchants.promotions.PromotionBook`. :class:`UnitPricer` runs the checkout's own
function, :func:`merchants.discounts.effective_price`, on a basket of the option at the quantity
the shopper needs, so the unit price the agent states is the one the checkout will charge, to
the minor unit. An offer on presale taking deposits is priced in all, deposit and final payment
(:func:`merchants.presales.presale_price`, the final sale's own pricing), from the connector's
``presales``. A connector that exposes no promotions (HTTP) is priced at its list price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from agent_checkout.agent.state import Recommendation
from merchants.discounts import EffectivePrice, effective_price
from merchants.feed import FeedProduct
from merchants.presales import PresaleBook, presale_price
from merchants.promotions import BasketLine, PromotionBook

_NO_PROMOTIONS = PromotionBook()


@dataclass(frozen=True)
class UnitPricer:
    """Effective unit prices of offers for one shopper's quantity, at ``now``."""

    books: Mapping[str, PromotionBook]  # merchant id -> the promotions its checkout applies
    quantity: int
    now: datetime
    presales: Mapping[str, PresaleBook] = field(default_factory=dict)  # merchant id -> its own

    def price(self, offer: FeedProduct) -> EffectivePrice:
        """``offer`` after every discount and credit that applies to it alone in a basket
        (and, on presale, after its deposit's value)."""
        line = BasketLine(offer.seller_id, offer.id, self.quantity, offer.price)
        book = self.books.get(offer.seller_id, _NO_PROMOTIONS)
        presales = self.presales.get(offer.seller_id)
        presale = presales.open_for(offer, self.now) if presales else None
        if presale is not None:
            return presale_price(book, presale, line)
        if not book:  # nothing to apply: the list price is the price
            return EffectivePrice(offer.price, self.quantity, line.base, {})
        return effective_price(book, line, self.now)

    def priced(self, recommendation: Recommendation) -> Recommendation:
        """``recommendation`` carrying its effective unit price (what the assistant states)."""
        unit = self.price(recommendation.offer).unit
        return replace(recommendation, unit_price=unit, stated_price=None)

    def price_all(self, recommendations: Sequence[Recommendation]) -> list[Recommendation]:
        """Every recommendation priced, keeping a price a policy already worked out."""
        return [r if r.unit_price is not None else self.priced(r) for r in recommendations]


def presale_books(merchants: Mapping[str, object]) -> dict[str, PresaleBook]:
    """Each connector's presales, where it exposes them (``presales``, not a call)."""
    books = {}
    for merchant_id, connector in merchants.items():
        book = getattr(connector, "presales", None)
        if isinstance(book, PresaleBook) and book:
            books[merchant_id] = book
    return books


def promotion_books(merchants: Mapping[str, object]) -> dict[str, PromotionBook]:
    """Each connector's promotions, where it exposes them (``promotions``, not a call)."""
    books = {}
    for merchant_id, connector in merchants.items():
        book = getattr(connector, "promotions", None)
        if isinstance(book, PromotionBook):
            books[merchant_id] = book
    return books
