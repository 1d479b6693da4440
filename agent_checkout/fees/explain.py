"""Fee models in words: rates as percentages, amounts as money, for ``agent-checkout fees show``.

Kept apart from the command so the wording can be tested without a terminal.
"""

from __future__ import annotations

from agent_checkout.fees.model import Band, CategoryRate, FeeComponent, FeeModel
from merchants.money import format_money

_BASES = {
    "items": "items (less discount)",
    "items_shipping": "items + shipping (less discount)",
    "total": "order total (items + shipping + tax)",
}
_REFUNDS = {
    "refund": "returned pro rata to the refunded share of the order total",
    "keep": "kept: nothing is returned",
    "refund_percentage_keep_fixed": (
        "percentage part returned pro rata; fixed and per-unit parts kept"
    ),
}
_TRIGGERS = {
    "order_completed": "every completed order",
    "link_clicked": "each click on a product link",
    "purchase_attributed": "an order within {days} after a click on a link",
}


def format_rate(bps: int) -> str:
    """Basis points as a percentage without floats: 290 -> "2.9%", 225 -> "2.25%"."""
    whole, frac = divmod(bps, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "%"


def format_bands(bands: list[Band], currency: str) -> str:
    return "; ".join(
        f"from {format_money(b.at_least, currency)}: {format_rate(b.rate_bps)}" for b in bands
    )


def price_text(component: FeeComponent, currency: str) -> str:
    """The headline price, e.g. "2.9% + $0.30" or "$0.45 per click"."""
    unit = "click" if component.trigger == "link_clicked" else "unit"
    parts = []
    if component.tiers is not None:
        parts.append("tiered rate")
    elif component.rate_bps or not (component.fixed or component.per_unit):
        parts.append(format_rate(component.rate_bps))
    if component.fixed:
        per = " per click" if component.trigger == "link_clicked" else ""
        parts.append(f"{format_money(component.fixed, currency)}{per}")
    if component.per_unit:
        parts.append(f"{format_money(component.per_unit, currency)} per {unit}")
    text = " + ".join(parts)
    return f"by category, otherwise {text}" if component.categories else text


def _category_text(entry: CategoryRate, currency: str) -> str:
    parts = []
    if entry.rate_bps is not None:
        parts.append(format_rate(entry.rate_bps))
    if entry.bands is not None:
        parts.append("per item: " + format_bands(entry.bands, currency))
    if entry.per_unit is not None:
        parts.append(f"{format_money(entry.per_unit, currency)} per unit")
    if entry.item_minimum is not None:
        parts.append(f"minimum {format_money(entry.item_minimum, currency)} per item")
    return ", ".join(parts)


def _days(days: int | None) -> str:
    return "1 day" if days == 1 else f"{days} days"


def describe_component(component: FeeComponent, currency: str = "usd") -> list[tuple[str, str]]:
    """(label, value) rows explaining one component completely."""
    rows = [
        ("charges", price_text(component, currency)),
        ("when", _TRIGGERS[component.trigger].format(days=_days(component.attribution_days))),
        (
            "paid by",
            component.payer
            + (" (a surcharge on top of the order)" if component.payer == "buyer" else ""),
        ),
        ("paid to", component.payee.replace("_", " ")),
    ]
    if component.trigger != "link_clicked":
        rows.append(("base", _BASES[component.base]))
    if component.platforms is not None:
        rows.append(("applies to", ", ".join(component.platforms) + " merchants only"))
    if component.tiers is not None:
        tiers = component.tiers
        if tiers.by == "running_volume":
            window = f" in the last {tiers.window_days} days" if tiers.window_days else ""
            how = f"by the merchant's sales{window} before this order, one rate for the order"
        else:
            how = (
                "by order value, marginal (each slice at its own rate)"
                if tiers.mode == "marginal"
                else "by order value, whole order at one rate"
            )
        rows.append(("tiers", f"{how}: {format_bands(tiers.bands, currency)}"))
    if component.categories:
        if component.rate_bps or component.trigger != "link_clicked":
            rows.append(("other categories", format_rate(component.rate_bps)))
        for name, entry in component.categories.items():
            rows.append((f"category {name}", _category_text(entry, currency)))
    if component.per_line:
        rows.append(("rounding", "per order line, then summed"))
    if component.item_minimum is not None:
        rows.append(("minimum per item", format_money(component.item_minimum, currency)))
    if component.minimum is not None:
        rows.append(("minimum per order", format_money(component.minimum, currency)))
    if component.maximum is not None:
        rows.append(("maximum per order", format_money(component.maximum, currency)))
    rows.append(("on refund", _REFUNDS[component.on_refund]))
    return rows


def describe_model(model: FeeModel) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each component's name with its rows, in the model's order."""
    currency = model.currency or "usd"
    return [(c.name, describe_component(c, currency)) for c in model.components]


SOURCES_PAGE = "docs/sources.md"
SOURCES_NOTE = (
    f"({SOURCES_PAGE}: the page of public figures and their sources in the agent-checkout "
    "source repository, one row per figure.)"
)


def source_lines(model: FeeModel) -> list[str]:
    """Where the model's figures come from; a citation of the sources page says what that page is,
    since an installed package does not carry ``docs/``."""
    lines = [f"source: {model.source}"]
    if SOURCES_PAGE in model.source:
        lines.append(SOURCES_NOTE)
    return lines
