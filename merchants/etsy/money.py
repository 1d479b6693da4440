"""Etsy's money shape, ``{amount, divisor, currency_code}``, made exactly from minor units.

Etsy writes $24.99 as ``{"amount": 2499, "divisor": 100, "currency_code": "USD"}``: the amount
is our integer of minor units and the divisor is 10 to the currency's exponent, so the
conversion is exact both ways and no float ever holds money.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from merchants.etsy.errors import invalid_parameter
from merchants.money import minor_exponent, to_minor


class EtsyMoney(BaseModel):
    """An amount as Etsy sends it; ``amount / divisor`` is the value in major units."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int
    divisor: int
    currency_code: str

    @classmethod
    def of(cls, minor: int, currency: str) -> EtsyMoney:
        """``minor`` units of ``currency`` (ours is lowercase ISO 4217; Etsy's is uppercase)."""
        return cls(
            amount=minor, divisor=10 ** minor_exponent(currency), currency_code=currency.upper()
        )


def parse_unit_price(name: str, text: str, currency: str) -> int:
    """A query-string price in major units (``"12.50"``) as exact minor units, or a 400.

    Etsy types ``min_price``/``max_price`` as floats; the mock reads them as exact decimals
    and refuses more decimals than the currency has, rather than round a price silently.
    """
    try:
        minor = to_minor(text, currency)
    except ValueError:
        raise invalid_parameter(name, f"expected a price such as 12.50, got {text!r}") from None
    if minor < 0:
        raise invalid_parameter(name, f"must not be negative, got {text!r}")
    return minor
