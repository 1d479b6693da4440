"""UCP fulfillment options: which shipping rates a destination gets, and what each costs.

A destination country gets, per service level, the store's rate for that country, else its
``default`` rate, in the order the store lists them. A free-shipping promotion
(:class:`merchants.store_files.ShippingPromotion`) that applies to the basket makes the standard
service level free and says so in its title. A store without store files offers its profile's
shipping rates everywhere (the ``free_over`` threshold still applies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from merchants.profile import ShippingProfile
from merchants.store_files import ShippingPromotion, StoreShippingRate

STANDARD = "standard"


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """One option for one destination, priced for this basket."""

    id: str
    title: str
    price: int
    service_level: str
    min_days: int | None = None
    max_days: int | None = None

    def wire(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "totals": [
                {"type": "subtotal", "amount": self.price},
                {"type": "total", "amount": self.price},
            ],
        }


def store_rates(profile_rates: Sequence[ShippingProfile]) -> list[StoreShippingRate]:
    """A profile's ACP shipping rates as store rates for any country (the first is standard)."""
    return [
        StoreShippingRate(
            r.id, "default", STANDARD if i == 0 else r.id, r.price, r.title, r.min_days, r.max_days
        )
        for i, r in enumerate(profile_rates)
    ]


def options_for(
    country: str,
    rates: Sequence[StoreShippingRate],
    promotions: Sequence[ShippingPromotion],
    subtotal: int,
    product_ids: set[str],
    free_over: dict[str, int] | None = None,
) -> list[ShippingOption]:
    """The options a destination in ``country`` gets for a basket of ``subtotal``."""
    country = country.upper()
    own = {r.service_level for r in rates if r.country == country}
    free = any(p.applies(subtotal, product_ids) for p in promotions)
    options = []
    for rate in rates:
        if rate.country != country and not (
            rate.country == "default" and rate.service_level not in own
        ):
            continue
        threshold = (free_over or {}).get(rate.id)
        if (free and rate.service_level == STANDARD) or (
            threshold is not None and subtotal >= threshold
        ):
            options.append(
                ShippingOption(
                    rate.id,
                    f"Free {rate.title}",
                    0,
                    rate.service_level,
                    rate.min_days,
                    rate.max_days,
                )
            )
        else:
            options.append(
                ShippingOption(
                    rate.id,
                    rate.title,
                    rate.price,
                    rate.service_level,
                    rate.min_days,
                    rate.max_days,
                )
            )
    return options
