"""Simulated shoppers: who arrives, what they need, and how they choose.

Shopper ``i`` is drawn from its own random stream, so it is the same person in every variant of a
comparison. The choice among recommendations is a multinomial logit with the option of buying
nothing: utility of item *j* at rank *r* is

    quality_weight × (rating − 4) − price_sensitivity × ln(price / budget) − position_bias × r

plus Gumbel noise; buying nothing has ``outside_utility`` plus Gumbel noise; items above the
budget are not considered. Sources for the defaults are in ``docs/sources.md``, Shoppers and
funnels (row 'price elasticity': online shoppers about −2, Einav et al. 2014).

The same utility gives each item a money value (:func:`willingness_to_pay`): the price at which
the shopper is indifferent between buying it and buying nothing, in the deterministic part of
utility of the item shown first (where position costs nothing) and unlabelled:

    quality_weight × (rating − 4) − price_sensitivity × ln(value / budget) = outside_utility
    ⇔ value = budget × exp((quality_weight × (rating − 4) − outside_utility) / price_sensitivity)

:mod:`agent_checkout.sim.welfare` measures surplus with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from faker import Faker

from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.agent.stated_price import holds
from agent_checkout.sim.scenario import ShoppersSpec
from agent_checkout.sim.streams import RandomStreams, Stream
from merchants.acp import Address, Buyer, CheckoutSession, PaymentMethodCard
from merchants.markets import Market, market_for
from merchants.payments import TEST_CARDS
from merchants.taxonomy import CATEGORIES, category, general_mix

GOOD_CARDS = ("4242424242424242", "5555555555554444")
_DECLINING = tuple(sorted(TEST_CARDS))
_POOL = 512  # identities drawn once with Faker, then picked per shopper
#: A numerical guard: values stop at budget × e^50, where a near-zero price sensitivity would
#: otherwise overflow (the shopper then barely cares about price at all).
_MAX_LOG_VALUE = 50.0


def item_utility(spec: ShoppersSpec, budget: int, price: float, rating: float) -> float:
    """The deterministic utility of buying an item at ``price``, shown first and unlabelled."""
    return spec.quality_weight * (rating - 4.0) - spec.price_sensitivity * math.log(price / budget)


def willingness_to_pay(spec: ShoppersSpec, budget: int, rating: float) -> float:
    """Minor units (unrounded) at which an item of ``rating`` is worth as much to the shopper as
    buying nothing: ``item_utility(spec, budget, value, rating) == spec.outside_utility``.

    With a price sensitivity of 0 money does not enter utility, so no price makes the shopper
    indifferent; the value is then the budget, the most the shopper would ever pay.
    """
    if spec.price_sensitivity == 0:
        return float(budget)
    exponent = (
        spec.quality_weight * (rating - 4.0) - spec.outside_utility
    ) / spec.price_sensitivity
    return budget * math.exp(min(exponent, _MAX_LOG_VALUE))


_Mix = tuple[list[str], list[float], list[str], list[float]]  # categories, locales, weights


def _gumbel(rng: Stream) -> float:
    return -math.log(-math.log(rng.random() or 1e-12))


@dataclass
class SimulatedShopper:
    """A shopper with a need, a budget, cards, and a logit taste for what they are shown."""

    index: int
    need: Need
    budget: int
    buyer: Buyer
    address: Address
    cards: list[PaymentMethodCard]
    spec: ShoppersSpec
    rng: Stream = field(repr=False, compare=False)
    arrived_at: datetime | None = None  # set by the simulation when the session starts
    patience: float = 600.0  # virtual seconds
    # The population an item's value is read from, when it differs from ``spec``: a session's
    # intent moves the appeal of buying nothing, not what an item is worth (see valuation).
    value_spec: ShoppersSpec | None = field(default=None, repr=False, compare=False)
    # How far above the stated price a real checkout price may be before the shopper walks
    # away (agent_checkout.agent.stated_price); None: the shopper does not compare them.
    price_tolerance_bps: int | None = None

    def utility(self, recommendation: Recommendation) -> float:
        """On the unit price the assistant stated (after discounts), not the list price. An item
        that credit makes free counts as costing one minor unit: the cheapest a price can be."""
        offer = recommendation.offer
        price = max(recommendation.price, 1)
        return (
            self.spec.quality_weight * (offer.rating - 4.0)
            - self.spec.price_sensitivity * math.log(price / self.budget)
            - self.spec.position_bias * recommendation.rank
            - (self.spec.sponsored_penalty if recommendation.label else 0.0)
        )

    def valuation(self, rating: float) -> float:
        """What one unit of an item with ``rating`` is worth to this shopper, in minor units."""
        return willingness_to_pay(self.value_spec or self.spec, self.budget, rating)

    def gave_up(self, now: datetime) -> bool:
        return (
            self.arrived_at is not None and (now - self.arrived_at).total_seconds() > self.patience
        )

    def accepts_total(self, session: CheckoutSession) -> bool:
        """Extra costs revealed at checkout put shoppers off (Baymard: the top reason)."""
        items = session.total("subtotal")
        extra = (session.total() - items) / items if items else 0.0
        chance = self.spec.checkout_acceptance * math.exp(-self.spec.extra_cost_sensitivity * extra)
        return self.rng.random() < chance

    def accepts_price(self, stated_line: int, real_line: int) -> bool:
        """Buys at checkout only if the real price is within tolerance of the stated one."""
        if self.price_tolerance_bps is None:
            return True
        return holds(stated_line, real_line, self.price_tolerance_bps)

    def passes_challenge(self) -> bool:
        """A 3-D Secure challenge: passed with the population's pass rate."""
        return self.rng.random() < self.spec.challenge_pass_rate

    def choose(self, recommendations: Sequence[Recommendation]) -> Recommendation | None:
        considers = self.rng.random() < self.spec.trust
        best, best_utility = None, self.spec.outside_utility + _gumbel(self.rng)
        for recommendation in recommendations:
            noise = _gumbel(self.rng)  # drawn for every item, so draws do not depend on prices
            if recommendation.price > self.budget or not self.need.matches(
                recommendation.offer.attributes
            ):
                continue
            utility = self.utility(recommendation) + noise
            if utility > best_utility:
                best, best_utility = recommendation, utility
        return best if considers else None


