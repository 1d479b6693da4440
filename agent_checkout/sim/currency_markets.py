"""A run whose merchants sell in several currencies: which currency market a session shops in.

Each session belongs to one currency market and sees only the merchants selling in it, so no
shopper weighs a yuan price against a dollar budget, and every amount it causes (order, fees,
clicks, inference, welfare) is counted in that currency alone. The market of session ``i`` is
drawn from its own named stream (``market``), so it is the same in every variant of a
comparison and no other stream moves. A run in one currency has no :class:`CurrencyMarkets`:
nothing is drawn and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from agent_checkout.agent.state import Recommendation
from agent_checkout.sim.streams import RandomStreams
from agent_checkout.sim.welfare import SessionWelfare, WelfareRecorder
from merchants.orders import PlacedOrder


@dataclass(frozen=True)
class CurrencyMarkets:
    """Sessions' shares by currency, and the merchants each currency's sessions see."""

    shares: Mapping[str, float]  # currency -> weight of sessions (any positive scale)
    merchants: Mapping[str, Sequence[str]]  # currency -> merchant ids selling in it
    streams: RandomStreams

    @property
    def currencies(self) -> list[str]:
        return sorted(self.merchants)

    def currency_of(self, index: int) -> str:
        """Session ``index``'s currency market: one draw from its own ``market`` stream."""
        names = self.currencies
        weights = [self.shares.get(name, 0.0) for name in names]
        return self.streams.stream("market", index).choices(names, weights)[0]


@dataclass
class WelfareByCurrency:
    """The welfare hook of a run in several currencies: each session is judged against its
    own market's items and tallied in its currency (one :class:`WelfareRecorder` each)."""

    recorders: Mapping[str, WelfareRecorder]
    currency_of: Callable[[int], str]
    _of_label: dict[str, WelfareRecorder] = field(default_factory=dict)

    def started(self, label: str, index: int, shopper) -> None:
        recorder = self._of_label[label] = self.recorders[self.currency_of(index)]
        recorder.started(label, index, shopper)

    def shown(self, label: str, recommendations: Sequence[Recommendation]) -> None:
        self._of_label[label].shown(label, recommendations)

    def bought(self, label: str, order: PlacedOrder, *, kept: bool = True) -> None:
        recorder = self._of_label.get(label)
        if recorder is not None:
            recorder.bought(label, order, kept=kept)

    def ended(self, label: str, *, still_buying: bool = False) -> SessionWelfare:
        recorder = self._of_label[label]
        if not still_buying:
            del self._of_label[label]
        return recorder.ended(label, still_buying=still_buying)

    def closed(self, label: str) -> SessionWelfare:
        return self._of_label.pop(label).closed(label)
