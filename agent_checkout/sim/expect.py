"""A scenario's ``expect:`` block: what a CI check run of it must show. The simulation ignores
it; the pytest plugin (:mod:`agent_checkout.pytest_plugin`) runs the scenario at the block's
size and checks its metrics, invariants and baseline (:mod:`agent_checkout.expectations`).

Metrics are named by dotted path into the run's summary (``orders``, ``fees.ai_platform``,
``channels.ai_in_chat.orders``, ``companies.<name>.net``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Invariant = Literal["no_unhandled_error", "no_oversell", "ledger_balances"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricBound(_Strict):
    """A threshold or range on one metric: ``min``, ``max`` (both inclusive) or ``equals``."""

    min: float | None = None
    max: float | None = None
    equals: float | str | None = None

    @model_validator(mode="after")
    def _something(self) -> MetricBound:
        if self.min is None and self.max is None and self.equals is None:
            raise ValueError("give min, max or equals")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def describe(self) -> str:
        if self.equals is not None:
            return f"== {self.equals}"
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"


class Tolerance(_Strict):
    """How far a metric may move from its baseline: ``absolute`` units, ``relative`` share of
    the baseline, or (``ci95: true``) anywhere in the baseline replications' 95% interval."""

    absolute: float | None = Field(None, ge=0)
    relative: float | None = Field(None, ge=0)
    ci95: bool = False

    @model_validator(mode="after")
    def _one(self) -> Tolerance:
        given = (self.absolute is not None) + (self.relative is not None) + self.ci95
        if given != 1:
            raise ValueError("give exactly one of absolute, relative or ci95: true")
        return self


class BaselineSpec(_Strict):
    """Metrics compared to a stored baseline; ``file`` is relative to the scenario file
    (left out: ``baselines/<scenario file name>.json`` beside it)."""

    file: str | None = None
    metrics: dict[str, Tolerance] = Field(min_length=1)


class ExpectSpec(_Strict):
    """What a check run of the scenario must show. ``sessions`` (and ``seed``) size that run so
    a suite stays fast; ``replications`` of 2 or more give the 95% intervals ``ci95`` needs."""

    sessions: int | None = Field(None, ge=1, le=10_000_000)
    seed: int | None = Field(None, ge=0)
    replications: int = Field(1, ge=1, le=100)
    invariants: list[Invariant] = ["no_unhandled_error", "no_oversell", "ledger_balances"]
    metrics: dict[str, MetricBound] = Field(default_factory=dict)
    baseline: BaselineSpec | None = None

    @model_validator(mode="after")
    def _intervals_need_replications(self) -> ExpectSpec:
        if self.baseline and self.replications < 2:
            for name, tolerance in self.baseline.metrics.items():
                if tolerance.ci95:
                    raise ValueError(
                        f"baseline.metrics.{name}: ci95 needs replications of 2 or more"
                    )
        return self
