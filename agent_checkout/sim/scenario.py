"""Scenario files: what to simulate, as YAML validated by pydantic.

A scenario names its merchants (built-in profiles or files), how shoppers arrive, who they are,
how the agent behaves and which AI-platform fee models apply. Unknown keys are errors, and every
error becomes one line naming the file and the field.

Paths a scenario file names (merchant profiles, catalog files, fee model files) are read relative
to the scenario file's folder, not the working directory; built-in names and absolute paths work
as they are. Every fee model with amounts is priced in the currency of the merchant whose
orders it prices. A run's merchants usually share one currency, and ``currency`` (if given) must
name it; merchants in several currencies make a mixed run: each session shops in one currency's
market (``currency_shares``), every money figure is kept per currency, and ``currency`` names
the reporting currency of the one converted total. Inference cost, priced in US dollars, and
that total go through an explicit FX table (:mod:`agent_checkout.fees.fx`; ``fx`` replaces it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from agent_checkout.agent.ranking import double_billing
from agent_checkout.fees.fx import REFERENCE_FX, FxError, FxTable, currency_code
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.market.companies import company_problem
from agent_checkout.sim.arrivals import ArrivalProfile
from agent_checkout.sim.channels import CHANNELS, channel_fee_models
from agent_checkout.sim.channels import NAMES as CHANNEL_NAMES
from agent_checkout.sim.expect import ExpectSpec
from agent_checkout.sim.faults import Fault, StockOut
from agent_checkout.sim.intent import NAMES as INTENT_NAMES
from agent_checkout.sim.scenario_ranking import scenario_ranking
from agent_checkout.sim.scenario_source import SourceError, read_source
from agent_checkout.sim.streams import SEED_MAX
from agent_checkout.sim.users import UsersSpec
from merchants.catalog_files import CatalogFileError, load_catalog
from merchants.money import ISO_4217
from merchants.payments import DECLINE_REASONS
from merchants.profile import MerchantProfile, anchor_profile_paths, load_profile, names_a_file
from merchants.store_files import load_store
from merchants.taxonomy import CATEGORIES

REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FX_ABOUT = ("as_of", "source")  # keys of a scenario's fx block that are not rates


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is one line naming file and field."""


class FieldValueError(ValueError):
    """A validator's complaint about one key inside its field, which :func:`describe` adds to
    the path: ``shoppers.categories.spaceships``, not just ``shoppers.categories``."""

    def __init__(self, key: object, message: str) -> None:
        super().__init__(message)
        self.key = key


def _weights(value: dict, what: str) -> dict:
    """Sampling weights: each 0 or more, at least one above 0 (``random.choices`` needs it)."""
    for key, weight in value.items():
        if weight < 0:
            raise FieldValueError(key, f"a weight is 0 or more, not {weight}")
    if value and sum(value.values()) <= 0:
        raise ValueError(f"give at least one {what} a positive weight")
    return value


def _known(keys: Iterable[str], allowed: Collection[str], what: str) -> None:
    """Refuse the first key that is not one of ``allowed``, listing them in their order."""
    for key in keys:
        if key not in allowed:
            raise FieldValueError(key, f"unknown {what} (known: {', '.join(allowed)})")


def _known_categories(value: dict[str, float], what: str) -> dict[str, float]:
    _known(value, sorted(CATEGORIES), what)
    return _weights(value, what)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BudgetSpec(_Strict):
    """Budget = the need's category median price × a lognormal multiplier."""

    median_multiplier: float = Field(1.4, gt=0)
    sigma: float = Field(0.5, ge=0)


class PatienceSpec(_Strict):
    """How long a shopper waits for the agent before giving up: lognormal, virtual seconds."""

    median_seconds: float = Field(600.0, gt=0)
    sigma: float = Field(0.5, ge=0)


