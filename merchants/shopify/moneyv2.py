"""Shopify's ``MoneyV2``: ``{"amount": "12.34", "currencyCode": "USD"}``, exact both ways.

Amounts stay integer minor units inside the project; this is only their wire form. The decimal
string is written from the integer with the currency's full exponent ("12.00", "1200" for JPY),
never through a float, and read back with :func:`merchants.money.to_minor`. (Shopify itself
drops trailing zeros, "12.0"; a fixed exponent is just as valid a Decimal and easier to compare.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from merchants.money import minor_exponent, to_minor


class StorefrontShape(BaseModel):
    """Base of every Storefront wire model: snake_case in Python, camelCase on the wire."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    def wire(self) -> dict:
        """The JSON body, with Shopify's camelCase field names."""
        return self.model_dump(mode="json", by_alias=True)


def decimal_string(minor: int, currency: str) -> str:
    """``1234`` cents -> ``"12.34"``; exact for any int and any exponent."""
    exponent = minor_exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}" + (f".{frac:0{exponent}d}" if exponent else "")


class MoneyV2(StorefrontShape):
    """An amount as Shopify writes it; :attr:`minor` recovers the exact integer."""

    amount: str
    currency_code: str

    @classmethod
    def of(cls, minor: int, currency: str) -> MoneyV2:
        return cls(amount=decimal_string(minor, currency), currency_code=currency.upper())

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency_code.lower())
