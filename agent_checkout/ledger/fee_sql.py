"""One fee component's line written in SQL, on integers: what :mod:`agent_checkout.fees.pricing`
computes for one order, as an expression over a row of orders (see :mod:`.vectorized`).

Half-even division is written on integers (floor quotient, remainder, ties to even), so no float
touches money. The arithmetic is typed ``BIGINT`` (fast) or ``HUGEINT`` (products of any
recorded amount fit): DuckDB raises on an overflow rather than wrapping, so a query written in
``BIGINT`` either gives the exact answer or fails, and is then run again in ``HUGEINT``.

A row holds ``items`` (items less discount), ``shipping``, ``total``, ``units``, ``placed`` and
``clicked`` (microseconds since the epoch; ``clicked`` is NULL unless the order followed a
click), ``vol_<k>`` (running volume, see :func:`volume_column`) and ``pl_<k>`` (a per-line
component's summed order lines, see :func:`line_fees`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent_checkout.fees.model import Band, CategoryRate, FeeComponent
from merchants.money import BPS

#: Microseconds in a day: attribution windows and volume windows are whole days.
DAY_MICROS = 86_400_000_000


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def volume_column(window_days: int | None) -> str:
    """The column holding each order's running volume over ``window_days`` (None: all)."""
    return "vol_all" if window_days is None else f"vol_{window_days}"