class ShoppersSpec(_Strict):
    """Who the shoppers are; choice parameters feed a multinomial logit (see sim.shoppers)."""

    categories: dict[str, float] | None = None  # default: every category a merchant sells
    locales: dict[str, float] = Field(default_factory=lambda: {"en_US": 1.0})
    budget: BudgetSpec = BudgetSpec()  # per unit
    units: dict[int, float] = Field(default_factory=lambda: {1: 1.0})  # units wanted: weights
    attribute_share: float = Field(0.3, ge=0, le=1)  # needs that require one attribute (a color)
    price_sensitivity: float = Field(2.0, ge=0)  # |elasticity|, ~2 online (docs/sources.md)
    quality_weight: float = Field(1.0, ge=0)  # utility per star of rating
    position_bias: float = Field(0.15, ge=0)  # utility lost per rank further down the list
    sponsored_penalty: float = Field(0.3, ge=0)  # utility lost to a "Sponsored" label
    outside_utility: float = 0.0  # appeal of buying nothing
    trust: float = Field(1.0, ge=0, le=1)  # chance to consider the agent's picks at all
    patience: PatienceSpec = PatienceSpec()
    # At the final review: the chance to go through with the total, falling with the share of
    # extra costs (shipping, tax) on top of the item: acceptance x exp(-sensitivity x share).
    checkout_acceptance: float = Field(1.0, ge=0, le=1)
    extra_cost_sensitivity: float = Field(0.0, ge=0)
    second_card_share: float = Field(0.3, ge=0, le=1)
    declining_card_share: float = Field(0.0, ge=0, le=1)  # first card is one that declines
    challenge_pass_rate: float = Field(0.9, ge=0, le=1)  # 3-D Secure challenges passed

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return None if value is None else _known_categories(value, "shopper category")

    @field_validator("units")
    @classmethod
    def _units(cls, value: dict[int, float]) -> dict[int, float]:
        if (
            not value
            or min(value) < 1
            or max(value) > 100
            or min(value.values()) < 0
            or sum(value.values()) <= 0
        ):
            raise ValueError("counts from 1 to 100 with non-negative weights, one > 0")
        return value

    @field_validator("locales")
    @classmethod
    def _known_locales(cls, value: dict[str, float]) -> dict[str, float]:
        from faker.config import AVAILABLE_LOCALES

        for name in value:
            if name not in AVAILABLE_LOCALES:
                raise FieldValueError(name, "unknown locale (Faker's, e.g. en_US, de_DE, ja_JP)")
        if not value:
            raise ValueError("give at least one locale with a positive weight")
        return _weights(value, "locale")


class ChannelSpec(_Strict):
    """One traffic channel of the mix: its share of arrivals, and what differs about its
    shoppers from the scenario's ``shoppers`` and the channel's built-in defaults
    (:mod:`agent_checkout.sim.channels`). A bare number is the share."""

    share: float = Field(ge=0)
    intents: dict[str, float] | None = None  # default: the channel's built-in intent mix
    shoppers: ShoppersSpec | None = None  # only the fields given change
    # Fee models priced on every order of the channel, besides the merchant platform's; left
    # out: the channel's own (affiliate: affiliate-network); [] switches them off.
    fee_models: list[str] | None = None
    # In-chat checkout only: multiplies checkout_acceptance (default: the channel's built-in).
    in_chat_acceptance: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _share_alone(cls, value: Any) -> Any:
        return {"share": value} if isinstance(value, int | float) else value

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        _known(value, INTENT_NAMES, "intent")
        return _weights(value, "intent")


class RankingSpec(_Strict):
    """How recommend orders the scored offers; ``params`` go to ``ranking_policy``."""

    name: Literal["neutral", "commission_weighted", "sponsored", "first_party"] = "neutral"
    params: dict[str, Any] = Field(default_factory=dict)


class AdvertiserSpec(_Strict):
    """A merchant that buys sponsored slots in the assistant's answers: its bid per click, in
    minor units of the run's currency. A bare number is the bid."""

    cpc: int = Field(ge=1)

    @model_validator(mode="before")
    @classmethod
    def _bid_alone(cls, value: Any) -> Any:
        return {"cpc": value} if isinstance(value, int) and not isinstance(value, bool) else value


class PriceErrorSpec(_Strict):
    """How wrong a wrong stated price is: ``min_bps`` to ``max_bps`` (uniform, whole basis
    points) of the real unit price, ``below`` or ``above`` it. Defaults: docs/sources.md,
    Defaults with no public figure, row 'Wrong stated prices'."""

    direction: Literal["below", "above"] = "below"
    min_bps: int = Field(100, ge=1, le=9999)
    max_bps: int = Field(3000, ge=1, le=9999)

    @model_validator(mode="after")
    def _ordered(self) -> PriceErrorSpec:
        if self.min_bps > self.max_bps:
            raise FieldValueError("max_bps", "must be at least min_bps")
        return self


