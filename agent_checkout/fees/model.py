"""Fee models: the language a fee schedule is written in, validated, and stateless pricing.

A :class:`FeeModel` (one YAML file) is a list of :class:`FeeComponent` s. A component says who
pays (``payer``: the merchant, or the buyer as a surcharge), who is paid (``payee``), what event
triggers it (``trigger``), the base it is a share of, and its price: a rate in basis points (or
``tiers``), a fixed amount, an amount per unit, a per-order minimum and maximum, and optionally a
``categories`` table priced per order line. All money is int minor units of the model's currency.

Currency: a model with amounts (fixed, per unit, minimum, maximum, item minimum, tier thresholds)
is priced in one currency, its ``currency`` (``usd`` when the file leaves it out, as files did
before the field existed); it refuses orders in any other, and a scenario pairing it with
merchants that sell in another is refused at load. A model of pure rates may say
``currency: null``: it prices orders in any currency. Every built-in model states its currency.

Where rounding happens, exactly (see :mod:`agent_checkout.fees.pricing`):

* an order-level component rounds once: ``half_even(sum of base slice x rate_bps / 10000)``;
  then adds ``fixed + per_unit x units`` and clamps to ``[minimum, maximum]``, all exact;
* a per-line component (one with ``categories`` or ``item_minimum``) rounds once per order line:
  ``half_even(line base x rate / 10000) + per_unit x quantity``, raised to
  ``item_minimum x quantity``; the lines then sum exactly, plus ``fixed``, clamped per order;
* a click (``link_clicked``) costs ``fixed + per_unit`` (the category's ``per_unit`` if listed),
  clamped; no rate, so nothing to round;
* a refund reverses each fee line by its component's ``on_refund`` rule, rounding once per line
  (see :mod:`agent_checkout.fees.refund`).

Rates by merchant platform are components with ``platforms``: each applies only to those.

Tiers by order value are ``marginal`` (each slice of the base at its own band's rate, like tax
brackets) or ``whole`` (the band the whole base reaches sets one rate for all of it; the default).
Tiers by running volume are always whole: the merchant's sales before this order pick the rate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent_checkout.fees.context import Click, FeeContext, attributed
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.pricing import click_fee_line, order_fee_line
from merchants.money import apply_bps
from merchants.orders import PlacedOrder

Payer = Literal["merchant", "buyer"]
Payee = Literal["ai_platform", "payment_processor", "marketplace", "affiliate_network"]
Base = Literal["items", "items_shipping", "total"]
Trigger = Literal["order_completed", "link_clicked", "purchase_attributed"]
TierBasis = Literal["order_value", "running_volume"]
TierMode = Literal["marginal", "whole"]
RefundRule = Literal["refund", "keep", "refund_percentage_keep_fixed"]

#: The currency of a model's amounts when its file leaves ``currency`` out (earlier files did).
DEFAULT_AMOUNT_CURRENCY = "usd"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """One tier: ``rate_bps`` from ``at_least`` (minor units) up to the next band's threshold."""

    at_least: int = Field(ge=0, description="Threshold in minor units; the first band is 0.")
    rate_bps: int = Field(ge=0, le=10_000, description="Rate in basis points (100 = 1%).")


def _check_bands(bands: list[Band], where: str) -> None:
    if bands[0].at_least != 0:
        raise ValueError(f"{where}: the first band must start at at_least: 0")
    for lower, upper in zip(bands, bands[1:], strict=False):
        if upper.at_least <= lower.at_least:
            raise ValueError(f"{where}: at_least must increase from band to band")


class Tiers(_Strict):
    """A rate that depends on the order's value or on the merchant's running volume."""

    by: TierBasis = Field(
        "order_value",
        description=(
            "order_value: the component's base amount picks the band; running_volume: the "
            "merchant's sales before this order (items less discount plus shipping) pick it."
        ),
    )
    mode: TierMode = Field(
        "whole",
        description=(
            "whole: one band's rate for the whole base; marginal: each slice of the base at "
            "its own band's rate (order_value only)."
        ),
    )
    window_days: int | None = Field(
        None,
        ge=1,
        description=(
            "running_volume only: count sales in this many days before the order (none: all)."
        ),
    )
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> Tiers:
        _check_bands(self.bands, "tiers.bands")
        if self.by == "running_volume" and self.mode == "marginal":
            raise ValueError("tiers.mode: running_volume tiers are whole (one rate per order)")
        if self.by == "order_value" and self.window_days is not None:
            raise ValueError("tiers.window_days: only running_volume tiers have a window")
        return self


