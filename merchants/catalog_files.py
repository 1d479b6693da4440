"""A user's own catalog from a JSON or CSV file, and a generated one saved for editing.

Columns (CSV) or keys (JSON), one product per row or object:

    id, title, category, price, stock      required
    description, brand                     text, default ""
    rating                                 0 to 5, default 0.0 (no rating)
    review_count                           integer >= 0, default 0
    allow_backorder                        JSON true/false; CSV true/false/yes/no/1/0, default false
    attributes                             JSON: an object of names to strings;
                                           CSV: one ``attr_<name>`` column per name, blank = absent

Money is never a float. ``price`` is a decimal amount in the catalog's currency (its merchant
profile's ``currency``; a ``$ € £ ¥`` sign must agree with it), written ``"12.34"``; in JSON an
integer ``price`` is minor units (``1234`` is $12.34), and a float is refused. A CSV cell has no
type, so ``12`` would be ambiguous: a CSV ``price`` must show its decimals (``12.00``), or the
row gives ``price_minor`` (integer minor units) instead. Unknown keys or columns are refused, to
catch typos. Any problem raises :class:`CatalogFileError`, one line naming the file, the row
(1-based as in a spreadsheet: a CSV header is row 1, the first JSON object is row 1) and the
field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from merchants.catalog import Catalog, Product
from merchants.money import minor_exponent, to_minor

FIELDS = (
    "id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "stock",
    "rating",
    "review_count",
    "attributes",
    "allow_backorder",
)
REQUIRED = ("id", "title", "category", "price", "stock")
ATTRIBUTE_PREFIX = "attr_"
_CSV_FIELDS = (*(f for f in FIELDS if f != "attributes"), "price_minor")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}


class CatalogFileError(ValueError):
    """A catalog file that cannot be loaded; the message is one line naming where and why."""

    def __init__(
        self, path: Path | str, problem: str, row: int | None = None, field: str | None = None
    ) -> None:
        where = str(path)
        if row is not None:
            where += f": row {row}"
            if field is not None:
                where += f", field {field}"
        elif field is not None:
            where += f": field {field}"
        super().__init__(f"{where}: {problem}")
        self.path, self.row, self.field, self.problem = str(path), row, field, problem


class _FieldError(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def load_catalog(path: Path | str, currency: str = "usd") -> Catalog:
    """Read a ``.json`` or ``.csv`` catalog; prices are in ``currency``."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".json", ".csv"):
        raise CatalogFileError(path, "unsupported catalog format (use .json or .csv)")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # csv wants newline=""
            text = handle.read()
    except FileNotFoundError:
        raise CatalogFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise CatalogFileError(path, f"cannot read: {problem}") from None
    rows = _json_rows(path, text) if kind == ".json" else _csv_rows(path, text)
    products: list[Product] = []
    first_row: dict[str, int] = {}
    for row, (raw, parse) in rows:
        try:
            product = parse(raw, currency)
        except _FieldError as problem:
            raise CatalogFileError(path, problem.problem, row, problem.field) from None
        if product.id in first_row:
            raise CatalogFileError(
                path,
                f"duplicate id {product.id!r} (first at row {first_row[product.id]})",
                row,
                "id",
            )
        first_row[product.id] = row
        products.append(product)
    if not products:
        raise CatalogFileError(path, "no products")
    return Catalog(products, currency)


def write_catalog_json(catalog: Catalog, path: Path | str) -> None:
    """Save ``catalog`` (current stock, decimal prices) as JSON that :func:`load_catalog` reads.

    Written to a temporary file and renamed, so an existing file is never left half-written.
    """
    path = Path(path)
    rows = [
        {
            "id": p.id,
            "title": p.title,
            "description": p.description,
            "category": p.category,
            "brand": p.brand,
            "price": _decimal(p.price, catalog.currency),
            "stock": p.stock,
            "rating": p.rating,
            "review_count": p.review_count,
            "attributes": dict(p.attributes),
            "allow_backorder": p.allow_backorder,
        }
        for p in catalog
    ]
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- reading the two formats ------------------------------------------------------------------

_Parse = Callable[[Mapping[str, Any], str], Product]


