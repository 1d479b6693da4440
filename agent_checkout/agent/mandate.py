"""Delegation: what the shopper lets the agent do on their behalf.

In ``human_present`` mode the graph stops before paying (a LangGraph ``interrupt``) and goes on
only with the shopper's answer. In ``autonomous`` mode an AP2-style :class:`Mandate` bounds the
agent instead: a budget cap, the merchants it may buy from, and an expiry. The cap is enforced
where money moves: the payment token's allowance is never above what the mandate permits, and a
checkout the mandate does not permit is never paid.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Delegation = Literal["autonomous", "human_present"]


@dataclass(frozen=True, slots=True)
class Mandate:
    """The shopper's standing instruction: spend at most ``max_amount`` with these merchants."""

    max_amount: int
    currency: str
    expires_at: datetime
    merchants: Collection[str] | None = None  # None: any merchant

    def refusal(self, *, merchant_id: str, amount: int, currency: str, now: datetime) -> str | None:
        """Why this payment is not permitted, or ``None`` when it is."""
        if now >= self.expires_at:
            return f"mandate expired at {self.expires_at.isoformat()}"
        if self.merchants is not None and merchant_id not in self.merchants:
            return f"merchant {merchant_id} is not in the mandate"
        if currency != self.currency:
            return f"mandate is in {self.currency}, checkout in {currency}"
        if amount > self.max_amount:
            return f"total {amount} is above the mandate's cap of {self.max_amount}"
        return None

    def allows_merchant(self, merchant_id: str) -> bool:
        return self.merchants is None or merchant_id in self.merchants
