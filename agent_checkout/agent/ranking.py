"""Ranking policies: who decides the order the shopper sees, and for whose benefit.

Search returns offers; :func:`score_offers` gives each a neutral score (relevance to the query,
fit to the budget, rating). A :class:`Ranking` turns those scored candidates into the
recommendations shown, recording its name on each one, and a disclosure ``label`` where it
places an offer for pay. The four built in let a comparison ask what steering costs the shopper:

- ``neutral``: the neutral score alone;
- ``commission_weighted``: neutral score + ``weight`` × the platform's expected commission (given
  as rates, or priced through the scenario's fee models: :mod:`agent_checkout.fees.earnings`);
- ``sponsored``: paid slots at the top for sponsors' offers, labelled and priced per click (the
  ranking bills each click on a paid slot itself: :func:`click_fee_lines`); with ``bids`` (the
  advertisers' prices per click), the slot goes to the highest ad rank, bid × neutral score;
- ``first_party``: the platform's own merchants first, as an assistant tied to one shop would.

Every ordering breaks ties by merchant id, then product id, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from agent_checkout.agent.state import Recommendation
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.model import FeeModel
from merchants.feed import FeedProduct
from merchants.money import apply_bps


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """How much each neutral signal counts; the defaults are the original ``RulePolicy``'s."""

    relevance: float = 0.4
    budget: float = 0.4
    rating: float = 0.2


@dataclass(frozen=True, slots=True)
class Candidate:
    """An offer that may be recommended, with its neutral score."""

    offer: FeedProduct
    score: float

    @property
    def key(self) -> str:
        return f"{self.offer.seller_id}:{self.offer.id}"

    @property
    def tie_break(self) -> tuple[str, str]:
        return (self.offer.seller_id, self.offer.id)


def score_offers(
    offers: Sequence[FeedProduct],
    *,
    budget: int,
    excluded: Collection[str] = (),
    weights: ScoreWeights = ScoreWeights(),
) -> list[Candidate]:
    """Score every offer still buyable, in the order given.

    ``offers`` arrive in relevance order per merchant, so relevance is ``1 / (1 + position)``
    within the offer's merchant. Excluded keys and sold-out offers are dropped after counting
    their position, so dropping one does not promote the rest of its merchant's results.
    """
    position_in_merchant: dict[str, int] = {}
    candidates = []
    for offer in offers:
        position = position_in_merchant.get(offer.seller_id, 0)
        position_in_merchant[offer.seller_id] = position + 1
        if f"{offer.seller_id}:{offer.id}" in excluded or offer.availability == "out_of_stock":
            continue
        relevance = 1.0 / (1 + position)
        fit = 1.0 if offer.price <= budget else budget / offer.price
        score = (
            weights.relevance * relevance + weights.budget * fit + weights.rating * offer.rating / 5
        )
        candidates.append(Candidate(offer, score))
    return candidates


class Ranking(Protocol):
    """Orders scored candidates into at most ``limit`` recommendations, ranks from 0."""

    name: str

    def rank(self, candidates: Sequence[Candidate], *, limit: int) -> list[Recommendation]: ...


def _by_score(scored: Sequence[tuple[float, Candidate]]) -> list[tuple[float, Candidate]]:
    """Best score first; ties by merchant id, then product id."""
    return sorted(scored, key=lambda row: (-row[0], *row[1].tie_break))


def _recommendations(
    rows: Sequence[tuple[float, Candidate, str | None]], name: str, limit: int
) -> list[Recommendation]:
    return [
        Recommendation(offer=c.offer, rank=i, score=round(s, 6), ranking=name, label=label)
        for i, (s, c, label) in enumerate(rows[:limit])
    ]


@dataclass(frozen=True)
class NeutralRanking:
    """The neutral score alone: what a shopper's own agent would show."""

    name: str = "neutral"

    def rank(self, candidates: Sequence[Candidate], *, limit: int) -> list[Recommendation]:
        ordered = _by_score([(c.score, c) for c in candidates])
        return _recommendations([(s, c, None) for s, c in ordered], self.name, limit)


#: Score per minor unit of the platform's commission when a scenario gives no ``weight``:
#: docs/sources.md, Defaults with no public figure, row 'Commission-weighted ranking' (an
#: assumption: a dollar of commission is worth an eighth of a perfect budget fit).
DEFAULT_COMMISSION_WEIGHT = 0.0005


