"""Users an assistant acquires and who come back: the visits that make a run's sessions.

A scenario's ``users`` block replaces ``arrivals``: ``new_per_day`` users are acquired on each
of the first ``acquisition_days`` days, each at a cost (``acquisition_cost``) and with a red
packet (``red_packet``, cash paid into the user's wallet at sign-up, not tied to any order),
both paid by the AI platform. A user is active on the day they join; on day *n* after it they
come back with the chance ``return_curve`` gives (points ``{day: chance}``, linear between
points, flat outside them). An active day has ``sessions_per_active_day`` sessions (the whole
part always, one more with the chance of the fraction) at uniform times in the day, from the
moment of sign-up on the first day, and ``chat_turns_per_active_day`` turns of chat that sell
nothing, which cost inference like the agent's steps. Amounts are integer minor units of the
run's currency. The defaults (90 days, weekly cohorts, one session a day, no costs unless given)
are assumptions: docs/sources.md, "Defaults with no public figure", row 'Users and cohorts'.

Draws: each user's days come from their own ``user_days`` stream, two numbers a day whether
active or not, so a changed curve keeps every other day's draws; the times of an active day's
sessions from a ``user_visits`` stream of that user and day; sign-up times from ``user_joins``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent_checkout.sim.streams import RandomStreams

DAY_SECONDS = 86_400.0


class UsersSpec(BaseModel):
    """Who the assistant acquires, what each costs, and how often they come back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    new_per_day: int = Field(ge=1, le=100_000)
    horizon_days: int = Field(90, ge=1, le=3_650)
    acquisition_days: int | None = Field(None, ge=1)  # None: every day of the horizon
    cohort: Literal["day", "week"] = "week"  # how users are grouped in the report
    acquisition_cost: int = Field(0, ge=0)  # per new user, minor units
    red_packet: int = Field(0, ge=0)  # cash per new user, minor units
    return_curve: dict[int, float] = Field(min_length=1)  # day after joining -> chance
    sessions_per_active_day: float = Field(1.0, ge=0, le=100)
    chat_turns_per_active_day: int = Field(0, ge=0, le=10_000)

    @field_validator("return_curve")
    @classmethod
    def _chances(cls, value: dict[int, float]) -> dict[int, float]:
        from agent_checkout.sim.scenario import FieldValueError

        for day, chance in value.items():
            if day < 1:
                raise FieldValueError(day, "days count from 1 (the day after joining)")
            if not 0 <= chance <= 1:
                raise FieldValueError(day, f"a chance is within 0 and 1, not {chance}")
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _within_horizon(self) -> UsersSpec:
        if self.acquisition_days is not None and self.acquisition_days > self.horizon_days:
            raise ValueError(
                f"acquisition_days: {self.acquisition_days} is past horizon_days "
                f"({self.horizon_days})"
            )
        return self

    @property
    def joining_days(self) -> int:
        return self.acquisition_days or self.horizon_days

    def returns_on(self, age: int) -> float:
        """The chance a user comes back ``age`` days after joining (1 on the day they join)."""
        if age == 0:
            return 1.0
        points = list(self.return_curve.items())
        if age <= points[0][0]:
            return points[0][1]
        for (day, chance), (next_day, next_chance) in zip(points, points[1:], strict=False):
            if age <= next_day:
                return chance + (next_chance - chance) * (age - day) / (next_day - day)
        return points[-1][1]

    def cohort_of(self, day: int) -> int:
        """The cohort of a user acquired on ``day``: the day itself, or its week."""
        return day if self.cohort == "day" else day // 7


@dataclass(frozen=True, slots=True)
class User:
    id: str
    joined_day: int
    cohort: int
    joined_at: float  # virtual seconds


@dataclass(frozen=True, slots=True)
class Visit:
    """One session of a user: when, and on which day of the horizon it counts."""

    at: float  # virtual seconds
    user: User
    day: int


@dataclass(frozen=True, slots=True)
class ActiveDay:
    user: User
    day: int


@dataclass
class VisitPlan:
    """Every user, every active user-day and every visit (in time order) of a run."""

    users: list[User]
    active_days: list[ActiveDay]
    visits: list[Visit]

    def gaps(self) -> list[float]:
        """Seconds between visits (the first from time zero): the run's arrivals."""
        times = [visit.at for visit in self.visits]
        return [t - s for t, s in zip(times, [0.0, *times], strict=False)]


def plan_visits(spec: UsersSpec, streams: RandomStreams) -> VisitPlan:
    """Draw who joins when, which days each comes back, and when their sessions start."""
    users, active, visits = [], [], []
    whole = math.floor(spec.sessions_per_active_day)
    fraction = spec.sessions_per_active_day - whole
    for day in range(spec.joining_days):
        for number in range(spec.new_per_day):
            user_id = f"u{day:03d}-{number:04d}"
            joined = (day + streams.stream("user_joins", user_id).random()) * DAY_SECONDS
            user = User(user_id, day, spec.cohort_of(day), joined)
            users.append(user)
            days = streams.stream("user_days", user_id)
            for on in range(day, spec.horizon_days):
                comes, extra = days.random(), days.random()
                if comes >= spec.returns_on(on - day):
                    continue
                active.append(ActiveDay(user, on))
                count = whole + (extra < fraction)
                times = streams.stream("user_visits", user_id, on)
                opens = joined if on == day else on * DAY_SECONDS
                closes = (on + 1) * DAY_SECONDS
                for _ in range(count):
                    visits.append(Visit(opens + times.random() * (closes - opens), user, on))
    visits.sort(key=lambda visit: (visit.at, visit.user.id))
    return VisitPlan(users, active, visits)