class CategoryRate(_Strict):
    """How one product category's order lines are priced; unset fields use the component's."""

    rate_bps: int | None = Field(None, ge=0, le=10_000)
    bands: list[Band] | None = Field(
        None,
        min_length=1,
        description=(
            "Marginal bands per item, e.g. 20% of each item's price up to $250 and 5% above."
        ),
    )
    per_unit: int | None = Field(None, ge=0, description="Per item sold (per click for clicks).")
    item_minimum: int | None = Field(None, ge=0, description="Minimum fee per item sold.")

    @model_validator(mode="after")
    def _valid(self) -> CategoryRate:
        if self.rate_bps is not None and self.bands is not None:
            raise ValueError("rate_bps and bands: give one or the other")
        if self.bands is not None:
            _check_bands(self.bands, "bands")
        return self


class FeeComponent(BaseModel):
    """One line of a fee model, e.g. "payment processing 2.9% + 30¢ of the total"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    payee: Payee
    payer: Payer = Field("merchant", description="buyer: a surcharge added to what they pay.")
    base: Base = Field(
        "items",
        description=("items: items less discount; items_shipping: plus shipping; total: plus tax."),
    )
    rate_bps: int = Field(0, ge=0, le=10_000, description="Rate in basis points (100 = 1%).")
    fixed: int = Field(0, ge=0, description="Fixed amount per order (or per click).")
    per_unit: int = Field(0, ge=0, description="Amount per unit sold (or per click).")
    minimum: int | None = Field(None, ge=0, description="Minimum per order.")
    maximum: int | None = Field(None, ge=0, description="Maximum per order (a cap).")
    platforms: list[str] | None = Field(
        None, description=("Merchant platforms it applies to (e.g. shopify, etsy); none means all.")
    )
    trigger: Trigger = Field(
        "order_completed",
        description=(
            "order_completed: every order; link_clicked: every click on a product link; "
            "purchase_attributed: an order placed within attribution_days after a click."
        ),
    )
    attribution_days: int | None = Field(
        None,
        ge=1,
        description=("purchase_attributed only: the attribution window in days after the click."),
    )
    tiers: Tiers | None = Field(None, description="A tiered rate instead of rate_bps.")
    categories: dict[str, CategoryRate] | None = Field(
        None,
        description=(
            "Rates by product category, applied per order line then summed; lines of other "
            "categories use the component's rate_bps, per_unit and item_minimum."
        ),
    )
    item_minimum: int | None = Field(
        None,
        ge=0,
        description=(
            "Minimum per item sold, applied per order line (prices the component per line)."
        ),
    )
    on_refund: RefundRule = Field(
        "refund",
        description=(
            "What a refund of the order returns of this fee. refund: the fee, pro rata to the "
            "refunded share of the order total (a commission clawed back); keep: nothing (a "
            "processor keeping its fee); refund_percentage_keep_fixed: the percentage part pro "
            "rata, the fixed and per-unit parts kept."
        ),
    )

    @model_validator(mode="after")
    def _valid(self) -> FeeComponent:
        def bad(message: str) -> ValueError:
            return ValueError(f"component {self.name}: {message}")

        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise bad(f"minimum ({self.minimum}) is above maximum ({self.maximum})")
        if self.tiers is not None and self.rate_bps:
            raise bad("rate_bps and tiers: give one or the other")
        if self.tiers is not None and self.per_line:
            raise bad("tiers and categories/item_minimum: a per-line component has no tiers")
        if self.per_line and self.base != "items":
            raise bad("categories/item_minimum price order lines, so base must be items")
        if (self.trigger == "purchase_attributed") != (self.attribution_days is not None):
            raise bad("attribution_days: required for, and only for, trigger purchase_attributed")
        if self.trigger == "link_clicked":
            if self.rate_bps or self.tiers is not None or self.item_minimum is not None:
                raise bad("a link_clicked component has no rate: give fixed or per_unit")
            if any(
                c.rate_bps or c.bands or c.item_minimum for c in (self.categories or {}).values()
            ):
                raise bad("categories of a link_clicked component may set per_unit only")
        return self

    @property
    def has_amounts(self) -> bool:
        """Whether it charges amounts (not only rates), which are in the model's currency."""
        bands = [*(self.tiers.bands if self.tiers else []), *self._category_bands()]
        return bool(
            self.fixed
            or self.per_unit
            or self.minimum
            or self.maximum is not None
            or self.item_minimum
            or any(b.at_least for b in bands)
            or any(c.per_unit or c.item_minimum for c in (self.categories or {}).values())
        )

    def _category_bands(self) -> list[Band]:
        return [b for c in (self.categories or {}).values() for b in c.bands or []]

    @property
    def per_line(self) -> bool:
        """Whether it prices each order line separately (category table, per-item minimum)."""
        return self.categories is not None or self.item_minimum is not None

    def applies_to(self, platform: str) -> bool:
        return self.platforms is None or platform in self.platforms

    def base_amount(self, order: PlacedOrder) -> int:
        items = order.items_amount - order.discount_amount
        if self.base == "items":
            return items
        if self.base == "items_shipping":
            return items + order.shipping_amount
        return order.total_amount

    def clamp(self, value: int) -> int:
        """Apply the per-order minimum and maximum."""
        if self.minimum is not None:
            value = max(value, self.minimum)
        if self.maximum is not None:
            value = min(value, self.maximum)
        return value

    def amount(self, base_amount: int, units: int) -> int:
        """A flat-rate order-level amount: kept for callers of the first API."""
        return self.clamp(
            apply_bps(base_amount, self.rate_bps) + self.fixed + self.per_unit * units
        )


