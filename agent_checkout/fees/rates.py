"""Integer arithmetic of rates: banded (tiered) shares and exact proportional splits.

Nothing here rounds. Each function returns an exact numerator in "minor units x basis points",
so the caller can round the whole fee line once, half-even, with ``divide_half_even(n, BPS)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from merchants.money import allocate


class Band(Protocol):
    """One tier: ``rate_bps`` applies from ``at_least`` (minor units) up to the next band."""

    at_least: int
    rate_bps: int


def marginal_numerator(base: int, bands: Sequence[Band], scale: int = 1) -> int:
    """Each slice of ``base`` times its own band's rate, like tax brackets, unrounded.

    ``scale`` multiplies every threshold: a per-item table ("20% up to $250 an item") priced on
    an order line of ``scale`` items gives exactly ``scale`` times the per-item fee of the
    line's average item, without rounding per item.
    """
    total = 0
    for index, band in enumerate(bands):
        low = band.at_least * scale
        if base <= low:
            break
        high = bands[index + 1].at_least * scale if index + 1 < len(bands) else base
        total += (min(base, high) - low) * band.rate_bps
    return total


def band_rate(value: int, bands: Sequence[Band]) -> int:
    """The rate of the highest band that ``value`` reaches (whole-base tiers)."""
    rate = bands[0].rate_bps
    for band in bands:
        if value >= band.at_least:
            rate = band.rate_bps
    return rate


def split_proportionally(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into ints that sum exactly to ``total``.

    Largest remainder, ties to the earlier weight, so the split is deterministic. Used to share
    an order-level discount among order lines before a per-line table prices them.
    """
    if not weights:
        return []
    if sum(weights) <= 0:  # nothing to weigh by: the first line takes it all
        return [total] + [0] * (len(weights) - 1)
    return allocate(total, weights)
