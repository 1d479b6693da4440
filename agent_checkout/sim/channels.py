"""Traffic channels: how a session's shopper arrived, and so who they are and where they pay.

A scenario's ``channels`` gives each channel a share of arrivals. Each channel has built-in
defaults (:data:`CHANNELS`): where the sale completes (``site``: the merchant's own checkout;
``in_chat``: an ACP checkout inside the assistant; ``link_out``: the assistant links out and the
shopper checks out on the merchant's site), whether an AI assistant runs the session (its turns
cost inference), which AI-platform fees apply, and an intent mix (:mod:`agent_checkout.sim.intent`).
The scenario may override the intent mix and any shopper parameter per channel.

Sources (docs/sources.md): "ChatGPT-referred traffic" gives the order (AI-referred traffic
converts below affiliate, organic search, paid search, email and direct, above paid social);
"ChatGPT Instant Checkout, 2026" gives in-chat checkout converting about three times worse than
the merchant's own site. The intent mixes are one engaged share each (:func:`engaged_mix`),
fitted by ``agent-checkout calibrate --channels`` to per-channel targets that keep that order
("Channel conversion targets", "Channel intent mixes").

Session ``i``'s channel, intent and early exit are drawn from its own ``channel`` stream, so
adding channels reshuffles no other stream, and the same session meets the same draws in every
variant of a comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.sim.intent import Intent, draw_intent
from agent_checkout.sim.streams import RandomStreams

if TYPE_CHECKING:
    from agent_checkout.sim.scenario import ChannelSpec, ShoppersSpec
    from agent_checkout.sim.shoppers import SimulatedShopper

Checkout = Literal["site", "in_chat", "link_out"]
AiFees = Literal["order", "attributed", "none"]


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel's built-in defaults.

    ``ai_fees``: ``order`` prices every AI-platform fee model on the order (in-chat checkout);
    ``attributed`` prices only clicks and purchases attributed to a click (a link out);
    ``none``: only the merchant platform's own models. ``in_chat_acceptance`` multiplies the
    shopper's chance to go through with the total when paying inside the chat.
    """

    name: str
    checkout: Checkout
    assistant: bool
    ai_fees: AiFees
    intents: Mapping[str, float]
    in_chat_acceptance: float = 1.0


#: How a channel's engaged (not researching) sessions split between comparing, a gift with a
#: deadline and ready to buy: one shape for every channel, so a channel's mix is one number, its
#: engaged share, and a larger share is readier to buy in every respect (an assumption:
#: docs/sources.md, "Defaults with no public figure", row 'Channel intent mixes').
ENGAGED_SHAPE: Mapping[str, float] = {
    "comparing": 0.68,
    "gift_with_deadline": 0.13,
    "ready_to_buy": 0.19,
}


def engaged_mix(engaged: float) -> dict[str, float]:
    """The intent mix whose sessions are ``engaged`` (0 to 1) not just researching, the rest
    split by :data:`ENGAGED_SHAPE`; what ``agent-checkout calibrate --channels`` fits."""
    if not 0.0 <= engaged <= 1.0:
        raise ValueError(f"an engaged share is 0 to 1, not {engaged}")
    return {"researching": round(1.0 - engaged, 6)} | {
        name: round(engaged * weight, 6) for name, weight in ENGAGED_SHAPE.items()
    }


# Engaged shares fitted by `agent-checkout calibrate channel-mix --channels` (seeds 1-4, 20,000
# sessions) to the per-channel targets of docs/sources.md, "Defaults with no public figure", row
# 'Channel conversion targets' (paid social lowest, AI-referred about 13% below organic search,
# affiliate about 1.86x AI-referred, in-chat about a third of link-out); the site channels' values
# read off one line through all the fit's trials (rows 'Channel intent mixes' and 'In-chat
# checkout acceptance').
_AI_MIX = engaged_mix(0.0925)
CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel("paid_social", "site", False, "none", engaged_mix(0.0389)),
        # The same assistant users twice: paying in the chat or on the merchant's site. Walmart
        # saw in-chat checkout convert about 3x worse than its own site (docs/sources.md,
        # "ChatGPT Instant Checkout, 2026"): in-chat acceptance is fitted to give that.
        Channel("ai_in_chat", "in_chat", True, "order", _AI_MIX, in_chat_acceptance=0.32),
        Channel("ai_link_out", "link_out", True, "attributed", _AI_MIX),
        Channel("marketplace_assistant", "site", True, "none", engaged_mix(0.1157)),
        Channel("organic_search", "site", False, "none", engaged_mix(0.1266)),
        Channel("paid_search", "site", False, "none", engaged_mix(0.1486)),
        Channel("direct", "site", False, "none", engaged_mix(0.1705)),
        Channel("email", "site", False, "none", engaged_mix(0.1924)),
        Channel("affiliate", "site", False, "none", engaged_mix(0.2407)),
    )
}
#: The published order, lowest converting first (marketplace assistants: an assumption).
ORDER: tuple[str, ...] = tuple(CHANNELS)
NAMES: tuple[str, ...] = tuple(sorted(CHANNELS))

