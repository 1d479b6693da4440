"""Money that moves after an order is placed: refunds, store credit and disputes.

ACP 2026-04-17 lists these on the order as ``adjustments``; 2025-09-29 knew only ``refunds``
(``original_payment`` or ``store_credit``), which :meth:`Adjustment.refund` gives back for the
older body. A dispute (a chargeback the buyer's bank opened) holds its amount out of what can
still be refunded but is not a refund: ``amount_refunded`` leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from merchants.events import Refund, RefundType

AdjustmentType = Literal["refund", "credit", "dispute"]
ADJUSTMENT_TYPES: tuple[str, ...] = ("refund", "credit", "dispute")
#: A 2025-09-29 refund type and the adjustment type 2026-04-17 calls it.
ADJUSTMENT_OF_REFUND: dict[str, AdjustmentType] = {
    "original_payment": "refund",
    "store_credit": "credit",
}
_REFUND_OF_ADJUSTMENT: dict[str, RefundType] = {
    "refund": "original_payment",
    "credit": "store_credit",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One post-order change of money, in minor units of the order's currency, tax included."""

    id: str
    type: AdjustmentType
    amount: int
    currency: str
    occurred_at: datetime
    status: str = "completed"  # pending, completed or failed
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ADJUSTMENT_TYPES:
            raise ValueError(f"adjustment type must be one of {', '.join(ADJUSTMENT_TYPES)}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError(f"adjustment amount must be a positive int, got {self.amount!r}")

    @property
    def returns_money(self) -> bool:
        """A refund or store credit: counted in ``amount_refunded``."""
        return self.type in _REFUND_OF_ADJUSTMENT

    def refund(self) -> Refund | None:
        """The 2025-09-29 ``Refund`` this adjustment was, or None (a dispute has none)."""
        kind = _REFUND_OF_ADJUSTMENT.get(self.type)
        return None if kind is None else Refund(kind, self.amount)
