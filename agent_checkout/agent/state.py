"""The agent's typed state, and the named outcomes every session ends in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from merchants.acp import CheckoutSession
from merchants.feed import FeedProduct

Outcome = Literal[
    "purchased",  # an order was placed
    "no_match",  # search found nothing relevant
    "over_budget",  # everything relevant cost more than the shopper's budget
    "declined_by_shopper",  # the shopper saw the recommendations and bought nothing
    "out_of_stock",  # what the shopper wanted sold out, and nothing else would do
    "payment_failed",  # every payment method was declined
    "merchant_unavailable",  # a merchant could not be reached
    "checkout_failed",  # the merchant refused the checkout for another reason
    "blocked_by_mandate",  # paying would have broken the shopper's mandate
    "clicked_out",  # handed to the merchant's own site by a link (click-out mode)
    "abandoned",  # the shopper gave up: waited too long, or balked at the total
]
OUTCOMES: tuple[str, ...] = Outcome.__args__


@dataclass(frozen=True, slots=True)
class Need:
    """What the shopper came for: a category, the words they would search with, and any
    attributes the item must have."""

    category: str
    query: str
    quantity: int = 1
    attributes: tuple[tuple[str, str], ...] = ()  # required, e.g. (("color", "navy"),)

    def matches(self, attributes: dict[str, str]) -> bool:
        """Whether an item with these attributes meets every required one."""
        return all(attributes.get(name) == value for name, value in self.attributes)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One item shown to the shopper, with the ranking that placed it there."""

    offer: FeedProduct
    rank: int
    score: float
    ranking: str = "neutral"
    label: str | None = None  # a disclosure such as "Sponsored"
    cpc: int = 0  # minor units the sponsor pays when the shopper clicks it (paid slots only)
    #: The unit price after every discount and credit, as the agent worked it out
    #: (agent_checkout.agent.unit_prices); None until it has.
    unit_price: int | None = None
    #: The unit price the assistant told the shopper, when it differs (a wrong stated price:
    #: agent_checkout.agent.stated_price); None means it stated ``unit_price``.
    stated_price: int | None = None

    @property
    def key(self) -> str:
        return f"{self.offer.seller_id}:{self.offer.id}"

    @property
    def price(self) -> int:
        """The unit price the shopper was told and decides on: stated, worked out, or listed."""
        if self.stated_price is not None:
            return self.stated_price
        return self.unit_price if self.unit_price is not None else self.offer.price


class CheckoutState(TypedDict, total=False):
    """What flows between the nodes. Connectors, shopper and policy live in the context."""

    query: str
    offers: list[FeedProduct]
    excluded: list[str]  # ``merchant:product`` keys that failed at checkout
    recommendations: list[Recommendation]
    choice: Recommendation | None
    checkout: CheckoutSession | None
    card_index: int  # which of the shopper's payment methods is in use
    attempts: int  # checkouts started
    step: str  # how the last node ended: ok, backoff, sold_out, next_card,
    #                              restart, authenticate, repriced
    pending: list[str]  # merchants whose search must be retried
    retry_node: str | None  # the node to go back to after a back-off
    retry_wait: float  # seconds to wait before that retry
    retries: int  # back-offs taken so far in this session
    streak: int  # back-offs in a row since the last call that got through
    restarts: int  # checkout sessions restarted after one expired
    token: str  # the payment token awaiting a 3-D Secure result
    authenticated: bool  # how the shopper's 3-D Secure challenge went
    price_changes: int  # times the price moved between the feed and the checkout
    outcome: Outcome
    detail: str
