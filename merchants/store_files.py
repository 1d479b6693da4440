"""A store's own files: what a UCP merchant needs beside its catalog, from CSV files in one folder.

A profile's ``store:`` names the folder. Each file is optional except ``products.csv``; one row
per record, a header naming the columns, unknown columns refused (to catch typos):

    products.csv             the catalog, in :mod:`merchants.catalog_files`' columns
                             (id, title, category, price, stock, ... attr_<name>)
    discounts.csv            code, kind (percentage | fixed_amount), percent, amount, title
    promotions.csv           id, kind (free_shipping), min_subtotal, product_ids, title
    shipping_rates.csv       id, country (ISO 3166 code, or ``default``), service_level, price,
                             title, min_days, max_days
    customers.csv            id, name, email
    addresses.csv            id, customer_id, street_address, city, region, postal_code, country
    payment_instruments.csv  id, type, brand, last_digits, token, handler_id,
                             outcome (approve | decline; default approve)

Money is a decimal amount in the profile's currency that shows its decimals (``5.00``: ``5``
could mean 5 cents), as in the catalog; ``percent``
is a number of percent (``12.5``), kept as basis points. ``product_ids`` is a space-separated
list. A ``default`` shipping rate applies to every country without its own rate of that service
level. Any problem raises :class:`merchants.catalog_files.CatalogFileError`: one line naming the
file, the row (the header is row 1) and the field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from merchants.catalog import Catalog
from merchants.catalog_files import CatalogFileError, load_catalog
from merchants.money import BPS, apply_bps, minor_exponent, to_minor


@dataclass(frozen=True, slots=True)
class DiscountCode:
    """A code a buyer may submit; codes apply one after another, each to what is left."""

    code: str
    kind: str  # percentage | fixed_amount
    percent_bps: int = 0
    amount: int = 0
    title: str = ""

    def saving(self, left: int) -> int:
        """What it takes off ``left`` minor units: a percentage rounds half-even, once."""
        if self.kind == "percentage":
            return apply_bps(left, self.percent_bps)
        return min(self.amount, left)


@dataclass(frozen=True, slots=True)
class ShippingPromotion:
    """Free shipping on the standard service level, from ``min_subtotal`` or for some products."""

    id: str
    kind: str  # free_shipping
    min_subtotal: int | None = None
    product_ids: tuple[str, ...] = ()
    title: str = ""

    def applies(self, subtotal: int, product_ids: set[str]) -> bool:
        if self.min_subtotal is not None and subtotal >= self.min_subtotal:
            return True
        return bool(product_ids & set(self.product_ids))


@dataclass(frozen=True, slots=True)
class StoreShippingRate:
    """A shipping rate for one destination country (``default``: any other) and service level."""

    id: str
    country: str
    service_level: str
    price: int
    title: str
    min_days: int | None = None
    max_days: int | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class SavedAddress:
    id: str
    customer_id: str
    street_address: str
    city: str
    region: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class PaymentInstrument:
    """A saved instrument and what the mock handler answers for its token."""

    id: str
    type: str
    brand: str
    last_digits: str
    token: str
    handler_id: str
    outcome: str = "approve"  # approve | decline


@dataclass(slots=True)
class StoreData:
    """Everything a store's files hold beside the catalog; empty lists when a file is absent."""

    catalog: Catalog | None = None
    discounts: list[DiscountCode] = field(default_factory=list)
    promotions: list[ShippingPromotion] = field(default_factory=list)
    shipping_rates: list[StoreShippingRate] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    addresses: list[SavedAddress] = field(default_factory=list)
    instruments: list[PaymentInstrument] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


Row = Mapping[str, str]


