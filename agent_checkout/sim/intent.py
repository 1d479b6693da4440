"""Shopper intent: why a session started, which sets how far it goes and how it chooses.

Most people who ask about a product, or land on a shop, are not about to buy it. A session's
intent is drawn from its channel's mix; the intents below run from the least to the most ready
to buy, and each is at least as ready as the one before in every respect (leaves no more often,
finds buying nothing no more appealing), so a mix that puts more weight further down the list
converts more, shopper for shopper (the same random numbers, drawn by inverse CDF, give a
readier intent). No public figure gives these parameters: they are assumptions, listed in
docs/sources.md ("Shopper intent"), and the channel defaults built on them are calibrated so
channels land in the published order (row "ChatGPT-referred traffic").
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Intent:
    """What a session's shopper came for, as changes to the population's shopper.

    ``leaves_without_search``: share of sessions that end before any merchant is searched (a
    question answered, a page read); ``chat_turns``: assistant turns not about shopping, which
    cost inference even when nothing is bought; the rest adjust the logit choice.
    """

    name: str
    leaves_without_search: float
    outside_utility_shift: float  # added to the appeal of buying nothing
    price_sensitivity_factor: float = 1.0
    patience_factor: float = 1.0
    chat_turns: int = 0


#: From least to most ready to buy (all assumptions; see the module docstring).
INTENTS: tuple[Intent, ...] = (
    Intent("researching", 0.85, 4.0, chat_turns=3),
    Intent("comparing", 0.3, 2.0, price_sensitivity_factor=1.25, chat_turns=2),
    Intent("gift_with_deadline", 0.0, 0.5, 0.75, patience_factor=0.5, chat_turns=1),
    Intent("ready_to_buy", 0.0, 0.0),
)
BY_NAME: dict[str, Intent] = {intent.name: intent for intent in INTENTS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def draw_intent(mix: Mapping[str, float], rng: random.Random) -> Intent:
    """One intent from ``mix`` (weights by name) by inverse CDF in :data:`INTENTS` order, so the
    same draw gives a readier intent under a readier mix (common random numbers)."""
    total = sum(mix.get(name, 0.0) for name in NAMES)
    point, running = rng.random() * total, 0.0
    chosen = INTENTS[-1]
    for intent in INTENTS:
        weight = mix.get(intent.name, 0.0)
        running += weight
        if weight > 0 and point < running:
            return intent
        if weight > 0:
            chosen = intent
    return chosen
