"""A failure mode: the assistant states a wrong unit price, and the shopper meets the real one.

Assistants have been seen quoting prices and discounts that do not exist (docs/sources.md,
Promotions and presales (China, Singles' Day), row 'wrong prices from assistants'). A session
given a :class:`PriceError` states every recommendation's unit price off by ``bps`` basis points
of the price it worked out, below or above; the shopper chooses on the stated price and, at
checkout, buys only if the real line amount is at most the stated one × (1 + tolerance)
(:func:`holds`). Which sessions err, and by how much, the simulation draws from its own stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from agent_checkout.agent.state import Recommendation
from merchants.money import BPS, apply_bps


@dataclass(frozen=True, slots=True)
class PriceError:
    """How wrong this session's assistant is: ``bps`` of the real unit price, below or above."""

    bps: int
    direction: Literal["below", "above"] = "below"

    def state(self, unit: int) -> int:
        """The unit price the assistant says, rounded half-even to the minor unit."""
        off = apply_bps(unit, self.bps)
        return unit - off if self.direction == "below" else unit + off

    def misstate(self, recommendations: Sequence[Recommendation]) -> list[Recommendation]:
        return [replace(r, stated_price=self.state(r.price)) for r in recommendations]


def holds(stated_line: int, real_line: int, tolerance_bps: int) -> bool:
    """Whether a real line amount is within ``tolerance_bps`` above the stated one (exactly)."""
    return real_line * BPS <= stated_line * (BPS + tolerance_bps)
