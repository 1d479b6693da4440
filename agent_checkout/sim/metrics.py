"""What a run measured, accumulated as sessions end and orders are priced."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agent_checkout.agent.state import OUTCOMES
from agent_checkout.fees.model import FeeLine
from merchants.money import divide_half_even
from merchants.orders import PlacedOrder


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


@dataclass
class RunMetrics:
    sessions: int = 0
    outcomes: Counter = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    orders: int = 0
    gmv: int = 0
    tax: int = 0
    merchant_net: int = 0
    orders_by_merchant: Counter = field(default_factory=Counter)
    gmv_by_merchant: Counter = field(default_factory=Counter)
    fees_by_payee: Counter = field(default_factory=Counter)
    fees_by_model: Counter = field(default_factory=Counter)
    merchant_calls: int = 0
    steps: int = 0
    inference_micros: int = 0
    clicks: int = 0

    def session_ended(self, outcome: str, seconds: float, calls: int) -> None:
        self.sessions += 1
        self.outcomes[outcome] += 1
        self.durations.append(seconds)
        self.merchant_calls += calls

    def inference(self, steps: int, cost_micros: int) -> None:
        self.steps += steps
        self.inference_micros += cost_micros

    def clicked(self, fee_lines: list[FeeLine]) -> None:
        self.clicks += 1
        for line in fee_lines:
            self.fees_by_payee[line.payee] += line.amount
            self.fees_by_model[line.model] += line.amount

    def order_placed(self, order: PlacedOrder, fee_lines: list[FeeLine]) -> None:
        buyer_fees = sum(f.amount for f in fee_lines if f.payer == "buyer")
        merchant_fees = sum(f.amount for f in fee_lines if f.payer == "merchant")
        self.orders += 1
        self.gmv += order.total_amount + buyer_fees
        self.tax += order.tax_amount
        self.merchant_net += order.total_amount - order.tax_amount - merchant_fees
        self.orders_by_merchant[order.merchant_id] += 1
        self.gmv_by_merchant[order.merchant_id] += order.total_amount
        for line in fee_lines:
            self.fees_by_payee[line.payee] += line.amount
            self.fees_by_model[line.model] += line.amount

    def summary(self, *, scenario: str, seed: int, currency: str, oversells: int) -> dict:
        """The reproducible summary: integers for money, no wall-clock figures."""
        durations = sorted(self.durations)
        fees_total = sum(self.fees_by_payee.values())
        inference = divide_half_even(self.inference_micros, 10_000)  # micro-dollars to cents
        outcomes = {name: self.outcomes.get(name, 0) for name in OUTCOMES}
        outcomes.update({k: v for k, v in self.outcomes.items() if k not in outcomes})
        return {
            "scenario": scenario,
            "seed": seed,
            "currency": currency,
            "sessions": self.sessions,
            "orders": self.orders,
            "conversion_rate": round(self.orders / self.sessions, 6) if self.sessions else 0.0,
            "gmv": self.gmv,
            "aov": self.gmv // self.orders if self.orders else 0,
            "tax": self.tax,
            "merchant_net": self.merchant_net,
            "fees": dict(sorted(self.fees_by_payee.items())),
            "fees_by_model": dict(sorted(self.fees_by_model.items())),
            "fees_total": fees_total,
            "take_rate": round(fees_total / self.gmv, 6) if self.gmv else 0.0,
            "ai_platform_take_rate": (
                round(self.fees_by_payee.get("ai_platform", 0) / self.gmv, 6) if self.gmv
                else 0.0),
            "orders_by_merchant": dict(sorted(self.orders_by_merchant.items())),
            "gmv_by_merchant": dict(sorted(self.gmv_by_merchant.items())),
            "outcomes": outcomes,
            "unhandled_errors": self.outcomes.get("unhandled_error", 0),
            "oversells": oversells,
            "merchant_calls": self.merchant_calls,
            "agent_steps": self.steps,
            "clicks": self.clicks,
            "inference_cost": inference,
            "ai_platform_net": self.fees_by_payee.get("ai_platform", 0) - inference,
            "session_seconds": {
                "p50": round(percentile(durations, 50), 3),
                "p95": round(percentile(durations, 95), 3),
                "max": round(durations[-1], 3) if durations else 0.0,
            },
        }
