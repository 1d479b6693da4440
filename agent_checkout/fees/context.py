"""Pricing state: each merchant's running sales volume, and the click event sponsored links sell.

Most fees depend on one order only. A few depend on history, e.g. Etsy Offsite Ads at 15% for
shops under $10k of sales in 12 months and 12% above, so pricing takes a :class:`FeeContext`
that remembers every merchant's sales in time order. A fresh context means "no sales yet".
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from merchants.orders import PlacedOrder


@dataclass(frozen=True, slots=True)
class Click:
    """A buyer following a (sponsored) product link in an AI answer: what CPC fees price."""

    merchant_id: str
    platform: str
    currency: str
    product_category: str
    at: datetime


def attributed(clicked_at: datetime, placed_at: datetime, days: int) -> bool:
    """Whether an order placed at ``placed_at`` is in the window after a click (inclusive)."""
    return clicked_at <= placed_at <= clicked_at + timedelta(days=days)


def order_sales(order: PlacedOrder) -> int:
    """What an order adds to its merchant's running volume: items less discount plus shipping.

    Tax is not the merchant's sale, so it does not count.
    """
    return order.items_amount - order.discount_amount + order.shipping_amount


class FeeContext:
    """Each merchant's sales over time, so volume tiers can ask "how much before this order?".

    ``opening`` is volume a merchant already had before the first recorded order (say, its last
    12 months); it counts in every window. Orders are expected roughly in time order; one that
    arrives out of order is still placed correctly. History is kept as two arrays of 64-bit
    integers per merchant (time in microseconds, running sum), 16 bytes an order.
    """

    def __init__(self, opening: Mapping[str, int] | None = None) -> None:
        self.opening: dict[str, int] = dict(opening or {})
        self._times: dict[str, array[int]] = {}
        self._cumulative: dict[str, array[int]] = {}  # running sum, with a leading 0

    def record(self, order: PlacedOrder) -> None:
        """Add the order's sales to its merchant's history, at the time it was placed."""
        times = self._times.setdefault(order.merchant_id, array("q"))
        cumulative = self._cumulative.setdefault(order.merchant_id, array("q", [0]))
        moment, sales = _micros(order.placed_at), order_sales(order)
        if not times or moment >= times[-1]:
            times.append(moment)
            cumulative.append(cumulative[-1] + sales)
            return
        amounts = [b - a for a, b in zip(cumulative, cumulative[1:], strict=False)]
        at = bisect_right(times, moment)
        times.insert(at, moment)
        amounts.insert(at, sales)
        cumulative[:] = array("q", [0])
        for amount in amounts:
            cumulative.append(cumulative[-1] + amount)

    def volume(self, merchant_id: str, at: datetime, window_days: int | None = None) -> int:
        """Sales recorded at or before ``at`` (and after ``at - window_days``), plus opening."""
        times = self._times.get(merchant_id, array("q"))
        cumulative = self._cumulative.get(merchant_id, array("q", [0]))
        high = bisect_right(times, _micros(at))
        low = (
            0
            if window_days is None
            else bisect_right(times, _micros(at - timedelta(days=window_days)))
        )
        return self.opening.get(merchant_id, 0) + cumulative[high] - cumulative[min(low, high)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    """Exact microseconds since the epoch (an aware datetime; naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)
