"""One checkout session at one moment, in no particular ACP version.

:class:`merchants.checkout.CheckoutService` prices a session into a :class:`SessionSnapshot`;
:mod:`merchants.versions` renders that snapshot as the body an API version wants. Keeping the
richest state here (``expired`` and ``authentication_required`` statuses, warnings, unit prices)
lets an older version drop or translate what it has no field for, without a second code path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from merchants.acp import Address, Buyer, FulfillmentOptionShipping, Link, Order, Total
from merchants.discounts import NO_DISCOUNTS, CheckoutDiscounts

#: Every status any supported version can show; each version maps these onto its own.
SessionStatus = Literal[
    "not_ready_for_payment",
    "ready_for_payment",
    "authentication_required",
    "completed",
    "canceled",
    "expired",
]
NoteKind = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Note:
    """A message for the buyer. Warnings exist from 2026-04-17; earlier versions show info."""

    kind: NoteKind
    content: str
    code: str | None = None
    param: str | None = None


@dataclass(frozen=True, slots=True)
class LineSnapshot:
    """One priced line: ``unit_amount`` is the price now, ``quoted`` what the client expected."""

    id: str
    product_id: str
    name: str
    quantity: int
    unit_amount: int
    quoted: int
    base_amount: int
    discount: int
    subtotal: int
    tax: int
    total: int


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """Everything any supported ACP version may show of a session, priced at one moment."""

    id: str
    merchant_id: str
    status: SessionStatus
    currency: str
    buyer: Buyer | None
    address: Address | None
    lines: tuple[LineSnapshot, ...]
    options: tuple[FulfillmentOptionShipping, ...]
    option_id: str | None
    totals: tuple[Total, ...]
    notes: tuple[Note, ...]
    links: tuple[Link, ...]
    payment_provider: str
    created_at: datetime
    expires_at: datetime
    order: Order | None = None
    discounts: CheckoutDiscounts = NO_DISCOUNTS
    #: What a protocol's client sent that the checkout neither prices nor acts on (ACP
    #: 2026-04-17's capabilities, buyer, fulfillment contact, order notes), echoed back by the
    #: renderer of that protocol; older versions ignore it.
    annex: Mapping[str, Any] = field(default_factory=dict)

    def total(self, kind: str = "total") -> int:
        """The amount of one ``totals`` entry (0 when absent)."""
        return next((t.amount for t in self.totals if t.type == kind), 0)
