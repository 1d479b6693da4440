"""Policies: the agent's judgement calls, behind one interface so they can be swapped.

A policy phrases the search query and ranks what search found into recommendations. The default
:class:`RulePolicy` is deterministic and needs no model, so everything runs offline; how it
orders offers is its :mod:`~agent_checkout.agent.ranking` (neutral unless told otherwise). An
LLM-backed policy lives in :mod:`agent_checkout.agent.llm_policy`.

A policy's ``recommend`` may take a ``pricer`` (:class:`~agent_checkout.agent.unit_prices.
UnitPricer`): the graph then hands it one, and the policy states each option's effective unit
price itself. Whatever a policy leaves unpriced, the graph prices after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agent_checkout.agent.ranking import NeutralRanking, Ranking, ScoreWeights, score_offers
from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.agent.unit_prices import UnitPricer
from merchants.feed import FeedProduct


class CheckoutPolicy(Protocol):
    name: str

    def query(self, need: Need) -> str: ...

    def recommend(
        self, offers: Sequence[FeedProduct], *, need: Need, budget: int, excluded: Sequence[str]
    ) -> list[Recommendation]: ...


@dataclass(frozen=True)
class RulePolicy:
    """Score offers on relevance to the query, fit to the budget and rating; let ``ranking`` order.

    ``offers`` arrive in relevance order per merchant; the weighted score of the three signals
    is what the neutral ranking sorts by, ties broken by merchant and product id. Another
    ranking (``ranking_policy("sponsored", ...)``) reorders the same scores for someone's gain.
    """

    name: str = "rules"
    limit: int = 5
    relevance_weight: float = 0.4
    budget_weight: float = 0.4
    rating_weight: float = 0.2
    ranking: Ranking = field(default_factory=NeutralRanking)

    @property
    def weights(self) -> ScoreWeights:
        return ScoreWeights(self.relevance_weight, self.budget_weight, self.rating_weight)

    def query(self, need: Need) -> str:
        return need.query

    def recommend(
        self,
        offers: Sequence[FeedProduct],
        *,
        need: Need,
        budget: int,
        excluded: Sequence[str],
        pricer: UnitPricer | None = None,
    ) -> list[Recommendation]:
        """Rank on list prices (what search returned); then, with ``pricer``, work out each
        pick's effective unit price after every discount and credit, which the shopper weighs."""
        candidates = score_offers(offers, budget=budget, excluded=excluded, weights=self.weights)
        ranked = self.ranking.rank(candidates, limit=self.limit)
        return ranked if pricer is None else [pricer.priced(r) for r in ranked]