def _json_rows(path: Path, text: str) -> list[tuple[int, tuple[Mapping[str, Any], _Parse]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise CatalogFileError(
            path, f"not valid JSON (line {problem.lineno}, column {problem.colno}: {problem.msg})"
        ) from None
    if not isinstance(data, list):
        raise CatalogFileError(
            path, f"expected a JSON list of product objects, got {_json_type(data)}"
        )
    rows = []
    for row, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise CatalogFileError(path, f"expected an object, got {_json_type(item)}", row)
        rows.append((row, (item, _json_product)))
    return rows


def _csv_rows(path: Path, text: str) -> list[tuple[int, tuple[Mapping[str, Any], _Parse]]]:
    records = csv.reader(io.StringIO(text, newline=""))
    header = next(records, None)
    if not header or not any(cell.strip() for cell in header):
        raise CatalogFileError(path, "empty file, expected a header row")
    header = [cell.strip() for cell in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise CatalogFileError(path, "repeated column", 1, name)
        seen.add(name)
        is_attribute = name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX)
        if name not in _CSV_FIELDS and not is_attribute:
            raise CatalogFileError(
                path,
                f"unknown column (known: {', '.join(_CSV_FIELDS)}, {ATTRIBUTE_PREFIX}<name>)",
                1,
                name or "(blank)",
            )
    for name in REQUIRED:
        if name not in seen and not (name == "price" and "price_minor" in seen):
            raise CatalogFileError(path, "missing column", 1, name)
    rows = []
    for row, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line between rows, as spreadsheets export
        if len(cells) != len(header):
            raise CatalogFileError(
                path, f"{len(cells)} cells but the header has {len(header)} columns", row
            )
        rows.append((row, (dict(zip(header, cells, strict=True)), _csv_product)))
    return rows


def _json_product(raw: Mapping[str, Any], currency: str) -> Product:
    for name in raw:
        if name not in FIELDS:
            raise _FieldError(name, f"unknown field (known: {', '.join(FIELDS)})")
    value = {name: raw.get(name) for name in FIELDS}
    return Product(
        id=_identifier(value["id"]),
        title=_text(value["title"], "title", required=True),
        description=_text(value["description"], "description"),
        category=_text(value["category"], "category", required=True),
        brand=_text(value["brand"], "brand"),
        price=_json_price(value["price"], currency),
        stock=_json_count(value["stock"], "stock", required=True),
        rating=_json_rating(value["rating"]),
        review_count=_json_count(value["review_count"], "review_count"),
        attributes=_json_attributes(value["attributes"]),
        allow_backorder=_json_flag(value["allow_backorder"]),
    )


def _csv_product(raw: Mapping[str, str], currency: str) -> Product:
    cell = {name: raw.get(name, "").strip() for name in _CSV_FIELDS}
    return Product(
        id=_identifier(cell["id"]),
        title=_text(cell["title"], "title", required=True),
        description=raw.get("description", ""),
        category=_text(cell["category"], "category", required=True),
        brand=cell["brand"],
        price=_csv_price(cell["price"], cell["price_minor"], currency),
        stock=_csv_count(cell["stock"], "stock", required=True),
        rating=_csv_rating(cell["rating"]),
        review_count=_csv_count(cell["review_count"], "review_count"),
        attributes={
            name[len(ATTRIBUTE_PREFIX) :]: value.strip()
            for name, value in raw.items()
            if name.startswith(ATTRIBUTE_PREFIX) and value.strip()
        },
        allow_backorder=_csv_flag(cell["allow_backorder"]),
    )


# -- one field at a time -----------------------------------------------------------------------


def _identifier(value: Any) -> str:
    text = _text(value, "id", required=True)
    if any(ch.isspace() for ch in text):
        raise _FieldError("id", f"must not contain spaces: {text!r}")
    return text


def _text(value: Any, field: str, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise _FieldError(field, "missing value")
        return ""
    if not isinstance(value, str):
        raise _FieldError(field, f"expected text, got {_json_type(value)}")
    if required and not value.strip():
        raise _FieldError(field, "missing value")
    return value


def _positive_price(amount: int, field: str) -> int:
    if amount <= 0:
        raise _FieldError(field, f"must be positive, got {amount}")
    return amount


#: Which currencies a price may be marked with a symbol in: "€12.50" is no price of a usd catalog.
_SYMBOL_CURRENCIES = {
    "$": {"usd", "cad", "aud", "nzd", "hkd", "sgd", "mxn"},
    "€": {"eur"},
    "£": {"gbp"},
    "¥": {"jpy", "cny"},
}


def _decimal_price(text: str, field: str, currency: str) -> int:
    symbol = text.strip().lstrip("-")[:1]
    if symbol in _SYMBOL_CURRENCIES and currency.lower() not in _SYMBOL_CURRENCIES[symbol]:
        raise _FieldError(
            field, f"{text!r} is marked {symbol}, but the catalog is in {currency.upper()}"
        )
    try:
        amount = to_minor(text, currency)
    except ValueError:
        raise _FieldError(field, f"not an exact {currency} amount: {text!r}") from None
    return _positive_price(amount, field)


def _json_price(value: Any, currency: str) -> int:
    if value is None:
        raise _FieldError("price", "missing value")
    if isinstance(value, bool | float):
        raise _FieldError(
            "price",
            f'write money as a decimal string like "12.34" or an '
            f"integer of minor units, not {_json_type(value)} {value!r}",
        )
    if isinstance(value, int):
        return _positive_price(value, "price")
    if isinstance(value, str):
        return _decimal_price(value, "price", currency)
    raise _FieldError("price", f"expected a decimal string or an integer, got {_json_type(value)}")


def _csv_price(price: str, price_minor: str, currency: str) -> int:
    if price and price_minor:
        raise _FieldError("price", "give price or price_minor, not both")
    if price_minor:
        return _positive_price(_csv_count(price_minor, "price_minor"), "price_minor")
    if not price:
        raise _FieldError("price", "missing value")
    if minor_exponent(currency) and price.lstrip("-$€£¥").isdigit():
        raise _FieldError(
            "price",
            f"write the decimals ({price}.00) or use price_minor for "
            f"minor units: {price!r} is ambiguous",
        )
    return _decimal_price(price, "price", currency)


def _json_count(value: Any, field: str, required: bool = False) -> int:
    if value is None:
        if required:
            raise _FieldError(field, "missing value")
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(field, f"expected a whole number, got {_json_type(value)} {value!r}")
    if value < 0:
        raise _FieldError(field, f"must not be negative, got {value}")
    return value


def _csv_count(text: str, field: str, required: bool = False) -> int:
    if not text:
        if required:
            raise _FieldError(field, "missing value")
        return 0
    try:
        value = int(text)
    except ValueError:
        raise _FieldError(field, f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise _FieldError(field, f"must not be negative, got {value}")
    return value


def _rating(value: float, shown: Any) -> float:
    if not math.isfinite(value) or not 0.0 <= value <= 5.0:
        raise _FieldError("rating", f"must be between 0 and 5, got {shown!r}")
    return value


def _json_rating(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _FieldError("rating", f"expected a number, got {_json_type(value)} {value!r}")
    return _rating(float(value), value)


def _csv_rating(text: str) -> float:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise _FieldError("rating", f"expected a number, got {text!r}") from None
    return _rating(value, text)


def _json_attributes(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _FieldError("attributes", f"expected an object, got {_json_type(value)}")
    attributes = {}
    for name, item in value.items():
        if not name:
            raise _FieldError("attributes", "attribute names must not be empty")
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise _FieldError(
                f"attributes.{name}", f"expected text or a number, got {_json_type(item)}"
            )
        attributes[name] = str(item)
    return attributes


def _json_flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _FieldError("allow_backorder", f"expected true or false, got {value!r}")
    return value


def _csv_flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _FieldError("allow_backorder", f"expected true or false, got {text!r}")


def _json_type(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _decimal(amount: int, currency: str) -> str:
    """Minor units as an exact decimal string: ``_decimal(1234, "usd") == "12.34"``."""
    exponent = minor_exponent(currency)
    if not exponent:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}"
