"""Numbers on the report page: each shown in human form and tagged with where it came from."""

from __future__ import annotations

import json
from html import escape

from merchants.money import format_money

#: The separator of a data-key's parts (summary keys such as ``juniper.search`` hold dots).
SEP = "/"


def key(*parts: object) -> str:
    """The data-key of a value: its path in summary.json (or comparison.json), ``/``-joined."""
    return SEP.join(str(p) for p in parts)


def lookup(document: dict, data_key: str) -> object:
    """The value ``data_key`` points at in ``document``; list items by index."""
    value: object = document
    for part in data_key.split(SEP):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def shown(value: float, kind: str, currency: str) -> str:
    """``value`` as a reader expects it: money with its symbol, shares as percentages."""
    if kind == "money":
        # comparison means are fractional minor units; rounded for display only
        return format_money(round(value), currency)
    if kind == "percent":
        return f"{value:.2%}"
    if kind == "decimal":
        return f"{value:,.2f}"
    if kind == "ms":
        return f"{value:,.1f} ms"
    if kind == "seconds":
        return f"{value:,.2f} s"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def number(data_key: str, value: float, kind: str = "count", currency: str = "usd") -> str:
    """A ``<span>`` showing ``value`` with ``data-key`` and the exact ``data-value``."""
    return (
        f'<span class="num" data-key="{escape(data_key)}" '
        f'data-value="{escape(json.dumps(value))}">{escape(shown(value, kind, currency))}</span>'
    )


def label(name: str) -> str:
    """A summary key as words: ``payment_processor`` -> ``payment processor``."""
    return name.replace("_", " ")
