"""Fee models: what each party takes from an order, computed exactly.

A :class:`FeeModel` is a list of :class:`FeeComponent` s. Each component names who pays, who is
paid, the base it is a share of, and its rate (basis points), fixed and per-unit amounts, with an
optional minimum and maximum. A component's amount is rounded once, half-even, to the minor unit:
``round(base * rate_bps / 10000) + fixed + per_unit * units``, then clamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchants.money import apply_bps
from merchants.orders import PlacedOrder

Payer = Literal["merchant", "buyer"]
Payee = Literal["ai_platform", "payment_processor", "marketplace", "affiliate_network"]
Base = Literal["items", "items_shipping", "total"]


class FeeComponent(BaseModel):
    """One line of a fee model, e.g. "payment processing 2.9% + 30¢ of the total"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    payee: Payee
    payer: Payer = "merchant"
    base: Base = "items"
    rate_bps: int = Field(0, ge=0, le=10_000)
    fixed: int = Field(0, ge=0)
    per_unit: int = Field(0, ge=0)
    minimum: int | None = Field(None, ge=0)
    maximum: int | None = Field(None, ge=0)
    platforms: list[str] | None = None  # merchant platforms it applies to; None means all

    @model_validator(mode="after")
    def _bounds(self) -> FeeComponent:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"{self.name}: minimum is above maximum")
        return self

    def base_amount(self, order: PlacedOrder) -> int:
        items = order.items_amount - order.discount_amount
        if self.base == "items":
            return items
        if self.base == "items_shipping":
            return items + order.shipping_amount
        return order.total_amount

    def amount(self, base_amount: int, units: int) -> int:
        value = apply_bps(base_amount, self.rate_bps) + self.fixed + self.per_unit * units
        if self.minimum is not None:
            value = max(value, self.minimum)
        if self.maximum is not None:
            value = min(value, self.maximum)
        return value


class FeeModel(BaseModel):
    """A named fee schedule with the public source its figures come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    source: str
    components: list[FeeComponent] = Field(min_length=1)

    def fee_lines(self, order: PlacedOrder) -> list[FeeLine]:
        lines = []
        for component in self.components:
            if component.platforms is not None and order.platform not in component.platforms:
                continue
            base = component.base_amount(order)
            lines.append(FeeLine(
                model=self.name, component=component.name, payer=component.payer,
                payee=component.payee, base=component.base, base_amount=base,
                rate_bps=component.rate_bps, fixed=component.fixed,
                per_unit=component.per_unit, units=order.units,
                amount=component.amount(base, order.units), currency=order.currency,
            ))
        return lines


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One fee charged on one order, with everything needed to explain or re-price it."""

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


def price_order(order: PlacedOrder, models: list[FeeModel]) -> list[FeeLine]:
    """All fee lines of an order under the given models, in model then component order."""
    return [line for model in models for line in model.fee_lines(order)]
