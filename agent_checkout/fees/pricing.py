"""Where a fee is computed: one component applied to one order (or click) gives one fee line.

This is the only module that rounds. An order-level component rounds its percentage part once;
a per-line component rounds once per order line, then sums the lines exactly. Fixed amounts,
per-unit amounts, minimums and caps are exact integers added or clamped after rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_checkout.fees.context import Click
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.rates import band_rate, marginal_numerator, split_proportionally
from merchants.money import BPS, divide_half_even
from merchants.orders import PlacedOrder

if TYPE_CHECKING:
    from agent_checkout.fees.model import FeeComponent


def order_fee_line(
    model: str, component: FeeComponent, order: PlacedOrder, volume: int = 0
) -> FeeLine:
    """Price ``component`` on ``order``; ``volume`` is the merchant's sales before it."""
    if component.per_line:
        return _per_line(model, component, order)
    base = component.base_amount(order)
    numerator, rate = _percentage(component, base, volume)
    units = order.units
    amount = (
        divide_half_even(numerator, BPS)  # the one rounding of this fee line
        + component.fixed
        + component.per_unit * units
    )
    return _line(model, component, order, base, rate, component.clamp(amount))


def _line(
    model: str, component: FeeComponent, order: PlacedOrder, base: int, rate: int, amount: int
) -> FeeLine:
    """The fee line of ``component`` on ``order``, with everything needed to explain it."""
    return FeeLine(
        model=model,
        component=component.name,
        payer=component.payer,
        payee=component.payee,
        base=component.base,
        base_amount=base,
        rate_bps=rate,
        fixed=component.fixed,
        per_unit=component.per_unit,
        units=order.units,
        amount=amount,
        currency=order.currency,
    )


def _percentage(component: FeeComponent, base: int, volume: int) -> tuple[int, int]:
    """The unrounded ``base x rate`` numerator, and the rate to record on the fee line."""
    tiers = component.tiers
    if tiers is None:
        return base * component.rate_bps, component.rate_bps
    if tiers.by == "running_volume":
        rate = band_rate(volume, tiers.bands)
    elif tiers.mode == "whole":
        rate = band_rate(base, tiers.bands)
    else:
        numerator = marginal_numerator(base, tiers.bands)
        return numerator, _blended(numerator, base, tiers.bands[0].rate_bps)
    return base * rate, rate


def _blended(numerator: int, base: int, fallback: int) -> int:
    return divide_half_even(numerator, base) if base > 0 else fallback


def _per_line(model: str, component: FeeComponent, order: PlacedOrder) -> FeeLine:
    """A category table or per-item minimum: each order line rounds once, then they sum.

    An order-level discount is shared among the lines in proportion to their subtotals (exactly,
    largest remainder), so the line bases add up to the component's ``items`` base.
    """
    shares = split_proportionally(order.discount_amount, [ln.subtotal for ln in order.lines])
    table = component.categories or {}
    total = numerator_sum = base_sum = 0
    rates: set[int | None] = set()
    for line, discount in zip(order.lines, shares, strict=True):
        base = line.subtotal - discount
        entry = table.get(line.category)
        rate = component.rate_bps if entry is None or entry.rate_bps is None else entry.rate_bps
        bands = entry.bands if entry is not None else None
        per_unit = component.per_unit if entry is None or entry.per_unit is None else entry.per_unit
        minimum = (
            component.item_minimum
            if entry is None or entry.item_minimum is None
            else entry.item_minimum
        )
        if bands is not None:
            numerator = marginal_numerator(base, bands, scale=line.quantity)
            rates.add(None)
        else:
            numerator = base * rate
            rates.add(rate)
        amount = divide_half_even(numerator, BPS) + per_unit * line.quantity  # once per line
        if minimum is not None:
            amount = max(amount, minimum * line.quantity)
        total += amount
        numerator_sum += numerator
        base_sum += base
    single = next(iter(rates)) if len(rates) == 1 else None
    rate = single if single is not None else _blended(numerator_sum, base_sum, component.rate_bps)
    return _line(model, component, order, base_sum, rate, component.clamp(total + component.fixed))


def click_fee_line(model: str, component: FeeComponent, click: Click) -> FeeLine:
    """A cost-per-click fee: ``fixed + per_unit`` (a click is one unit of its category)."""
    entry = (component.categories or {}).get(click.product_category)
    per_unit = component.per_unit if entry is None or entry.per_unit is None else entry.per_unit
    return FeeLine(
        model=model,
        component=component.name,
        payer=component.payer,
        payee=component.payee,
        base="click",
        base_amount=0,
        rate_bps=0,
        fixed=component.fixed,
        per_unit=per_unit,
        units=1,
        amount=component.clamp(component.fixed + per_unit),
        currency=click.currency,
    )