class WrongPriceSpec(_Strict):
    """A failure mode: in a share ``rate`` of sessions the assistant states wrong unit prices
    (agent_checkout.sim.wrong_price); the shopper buys at checkout only if the real price is at
    most the stated one × (1 + ``tolerance_bps``). Defaults: docs/sources.md, Defaults with no
    public figure, row 'Wrong stated prices'."""

    rate: float = Field(ge=0, le=1)
    error: PriceErrorSpec = PriceErrorSpec()
    tolerance_bps: int = Field(500, ge=0, le=10_000)


class AgentSpec(_Strict):
    """How the agent chooses: ``rules`` (deterministic, offline) or ``llm``, a chat model named
    ``"provider:model"`` for LangChain's init_chat_model (agent_checkout.sim.scenario_policy)."""

    policy: Literal["rules", "llm"] = "rules"
    model: str | None = Field(None, min_length=1)  # with policy: llm, e.g. "openai:gpt-4o-mini"
    recommendations: int = Field(5, ge=1, le=50)
    search_limit: int = Field(10, ge=1, le=100)
    ranking: RankingSpec = RankingSpec()
    # What one step of the agent would cost if a model took it, in micro-dollars: an assumption
    # (about 3,000 input and 250 output tokens at $0.15 and $0.60 per million, a small model).
    cost_per_step_micros: int = Field(600, ge=0)
    wrong_price: WrongPriceSpec | None = None  # left out: every stated price is right

    @model_validator(mode="after")
    def _model_with_llm(self) -> AgentSpec:
        if self.policy == "llm" and self.model is None:
            raise FieldValueError(
                "model", 'policy llm needs a chat model, e.g. "openai:gpt-4o-mini"'
            )
        if self.policy == "rules" and self.model is not None:
            raise FieldValueError(
                "model", "names the chat model of policy: llm; add that or drop it"
            )
        return self


class PaymentsSpec(_Strict):
    decline_rates: dict[str, float] = Field(default_factory=dict)
    three_ds_rate: float = Field(0.0, ge=0, le=1)  # share of cards the issuer challenges

    @field_validator("decline_rates")
    @classmethod
    def _reasons(cls, value: dict[str, float]) -> dict[str, float]:
        for reason, rate in value.items():
            _known([reason], sorted(DECLINE_REASONS), "decline reason")
            if not 0 <= rate <= 1:
                raise FieldValueError(reason, f"a rate is within 0 and 1, not {rate}")
        if sum(value.values()) > 1:
            raise ValueError("decline rates sum to more than 1")
        return value


class FeesSpec(_Strict):
    ai_platform: list[str] = Field(default_factory=lambda: ["openai-instant-checkout"])
    pass_through: float = Field(0.0, ge=0, le=1)  # share of its fees a merchant adds to prices


class MonetizationSpec(_Strict):
    """How the assistant earns: an in-chat checkout, or a click-out link to the merchant."""

    mode: Literal["in_chat", "click_out"] = "in_chat"
    # Share of click-outs that buy on the merchant's site, and how long they take: assumptions
    # (docs/sources.md, row 'Click-out conversion': ChatGPT-referred traffic converts below
    # affiliate traffic).
    click_out_conversion: float = Field(0.25, ge=0, le=1)
    click_out_delay_minutes: float = Field(20.0, gt=0)


class ReturnsSpec(_Strict):
    """Orders sent back for a full refund, each fee reversed by its model's refund rule."""

    rate: float = Field(0.0, ge=0, le=1)
    after_days: float = Field(14.0, ge=0)  # when the refund is booked, after the order


class MetricsSpec(_Strict):
    resolution_seconds: float = Field(60.0, gt=0)  # of the time series in summary.json


