"""Presales: a deposit now, the rest of the price in a final payment window later.

A presale is declared in a merchant profile (``presales:``), so in a scenario too, on one
``product`` or a whole ``category``. While it takes deposits (from ``deposits_from``, or always,
until ``final_payment_starts_at``) a checkout of its product charges only ``deposit`` per unit;
the session says so in an info message, charges no shipping and no tax yet, and takes the units
from stock, so they are kept for the buyer. In the final payment window
(``final_payment_starts_at`` to ``final_payment_ends_at``, exclusive) the buyer pays the rest:
the price less ``deposit_value`` per unit (the deposit's face value: "pay ¥50, deduct ¥100" is
``deposit: 5000, deposit_value: 10000``) less every promotion that applies then, plus shipping
and tax on the sale. The inflation (``deposit_value - deposit``) is a discount of the sale that
``funder`` pays, posted as any promotion is. A deposit whose final payment is not made in the
window is forfeited: the merchant keeps it and the units go back to stock.

Rounding: promotions price the part of the line the deposit value leaves (price less deposit
value, per unit), once, through :meth:`merchants.promotions.PromotionBook.price`, so the final
payment is exact to the minor unit and never negative.

Sources: docs/sources.md, Promotions and presales (China, Singles' Day), row 'presale deposit
(定金)'; the final payment probability and the rules above are assumptions:
docs/sources.md, Defaults with no public figure, rows 'Presale final payment', 'Presale rules'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from merchants.catalog import Catalog, Product
from merchants.discounts import EffectivePrice, effective_price
from merchants.money import format_money
from merchants.promotions import BasketLine, Funder, PromotionBook

#: The share of deposit payers who make the final payment when the profile does not say:
#: docs/sources.md, Defaults with no public figure, row 'Presale final payment'.
FINAL_PAYMENT_PROBABILITY = 0.9


class PresaleError(ValueError):
    """A presale that cannot apply to the catalog it is declared on; ``field`` is its path
    inside the profile (``presales.0.deposit``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class Presale(BaseModel):
    """One presale offer as a profile or scenario declares it. Amounts are integer minor units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    product: str | None = None  # a product id, or
    category: str | None = None  # every product of a category
    deposit: int = Field(gt=0)
    deposit_value: int | None = Field(None, gt=0)  # None: the deposit, no inflation
    funder: Funder = "merchant"  # who pays the inflation
    deposits_from: datetime | None = None  # None: from the start
    final_payment_starts_at: datetime
    final_payment_ends_at: datetime  # exclusive
    #: The chance a deposit payer makes the final payment; None: FINAL_PAYMENT_PROBABILITY.
    final_payment_probability: float | None = Field(None, ge=0, le=1)

    @field_validator("deposits_from", "final_payment_starts_at", "final_payment_ends_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """A time without a zone is UTC, so it compares with the simulation's clock."""
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value

    @field_validator("deposit_value")
    @classmethod
    def _worth_the_deposit(cls, value: int | None, info: ValidationInfo) -> int | None:
        deposit = info.data.get("deposit")
        if value is not None and deposit is not None and value < deposit:
            raise ValueError(f"{value} is below the deposit ({deposit}); it is what it deducts")
        return value

    @field_validator("final_payment_starts_at")
    @classmethod
    def _after_deposits(cls, value: datetime, info: ValidationInfo) -> datetime:
        opens = info.data.get("deposits_from")
        if opens is not None and value <= opens:
            raise ValueError(f"{value.isoformat()} is not after deposits_from")
        return value

    @field_validator("final_payment_ends_at")
    @classmethod
    def _window_ends_after_it_starts(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("final_payment_starts_at")
        if starts is not None and value <= starts:
            raise ValueError(
                f"{value.isoformat()} is not after final_payment_starts_at ({starts.isoformat()})"
            )
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Presale:
        if (self.product is None) == (self.category is None):
            raise ValueError("a presale names either product or category")
        return self

    @property
    def value(self) -> int:
        """What one unit's deposit deducts from the price."""
        return self.deposit if self.deposit_value is None else self.deposit_value

    @property
    def inflation(self) -> int:
        """Per unit, what the deposit deducts beyond what was paid; ``funder`` pays it."""
        return self.value - self.deposit

    @property
    def completes(self) -> float:
        if self.final_payment_probability is None:
            return FINAL_PAYMENT_PROBABILITY
        return self.final_payment_probability

    def covers(self, product: Product) -> bool:
        return product.id == self.product or product.category == self.category

    def taking_deposits(self, now: datetime) -> bool:
        return (self.deposits_from is None or now >= self.deposits_from) and (
            now < self.final_payment_starts_at
        )

    def in_window(self, now: datetime) -> bool:
        return self.final_payment_starts_at <= now < self.final_payment_ends_at

    def terms(self, currency: str) -> str:
        """The info message of a deposit checkout."""
        paid, worth = format_money(self.deposit, currency), format_money(self.value, currency)
        return (
            f"Presale: pay a {paid} deposit per unit now, worth {worth} off the price; pay the "
            f"rest from {self.final_payment_starts_at.isoformat()} to "
            f"{self.final_payment_ends_at.isoformat()}, or the deposit is forfeited."
        )


class PresaleBook:
    """One store's presales, checked against its catalog: a deposit must be below every price
    it applies to, and so must the deposit value (the final payment is never negative)."""

    def __init__(self, presales: Iterable[Presale] = (), catalog: Catalog | None = None) -> None:
        self.presales = list(presales)
        for index, presale in enumerate(self.presales):
            if catalog is not None:
                _check_prices(index, presale, catalog)

    def __bool__(self) -> bool:
        return bool(self.presales)

    def open_for(self, product: Product, now: datetime) -> Presale | None:
        """The first declared presale of ``product`` taking deposits at ``now``."""
        return next(
            (p for p in self.presales if p.covers(product) and p.taking_deposits(now)), None
        )


def presale_price(book: PromotionBook, presale: Presale, option: BasketLine) -> EffectivePrice:
    """What a presale option comes to in all, before shipping and tax: the deposit now plus the
    final payment as the window opens (the price less the deposit value, less the promotions
    that apply then), exactly what the final sale charges; the inflation shows under the
    presale's id among the discounts."""
    left = replace(option, unit_price=option.unit_price - presale.value)
    final = (
        effective_price(book, left, presale.final_payment_starts_at)
        if book
        else EffectivePrice(left.unit_price, left.quantity, left.base, {})
    )
    discounts = dict(final.discounts)
    if presale.inflation:
        discounts[presale.id] = presale.inflation * option.quantity
    return EffectivePrice(
        list_unit=option.unit_price,
        quantity=option.quantity,
        line_amount=final.line_amount + presale.deposit * option.quantity,
        discounts=discounts,
    )


def _check_prices(index: int, presale: Presale, catalog: Catalog) -> None:
    covered = [p for p in catalog if presale.covers(p)]
    if not covered:
        what = "product" if presale.product is not None else "category"
        raise PresaleError(
            f"presales.{index}.{what}",
            f"no product {getattr(presale, what)!r} in the catalog",
        )
    for product in covered:
        for name, amount in (("deposit", presale.deposit), ("deposit_value", presale.value)):
            if amount >= product.price:
                cur = catalog.currency
                raise PresaleError(
                    f"presales.{index}.{name}",
                    f"{format_money(amount, cur)} is not below the price of {product.id} "
                    f"({format_money(product.price, cur)})",
                )


@dataclass(frozen=True, slots=True)
class PresaleDeposit:
    """A deposit a checkout took: what the final payment and the ledger need to know."""

    id: str  # the presale order's id, ``pre_<merchant>_<n>``
    presale: Presale
    merchant_id: str
    checkout_session_id: str
    product_id: str
    quantity: int
    unit_price: int  # the price when the deposit was paid: the final payment's price
    currency: str
    option_id: str  # the shipping option chosen, charged with the final payment
    paid_at: datetime
    buyer_email: str | None = None

    @property
    def amount(self) -> int:
        """What the buyer paid now."""
        return self.presale.deposit * self.quantity

    @property
    def value(self) -> int:
        """What it deducts from the sale."""
        return self.presale.value * self.quantity

    @property
    def inflation(self) -> int:
        return self.presale.inflation * self.quantity


@dataclass(frozen=True, slots=True)
class DepositForfeited:
    """A deposit whose final payment was not made: the merchant keeps ``deposit.amount``."""

    deposit: PresaleDeposit
    at: datetime
    reason: str  # "declined" (the buyer chose not to pay) or "window_closed"
