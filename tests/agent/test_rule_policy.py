"""RulePolicy with its default ranking must give exactly what it gave before rankings existed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from agent_checkout.agent.policy import RulePolicy
from agent_checkout.agent.state import Need, Recommendation
from merchants.feed import FeedProduct

NEED = Need(category="kitchen", query="skillet")


@dataclass(frozen=True)
class LegacyRulePolicy:
    """The pre-ranking RulePolicy.recommend, verbatim: the reference for the determinism tests."""

    limit: int = 5
    relevance_weight: float = 0.4
    budget_weight: float = 0.4
    rating_weight: float = 0.2

    def recommend(self, offers, *, need, budget, excluded):
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
            score = (
                self.relevance_weight * relevance
                + self.budget_weight * fit
                + self.rating_weight * offer.rating / 5
            )
            scored.append((-score, offer.seller_id, offer.id, offer))
        scored.sort(key=lambda row: row[:3])
        return [
            Recommendation(offer=row[3], rank=i, score=round(-row[0], 6))
            for i, row in enumerate(scored[: self.limit])
        ]


def random_offers(rng: random.Random) -> list[FeedProduct]:
    offers = []
    for seller in rng.sample(["acme", "juniper", "northwind", "zeta"], rng.randint(1, 4)):
        for i in range(rng.randint(0, 8)):
            offers.append(
                FeedProduct(
                    id=f"{seller}_{rng.randint(0, 5):03d}_{i}",
                    title="t",
                    description="",
                    price=rng.choice([499, 1_099, 2_500, 4_000, 7_999, 12_000]),
                    currency="usd",
                    availability=rng.choice(["in_stock", "in_stock", "preorder", "out_of_stock"]),
                    inventory_quantity=3,
                    category="kitchen",
                    brand="b",
                    rating=rng.choice([2.8, 3.5, 4.0, 4.5, 4.8, 5.0]),
                    review_count=1,
                    seller_id=seller,
                    seller_name=seller,
                )
            )
    return offers


def test_default_ranking_reproduces_the_legacy_policy_exactly():
    rng = random.Random(20260411)
    for _ in range(300):
        offers = random_offers(rng)
        budget = rng.choice([1_000, 3_000, 8_000])
        excluded = [f"{o.seller_id}:{o.id}" for o in offers if rng.random() < 0.15]
        limit = rng.randint(1, 6)
        new = RulePolicy(limit=limit).recommend(offers, need=NEED, budget=budget, excluded=excluded)
        old = LegacyRulePolicy(limit=limit).recommend(
            offers, need=NEED, budget=budget, excluded=excluded
        )
        assert new == old


def test_custom_weights_still_apply():
    offers = random_offers(random.Random(3))
    kwargs = dict(limit=4, relevance_weight=0.1, budget_weight=0.2, rating_weight=0.7)
    new = RulePolicy(**kwargs).recommend(offers, need=NEED, budget=3_000, excluded=[])
    old = LegacyRulePolicy(**kwargs).recommend(offers, need=NEED, budget=3_000, excluded=[])
    assert new == old and new


def test_query_is_the_shoppers_words_and_ranking_is_neutral():
    policy = RulePolicy()
    assert policy.query(NEED) == "skillet"
    assert policy.ranking.name == "neutral"