@dataclass(frozen=True, slots=True)
class FeeSql:
    """SQL for fee arithmetic in one integer type, ``width`` (``BIGINT`` or ``HUGEINT``)."""

    width: str = "HUGEINT"

    def cast(self, value: str) -> str:
        return f"CAST({value} AS {self.width})"

    def floor_parts(self, numerator: str, denominator: str) -> tuple[str, str]:
        """SQL for the floor quotient and the non-negative remainder (as Python's ``divmod``)."""
        n, d = self.cast(numerator), self.cast(denominator)
        r = f"((({n} % {d}) + {d}) % {d})"
        return f"(({n} - {r}) // {d})", r

    def half_even(self, numerator: str, denominator: str) -> str:
        """SQL for ``numerator / denominator`` rounded half to even, exactly, on integers.

        Half-even is symmetric in sign, so it rounds ``|numerator|``: quotient ``q`` and
        remainder ``r`` (DuckDB truncates, which is the floor for a non-negative numerator),
        plus one when ``2r`` passes the denominator, or meets it and ``q`` is odd, then gives
        the sign back, as :func:`merchants.money.divide_half_even` does; the denominator must
        be positive. Give a column, not an expression: the numerator is read three times.
        """
        n, d = f"abs({self.cast(numerator)})", self.cast(denominator)
        q = f"({n} // {d})"
        return (
            f"(sign({numerator}) * ({q} + CAST(2 * ({n} % {d}) + ({q} & 1) > {d} AS {self.width})))"
        )

    def marginal(self, base: str, bands: Sequence[Band], scale: str | None = None) -> str:
        """SQL for :func:`rates.marginal_numerator`: each slice of ``base`` at its band's rate,
        thresholds times ``scale`` (a line's quantity, for per-item bands)."""

        def at(band: Band) -> str:
            return f"{band.at_least} * {scale}" if scale else str(band.at_least)

        slices = []
        for index, band in enumerate(bands):
            high = f"LEAST({base}, {at(bands[index + 1])})" if index + 1 < len(bands) else base
            slices.append(f"GREATEST({high} - {at(band)}, 0) * {band.rate_bps}")
        return self.cast(" + ".join(slices))

    def numerator(self, component: FeeComponent) -> str:
        """SQL for the unrounded ``base x rate``, as :func:`pricing._percentage` has it."""
        base = self.cast(_base(component))
        tiers = component.tiers
        if tiers is None:
            return f"{base} * {component.rate_bps}"
        if tiers.mode == "marginal":
            return self.marginal(base, tiers.bands)
        # whole: the band the base (or the running volume before the order) reaches
        value = base if tiers.by == "order_value" else volume_column(tiers.window_days)
        cases = " ".join(
            f"WHEN {value} >= {b.at_least} THEN {b.rate_bps}" for b in reversed(tiers.bands[1:])
        )
        first = tiers.bands[0].rate_bps
        return f"{base} * ({f'CASE {cases} ELSE {first} END' if cases else first})"

    def amount(self, component: FeeComponent, index: int) -> str:
        """SQL for one order's line under ``component`` (the ``index``-th priced), before any
        gate: its percentage (column ``n_<index>``, see :meth:`numerator`) rounded once, fixed
        and per-unit parts added, then clamped."""
        if component.per_line:
            amount = f"COALESCE(pl_{index}, 0) + {component.fixed}"
        else:
            amount = f"{self.half_even(f'n_{index}', str(BPS))} + {component.fixed}"
            if component.per_unit:
                amount += f" + {component.per_unit} * units"
        if component.minimum is not None:
            amount = f"GREATEST({amount}, {component.minimum})"
        if component.maximum is not None:
            amount = f"LEAST({amount}, {component.maximum})"
        return amount

    def returned(self, component: FeeComponent, amount: str) -> str | None:
        """SQL for what the order's refunds return of its line ``amount`` (None: nothing).

        The refunds of one order telescope (each reverses the rounded cumulative share less
        the earlier one), so together they return ``half_even(refundable x refunded / total)``.
        """
        if component.on_refund == "keep":
            return None
        refundable = amount
        if component.on_refund == "refund_percentage_keep_fixed":
            refundable = f"({amount} - LEAST({amount}, {component.fixed} + "
            refundable += f"{component.per_unit} * units))"
        back = self.half_even(f"{refundable} * refunded", "total")
        return f"CASE WHEN refunded IS NOT NULL AND total > 0 THEN {back} ELSE 0 END"

    def item_fee(self, component: FeeComponent, entry: CategoryRate | None) -> str:
        """SQL for one order line's fee (a row of ``item_bases``) at a category's entry (None:
        the component's own figures)."""
        rate = component.rate_bps if entry is None or entry.rate_bps is None else entry.rate_bps
        per_unit = component.per_unit
        if entry is not None and entry.per_unit is not None:
            per_unit = entry.per_unit
        minimum = component.item_minimum
        if entry is not None and entry.item_minimum is not None:
            minimum = entry.item_minimum
        if entry is not None and entry.bands is not None:
            numerator = self.marginal(self.cast("base"), entry.bands, scale="quantity")
        else:
            numerator = f"{self.cast('base')} * {rate}"
        amount = f"{self.half_even(numerator, str(BPS))} + {per_unit} * quantity"
        return f"GREATEST({amount}, {minimum} * quantity)" if minimum is not None else amount

    def line_fee(self, component: FeeComponent) -> str:
        """SQL for an order line's fee under a per-line component, by its category."""
        table = component.categories or {}
        cases = " ".join(
            f"WHEN {quote(category)} THEN {self.item_fee(component, entry)}"
            for category, entry in table.items()
        )
        fee = self.item_fee(component, None)
        return f"CASE category {cases} ELSE {fee} END" if cases else fee

    def item_bases(self, only: str | None = None) -> str:
        """The ``item_bases`` table: each order line's base for a per-line component, its
        subtotal less its share of the order's discount, split as
        :func:`rates.split_proportionally` does (floor shares, then one more unit to the
        largest remainders, ties to the earlier line; all to the first line when the subtotals
        sum to zero). Only discounted orders need the window functions of the split. ``only``:
        a table of the order ids to take (None: every order)."""
        share, remainder = self.floor_parts("d * subtotal", "weight")
        among = f"JOIN {only} USING (order_id) " if only else ""
        split = (
            "SELECT order_id, category, quantity, subtotal - share - CASE WHEN row_number() "
            "OVER (PARTITION BY order_id ORDER BY remainder DESC, line_no) <= d - SUM(share) "
            "OVER (PARTITION BY order_id) THEN 1 ELSE 0 END AS base FROM ("
            f"SELECT *, CASE WHEN weight > 0 THEN {share} WHEN first THEN d ELSE 0 END AS share, "
            f"CASE WHEN weight > 0 THEN {remainder} ELSE 0 END AS remainder FROM ("
            "SELECT *, SUM(subtotal) OVER lines AS weight, line_no = MIN(line_no) OVER lines "
            "AS first FROM order_items WHERE d <> 0 WINDOW lines AS (PARTITION BY order_id)))"
        )
        return (
            "order_items AS MATERIALIZED (SELECT l.order_id, l.line_no, l.category, "
            f"{self.cast('l.quantity')} AS quantity, {self.cast('l.subtotal')} AS subtotal, "
            f"{self.cast('o.discount_amount')} AS d FROM order_lines l JOIN orders o "
            f"USING (order_id) {among}), "
            "item_bases AS (SELECT order_id, category, quantity, subtotal AS base "
            f"FROM order_items WHERE d = 0 UNION ALL {split})"
        )


def _base(component: FeeComponent) -> str:
    if component.base == "items":
        return "items"
    if component.base == "items_shipping":
        return "(items + shipping)"
    return "total"


def gate(component: FeeComponent) -> str:
    """SQL for whether ``component`` charges the row's order: its platforms, and for a
    ``purchase_attributed`` one, a click at most ``attribution_days`` before (TRUE: always)."""
    conditions = []
    if component.platforms is not None:
        conditions.append(f"platform IN ({', '.join(map(quote, component.platforms)) or 'NULL'})")
    if component.attribution_days is not None:
        days = component.attribution_days * DAY_MICROS
        conditions.append(f"clicked IS NOT NULL AND placed <= clicked + {days}")
    return " AND ".join(conditions) or "TRUE"
