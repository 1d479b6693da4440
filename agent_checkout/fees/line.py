"""A fee line: one fee charged on one order (or click), as the ledger stores it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One fee charged on one order, with everything needed to explain or re-price it.

    ``rate_bps`` is the one rate applied; for marginal tiers or a category table with several
    rates it is the blended rate of the percentage part (half-even to 1 bps), so re-price from
    ``model`` and ``component``, not from ``rate_bps``. For a click, ``base`` is ``"click"``.
    """

    model: str
    component: str
    payer: str
    payee: str
    base: str
    base_amount: int
    rate_bps: int
    fixed: int
    per_unit: int
    units: int
    amount: int
    currency: str
