"""The AI platform's own profit and loss per cohort of users, day by day over the horizon.

Each cohort (users acquired on one day, or in one week) earns the AI platform's fees on its
sessions' orders and clicks (less refunds' reversals), and costs it the platform-funded coupons
on those orders, the red packets and acquisition cost of its users, and the inference of its
sessions and chat. Money a session causes counts on the day of the visit (a later refund of its
order included), acquisition and red packets on the day the user joins; inference is billed
per cohort and day, converted from US dollars and rounded once per bill. The same amounts are
posted to the ledger (:meth:`agent_checkout.ledger.store.Ledger.record_user`,
``record_inference``), so the P&L reconciles with it by a query (README, "Subsidies and
payback"). The payback day is the first day the cohort's cumulative P&L is 0 or more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from agent_checkout.fees.fx import FxTable
from agent_checkout.fees.line import FeeLine
from agent_checkout.sim.users import User, UsersSpec, VisitPlan
from merchants.orders import PlacedOrder

if TYPE_CHECKING:
    from agent_checkout.ledger.store import Ledger
    from agent_checkout.sim.scenario import Scenario
    from agent_checkout.sim.simulation import Simulation

AI_PLATFORM = "ai_platform"
COSTS = ("coupons", "red_packets", "acquisition", "inference")


def platform_share(lines: Iterable[FeeLine]) -> int:
    """What the AI platform receives of these fee lines (reversals are negative)."""
    return sum(line.amount for line in lines if line.payee == AI_PLATFORM)


def platform_coupons(order: PlacedOrder) -> int:
    """The discounts on ``order`` the AI platform pays for (platform coupons, credit)."""
    return sum(d.amount for d in order.discounts if d.funder == AI_PLATFORM)


@dataclass
class _Day:
    fees: int = 0
    coupons: int = 0
    red_packets: int = 0
    acquisition: int = 0
    inference_micros: int = 0
    steps: int = 0


@dataclass(frozen=True, slots=True)
class InferenceBill:
    """One cohort's inference on one day, in the run's currency (rounded once)."""

    cohort: int
    day: int
    steps: int
    usd_micros: int
    amount: int


@dataclass
class CohortBook:
    """Gathers the AI platform's money by cohort and day while a run with users goes on."""

    spec: UsersSpec
    plan: VisitPlan
    cost_per_step_micros: int
    days: dict[tuple[int, int], _Day] = field(default_factory=lambda: defaultdict(_Day))
    orders: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    sessions: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        for user in self.plan.users:
            day = self.days[(user.cohort, user.joined_day)]
            day.acquisition += self.spec.acquisition_cost
            day.red_packets += self.spec.red_packet
        for active in self.plan.active_days:
            self._inference(active.user, active.day, self.spec.chat_turns_per_active_day)

    def chat_turns(self) -> int:
        """The chat turns that sell nothing, over the run (their cost goes to inference)."""
        return self.spec.chat_turns_per_active_day * len(self.plan.active_days)

    def _at(self, session: int) -> _Day:
        visit = self.plan.visits[session]
        return self.days[(visit.user.cohort, visit.day)]

    def ordered(self, session: int, order: PlacedOrder, lines: list[FeeLine]) -> None:
        day = self._at(session)
        day.fees += platform_share(lines)
        day.coupons += platform_coupons(order)
        self.orders[self.plan.visits[session].user.cohort] += 1

    def refunded(self, session: int, reversals: list[FeeLine]) -> None:
        self._at(session).fees += platform_share(reversals)

    def clicked(self, session: int, lines: list[FeeLine]) -> None:
        self._at(session).fees += platform_share(lines)

    def session_inference(self, session: int, steps: int, micros: int) -> None:
        """A session ended (every session does, once), with the inference it cost."""
        day = self._at(session)
        self.sessions[self.plan.visits[session].user.cohort] += 1
        day.steps += steps
        day.inference_micros += micros

    def _inference(self, user: User, on: int, turns: int) -> None:
        day = self.days[(user.cohort, on)]
        day.steps += turns
        day.inference_micros += turns * self.cost_per_step_micros

    def bills(self, fx: FxTable, currency: str) -> list[InferenceBill]:
        """Each cohort's inference per day, converted once, in (cohort, day) order."""
        return [
            InferenceBill(
                cohort,
                on,
                d.steps,
                d.inference_micros,
                fx.micros_usd_to_minor(d.inference_micros, currency),
            )
            for (cohort, on), d in sorted(self.days.items())
            if d.inference_micros
        ]

    def summary(self, fx: FxTable, currency: str) -> dict:
        """``cohorts`` of summary.json: per cohort, the P&L side by side, its cumulative P&L
        day by day from its first day to the horizon, and the payback day; then all users."""
        inference = {(b.cohort, b.day): b.amount for b in self.bills(fx, currency)}
        users: dict[int, list[User]] = defaultdict(list)
        for user in self.plan.users:
            users[user.cohort].append(user)
        rows = [
            self._row(cohort, members, inference, [cohort])
            for cohort, members in sorted(users.items())
        ]
        everyone = self._row(None, self.plan.users, inference, sorted(users))
        return {
            "by": self.spec.cohort,
            "horizon_days": self.spec.horizon_days,
            "currency": currency,
            "chat_turns": self.chat_turns(),
            "rows": rows,
            "all": everyone,
        }

    def _row(
        self,
        cohort: int | None,
        members: list[User],
        inference: dict[tuple[int, int], int],
        cohorts: list[int],
    ) -> dict:
        first = min(u.joined_day for u in members)
        totals = dict.fromkeys(("fees", *COSTS), 0)
        cumulative, running = [], 0
        for on in range(first, self.spec.horizon_days):
            for c in cohorts:
                d = self.days.get((c, on))
                bill = inference.get((c, on), 0)
                if d is None:
                    continue
                moved = {
                    "fees": d.fees,
                    "coupons": d.coupons,
                    "red_packets": d.red_packets,
                    "acquisition": d.acquisition,
                    "inference": bill,
                }
                for key, amount in moved.items():
                    totals[key] += amount
                running += d.fees - sum(moved[k] for k in COSTS)
            cumulative.append(running)
        payback = next((i for i, value in enumerate(cumulative) if value >= 0), None)
        return {
            "cohort": cohort,
            "first_day": first,
            "users": len(members),
            "sessions": sum(self.sessions.get(c, 0) for c in cohorts),
            "orders": sum(self.orders.get(c, 0) for c in cohorts),
            **totals,
            "net": totals["fees"] - sum(totals[k] for k in COSTS),
            "cumulative": cumulative,
            "payback_day": None if payback is None else first + payback,
            "payback_after_days": payback,
        }


def post_cohorts(simulation: Simulation, scenario: Scenario, ledger: Ledger | None) -> dict:
    """After a run with users: count their chat turns' inference in the run's metrics, post
    users, visits and inference bills to ``ledger`` (if any), and return ``cohorts`` for
    summary.json."""
    book, currency, fx = simulation.cohorts, scenario.currency, scenario.fx_table()
    turns = book.chat_turns()
    simulation.metrics.inference(turns, turns * book.cost_per_step_micros)
    if ledger is not None:
        for user in book.plan.users:
            ledger.record_user(
                user.id,
                cohort=user.cohort,
                joined_day=user.joined_day,
                joined_at=scenario.start + timedelta(seconds=user.joined_at),
                acquisition_cost=book.spec.acquisition_cost,
                red_packet=book.spec.red_packet,
                currency=currency,
            )
        for index, visit in enumerate(book.plan.visits):
            ledger.record_visit(
                f"s{index:07d}",
                visit.user.id,
                cohort=visit.user.cohort,
                day=visit.day,
                started_at=scenario.start + timedelta(seconds=visit.at),
            )
        for bill in book.bills(fx, currency):
            ledger.record_inference(bill, currency)
    return book.summary(fx, currency)