class ShopperPopulation:
    """Draws shopper ``i`` deterministically from the scenario's shopper spec and a seed."""

    def __init__(
        self,
        spec: ShoppersSpec,
        categories: dict[str, float],
        streams: RandomStreams,
        market: Market | None = None,
    ) -> None:
        self.spec, self.streams = spec, streams
        self.market = market or market_for("usd")  # budgets scale with its price levels
        self._merchant_categories = categories
        self._identities: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._mixes: dict[int, tuple[ShoppersSpec, _Mix]] = {}  # by id(spec), spec kept alive
        # Shoppers of one identity share its address and cards (equal values, never changed):
        # a shopper waiting on a merchant holds a few pointers, not its own copies.
        self._addresses: dict[tuple[str, ...], Address] = {}
        self._cards: dict[tuple[str, str], PaymentMethodCard] = {}
        self._mix(spec)  # refuse unknown categories now, not at the first shopper

    def _mix(self, spec: ShoppersSpec) -> _Mix:
        """Categories and locales with their weights for ``spec`` (a channel may have its own),
        and a pool of identities for each locale, each built once."""
        cached = self._mixes.get(id(spec))
        if cached is not None:
            return cached[1]
        # Needs: the scenario's categories, else what the merchants' profiles say they sell,
        # else (catalog files only) every category, as a profile without categories sells.
        weights = spec.categories or self._merchant_categories or general_mix()
        unknown = sorted(set(weights) - set(CATEGORIES))
        if unknown:  # ShoppersSpec refuses these at load; this guards direct construction
            raise ValueError(f"unknown shopper category {unknown[0]!r}")
        categories = sorted(weights)
        locales = sorted(spec.locales)
        for name in locales:
            if name not in self._identities:
                seed = self.streams.seed_for("identities", name)
                self._identities[name] = _identities(name, seed)
        mix = (
            categories,
            [weights[c] for c in categories],
            locales,
            [spec.locales[name] for name in locales],
        )
        self._mixes[id(spec)] = (spec, mix)
        return mix

    def shopper(self, index: int, spec: ShoppersSpec | None = None) -> SimulatedShopper:
        """Shopper ``index``, from the scenario's spec or ``spec`` (a channel's population):
        the same draws either way, so a channel changes who they are, not which dice fall."""
        spec = spec or self.spec
        categories, weights, locales, locale_weights = self._mix(spec)
        rng = self.streams.resumable("shopper", index)  # kept by the shopper: parked if idle
        cat = category(rng.choices(categories, weights)[0])
        noun = rng.choice(cat.nouns)
        query = f"{rng.choice(cat.materials)} {noun}" if rng.random() < 0.5 else noun
        required: tuple[tuple[str, str], ...] = ()
        if cat.attributes and rng.random() < spec.attribute_share:
            name = sorted(cat.attributes)[0]  # the category's first attribute, e.g. color
            value = rng.choice(cat.attributes[name])
            required, query = ((name, value),), f"{value} {query}"
        units = sorted(spec.units)
        quantity = (
            units[0] if len(units) == 1 else rng.choices(units, [spec.units[u] for u in units])[0]
        )
        budget_factor = spec.budget.median_multiplier * math.exp(rng.gauss(0.0, spec.budget.sigma))
        budget = max(100, int(self.market.level(cat.id).median * budget_factor))
        locale = rng.choices(locales, locale_weights)[0]
        first, last, street, city, state, postcode, country = rng.choice(self._identities[locale])
        email = f"shopper.{index}@example.com"
        numbers = [
            rng.choice(_DECLINING) if rng.random() < spec.declining_card_share else GOOD_CARDS[0]
        ]
        if rng.random() < spec.second_card_share:
            numbers.append(GOOD_CARDS[1])
        cards = [self._card(n, f"{first} {last}") for n in numbers]
        return SimulatedShopper(
            index=index,
            need=Need(category=cat.id, query=query, quantity=quantity, attributes=required),
            budget=budget,
            buyer=Buyer(first_name=first, last_name=last, email=email),
            address=self._address(first, last, street, city, state, postcode, country),
            cards=cards,
            spec=spec,
            rng=rng,
            patience=rng.lognormvariate(
                math.log(spec.patience.median_seconds), spec.patience.sigma
            ),
        )

    def _address(self, first: str, last: str, *place: str) -> Address:
        key = (first, last, *place)
        address = self._addresses.get(key)
        if address is None:
            street, city, state, postcode, country = place
            address = self._addresses[key] = Address(
                name=f"{first} {last}",
                line_one=street[:60],
                city=city[:60],
                state=state,
                country=country,
                postal_code=postcode[:20],
            )
        return address

    def _card(self, number: str, name: str) -> PaymentMethodCard:
        card = self._cards.get((number, name))
        if card is None:
            card = self._cards[(number, name)] = PaymentMethodCard(
                number=number, display_last4=number[-4:], name=name
            )
        return card


@lru_cache(maxsize=64)
def _identities(locale: str, seed: int) -> tuple[tuple[str, ...], ...]:
    """A pool of names and addresses in ``locale`` (drawn once per seed, and kept: most of
    what building a run costs, and runs in one process often share a seed; shoppers pick
    from it)."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    country = locale.split("_")[-1].upper() if "_" in locale else "US"
    pool = []
    for _ in range(_POOL):
        state = (
            fake.state_abbr()
            if hasattr(fake, "state_abbr")
            else getattr(fake, "province", fake.city)()
        )
        pool.append(
            (
                fake.first_name(),
                fake.last_name(),
                fake.street_address(),
                fake.city(),
                state,
                fake.postcode(),
                country,
            )
        )
    return tuple(pool)
