"""What a payee earns on one unit of an offer, priced through the fee models themselves.

A commission-weighted ranking needs the AI platform's commission on each offer it may show. A
table of rates would drift from the scenario's fee models (categories, fixed parts, platform
filters, attribution); pricing the offer as a one-unit order through those very models cannot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent_checkout.fees.model import FeeComponent, FeeModel
from merchants.feed import FeedProduct
from merchants.orders import OrderLine, PlacedOrder

#: When the one-unit order is placed: any instant works, as nothing here remembers volume.
_PROBE_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class UnitEarnings:
    """``payee``'s earnings on one unit of an offer, in minor units, by the offer's merchant.

    ``merchants`` maps merchant id to its platform and the fee models that price its orders.
    The unit is priced as an order with no shipping, tax or discount, placed right after a click
    on it: ``order_completed`` and ``purchase_attributed`` components both charge (an in-chat
    sale and a link-out one), clicks do not (they are paid whether or not anyone buys), and
    running-volume tiers stand at their first band. Results are cached by merchant, category and
    price, since a run ranks the same offers many times.
    """

    merchants: Mapping[str, tuple[str, Sequence[FeeModel]]]
    payee: str = "ai_platform"
    _cache: dict[tuple[str, str, int], int] = field(default_factory=dict, repr=False)

    def __call__(self, offer: FeedProduct) -> int:
        key = (offer.seller_id, offer.category, offer.price)
        if key not in self._cache:
            self._cache[key] = self._price(offer)
        return self._cache[key]

    def _price(self, offer: FeedProduct) -> int:
        platform, models = self.merchants.get(offer.seller_id, ("", ()))
        order = PlacedOrder(
            id="unit",
            checkout_session_id="unit",
            merchant_id=offer.seller_id,
            platform=platform,
            currency=offer.currency,
            lines=(
                OrderLine(offer.id, offer.title, offer.category, 1, offer.price, offer.price, 0),
            ),
            items_amount=offer.price,
            discount_amount=0,
            shipping_amount=0,
            tax_amount=0,
            total_amount=offer.price,
            placed_at=_PROBE_AT,
        )
        lines = [
            line
            for model in models
            for trigger in ("order_completed", "purchase_attributed")
            for line in model.fee_lines(order, None, trigger, clicked_at=_PROBE_AT)
        ]
        return sum(line.amount for line in lines if line.payee == self.payee)


def earns(component: FeeComponent) -> bool:
    """Whether a component can charge anything on a sale (clicks are not sales)."""
    if component.trigger == "link_clicked":
        return False
    bands = [*(component.tiers.bands if component.tiers else []), *component._category_bands()]
    return bool(
        component.rate_bps
        or component.fixed
        or component.per_unit
        or component.minimum
        or component.item_minimum
        or any(b.rate_bps for b in bands)
        or any(
            c.rate_bps or c.per_unit or c.item_minimum
            for c in (component.categories or {}).values()
        )
    )


def paying_models(models: Sequence[FeeModel], platform: str, payee: str = "ai_platform") -> bool:
    """Whether any of ``models`` pays ``payee`` something on a sale by a ``platform`` merchant."""
    return any(
        c.payee == payee and c.applies_to(platform) and earns(c)
        for model in models
        for c in model.components
    )
