"""Exchange rates: the one explicit place where an amount changes currency.

Model prices are in US dollars, a run's money is in its merchants' currency; inference cost
crosses from one to the other here and nowhere else. An :class:`FxTable` is a fixed reference
table, not a market feed: rates are exact decimal strings (units of a currency per one unit of
the table's base), dated, with their source. A conversion multiplies exact fractions and rounds
once, half-even, to the target currency's minor unit (ISO 4217 exponent: 0 for JPY, 2 for USD).

The built-in table, :data:`REFERENCE_FX`, holds the European Central Bank's euro reference rates
of 21 October 2025 as published (EUR 1 = USD 1.1607 ...); a cross rate such as CNY per USD is
the exact ratio 8.2626 / 1.1607. A scenario replaces it with its own rates per US dollar
(``fx: {EUR: "0.92"}``); see :meth:`FxTable.per_usd`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

from merchants.money import minor_exponent

MICROS_PER_UNIT = 1_000_000  # micro-units (µUSD) per unit of currency


class FxError(ValueError):
    """A rate that is not a positive exact decimal, or a currency the table lacks."""


def currency_code(value: str) -> str:
    """The lowercase ISO 4217 code this project stores (``"EUR"`` and ``"eur"`` are one)."""
    code = value.strip().lower()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise FxError(f"{value!r} is not a three-letter ISO 4217 currency code")
    return code


def exact_rate(value: str | int | float | Decimal) -> Decimal:
    """A rate as an exact positive decimal; a YAML float is read by its shortest spelling."""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise FxError(f"rate {value!r} is not a decimal number") from None
    if not rate.is_finite() or rate <= 0:
        raise FxError(f"rate {value!r} must be a positive number")
    return rate


@dataclass(frozen=True)
class FxTable:
    """Rates per one unit of ``base``, each an exact decimal, as of a date, from a source."""

    base: str
    rates: Mapping[str, Decimal]  # units of the currency per one ``base``
    as_of: str | None  # ISO date of the rates; None when a user gave them
    source: str
    _all: dict[str, Decimal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = currency_code(self.base)
        rates = {currency_code(k): exact_rate(v) for k, v in self.rates.items()}
        if rates.get(base, Decimal(1)) != 1:
            raise FxError(f"the base currency {base.upper()} must have rate 1")
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "_all", {base: Decimal(1), **rates})

    @classmethod
    def per_usd(cls, rates: Mapping[str, str | int | float | Decimal], source: str) -> FxTable:
        """A table of units per US dollar, e.g. ``{"EUR": "0.92"}``: what a scenario writes."""
        return cls(base="usd", rates=dict(rates), as_of=None, source=source)

    @property
    def currencies(self) -> list[str]:
        return sorted(self._all)

    def has(self, currency: str) -> bool:
        return currency_code(currency) in self._all

    def rate(self, source: str, target: str) -> Fraction:
        """Units of ``target`` per unit of ``source``, exact (a ratio of two table rates)."""
        source, target = currency_code(source), currency_code(target)
        missing = [c.upper() for c in (source, target) if c not in self._all]
        if missing:
            raise FxError(
                f"no exchange rate for {', '.join(missing)} in the FX table "
                f"({self.source}; has {', '.join(c.upper() for c in self.currencies)})"
            )
        return Fraction(self._all[target]) / Fraction(self._all[source])

    def convert(self, amount: int, source: str, target: str) -> int:
        """``amount`` minor units of ``source`` in minor units of ``target``, rounded once."""
        exact = (
            Fraction(amount, 10 ** minor_exponent(source))
            * self.rate(source, target)
            * 10 ** minor_exponent(target)
        )
        return round(exact)  # Fraction rounds half to even

    def micros_usd_to_minor(self, micros: int, currency: str) -> int:
        """Micro-dollars (µUSD) in minor units of ``currency``, rounded once, half-even."""
        exact = (
            Fraction(micros, MICROS_PER_UNIT)
            * self.rate("usd", currency)
            * 10 ** minor_exponent(currency)
        )
        return round(exact)

    def describe(self, source: str, target: str) -> dict[str, str | None]:
        """What a summary records of a conversion: the pair, the rate, its date and source."""
        rate = self.rate(source, target)
        with localcontext() as context:
            context.prec = 12  # shown to 12 digits; the conversion uses the exact ratio
            shown = Decimal(rate.numerator) / Decimal(rate.denominator)
        return {
            "from": currency_code(source),
            "to": currency_code(target),
            "rate": str(shown.normalize()) if shown != shown.to_integral() else str(int(shown)),
            "as_of": self.as_of,
            "source": self.source,
        }


#: ECB euro foreign exchange reference rates of 21 October 2025, EUR 1 = x units, as published
#: (www.ecb.europa.eu, Statistics > Euro foreign exchange reference rates). A fixed reference
#: table: a run uses it as it is, whatever the date simulated, so runs are reproducible.
REFERENCE_FX = FxTable(
    base="eur",
    rates={
        "usd": "1.1607",
        "jpy": "176.45",
        "gbp": "0.86780",
        "cny": "8.2626",
        "cad": "1.6301",
        "aud": "1.7885",
    },
    as_of="2025-10-21",
    source="ECB euro foreign exchange reference rates, 2025-10-21",
)