def load_store(folder: Path | str, currency: str = "usd") -> StoreData:
    """Read a store folder; ``products.csv`` is required, the other files are optional."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogFileError(folder, "no such store folder")
    products = folder / "products.csv"
    if not products.exists():
        raise CatalogFileError(products, "no such file (a store folder needs its products.csv)")
    data = StoreData(catalog=load_catalog(products, currency))
    data.discounts = _read(folder / "discounts.csv", _DISCOUNT, lambda r: _discount(r, currency))
    data.promotions = _read(folder / "promotions.csv", _PROMOTION, lambda r: _promo(r, currency))
    data.shipping_rates = _read(folder / "shipping_rates.csv", _RATE, lambda r: _rate(r, currency))
    data.customers = _read(folder / "customers.csv", _CUSTOMER, _customer)
    data.addresses = _read(folder / "addresses.csv", _ADDRESS, _address)
    data.instruments = _read(folder / "payment_instruments.csv", _INSTRUMENT, _instrument)
    _check_references(folder, data)
    return data


# -- columns: (required, optional) ------------------------------------------------------------

_DISCOUNT = (("code", "kind"), ("percent", "amount", "title"))
_PROMOTION = (("id", "kind"), ("min_subtotal", "product_ids", "title"))
_RATE = (("id", "country", "service_level", "price", "title"), ("min_days", "max_days"))
_CUSTOMER = (("id", "email"), ("name",))
_ADDRESS = (("id", "customer_id", "country"), ("street_address", "city", "region", "postal_code"))
_INSTRUMENT = (("id", "type", "token", "handler_id"), ("brand", "last_digits", "outcome"))


def _read(path: Path, columns: tuple[tuple[str, ...], tuple[str, ...]], parse: Callable):
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise CatalogFileError(path, f"cannot read: {problem}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    required, optional = columns
    for name in header:
        if name not in required and name not in optional:
            raise CatalogFileError(
                path, f"unknown column (known: {', '.join(required + optional)})", 1, name
            )
    for name in required:
        if name not in header:
            raise CatalogFileError(path, "missing column", 1, name)
    records, seen = [], set()
    for index, raw in enumerate(reader, start=2):
        if None in raw:
            raise CatalogFileError(path, "more cells than columns", index)
        row = {k: (v or "").strip() for k, v in raw.items()}
        try:
            for name in required:
                if not row[name]:
                    raise _Bad(name, "is required")
            record = parse(row)
        except _Bad as bad:
            raise CatalogFileError(path, bad.problem, index, bad.field) from None
        key = row[required[0]]
        if key.upper() in seen:
            raise CatalogFileError(path, f"duplicate {required[0]} {key!r}", index, required[0])
        seen.add(key.upper())
        records.append(record)
    return records


def _money(row: Row, name: str, currency: str) -> int:
    """A decimal amount that shows its decimals: ``5`` could be $5 or 5 cents, so ``5.00``."""
    text = row.get(name, "")
    if minor_exponent(currency) and "." not in text:
        raise _Bad(
            name, f"{text!r} must show its decimals ({text}.00 for {text} {currency.upper()})"
        )
    try:
        amount = to_minor(text, currency)
    except (ValueError, TypeError) as problem:
        raise _Bad(name, f"{text!r} is not an amount ({problem})") from None
    if amount < 0:
        raise _Bad(name, f"{text!r} is negative")
    return amount


def _whole(row: Row, name: str) -> int | None:
    text = row.get(name, "")
    if not text:
        return None
    if not text.isdigit():
        raise _Bad(name, f"{text!r} is not a whole number of days")
    return int(text)


def _choice(row: Row, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = row.get(name, "") or default or ""
    if value not in allowed:
        raise _Bad(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _discount(row: Row, currency: str) -> DiscountCode:
    kind = _choice(row, "kind", ("percentage", "fixed_amount"))
    if kind == "percentage":
        text = row.get("percent", "")
        try:
            bps = Decimal(text) * (BPS // 100)
        except InvalidOperation:
            raise _Bad("percent", f"{text!r} is not a number of percent") from None
        if bps != bps.to_integral_value() or not 0 < bps <= BPS:
            raise _Bad("percent", f"{text!r} must be above 0 and at most 100, to 0.01")
        if row.get("amount"):
            raise _Bad("amount", "does not apply to a percentage discount")
        return DiscountCode(row["code"], kind, percent_bps=int(bps), title=row.get("title", ""))
    if row.get("percent"):
        raise _Bad("percent", "does not apply to a fixed_amount discount")
    if not row.get("amount"):
        raise _Bad("amount", "is required for a fixed_amount discount")
    amount = _money(row, "amount", currency)
    if amount == 0:
        raise _Bad("amount", "must be above 0")
    return DiscountCode(row["code"], kind, amount=amount, title=row.get("title", ""))


def _promo(row: Row, currency: str) -> ShippingPromotion:
    _choice(row, "kind", ("free_shipping",))
    minimum = _money(row, "min_subtotal", currency) if row.get("min_subtotal") else None
    products = tuple(row.get("product_ids", "").split())
    if minimum is None and not products:
        raise _Bad("min_subtotal", "give min_subtotal or product_ids (or both)")
    return ShippingPromotion(row["id"], "free_shipping", minimum, products, row.get("title", ""))


def _rate(row: Row, currency: str) -> StoreShippingRate:
    country = row["country"]
    if country != "default" and not (len(country) == 2 and country.isalpha()):
        raise _Bad("country", f"{country!r} is not an ISO 3166 country code or 'default'")
    low, high = _whole(row, "min_days"), _whole(row, "max_days")
    if low is not None and high is not None and low > high:
        raise _Bad("max_days", f"{high} is below min_days {low}")
    return StoreShippingRate(
        row["id"],
        country.upper() if country != "default" else country,
        row["service_level"],
        _money(row, "price", currency),
        row["title"],
        low,
        high,
    )


def _customer(row: Row) -> Customer:
    if "@" not in row["email"]:
        raise _Bad("email", f"{row['email']!r} is not an email address")
    return Customer(row["id"], row.get("name", ""), row["email"])


def _address(row: Row) -> SavedAddress:
    country = row["country"]
    if not (len(country) == 2 and country.isalpha()):
        raise _Bad("country", f"{country!r} is not an ISO 3166 country code")
    return SavedAddress(
        row["id"],
        row["customer_id"],
        row.get("street_address", ""),
        row.get("city", ""),
        row.get("region", ""),
        row.get("postal_code", ""),
        country.upper(),
    )


def _instrument(row: Row) -> PaymentInstrument:
    return PaymentInstrument(
        row["id"],
        row["type"],
        row.get("brand", ""),
        row.get("last_digits", ""),
        row["token"],
        row["handler_id"],
        _choice(row, "outcome", ("approve", "decline"), "approve"),
    )


def _check_references(folder: Path, data: StoreData) -> None:
    """Rows that name another file's record must name one that exists."""
    customers = {c.id for c in data.customers}
    for index, address in enumerate(data.addresses, start=2):
        if address.customer_id not in customers:
            raise CatalogFileError(
                folder / "addresses.csv",
                f"no customer {address.customer_id!r} in customers.csv",
                index,
                "customer_id",
            )
    products = {p.id for p in data.catalog} if data.catalog is not None else set()
    for index, promotion in enumerate(data.promotions, start=2):
        for product_id in promotion.product_ids:
            if product_id not in products:
                raise CatalogFileError(
                    folder / "promotions.csv",
                    f"no product {product_id!r} in products.csv",
                    index,
                    "product_ids",
                )