class ProfileRef(BaseModel):
    """A built-in profile (or profile file) with some fields changed: ``{profile: name, ...}``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    profile: str

    def resolve(self) -> MerchantProfile:
        base = load_profile(self.profile).model_dump()
        for key, value in (self.model_extra or {}).items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                base[key] = {**base[key], **value}
            else:
                base[key] = value
        return MerchantProfile.model_validate(base)


class Scenario(_Strict):
    name: str
    description: str = ""
    # Why this scenario converts far more sessions than a real shop (above 10%), when it means
    # to: printed beside its figures (agent_checkout.sim.realism) instead of a warning.
    conversion_note: str | None = None
    seed: int = 0  # 0 to SEED_MAX: the ledger stores it as a signed 64-bit integer
    start: datetime = datetime(2026, 11, 11, tzinfo=UTC)
    merchants: list[str | ProfileRef | MerchantProfile] = Field(min_length=1)
    arrivals: ArrivalProfile
    shoppers: ShoppersSpec = ShoppersSpec()
    agent: AgentSpec = AgentSpec()
    payments: PaymentsSpec = PaymentsSpec()
    fees: FeesSpec = FeesSpec()
    monetization: MonetizationSpec = MonetizationSpec()
    returns: ReturnsSpec = ReturnsSpec()
    faults: list[Fault] = Field(default_factory=list)
    metrics: MetricsSpec = MetricsSpec()
    # Traffic channels and their shares of arrivals; left out, every session is the agent's
    # (the monetization mode says where it pays), as before channels existed.
    channels: dict[str, ChannelSpec] | None = None
    # Units of a currency per US dollar, to convert inference cost (model prices are in USD)
    # and a mixed run's converted total; when given, it replaces the built-in table (ECB
    # reference rates, agent_checkout.fees.fx). Optional keys ``as_of`` and ``source`` say
    # where the rates come from.
    fx: dict[str, str | int | float | date] | None = None
    # A mixed run: shares of sessions by the currency market they shop in (merchants'
    # currencies); left out, equal shares (docs/sources.md, "Defaults with no public figure",
    # row 'Sessions by currency').
    currency_shares: dict[str, float] | None = None
    # Who owns what: company -> the ledger parties it is (roles, merchant:<id>); a reporting
    # view (agent_checkout.market.companies), never a change to the postings.
    companies: dict[str, list[str]] = Field(default_factory=dict)
    # Merchants that advertise in the assistant's answers, by id: the sponsored ranking sells
    # its slots to them when it names no sponsors (agent_checkout.sim.scenario_ranking).
    advertisers: dict[str, AdvertiserSpec] = Field(default_factory=dict)
    # Users the assistant acquires and who come back (agent_checkout.sim.users): their visits
    # are the sessions, in place of ``arrivals``, and the run reports the AI platform's P&L
    # per cohort (agent_checkout.sim.cohorts).
    users: UsersSpec | None = None
    # What a CI check run must show (agent_checkout.sim.expect); the simulation ignores it.
    expect: ExpectSpec | None = None
    # The run's currency, lowercase ISO 4217 (any case accepted). Left out: the merchants'
    # currency; given: it must be theirs. Declared last, so its check sees the merchants.
    currency: str | None = Field(None, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _visits_are_the_arrivals(cls, value: Any) -> Any:
        """With ``users``, their visits are the arrivals: ``arrivals`` stands in, unbounded in
        sessions (``arrivals.sessions``, set in Python, caps the visits of a shorter run)."""
        if not isinstance(value, dict) or value.get("users") is None:
            return value
        if "arrivals" in value:
            raise ValueError(
                "arrivals: a scenario with users makes its sessions from their visits; "
                "leave arrivals out"
            )
        return {**value, "arrivals": {"rate_per_minute": 1.0, "duration_minutes": 1.0}}

    @field_validator("seed")
    @classmethod
    def _seed_fits_the_ledger(cls, value: int) -> int:
        if not 0 <= value <= SEED_MAX:
            raise ValueError(f"{value} is out of range: give 0 to {SEED_MAX} (2**63 - 1)")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: dict[str, ChannelSpec] | None) -> dict | None:
        if value is None:
            return None
        _known(value, CHANNEL_NAMES, "channel")
        for name, spec in value.items():
            if spec.in_chat_acceptance is not None and CHANNELS[name].checkout != "in_chat":
                raise FieldValueError(
                    f"{name}.in_chat_acceptance", "applies only to a channel paying in the chat"
                )
        if not value or sum(spec.share for spec in value.values()) <= 0:
            raise ValueError("give at least one channel a positive share")
        return value

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @field_validator("merchants")
    @classmethod
    def _distinct_ids(cls, value: list) -> list:
        profiles = _profiles_or_none(value)
        if profiles is not None:
            ids = [p.id for p in profiles]
            for index, profile_id in enumerate(ids):
                if profile_id in ids[:index]:
                    raise FieldValueError(index, f"two merchants share the id {profile_id!r}")
        return value

    @field_validator("fx")
    @classmethod
    def _fx(cls, value: dict | None) -> dict | None:
        if value is not None:
            about = {k: str(value[k]) for k in FX_ABOUT if k in value}
            rates = {k: v for k, v in value.items() if k not in FX_ABOUT}
            for key, text in about.items():
                if not text.strip():
                    raise FieldValueError(key, "give a date or source, or leave it out")
            try:
                table = FxTable.per_usd(rates, source="scenario fx")
            except FxError as problem:
                raise ValueError(str(problem)) from None
            return {code: str(rate) for code, rate in table.rates.items()} | about
        return value

    @field_validator("currency_shares")
    @classmethod
    def _shares(cls, value: dict[str, float] | None, info: ValidationInfo) -> dict | None:
        if value is None:
            return None
        try:
            shares = {currency_code(code): share for code, share in value.items()}
        except FxError as problem:
            raise ValueError(str(problem)) from None
        profiles = _profiles_or_none(info.data.get("merchants") or [])
        if profiles:
            sold_in = sorted({p.currency for p in profiles})
            _known(shares, sold_in, "currency (no merchant sells in it)")
        return _weights(shares, "currency")

    @field_validator("currency")
    @classmethod
    def _merchants_currency(cls, value: str | None, info: ValidationInfo) -> str | None:
        given = None
        if value is not None:
            try:
                given = currency_code(value)
            except FxError as problem:
                raise ValueError(str(problem)) from None
            if given not in ISO_4217:
                raise ValueError(f"unknown currency {given.upper()!r} (not an ISO 4217 code)")
        profiles = _profiles_or_none(info.data.get("merchants") or [])
        if not profiles:
            return given  # a broken profile: load_scenario names it
        theirs = profiles[0].currency
        sellers: dict[str, list[str]] = {}
        for profile in profiles:
            sellers.setdefault(profile.currency, []).append(profile.id)
        if len(sellers) > 1:  # a mixed run: currency is the reporting currency
            if given is None:
                listed = "; ".join(f"{c.upper()}: {', '.join(ids)}" for c, ids in sellers.items())
                raise ValueError(
                    f"the merchants sell in several currencies ({listed}); name the currency "
                    "the converted total is reported in, e.g. currency: USD"
                )
            return given
        if given is not None and given != theirs:
            raise ValueError(
                f"{given.upper()} does not match the merchants' currency {theirs.upper()} "
                f"({', '.join(p.id for p in profiles)}); leave currency out or write "
                f"{theirs.upper()}"
            )
        return theirs

    @field_validator("companies")
    @classmethod
    def _known_parties(cls, value: dict[str, list[str]], info: ValidationInfo) -> dict:
        profiles = _profiles_or_none(info.data.get("merchants") or [])
        problem = company_problem(value, [p.id for p in profiles or []]) if profiles else None
        if problem:
            raise FieldValueError(*problem)
        return value

    @field_validator("advertisers")
    @classmethod
    def _known_advertisers(cls, value: dict, info: ValidationInfo) -> dict:
        profiles = _profiles_or_none(info.data.get("merchants") or [])
        if profiles:
            _known(value, [p.id for p in profiles], "merchant")
        return value

    @model_validator(mode="after")
    def _billed_once(self) -> Scenario:
        problem = self.billing_problem()
        if problem:
            raise ValueError(problem)
        return self

    def billing_problem(self, ai_platform: list[str] | None = None) -> str | None:
        """``field: message`` if a fee model would bill the sponsored ranking's clicks again
        (``ai_platform`` checks a comparison's variant instead); names that do not load are
        left to :func:`load_scenario`."""
        named = [("fees.ai_platform", n) for n in ai_platform or self.fees.ai_platform]
        try:
            for index, profile in enumerate(self.merchant_profiles()):
                named += [(f"merchants.{index}.fee_models", n) for n in profile.fee_models]
        except (FileNotFoundError, ValidationError):
            pass
        models = [(where, m) for where, n in named if (m := _fee_model_or_none(n)) is not None]
        return double_billing(self.agent.ranking.name, models)

    @model_validator(mode="after")
    def _priced_in_its_currency(self) -> Scenario:
        if self.channels is not None and self.monetization.mode != "in_chat":
            raise ValueError(
                "monetization.mode: with channels, each channel says where its shoppers pay "
                "(ai_link_out links out, ai_in_chat pays in the chat); leave mode out"
            )
        problem = self.currency_problem()
        if problem:
            raise ValueError(problem)
        sold_in = sorted({p.currency for p in _profiles_or_none(self.merchants) or []})
        if self.users is not None and len(sold_in) > 1:
            raise ValueError(
                "users: a run with users reports its cohorts in one currency; give its "
                f"merchants one currency (they sell in {', '.join(sold_in).upper()})"
            )
        return self

    def merchant_profiles(self) -> list[MerchantProfile]:
        return _profiles(self.merchants)

    def channel_fee_models(self) -> list[tuple[str, str]]:
        """``(field, name)`` of every fee model the channels price their orders with."""
        return [
            (f"channels.{channel}.fee_models", name)
            for channel, names in channel_fee_models(self.channels or {}).items()
            for name in names
        ]

    def fee_model_names(self) -> list[str]:
        """The AI platform's models and every merchant's platform models, as named."""
        names = list(self.fees.ai_platform)
        for profile in self.merchant_profiles():
            names += [n for n in profile.fee_models if n not in names]
        return names

    def fx_table(self) -> FxTable:
        """The table that converts inference cost into the run's currency (and a mixed run's
        totals into its reporting currency)."""
        if self.fx is None:
            return REFERENCE_FX
        rates = {k: v for k, v in self.fx.items() if k not in FX_ABOUT}
        source = self.fx.get("source") or f"scenario {self.name}, fx (units per USD)"
        return FxTable(base="usd", rates=rates, as_of=self.fx.get("as_of"), source=source)

    def currencies(self) -> list[str]:
        """The currencies the merchants sell in, sorted; more than one makes a mixed run."""
        return sorted({p.currency for p in self.merchant_profiles()})

    def session_shares(self) -> dict[str, float]:
        """A mixed run's weights of sessions by currency market (equal unless given)."""
        return dict(self.currency_shares or dict.fromkeys(self.currencies(), 1.0))

    def currency_problem(self, ai_platform: list[str] | None = None) -> str | None:
        """``field: message`` if a fee model is priced in another currency than the merchant
        whose orders it prices, or the FX table lacks the run's currency; else None.

        ``ai_platform`` checks other AI-platform models (a comparison's variants) instead.
        Names that do not load are left to :func:`load_scenario`, which reports them.
        """
        try:
            profiles = self.merchant_profiles()
        except (FileNotFoundError, ValidationError):
            return None
        for index, profile in enumerate(profiles):
            named = [("fees.ai_platform", n) for n in ai_platform or self.fees.ai_platform]
            named += [(f"merchants.{index}.fee_models", n) for n in profile.fee_models]
            named += self.channel_fee_models()
            for where, name in named:
                model = _fee_model_or_none(name)
                if model is not None and not model.prices(profile.currency):
                    return (
                        f"{where}: fee model {model.name} is priced in {model.currency.upper()}, "
                        f"but merchant {profile.id} sells in {profile.currency.upper()}; use a "
                        f"model with currency: {profile.currency.upper()}, or one of rates only"
                    )
        table = self.fx_table()
        needed = [self.currency] if self.currency is not None else []
        if len({p.currency for p in profiles}) > 1:
            needed += sorted({p.currency for p in profiles} - set(needed))
        for code in needed:
            if not table.has(code):
                why = "convert inference cost" if len(needed) == 1 else "convert the run's totals"
                return (
                    f"fx: no exchange rate for {code.upper()} to {why} "
                    f"(the table has {', '.join(c.upper() for c in table.currencies)}); add "
                    f'fx: {{{code.upper()}: "<units per US dollar>"}}'
                )
        return None