#: Fee models a channel's orders pay besides the merchant platform's, by default: an affiliate
#: sends its visitors for a commission (fees/builtin/affiliate-network.yaml). A scenario's
#: ``channels.<name>.fee_models`` replaces them ([] switches them off).
FEE_MODELS: dict[str, tuple[str, ...]] = {"affiliate": ("affiliate-network",)}


def channel_fee_models(specs: Mapping[str, ChannelSpec]) -> dict[str, tuple[str, ...]]:
    """The fee models each channel of ``specs`` prices its orders with, as named."""
    return {
        name: tuple(spec.fee_models if spec.fee_models is not None else FEE_MODELS.get(name, ()))
        for name, spec in sorted(specs.items())
    }


@dataclass(slots=True)
class SessionChannel:
    """Session ``index``'s channel and intent; ``leaves`` if it ends before searching, else
    :meth:`shopper` draws who it is (only then: most sessions never need one)."""

    channel: Channel
    intent: Intent
    leaves: bool
    index: int
    spec: ShoppersSpec
    draw_shopper: Callable[[int, ShoppersSpec], SimulatedShopper]

    def shopper(self) -> SimulatedShopper:
        shopper = self.draw_shopper(self.index, self.spec)
        # What an item is worth does not depend on whether the shopper means to buy today: the
        # intent's pull towards buying nothing sets whether they buy, not the value of a purchase
        # (agent_checkout.sim.welfare).
        shift = self.intent.outside_utility_shift
        if shift:
            shopper.value_spec = self.spec.model_copy(
                update={"outside_utility": self.spec.outside_utility - shift}
            )
        return shopper


class ChannelMix:
    """Draws each session's channel and intent, and its shopper from that channel's population.

    ``shopper(index, spec)`` is :meth:`ShopperPopulation.shopper`; ``specs`` are the scenario's
    per-channel overrides (:class:`~agent_checkout.sim.scenario.ChannelSpec`).
    """

    def __init__(
        self,
        specs: Mapping[str, ChannelSpec],
        base: ShoppersSpec,
        shopper: Callable[[int, ShoppersSpec], SimulatedShopper],
        streams: RandomStreams,
    ) -> None:
        self.names = [name for name in sorted(specs) if specs[name].share > 0]
        self.shares = [specs[name].share for name in self.names]
        self.shopper, self.streams = shopper, streams
        self.channels = {name: CHANNELS[name] for name in self.names}
        self.mixes = {
            name: dict(specs[name].intents or CHANNELS[name].intents) for name in self.names
        }
        self.acceptance = {name: in_chat_acceptance(name, specs[name]) for name in self.names}
        self._populations = {name: _merged(base, specs[name].shoppers) for name in self.names}
        self.fee_models: dict[str, list[FeeModel]] = {
            name: [load_fee_model(model) for model in models]
            for name, models in channel_fee_models(specs).items()
        }
        self._specs: dict[tuple[str, str], ShoppersSpec] = {}

    def draw(self, index: int) -> SessionChannel:
        rng = self.streams.stream("channel", index)
        name = _pick(self.names, self.shares, rng.random())
        intent = draw_intent(self.mixes[name], rng)
        leaves = rng.random() < intent.leaves_without_search
        return SessionChannel(
            channel=self.channels[name],
            intent=intent,
            leaves=leaves,
            index=index,
            spec=self._spec(name, intent),
            draw_shopper=self.shopper,
        )

    def _spec(self, name: str, intent: Intent) -> ShoppersSpec:
        """The channel's population as this intent shifts it (built once per pair)."""
        key = (name, intent.name)
        spec = self._specs.get(key)
        if spec is None:
            base = self._populations[name]
            spec = self._specs[key] = base.model_copy(
                update={
                    "outside_utility": base.outside_utility + intent.outside_utility_shift,
                    "price_sensitivity": base.price_sensitivity * intent.price_sensitivity_factor,
                    "patience": base.patience.model_copy(
                        update={
                            "median_seconds": base.patience.median_seconds * intent.patience_factor
                        }
                    ),
                    "checkout_acceptance": base.checkout_acceptance * self.acceptance[name],
                }
            )
        return spec


def in_chat_acceptance(name: str, spec: ChannelSpec) -> float:
    """Channel ``name``'s in-chat acceptance: the scenario's ``spec`` sets it, or the built-in."""
    given = spec.in_chat_acceptance
    return CHANNELS[name].in_chat_acceptance if given is None else given


def _pick(names: list[str], weights: list[float], u: float) -> str:
    """Inverse CDF over ``names`` in order."""
    point, running = u * math.fsum(weights), 0.0
    for name, weight in zip(names, weights, strict=True):
        running += weight
        if weight > 0 and point < running:
            return name
    return [n for n, w in zip(names, weights, strict=True) if w > 0][-1]


def _merged(base: ShoppersSpec, override: ShoppersSpec | None) -> ShoppersSpec:
    """``base`` with the fields ``override`` sets (nested ones key by key)."""
    if override is None:
        return base
    merged: dict[str, Any] = base.model_dump()
    for key, value in override.model_dump(exclude_unset=True).items():
        if key in ("budget", "patience"):  # nested specs: only the keys given change
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return type(base).model_validate(merged)