class FeeModel(BaseModel):
    """A named fee schedule with the public source its figures come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    source: str = Field(
        description="Where the figures come from: for a built-in model, a row of docs/sources.md."
    )
    notes: str = Field("", description="Assumptions beyond the source, in plain words.")
    currency: str | None = Field(
        None,
        pattern=r"^[A-Za-z]{3}$",
        description=(
            "ISO 4217 code (any case) of the currency its amounts are in: fixed, per_unit, "
            "minimum, maximum, item_minimum and tier thresholds. Orders and clicks in another "
            "currency are refused, and so is a scenario that pairs it with merchants selling in "
            "another. null: pure rates, priced in any currency (refused if it has amounts). "
            "Left out: usd if it has amounts, else any currency."
        ),
    )
    components: list[FeeComponent] = Field(min_length=1)

    @field_validator("currency", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _unique(self) -> FeeModel:
        names = [c.name for c in self.components]
        if len(names) != len(set(names)):
            raise ValueError("components: component names must be unique")
        return self

    @model_validator(mode="after")
    def _amounts_have_a_currency(self) -> FeeModel:
        """Amounts mean nothing without their currency: 30 is 30¢ in usd, ¥30 in jpy."""
        with_amounts = [c.name for c in self.components if c.has_amounts]
        if self.currency is None and with_amounts:
            if "currency" in self.model_fields_set:
                raise ValueError(
                    f"currency: null means any currency, but component {with_amounts[0]} has "
                    "amounts: give the currency they are in"
                )
            self.__dict__["currency"] = DEFAULT_AMOUNT_CURRENCY  # left out: amounts in usd
        return self

    @property
    def payees(self) -> list[str]:
        return list(dict.fromkeys(c.payee for c in self.components))

    def check_currency(self, currency: str) -> None:
        """Refuse to charge, say, 30 "minor units" of a usd schedule on a jpy order."""
        if not self.prices(currency):
            raise ValueError(
                f"fee model {self.name} is priced in {self.currency}, not {currency.lower()}"
            )

    def prices(self, currency: str) -> bool:
        """Whether it can price orders in ``currency`` (its own, or any for pure rates)."""
        return self.currency is None or currency.lower() == self.currency

    def fee_lines(
        self,
        order: PlacedOrder,
        context: FeeContext | None = None,
        trigger: Trigger = "order_completed",
        clicked_at: datetime | None = None,
    ) -> list[FeeLine]:
        """This model's lines for ``order`` under components of ``trigger``.

        ``purchase_attributed`` components charge only when ``clicked_at`` is given and the
        order falls in their attribution window.
        """
        self.check_currency(order.currency)
        lines = []
        for component in self.components:
            if component.trigger != trigger or not component.applies_to(order.platform):
                continue
            if component.attribution_days is not None and (
                clicked_at is None
                or not attributed(clicked_at, order.placed_at, component.attribution_days)
            ):
                continue
            volume = 0
            if (
                component.tiers is not None
                and component.tiers.by == "running_volume"
                and context is not None
            ):
                volume = context.volume(
                    order.merchant_id, order.placed_at, component.tiers.window_days
                )
            lines.append(order_fee_line(self.name, component, order, volume))
        return lines

    def click_lines(self, click: Click) -> list[FeeLine]:
        """This model's lines for one click on a product link (cost per click)."""
        self.check_currency(click.currency)
        return [
            click_fee_line(self.name, c, click)
            for c in self.components
            if c.trigger == "link_clicked" and c.applies_to(click.platform)
        ]


def price_order(
    order: PlacedOrder, models: list[FeeModel], context: FeeContext | None = None
) -> list[FeeLine]:
    """All ``order_completed`` fee lines of an order, in model then component order.

    Stateless unless given a ``context``: without one, running-volume tiers see no past sales.
    Use :class:`agent_checkout.fees.FeePricer` to price orders in sequence.
    """
    return [line for model in models for line in model.fee_lines(order, context)]


__all__ = [
    "Band",
    "CategoryRate",
    "FeeComponent",
    "FeeLine",
    "FeeModel",
    "RefundRule",
    "Tiers",
    "price_order",
]
