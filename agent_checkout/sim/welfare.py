"""Shopper welfare: what each session was worth to its shopper in money, and whether the agent
showed them the best item the market had for them.

**Surplus.** A purchase is worth ``quantity × value`` to the shopper, where ``value`` is the
shopper's willingness to pay for the item (:func:`~agent_checkout.sim.shoppers.willingness_to_pay`:
the price at which buying it is as good as buying nothing, in the shopper's logit utility). The
surplus is that worth minus what was paid for the items (after any discount), rounded once,
half-even, to the minor unit. Shipping, tax and buyer-side fees are not subtracted: the logit
weighs the item's price alone (extra costs act on checkout acceptance instead), and the
summary reports them on their own. A session that buys nothing, or whose order is returned for a
full refund, has a surplus of 0; an order bought after a click-out counts for its session.
A session's intent (agent_checkout.sim.intent) moves the appeal of buying nothing today, not
what an item is worth: values are read without it (``SimulatedShopper.value_spec``).
The taste shocks of the logit are not valued, so a purchase a shock carried past a price above
the value has a negative surplus.

**Best item.** Among every item the merchants sell that meets the need (the need's category and
noun, say *mug* in kitchen, and every required attribute), is available when the session starts
and costs at most the budget: the one with the highest deterministic utility without position
bias or labels, quality against price (ties by merchant id, then product id). The session
records whether the agent's first list of recommendations held it, and at which position
(1 is the top). Shares in the summary are of the sessions for which a best item existed.

**Where it goes.** Per session: :attr:`WelfareRecorder.sessions` (Python) and the last record of
a traced session; per run: ``welfare`` in ``summary.json`` (pooled over replications), and the
figures of :data:`WELFARE_FIGURES` with 95% intervals in replications and comparisons.

**Cost.** Candidates per need (category, noun, attributes, and the shoppers' quality weight and
price sensitivity, as several populations may differ) are collected and sorted once from the
merchants' catalogs; a session then walks that list to the first item in stock and within its
budget, as utility less the constant ``price_sensitivity × ln(budget)`` orders items the same for
every budget. Prices are read when a need is first seen: a simulation does not change them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.sim.shoppers import willingness_to_pay
from merchants import Merchant
from merchants.catalog import Product
from merchants.orders import PlacedOrder
from merchants.search import tokenize
from merchants.taxonomy import CATEGORIES

#: Welfare figures summarised across replications and compared across variants.
WELFARE_FIGURES: dict[str, Callable[[dict], float]] = {
    "shopper_surplus": lambda s: s["welfare"]["surplus_total"],
    "surplus_per_session": lambda s: s["welfare"]["surplus_per_session"],
    "best_shown_share": lambda s: s["welfare"]["best_shown_share"],
    "best_first_share": lambda s: s["welfare"]["best_first_share"],
    # 0 in a replication where the best item was never shown
    "best_mean_position": lambda s: s["welfare"]["best_mean_position"] or 0.0,
}


def need_noun(need: Need) -> str | None:
    """The taxonomy noun the need's query ends with (``"navy ceramic mug"`` → ``"mug"``)."""
    cat = CATEGORIES.get(need.category)
    if cat is None:
        return None
    for noun in sorted(cat.nouns, key=lambda n: (-len(n), n)):
        if need.query == noun or need.query.endswith(" " + noun):
            return noun
    return None


class BestItems:
    """The best item the market holds for a shopper (see the module docstring), cached per need."""

    def __init__(self, merchants: Mapping[str, Merchant]) -> None:
        self._merchants = merchants
        self._by_category: dict[str, list[tuple[str, Product, frozenset[str]]]] | None = None
        self._ranked: dict[tuple, list[tuple[str, Product]]] = {}

    def _category(self, category: str) -> list[tuple[str, Product, frozenset[str]]]:
        if self._by_category is None:  # one pass over every catalog, on the first need
            self._by_category = {}
            for merchant_id in sorted(self._merchants):
                for product in self._merchants[merchant_id].catalog:
                    self._by_category.setdefault(product.category, []).append(
                        (merchant_id, product, frozenset(tokenize(product.title)))
                    )
        return self._by_category.get(category, [])

    def _candidates(
        self, need: Need, quality_weight: float, price_sensitivity: float
    ) -> list[tuple[str, Product]]:
        noun = need_noun(need)
        key = (need.category, noun, need.attributes, quality_weight, price_sensitivity)
        ranked = self._ranked.get(key)
        if ranked is None:
            words = frozenset(tokenize(noun)) if noun else frozenset()
            scored = [
                (
                    quality_weight * (p.rating - 4.0) - price_sensitivity * math.log(p.price),
                    merchant_id,
                    p.id,
                    p,
                )
                for merchant_id, p, title in self._category(need.category)
                if p.price > 0 and words <= title and need.matches(p.attributes)
            ]
            scored.sort(key=lambda row: (-row[0], row[1], row[2]))
            ranked = self._ranked[key] = [(m, p) for _, m, _, p in scored]
        return ranked

    def best(self, shopper) -> str | None:
        """The ``merchant:product`` key of the shopper's best available item, or None (nothing
        meets the need within budget, or the shopper has no logit taste to judge by)."""
        spec = getattr(shopper, "spec", None)
        if spec is None:
            return None
        for merchant_id, product in self._candidates(
            shopper.need, spec.quality_weight, spec.price_sensitivity
        ):
            if product.available and product.price <= shopper.budget:
                return f"{merchant_id}:{product.id}"
        return None

    def rating(self, merchant_id: str, product_id: str) -> float | None:
        merchant = self._merchants.get(merchant_id)
        product = merchant.catalog.get(product_id) if merchant is not None else None
        return None if product is None else product.rating