@dataclass(frozen=True)
class CommissionWeightedRanking:
    """Neutral score plus ``weight`` × the commission the platform expects from the offer.

    ``rates_bps`` maps merchant id to the platform's commission in basis points (400 = 4%);
    merchants not in it pay ``default_bps``. ``commission``, if given, replaces the rates: what
    the platform earns on one unit of an offer (a scenario without ``rates_bps`` prices it
    through its own fee models, :class:`agent_checkout.fees.earnings.UnitEarnings`).
    ``weight`` is score per minor unit of commission: at 0 the order is the neutral one.
    """

    rates_bps: Mapping[str, int] = field(default_factory=dict)
    weight: float = DEFAULT_COMMISSION_WEIGHT
    default_bps: int = 0
    commission: Callable[[FeedProduct], int] | None = None
    name: str = "commission_weighted"

    def expected_commission(self, offer: FeedProduct) -> int:
        """The platform's commission on one unit, in minor units, rounded half-even."""
        if self.commission is not None:
            return self.commission(offer)
        bps = self.rates_bps.get(offer.seller_id, self.default_bps)
        return apply_bps(offer.price, bps)

    def rank(self, candidates: Sequence[Candidate], *, limit: int) -> list[Recommendation]:
        ordered = _by_score(
            [(c.score + self.weight * self.expected_commission(c.offer), c) for c in candidates]
        )
        return _recommendations([(s, c, None) for s, c in ordered], self.name, limit)


def _id_set(value: Collection[str] | str) -> frozenset[str]:
    return frozenset([value] if isinstance(value, str) else value)


@dataclass(frozen=True)
class SponsoredRanking:
    """The first ``slots`` places go to sponsors' offers, labelled; the rest rank neutrally.

    Sponsors are named one of two ways. ``sponsors`` holds merchant ids, product ids or
    ``merchant:product`` keys, all paying ``cpc``; their offers fill the slots in neutral order.
    ``bids`` maps advertising merchants to what each pays per click (a scenario's
    ``advertisers``); their offers fill the slots by ad rank, bid × neutral score (ties by
    merchant, then product id), and each click costs its own merchant's bid (first price: an
    assumption, simpler than a second-price auction). A sponsored offer beyond the slots ranks
    organically, unlabelled. Each labelled recommendation carries ``cpc``, its price per click.
    """

    sponsors: Collection[str] = frozenset()
    slots: int = 1
    # Minor units per click: docs/sources.md, Defaults with no public figure, row 'Sponsored
    # clicks in AI answers' (an assumption). The ranking bills it: click_fee_lines.
    cpc: int = 45
    bids: Mapping[str, int] = field(default_factory=dict)
    label: str = "Sponsored"
    name: str = "sponsored"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sponsors", _id_set(self.sponsors))
        object.__setattr__(self, "bids", dict(self.bids))
        if self.slots < 0 or self.cpc < 0 or any(bid < 0 for bid in self.bids.values()):
            raise ValueError("ranking 'sponsored': slots, cpc and bids must be >= 0")
        if self.sponsors and self.bids:
            raise ValueError(
                "ranking 'sponsored': give sponsors (all paying cpc) or bids (each its own), "
                "not both"
            )

    def is_sponsored(self, offer: FeedProduct) -> bool:
        if self.bids:
            return offer.seller_id in self.bids
        return bool({offer.seller_id, offer.id, f"{offer.seller_id}:{offer.id}"} & self.sponsors)

    def bid(self, offer: FeedProduct) -> int:
        """Minor units the offer's sponsor pays per click on a paid slot (0 if it has none)."""
        if self.bids:
            return self.bids.get(offer.seller_id, 0)
        return self.cpc if self.is_sponsored(offer) else 0

    def cpc_for(self, recommendation: Recommendation) -> int:
        """Minor units the sponsor pays if the shopper clicks this recommendation (0 if organic)."""
        return recommendation.cpc

    def rank(self, candidates: Sequence[Candidate], *, limit: int) -> list[Recommendation]:
        ordered = _by_score([(c.score, c) for c in candidates])
        eligible = [row for row in ordered if self.is_sponsored(row[1].offer)]
        if self.bids:  # the auction: highest bid × neutral score first
            eligible.sort(key=lambda row: (-self.bid(row[1].offer) * row[0], *row[1].tie_break))
        paid = eligible[: self.slots]
        paid_keys = {c.key for _, c in paid}
        rows = [(s, c, self.label) for s, c in paid]
        rows += [(s, c, None) for s, c in ordered if c.key not in paid_keys]
        return [
            replace(r, cpc=self.bid(r.offer)) if r.label == self.label else r
            for r in _recommendations(rows, self.name, limit)
        ]


