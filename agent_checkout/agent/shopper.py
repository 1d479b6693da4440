"""The person the agent buys for, as the graph sees them.

The simulation draws shoppers from a population; ``agent-checkout chat`` puts a person here.
Either way the agent asks the same questions: what do you need, what may you spend, which of
these (if any) do you want.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from agent_checkout.agent.state import Need, Recommendation
from merchants.acp import Address, Buyer, CheckoutSession, PaymentMethodCard


class Shopper(Protocol):
    need: Need
    budget: int  # minor units the shopper will spend on the item
    buyer: Buyer
    address: Address
    cards: Sequence[PaymentMethodCard]

    def choose(self, recommendations: Sequence[Recommendation]) -> Recommendation | None:
        """Pick one recommendation, or ``None`` to buy nothing."""
        ...


def sample_buyer() -> Buyer:
    """The buyer of the examples, the chat and the docs (nobody real)."""
    return Buyer(first_name="Ada", last_name="Lovelace", email="ada@example.com")


def sample_address() -> Address:
    return Address(
        name="Ada Lovelace",
        line_one="1234 Chat Road",
        city="San Francisco",
        state="CA",
        country="US",
        postal_code="94131",
    )


def sample_cards() -> list[PaymentMethodCard]:
    """One card that always pays (Stripe's test number)."""
    return [PaymentMethodCard(number="4242424242424242", display_last4="4242")]


@dataclass
class SampleShopper:
    """Takes the best-ranked recommendation within budget: for examples and quick tries."""

    need: Need
    budget: int
    buyer: Buyer = field(default_factory=sample_buyer)
    address: Address = field(default_factory=sample_address)
    cards: Sequence[PaymentMethodCard] = field(default_factory=sample_cards)

    def choose(self, recommendations: Sequence[Recommendation]) -> Recommendation | None:
        return next((r for r in recommendations if r.price <= self.budget), None)


def gave_up(shopper: Shopper, now: datetime) -> bool:
    """Whether the shopper has stopped waiting for the agent (shoppers who say nothing wait)."""
    check = getattr(shopper, "gave_up", None)
    return False if check is None else bool(check(now))


def accepts_total(shopper: Shopper, session: CheckoutSession) -> bool:
    """Whether the shopper goes through with the checkout's total (default: yes)."""
    check = getattr(shopper, "accepts_total", None)
    return True if check is None else bool(check(session))


def accepts_price(shopper: Shopper, stated_line: int, real_line: int) -> bool:
    """Whether the shopper buys when the checkout's line amount (after discounts) is
    ``real_line`` and the assistant said ``stated_line`` (default: yes)."""
    check = getattr(shopper, "accepts_price", None)
    return True if check is None else bool(check(stated_line, real_line))


def passes_challenge(shopper: Shopper) -> bool:
    """Whether the shopper passes a 3-D Secure challenge (shoppers who say nothing do)."""
    challenge = getattr(shopper, "passes_challenge", None)
    return True if challenge is None else bool(challenge())