@dataclass
class SessionWelfare:
    """One session's welfare: its best item, where the agent showed it, the surplus it got."""

    index: int
    best: str | None = None  # merchant:product
    shown: bool = False  # the agent showed a list of recommendations
    best_position: int | None = None  # 1 = top of the first list shown; None: not in it
    surplus: int = 0  # minor units
    bought: bool = False
    pending: bool = False  # clicked out; an on-site purchase is still to come

    def trace_fields(self) -> dict:
        """For the session's trace: its best item, where it was shown, its surplus (None while
        an on-site purchase after a click-out is still to come)."""
        return {
            "best_item": self.best,
            "best_position": self.best_position,
            "surplus": None if self.pending else self.surplus,
        }


@dataclass
class WelfareTally:
    """Welfare totals of a run, in fixed memory, for the summary."""

    sessions: int = 0
    surplus_total: int = 0
    purchases: int = 0
    with_best: int = 0
    best_shown: int = 0
    best_first: int = 0
    position_total: int = 0

    def add(self, session: SessionWelfare) -> None:
        self.sessions += 1
        self.surplus_total += session.surplus
        self.purchases += session.bought
        if session.best is not None:
            self.with_best += 1
            if session.best_position is not None:
                self.best_shown += 1
                self.best_first += session.best_position == 1
                self.position_total += session.best_position

    def summary(self) -> dict:
        """Integers for money; shares are of sessions for which a best item existed."""
        return {
            "surplus_total": self.surplus_total,
            "surplus_per_session": (
                round(Fraction(self.surplus_total, self.sessions)) if self.sessions else 0
            ),
            "purchases_valued": self.purchases,
            "sessions_with_best": self.with_best,
            "best_shown": self.best_shown,
            "best_shown_first": self.best_first,
            "best_shown_share": (
                round(self.best_shown / self.with_best, 6) if self.with_best else 0.0
            ),
            "best_first_share": (
                round(self.best_first / self.with_best, 6) if self.with_best else 0.0
            ),
            "best_position_total": self.position_total,
            "best_mean_position": (
                round(self.position_total / self.best_shown, 6) if self.best_shown else None
            ),
        }

    @classmethod
    def pooled(cls, summaries: Sequence[dict]) -> WelfareTally:
        """The tally of several runs (replications), from their summaries."""
        tally = cls()
        for summary in summaries:
            welfare = summary["welfare"]
            tally.sessions += summary["sessions"]
            tally.surplus_total += welfare["surplus_total"]
            tally.purchases += welfare["purchases_valued"]
            tally.with_best += welfare["sessions_with_best"]
            tally.best_shown += welfare["best_shown"]
            tally.best_first += welfare["best_shown_first"]
            tally.position_total += welfare["best_position_total"]
        return tally


@dataclass
class WelfareRecorder:
    """The simulation's hook: a session starts (its best item is found), is shown a list,
    may buy (its surplus is valued), and ends; a click-out stays open until its on-site
    purchase is settled. Set :attr:`sessions` to ``[]`` to keep every session's record."""

    best_items: BestItems
    tally: WelfareTally
    sessions: list[SessionWelfare] | None = None
    _open: dict[str, tuple[object, SessionWelfare]] = field(default_factory=dict)

    def started(self, label: str, index: int, shopper) -> None:
        self._open[label] = (shopper, SessionWelfare(index, self.best_items.best(shopper)))

    def shown(self, label: str, recommendations: Sequence[Recommendation]) -> None:
        """The first list shown; later lists (after a sold-out pick) do not count."""
        _, session = self._open[label]
        if session.shown:
            return
        session.shown = True
        for recommendation in recommendations:
            if recommendation.key == session.best:
                session.best_position = recommendation.rank + 1
                return

    def bought(self, label: str, order: PlacedOrder, *, kept: bool = True) -> None:
        """An order placed for session ``label``; a returned one (``kept`` False) is worth 0."""
        opened = self._open.get(label)
        if opened is None:
            return
        shopper, session = opened
        session.bought = True
        spec = getattr(shopper, "value_spec", None) or getattr(shopper, "spec", None)
        if not kept or spec is None:
            return
        worth = 0.0
        for line in order.lines:
            rating = self.best_items.rating(order.merchant_id, line.product_id)
            if rating is None:
                return
            worth += line.quantity * willingness_to_pay(spec, shopper.budget, rating)
        session.surplus += round(worth - (order.items_amount - order.discount_amount))

    def ended(self, label: str, *, still_buying: bool = False) -> SessionWelfare:
        """The session is over (``still_buying``: it clicked out and will buy on the site)."""
        if still_buying:
            session = self._open[label][1]
            session.pending = True
            return session
        return self.closed(label)

    def closed(self, label: str) -> SessionWelfare:
        _, session = self._open.pop(label)
        session.pending = False
        self.tally.add(session)
        if self.sessions is not None:
            self.sessions.append(session)
        return session
