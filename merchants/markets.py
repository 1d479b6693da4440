"""Markets: what goods cost where a merchant sells, in that market's own currency.

A generated catalog draws each price from its category's lognormal law (median, log-sigma). The
median differs by market: a phone case on Tmall or JD is not a US one relabelled in yuan. Each
:class:`Market` holds its currency, one price level per category in that currency's minor units,
and how its shops end prices (``$44.99``, ``¥159``, ``¥3,980``). Shopper budgets scale with the
same levels, so a shopper in a market can afford what that market sells.

The US levels are the taxonomy's own (:mod:`merchants.taxonomy`); the CN and JP levels are
assumptions (docs/sources.md, "Defaults with no public figure", rows 'CN market price levels' and
'JP market price levels'). A merchant's market is its catalog's ``market``, or else follows
its currency (:func:`market_for`): CNY sells at CN levels, JPY at JP levels, anything else at US
levels, as every catalog did before markets existed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from merchants.taxonomy import CATEGORIES


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """A category's lognormal price law in one market: median in minor units, log-sigma."""

    median: int
    sigma: float


@dataclass(frozen=True, slots=True)
class Market:
    """A market: its name, its currency, its category price levels and its price endings."""

    name: str
    currency: str
    levels: Mapping[str, PriceLevel]
    shelf_price: Callable[[float], int]  # an unrounded draw -> a shop-like price

    def level(self, category_id: str) -> PriceLevel:
        """The category's price law here; a category the market has no level for is refused."""
        try:
            return self.levels[category_id]
        except KeyError:
            raise KeyError(f"market {self.name} has no price level for {category_id!r}") from None

    def price(self, rng: random.Random, category_id: str) -> int:
        """A lognormal price for the category, ended as this market's shops end prices (one
        Gaussian draw from ``rng``, in every market, so markets share their dice)."""
        level = self.level(category_id)
        return self.shelf_price(level.median * math.exp(rng.gauss(0.0, level.sigma)))


def _us_ending(raw: float) -> int:
    """Cents: $x.99 below $200, whole dollars above (the ending catalogs always had)."""
    dollars = max(1, round(raw / 100))
    return dollars * 100 - 1 if dollars < 200 else dollars * 100


def _cn_ending(raw: float) -> int:
    """Fen: whole yuan ending in 9 (¥39, ¥159, ¥2,499), as Tmall and JD list most goods."""
    yuan = max(1, round(raw / 100))
    if yuan >= 10:
        yuan = round(yuan / 10) * 10 - 1
    return yuan * 100


def _jp_ending(raw: float) -> int:
    """Yen (no minor unit): ¥980, ¥3,980, ¥69,800, the "-80" endings of Japanese shops."""
    yen = max(10, round(raw))
    if yen < 100:
        return round(yen / 10) * 10
    if yen < 10_000:
        return round(yen / 100) * 100 - 20
    return round(yen / 1_000) * 1_000 - 200


def _levels(pairs: Mapping[str, tuple[int, float]]) -> dict[str, PriceLevel]:
    return {name: PriceLevel(median, sigma) for name, (median, sigma) in pairs.items()}


MARKETS: dict[str, Market] = {
    "us": Market(
        "us",
        "usd",
        {c.id: PriceLevel(c.median_price, c.price_sigma) for c in CATEGORIES.values()},
        _us_ending,
    ),
    # Typical Tmall / JD / Douyin price bands, in fen (an assumption: docs/sources.md,
    # "Defaults with no public figure", row 'CN market price levels').
    "cn": Market(
        "cn",
        "cny",
        _levels(
            {
                "apparel": (15_900, 0.6),
                "footwear": (29_900, 0.5),
                "kitchen": (8_900, 0.7),
                "electronics": (12_900, 0.8),
                "outdoor": (19_900, 0.75),
                "jewelry": (19_900, 0.8),
                "home_decor": (6_900, 0.65),
                "toys": (8_900, 0.6),
                "phones": (249_900, 0.6),
                "beauty": (19_900, 0.6),
                "snacks": (3_900, 0.5),
            }
        ),
        _cn_ending,
    ),
    # Typical Rakuten / Amazon.co.jp price bands, in yen (an assumption: docs/sources.md,
    # "Defaults with no public figure", row 'JP market price levels').
    "jp": Market(
        "jp",
        "jpy",
        _levels(
            {
                "apparel": (3_980, 0.6),
                "footwear": (7_980, 0.5),
                "kitchen": (2_980, 0.7),
                "electronics": (3_980, 0.8),
                "outdoor": (6_980, 0.75),
                "jewelry": (4_980, 0.8),
                "home_decor": (2_480, 0.65),
                "toys": (2_980, 0.6),
                "phones": (69_800, 0.6),
                "beauty": (2_980, 0.6),
                "snacks": (980, 0.5),
            }
        ),
        _jp_ending,
    ),
}

MARKET_NAMES = tuple(MARKETS)
_BY_CURRENCY = {"cny": "cn", "jpy": "jp"}


def market_for(currency: str, name: str | None = None) -> Market:
    """The market ``name``, or the one ``currency`` implies (CNY: cn, JPY: jp, else us)."""
    return MARKETS[name or _BY_CURRENCY.get(currency.lower(), "us")]
