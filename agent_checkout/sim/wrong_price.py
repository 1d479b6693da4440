"""Wrong stated prices in a run: which sessions' assistant errs, what became of them, the cost.

Session ``i`` errs when its own draw from the stream ``wrong_price`` (keyed by ``i``) falls
below the scenario's ``agent.wrong_price.rate``; a second draw from it sets the error's size.
No other stream moves, so the run without the errors (a *shadow* run: the same draws, every
price stated right) meets the same shoppers at the same times, and the GMV those sessions made
there is what they would have made: common random numbers turn the cost into a comparison.

A session counts as *shown* a wrong price when recommendations reached the shopper; of those,
``bought_anyway`` bought, ``abandoned_at_checkout`` met a real price beyond their tolerance
(:mod:`agent_checkout.agent.stated_price`), and ``other`` ended otherwise (chose nothing, sold
out, ...). GMV is what buyers paid (order totals), as the summary's ``gmv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_checkout.agent.graph import STATED_PRICE_WRONG
from agent_checkout.agent.stated_price import PriceError
from agent_checkout.sim.scenario import WrongPriceSpec
from agent_checkout.sim.streams import RandomStreams


class PriceErrors:
    """Which sessions state wrong prices, and how wrong; ``shadow`` marks the same sessions
    but states every price right (the comparison run)."""

    def __init__(self, spec: WrongPriceSpec, streams: RandomStreams, *, shadow: bool = False):
        self.spec, self.streams, self.shadow = spec, streams, shadow

    def draw(self, index: int) -> PriceError | None:
        """Session ``index``'s error, or None when it states prices right."""
        rng = self.streams.stream("wrong_price", index)
        if not rng.random() < self.spec.rate:
            return None
        error = self.spec.error
        return PriceError(rng.randint(error.min_bps, error.max_bps), error.direction)


@dataclass
class WrongPriceTally:
    """What became of the sessions drawn to err (in a shadow run: of the same sessions)."""

    rate: float
    erring: set[int] = field(default_factory=set)  # drawn to err
    shown: set[int] = field(default_factory=set)  # ... and shown recommendations
    gmv: dict[int, int] = field(default_factory=dict)  # what each paid, by session
    bought: set[int] = field(default_factory=set)
    abandoned: set[int] = field(default_factory=set)  # at checkout, over the stated price

    def ordered(self, index: int, total: int) -> None:
        if index in self.erring:
            self.gmv[index] = self.gmv.get(index, 0) + total

    def ended(self, index: int, state: dict, shown: bool) -> None:
        if index not in self.erring:
            return
        if shown:
            self.shown.add(index)
        if state.get("outcome") == "purchased":
            self.bought.add(index)
        elif state.get("detail") == STATED_PRICE_WRONG:
            self.abandoned.add(index)

    def summary(self, shadow: WrongPriceTally | None = None) -> dict:
        """``wrong_price`` of the summary; with the ``shadow`` run, GMV lost to the errors."""
        shown = self.shown
        bought = len(shown & self.bought)
        abandoned = len(shown & self.abandoned)
        gmv = sum(self.gmv.get(i, 0) for i in shown)
        figures = {
            "rate": self.rate,
            "sessions_shown": len(shown),
            "bought_anyway": bought,
            "abandoned_at_checkout": abandoned,
            "other": len(shown) - bought - abandoned,
            "gmv": gmv,
        }
        if shadow is not None:
            without = sum(shadow.gmv.get(i, 0) for i in shown)
            figures |= {
                "gmv_without_error": without,
                "gmv_lost": without - gmv,
                "bought_without_error": len(shown & shadow.bought),
            }
        return figures
