"""Policies: the agent's judgement calls, behind one interface so they can be swapped.

A policy phrases the search query and ranks what search found into recommendations. The default
:class:`RulePolicy` is deterministic and needs no model, so everything runs offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from agent_checkout.agent.state import Need, Recommendation
from merchants.feed import FeedProduct


class CheckoutPolicy(Protocol):
    name: str

    def query(self, need: Need) -> str: ...

    def recommend(self, offers: Sequence[FeedProduct], *, need: Need, budget: int,
                  excluded: Sequence[str]) -> list[Recommendation]: ...


@dataclass(frozen=True)
class RulePolicy:
    """Neutral ranking: relevance to the query, fit to the budget, and rating.

    ``offers`` arrive in relevance order per merchant; a weighted score of the three signals
    ranks them across merchants, ties broken by merchant and product id.
    """

    name: str = "rules"
    limit: int = 5
    relevance_weight: float = 0.4
    budget_weight: float = 0.4
    rating_weight: float = 0.2

    def query(self, need: Need) -> str:
        return need.query

    def recommend(self, offers: Sequence[FeedProduct], *, need: Need, budget: int,
                  excluded: Sequence[str]) -> list[Recommendation]:
        rank_in_merchant: dict[str, int] = {}
        scored = []
        for offer in offers:
            position = rank_in_merchant.get(offer.seller_id, 0)
            rank_in_merchant[offer.seller_id] = position + 1
            key = f"{offer.seller_id}:{offer.id}"
            if key in excluded or offer.availability == "out_of_stock":
                continue
            relevance = 1.0 / (1 + position)
            fit = 1.0 if offer.price <= budget else budget / offer.price
            score = (self.relevance_weight * relevance + self.budget_weight * fit
                     + self.rating_weight * offer.rating / 5)
            scored.append((-score, offer.seller_id, offer.id, offer))
        scored.sort(key=lambda row: row[:3])
        return [Recommendation(offer=row[3], rank=i, score=round(-row[0], 6))
                for i, row in enumerate(scored[: self.limit])]
