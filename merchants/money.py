"""Exact money: integer minor units with a lowercase ISO 4217 code, as ACP writes it.

Every amount in the project is an ``int`` of minor units (cents for ``usd``). Percentages are
basis points, so a rate times an amount is an exact integer product that is rounded once,
half-even, back to the minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Minor-unit exponent per currency (ISO 4217); anything not listed has two decimals.
_EXPONENTS = {"jpy": 0, "krw": 0, "clp": 0, "vnd": 0, "bhd": 3, "kwd": 3, "jod": 3}
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "cny": "¥"}

BPS = 10_000  # basis points in a whole

#: Active ISO 4217 codes (lowercase): a merchant's currency must be one of them.
ISO_4217 = frozenset(
    """aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd btn
    bwp byn bzd cad cdf chf clp cny cop crc cup cve czk djf dkk dop dzd egp ern etb eur fjd fkp
    gbp gel ghs gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr iqd irr isk jmd jod jpy kes kgs
    khr kmf kpw krw kwd kyd kzt lak lbp lkr lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr
    mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf
    sar sbd scr sdg sek sgd shp sle sos srd ssp stn svc syp szl thb tjs tmt tnd top try ttd twd
    tzs uah ugx usd uyu uzs ves vnd vuv wst xaf xcd xof xpf yer zar zmw zwg""".split()  # noqa: SIM905
)


def divide_half_even(numerator: int, denominator: int) -> int:
    """Integer division rounded half to even (banker's rounding), exact for any ints."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def apply_bps(amount: int, bps: int) -> int:
    """``amount`` times ``bps`` basis points, rounded once half-even to the minor unit."""
    return divide_half_even(amount * bps, BPS)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally, exactly (largest remainder, ties first).

    ``allocate(100, [1, 1, 1]) == [34, 33, 33]``; the parts always sum to ``total``.
    """
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    parts, remainders = [], []
    for index, weight in enumerate(weights):
        share, remainder = divmod(total * weight, whole)
        parts.append(share)
        remainders.append((-remainder, index))
    for _, index in sorted(remainders)[: total - sum(parts)]:
        parts[index] += 1
    return parts


def minor_exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (2 for usd, 0 for jpy)."""
    return _EXPONENTS.get(currency.lower(), 2)


def format_money(amount: int, currency: str) -> str:
    """Human form for reports: ``format_money(123456, "usd") == "$1,234.56"``."""
    currency = currency.lower()
    exponent = minor_exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exponent)
    symbol = _SYMBOLS.get(currency, currency.upper() + " ")
    text = f"{whole:,}" + (f".{frac:0{exponent}d}" if exponent else "")
    return f"{sign}{symbol}{text}"


def to_minor(text: str | int, currency: str = "usd") -> int:
    """Parse ``"12.34"`` (or an int of minor units) exactly into minor units."""
    if isinstance(text, int):
        return text
    exponent = minor_exponent(currency)
    raw = text.strip().lstrip("$€£¥")
    negative = raw.startswith("-")
    raw = raw.lstrip("-")
    whole, _, frac = raw.partition(".")
    if len(frac) > exponent or not (whole or frac).isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not an exact {currency} amount: {text!r}")
    value = int(whole or "0") * 10**exponent + int((frac or "0").ljust(exponent, "0") or "0")
    return -value if negative else value