@dataclass(frozen=True)
class FirstPartyRanking:
    """The platform's own merchants first, as an assistant tied to one shop would rank.

    With ``boost`` unset every first-party offer outranks every other; with a number, that is
    added to first-party scores instead, a softer preference. ``label`` discloses it if set.
    """

    merchant_ids: Collection[str] = frozenset()
    boost: float | None = None
    label: str | None = None
    name: str = "first_party"

    def __post_init__(self) -> None:
        object.__setattr__(self, "merchant_ids", _id_set(self.merchant_ids))

    def rank(self, candidates: Sequence[Candidate], *, limit: int) -> list[Recommendation]:
        own = [c for c in candidates if c.offer.seller_id in self.merchant_ids]
        others = [c for c in candidates if c.offer.seller_id not in self.merchant_ids]
        if self.boost is None:
            ordered = _by_score([(c.score, c) for c in own])
            ordered += _by_score([(c.score, c) for c in others])
        else:
            ordered = _by_score(
                [(c.score + self.boost, c) for c in own] + [(c.score, c) for c in others]
            )
        rows = [
            (s, c, self.label if c.offer.seller_id in self.merchant_ids else None)
            for s, c in ordered
        ]
        return _recommendations(rows, self.name, limit)


RANKINGS: dict[str, Callable[..., Ranking]] = {
    "neutral": NeutralRanking,
    "commission_weighted": CommissionWeightedRanking,
    "sponsored": SponsoredRanking,
    "first_party": FirstPartyRanking,
}


def ranking_policy(name: str, **params: Any) -> Ranking:
    """A ranking by name, e.g. ``ranking_policy("sponsored", sponsors={"juniper"}, cpc=45)``."""
    try:
        factory = RANKINGS[name]
    except KeyError:
        raise ValueError(
            f"unknown ranking {name!r}: choose one of {', '.join(sorted(RANKINGS))}"
        ) from None
    try:
        return factory(**params)
    except TypeError as problem:
        raise ValueError(f"ranking {name!r}: {problem}") from None


#: The ``model`` of the fee line a sponsored ranking writes for each paid click.
SPONSORED_CLICK_MODEL = "sponsored-ranking"


def click_fee_lines(choice: Recommendation) -> list[FeeLine]:
    """What a click on ``choice`` bills by the ranking's own ``cpc``: one line, payer the
    sponsoring merchant, payee the AI platform, or none for an organic (unpaid) placement.

    Billing follows configuration: a ranking that prices its slots bills them, so a paid slot is
    never silently free for want of a separate fee model.
    """
    if choice.cpc <= 0:
        return []
    return [
        FeeLine(
            model=SPONSORED_CLICK_MODEL,
            component="sponsored_click",
            payer="merchant",
            payee="ai_platform",
            base="click",
            base_amount=0,
            rate_bps=0,
            fixed=choice.cpc,
            per_unit=0,
            units=1,
            amount=choice.cpc,
            currency=choice.offer.currency,
        )
    ]


def double_billing(ranking: str, models: Sequence[tuple[str, FeeModel]]) -> str | None:
    """Why ``models`` (``(where the scenario names it, model)`` pairs) would bill a sponsored
    ranking's clicks a second time, or None: a cost-per-click component paid by the merchant to
    the AI platform on top of the ranking's own ``cpc``."""
    if ranking != "sponsored":
        return None
    for where, model in models:
        for component in model.components:
            if (
                component.trigger == "link_clicked"
                and component.payer == "merchant"
                and component.payee == "ai_platform"
            ):
                return (
                    f"{where}: fee model {model.name} bills sponsored clicks that the sponsored "
                    "ranking already bills at agent.ranking.params.cpc; remove it (set the "
                    "price per click with cpc)"
                )
    return None
