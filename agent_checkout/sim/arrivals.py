"""When shoppers arrive: a base rate shaped by a curve over virtual time.

The rate at minute *m* is ``rate_per_minute × curve(m)``. Poisson arrivals with a varying rate
are drawn by thinning (Lewis and Shedler): candidates at the curve's peak rate, each kept with
probability rate(t) / peak. ``constant`` arrivals are evenly spaced at the current rate. A run
ends after ``sessions`` arrivals or ``duration_minutes`` of virtual time, whichever comes first.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Curve(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Flat(_Curve):
    kind: Literal["flat"] = "flat"

    def at(self, minute: float) -> float:
        return 1.0

    def peak(self) -> float:
        return 1.0


class Piecewise(_Curve):
    """A step function: ``[[minute, multiplier], ...]``, each step holding until the next."""

    kind: Literal["piecewise"] = "piecewise"
    points: list[tuple[float, Annotated[float, Field(ge=0)]]] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> Piecewise:
        minutes = [m for m, _ in self.points]
        if minutes != sorted(minutes) or minutes[0] != 0:
            raise ValueError("points must start at minute 0 and be in increasing order")
        return self

    def at(self, minute: float) -> float:
        value = self.points[0][1]
        for start, multiplier in self.points:
            if minute >= start:
                value = multiplier
        return value

    def peak(self) -> float:
        return max(m for _, m in self.points)


class Diurnal(_Curve):
    """A day's cycle: peak at ``peak_hour``, ``trough_ratio`` of the peak twelve hours away."""

    kind: Literal["diurnal"] = "diurnal"
    peak_hour: float = Field(20.0, ge=0, lt=24)
    trough_ratio: float = Field(0.3, ge=0, le=1)

    def at(self, minute: float) -> float:
        phase = 2 * math.pi * ((minute / 60.0 - self.peak_hour) / 24.0)
        return self.trough_ratio + (1 - self.trough_ratio) * (1 + math.cos(phase)) / 2

    def peak(self) -> float:
        return 1.0


class Spike(_Curve):
    """A flash sale: ``multiplier``× at ``at_minute``, decaying back with a half-life."""

    kind: Literal["spike"] = "spike"
    at_minute: float = Field(ge=0)
    multiplier: float = Field(20.0, ge=1)
    half_life_minutes: float = Field(5.0, gt=0)

    def at(self, minute: float) -> float:
        if minute < self.at_minute:
            return 1.0
        decay = 0.5 ** ((minute - self.at_minute) / self.half_life_minutes)
        return 1.0 + (self.multiplier - 1.0) * decay

    def peak(self) -> float:
        return self.multiplier


class Ramp(_Curve):
    """From 1× to ``to_multiplier``× linearly over ``over_minutes``, then steady."""

    kind: Literal["ramp"] = "ramp"
    to_multiplier: float = Field(ge=0)
    over_minutes: float = Field(gt=0)

    def at(self, minute: float) -> float:
        share = min(1.0, minute / self.over_minutes)
        return 1.0 + (self.to_multiplier - 1.0) * share

    def peak(self) -> float:
        return max(1.0, self.to_multiplier)


Curve = Annotated[Flat | Piecewise | Diurnal | Spike | Ramp, Field(discriminator="kind")]


class ArrivalProfile(BaseModel):
    """How many shoppers arrive, and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    process: Literal["poisson", "constant"] = "poisson"
    rate_per_minute: float = Field(gt=0, le=1_000_000)
    sessions: int | None = Field(None, ge=1, le=100_000_000)
    duration_minutes: float | None = Field(None, gt=0)
    curve: Curve = Flat()

    @model_validator(mode="after")
    def _bounded(self) -> ArrivalProfile:
        if self.sessions is None and self.duration_minutes is None:
            raise ValueError("give sessions, duration_minutes, or both")
        return self

    def rate_at(self, seconds: float) -> float:
        """Arrivals per second at virtual time ``seconds``."""
        return self.rate_per_minute * self.curve.at(seconds / 60.0) / 60.0

    def times(self, rng: random.Random) -> Iterator[float]:
        """Arrival times in virtual seconds, increasing."""
        horizon = math.inf if self.duration_minutes is None else self.duration_minutes * 60.0
        limit = self.sessions if self.sessions is not None else math.inf
        count, now = 0, 0.0
        peak = self.rate_per_minute * self.curve.peak() / 60.0
        while count < limit:
            if self.process == "constant":
                rate = self.rate_at(now)
                now += 1.0 / rate if rate > 0 else 60.0
                if rate <= 0:
                    continue
            else:
                now += rng.expovariate(peak)
                thinned = not isinstance(self.curve, Flat) and (
                    rng.random() * peak > self.rate_at(now)
                )
                if thinned:
                    if now >= horizon:
                        return
                    continue
            if now >= horizon:
                return
            count += 1
            yield now

    def gaps(self, rng: random.Random) -> Iterator[float]:
        """Seconds between arrivals (the first from time zero)."""
        previous = 0.0
        for moment in self.times(rng):
            yield moment - previous
            previous = moment
