"""Scenario files: what to simulate, as YAML validated by pydantic.

A scenario names its merchants (built-in profiles or files), how shoppers arrive, who they are,
how the agent behaves and which AI-platform fee models apply. Unknown keys are errors, and every
error becomes one line naming the file and the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent_checkout.agent.ranking import ranking_policy
from agent_checkout.fees.library import load_fee_model
from agent_checkout.sim.arrivals import ArrivalProfile
from agent_checkout.sim.faults import Fault, StockOut
from merchants.catalog_files import CatalogFileError, load_catalog
from merchants.profile import MerchantProfile, load_profile

REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is one line naming file and field."""


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
            raise ValueError("units: counts from 1 to 100 with non-negative weights, one > 0")
        return value

    @field_validator("locales")
    @classmethod
    def _known_locales(cls, value: dict[str, float]) -> dict[str, float]:
        from faker.config import AVAILABLE_LOCALES

        unknown = sorted(set(value) - set(AVAILABLE_LOCALES))
        if unknown:
            raise ValueError(f"unknown locale(s): {', '.join(unknown)}")
        if not value or min(value.values()) < 0 or sum(value.values()) <= 0:
            raise ValueError("give at least one locale with a positive weight")
        return value


class RankingSpec(_Strict):
    """How recommend orders the scored offers; ``params`` go to ``ranking_policy``."""

    name: Literal["neutral", "commission_weighted", "sponsored", "first_party"] = "neutral"
    params: dict[str, Any] = Field(default_factory=dict)


class AgentSpec(_Strict):
    policy: Literal["rules"] = "rules"
    recommendations: int = Field(5, ge=1, le=50)
    search_limit: int = Field(10, ge=1, le=100)
    ranking: RankingSpec = RankingSpec()
    # What one step of the agent would cost if a model took it, in micro-dollars: an assumption
    # (about 3,000 input and 250 output tokens at $0.15 and $0.60 per million, a small model).
    cost_per_step_micros: int = Field(600, ge=0)


class PaymentsSpec(_Strict):
    decline_rates: dict[str, float] = Field(default_factory=dict)
    three_ds_rate: float = Field(0.0, ge=0, le=1)  # share of cards the issuer challenges


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
    seed: int = 0
    currency: str = Field("usd", pattern=r"^[a-z]{3}$")
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

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def merchant_profiles(self) -> list[MerchantProfile]:
        return [
            m
            if isinstance(m, MerchantProfile)
            else m.resolve()
            if isinstance(m, ProfileRef)
            else load_profile(m)
            for m in self.merchants
        ]

    def fee_model_names(self) -> list[str]:
        """The AI platform's models and every merchant's platform models, as named."""
        names = list(self.fees.ai_platform)
        for profile in self.merchant_profiles():
            names += [n for n in profile.fee_models if n not in names]
        return names


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


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario; any problem is a one-line :class:`ScenarioError`."""
    path = resolve_scenario(name_or_path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ScenarioError(f"{path}: not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: expected a mapping of scenario fields at the top level")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as problem:
        raise ScenarioError(f"{path}: {describe(problem)}") from None
    try:
        for profile in scenario.merchant_profiles():
            if profile.catalog.file is not None:
                load_catalog(profile.catalog.file, profile.currency)  # fail now, in one line
    except ValidationError as problem:
        raise ScenarioError(
            f"{path}: merchants: a profile is invalid: {describe(problem)}"
        ) from None
    except (FileNotFoundError, CatalogFileError) as problem:
        raise ScenarioError(f"{path}: merchants: {problem}") from None
    servers = {p.id for p in scenario.merchant_profiles()} | {"psp"}
    for index, fault in enumerate(scenario.faults):
        target = fault.merchant if isinstance(fault, StockOut) else fault.server
        if target not in servers - ({"psp"} if isinstance(fault, StockOut) else set()):
            raise ScenarioError(
                f"{path}: faults.{index}: unknown server {target!r} "
                f"(known: {', '.join(sorted(servers))})"
            )
    try:
        ranking_policy(scenario.agent.ranking.name, **scenario.agent.ranking.params)
    except ValueError as problem:
        raise ScenarioError(f"{path}: agent.ranking: {problem}") from None
    for name in scenario.fee_model_names():
        try:
            load_fee_model(name)
        except (KeyError, FileNotFoundError, ValueError) as problem:
            message = problem.args[0] if problem.args else str(problem)
            raise ScenarioError(f"{path}: fees: {message}") from None
    return scenario


def describe(problem: ValidationError) -> str:
    """The first validation error as ``field.path: message``."""
    error = problem.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
    extra = "" if problem.error_count() == 1 else f" (and {problem.error_count() - 1} more)"
    return f"{where}: {message}{extra}"