def _profiles(merchants: list[str | ProfileRef | MerchantProfile]) -> list[MerchantProfile]:
    return [
        m
        if isinstance(m, MerchantProfile)
        else m.resolve()
        if isinstance(m, ProfileRef)
        else load_profile(m)
        for m in merchants
    ]


def _profiles_or_none(merchants: list) -> list[MerchantProfile] | None:
    """The profiles, or None if one does not load (load_scenario then names it in one line)."""
    try:
        return _profiles(merchants)
    except (FileNotFoundError, ValidationError, ValueError, yaml.YAMLError):
        return None


def _fee_model_or_none(name: str) -> FeeModel | None:
    try:
        return load_fee_model(name)
    except (KeyError, FileNotFoundError, ValueError):
        return None


def builtin_scenarios() -> dict[str, Path]:
    """Scenario files shipped with the package (or, in a source checkout, ``scenarios/``)."""
    found: dict[str, Path] = {}
    packaged = resources.files("agent_checkout") / "_scenarios"
    for folder in (REPO_SCENARIOS, Path(str(packaged))):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def resolve_scenario(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    builtin = builtin_scenarios()
    if str(name_or_path) in builtin:
        return builtin[str(name_or_path)]
    raise ScenarioError(
        f"{name_or_path}: no such scenario file or built-in scenario "
        f"(built in: {', '.join(sorted(builtin))})"
    )


def load_scenario(
    name_or_path: str | Path, overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Read, validate and resolve a scenario; any problem is a one-line :class:`ScenarioError`
    naming file, line (where the YAML gives one) and field.

    The file may ``extends`` another; ``overrides`` (dotted field path -> value, as ``--set``
    gives them) apply before validation (:mod:`agent_checkout.sim.scenario_source`)."""
    path = resolve_scenario(name_or_path)
    try:
        source = read_source(
            path, anchor=anchor_paths, builtin=builtin_scenarios, overrides=overrides
        )
    except SourceError as problem:
        raise ScenarioError(str(problem)) from None
    try:
        scenario = Scenario.model_validate(source.raw)
    except ValidationError as problem:
        raise ScenarioError(
            f"{source.where(error_location(problem))}: {describe(problem)}"
        ) from None
    try:
        return _resolved(scenario)
    except ScenarioError as problem:
        field_path, _, message = str(problem).partition(": ")
        where = source.where(field_path.split("."))
        raise ScenarioError(f"{where}: {field_path}: {message}") from None


def _resolved(scenario: Scenario) -> Scenario:
    """``scenario`` once everything it names loads; a problem is ``field: message``."""
    for index, merchant in enumerate(scenario.merchants):
        try:
            profile = _profiles([merchant])[0]
            if profile.catalog.file is not None:
                load_catalog(profile.catalog.file, profile.currency)  # fail now, in one line
            if profile.store is not None:
                load_store(profile.store, profile.currency)
        except ValidationError as problem:
            raise ScenarioError(
                f"merchants.{index}: the profile is invalid: {describe(problem)}"
            ) from None
        except (FileNotFoundError, CatalogFileError) as problem:
            raise ScenarioError(f"merchants.{index}: {problem}") from None
        except yaml.YAMLError:
            raise ScenarioError(f"merchants.{index}: not valid YAML") from None
        problem_text = catalog_problem(profile)
        if problem_text:
            raise ScenarioError(f"merchants.{index}.catalog.{problem_text}")
        if profile.protocol.startswith("ucp") and (
            profile.promotions or profile.presales or profile.marketplace
        ):
            raise ScenarioError(
                f"merchants.{index}.protocol: {profile.protocol} does not carry promotions, "
                "presales or a marketplace's offers; put this merchant on an ACP version"
            )
    servers = {p.id for p in scenario.merchant_profiles()} | {"psp"}
    for index, fault in enumerate(scenario.faults):
        target = fault.merchant if isinstance(fault, StockOut) else fault.server
        if target not in servers - ({"psp"} if isinstance(fault, StockOut) else set()):
            raise ScenarioError(
                f"faults.{index}: unknown server {target!r} (known: {', '.join(sorted(servers))})"
            )
    named = [("fees", n) for n in scenario.fees.ai_platform] + [
        (f"merchants.{index}.fee_models", n)
        for index, profile in enumerate(scenario.merchant_profiles())
        for n in profile.fee_models
    ]
    for where, name in named + scenario.channel_fee_models():
        try:
            load_fee_model(name)
        except (KeyError, FileNotFoundError, ValueError) as problem:
            message = problem.args[0] if problem.args else str(problem)
            raise ScenarioError(f"{where}: {message}") from None
    try:
        scenario_ranking(scenario)  # after the fee models: it prices through them
    except ValueError as problem:
        raise ScenarioError(f"agent.ranking: {problem}") from None
    problem_text = scenario.currency_problem()  # again: the names now all load
    if problem_text:
        raise ScenarioError(f"{problem_text}")
    if scenario.agent.wrong_price is not None and len(scenario.currencies()) > 1:
        raise ScenarioError(
            "agent.wrong_price: not available in a run with several currencies "
            "(its GMV would add them up)"
        )
    return scenario


def catalog_problem(profile: MerchantProfile) -> str | None:
    """``field: message`` for a generated catalog that would fail when built, else None."""
    catalog = profile.catalog
    if catalog.file is None:
        try:
            _known_categories(catalog.categories, "catalog category")
        except FieldValueError as problem:
            return f"categories.{problem.key}: {problem}"
        except ValueError as problem:
            return f"categories: {problem}"
    if catalog.stock_min > catalog.stock_max:
        return f"stock_min: {catalog.stock_min} is above stock_max ({catalog.stock_max})"
    return None


def anchor_paths(raw: dict, folder: Path) -> dict:
    """``raw`` with the relative paths it names made relative to ``folder`` (the scenario
    file's): merchant profile files, their catalog files, fee model files."""
    raw = dict(raw)
    fees = raw.get("fees")
    if isinstance(fees, dict) and isinstance(fees.get("ai_platform"), list):
        raw["fees"] = {
            **fees,
            "ai_platform": [_anchor_fee_model(n, folder) for n in fees["ai_platform"]],
        }
    if isinstance(raw.get("merchants"), list):
        raw["merchants"] = [_anchor_merchant(m, folder) for m in raw["merchants"]]
    if isinstance(raw.get("channels"), dict):
        raw["channels"] = {
            name: {**spec, "fee_models": [_anchor_fee_model(n, folder) for n in spec["fee_models"]]}
            if isinstance(spec, dict) and isinstance(spec.get("fee_models"), list)
            else spec
            for name, spec in raw["channels"].items()
        }
    return raw


def _anchor_fee_model(name: object, folder: Path) -> object:
    if isinstance(name, str) and names_a_file(name) and not Path(name).is_absolute():
        return str(folder / name)
    return name


def _anchor_merchant(merchant: object, folder: Path) -> object:
    if isinstance(merchant, str):
        return _anchor_profile(merchant, folder)
    if isinstance(merchant, dict):
        merchant = anchor_profile_paths(merchant, folder)
        if isinstance(merchant.get("profile"), str):
            merchant = {**merchant, "profile": _anchor_profile(merchant["profile"], folder)}
    return merchant


def _anchor_profile(name: str, folder: Path) -> str:
    """A profile file beside the scenario; a built-in name stays a name."""
    if Path(name).is_absolute() or not (names_a_file(name) or (folder / name).is_file()):
        return name
    return str(folder / name)


_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def error_location(problem: ValidationError) -> list[str]:
    """The field path of the first validation error, down to the key a validator named."""
    error = problem.errors()[0]
    loc = [str(p) for p in error["loc"]]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldValueError):
        loc.append(str(cause.key))
    return loc


def describe(problem: ValidationError) -> str:
    """The first validation error as ``field.path: message``, one line."""
    error = problem.errors()[0]
    loc = error_location(problem)
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldValueError):
        message = str(cause)
    elif error["type"] == "extra_forbidden":
        message = "unknown field"
    else:
        message = error["msg"]
        for prefix in _PYDANTIC_PREFIXES:
            message = message.removeprefix(prefix)
    message = " ".join(message.split())  # one line, whatever the message held
    extra = "" if problem.error_count() == 1 else f" (and {problem.error_count() - 1} more)"
    where = ".".join(loc)
    return f"{where}: {message}{extra}" if where else f"{message}{extra}"
