"""Re-pricing whole tables at once: one DuckDB query per fee model instead of a loop.

The per-order pricer (:mod:`agent_checkout.fees.pricing`) stays the definition; this module
writes the same arithmetic in SQL on integers, so its totals equal the loop's to the minor unit:

* an order-level component is ``clamp(half_even(base x rate, 10000) + fixed + per_unit x
  units)``, with ``rate_bps``, or tiers by order value (``whole``: the band the base reaches;
  ``marginal``: each slice at its band's rate), and ``platforms`` as a filter;
* half-even division is written on integers (floor quotient, remainder, ties to even), on
  ``HUGEINT`` so products never overflow; no float touches money;
* a per-line component (category table, per-item minimum) prices each order line: the order's
  discount is split over its lines by largest remainder (ties to the lower ``line_no``) with
  window functions, each line rounds once and meets its item minimum, then the lines sum exactly
  plus ``fixed``, clamped per order, as :func:`pricing._per_line` does;
* refunds: an order's refunds are reversed on the cumulative refunded share, so the pieces of
  one line telescope to ``half_even(refundable x refunded / total)``, the sum the loop adds.

Components that carry state or depend on clicks fall back to the per-order path (the whole run
does, so a run is priced one way): running-volume tiers (state carried from order to order) and
``purchase_attributed`` components (tied to clicks); so do runs with traffic channels and
ledgers with a refund beyond its order's total (which the loop refuses).
``link_clicked`` components are fine here: clicks are priced by the loop over clicks either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import duckdb

from agent_checkout.fees.model import Band, CategoryRate, FeeComponent, FeeModel
from merchants.money import BPS

#: What ``reprice``'s ``engine`` may be: ``auto`` picks ``vectorized`` where the models allow.
ENGINES = ("auto", "per-order", "vectorized")


def half_even(numerator: str, denominator: str) -> str:
    """SQL for ``numerator / denominator`` rounded half to even, exactly, on integers.

    The remainder is taken non-negative, so the quotient is the floor for either sign, as in
    :func:`merchants.money.divide_half_even`; the denominator must be positive.
    """
    q, r = _floor_parts(numerator, denominator)
    d = f"CAST({denominator} AS HUGEINT)"
    return f"({q} + CASE WHEN 2 * {r} > {d} OR (2 * {r} = {d} AND {q} % 2 <> 0) THEN 1 ELSE 0 END)"


def _floor_parts(numerator: str, denominator: str) -> tuple[str, str]:
    """SQL for the floor quotient and the non-negative remainder (as Python's ``divmod``)."""
    n, d = f"CAST({numerator} AS HUGEINT)", f"CAST({denominator} AS HUGEINT)"
    r = f"((({n} % {d}) + {d}) % {d})"
    return f"(({n} - {r}) // {d})", r


def component_fallback(component: FeeComponent) -> str | None:
    """Why ``component`` needs the per-order path, or None if SQL prices it exactly."""
    if component.trigger == "purchase_attributed":
        return "click-attributed components"
    if component.tiers is not None and component.tiers.by == "running_volume":
        return "running-volume tiers"
    return None


def model_fallback(model: FeeModel) -> str | None:
    """Why ``model`` needs the per-order path (its first such component), or None."""
    return next(filter(None, map(component_fallback, model.components)), None)


def _base(component: FeeComponent) -> str:
    items = "(o.items_amount - o.discount_amount)"
    if component.base == "items":
        return items
    if component.base == "items_shipping":
        return f"({items} + o.shipping_amount)"
    return "o.total_amount"


def _numerator(component: FeeComponent, base: str) -> str:
    """SQL for the unrounded ``base x rate``, as :func:`pricing._percentage` has it."""
    tiers = component.tiers
    if tiers is None:
        return f"CAST({base} AS HUGEINT) * {component.rate_bps}"
    bands = tiers.bands
    if tiers.mode == "whole":
        cases = " ".join(
            f"WHEN {base} >= {b.at_least} THEN {b.rate_bps}" for b in reversed(bands[1:])
        )
        rate = f"CASE {cases} ELSE {bands[0].rate_bps} END" if cases else str(bands[0].rate_bps)
        return f"CAST({base} AS HUGEINT) * ({rate})"
    return _marginal(base, bands)


def _marginal(base: str, bands: Sequence[Band], scale: str | None = None) -> str:
    """SQL for :func:`rates.marginal_numerator`: each slice of ``base`` at its band's rate,
    thresholds times ``scale`` (a line's quantity, for per-item bands)."""

    def at(band: Band) -> str:
        return f"{band.at_least} * {scale}" if scale else str(band.at_least)

    slices = []
    for index, band in enumerate(bands):
        high = f"LEAST({base}, {at(bands[index + 1])})" if index + 1 < len(bands) else base
        slices.append(f"GREATEST({high} - {at(band)}, 0) * {band.rate_bps}")
    return f"CAST({' + '.join(slices)} AS HUGEINT)"


#: Each order line's base for a per-line component: its subtotal less its share of the order's
#: discount, split as :func:`rates.split_proportionally` does (floor shares, then one more unit
#: to the largest remainders, ties to the earlier line; everything to the first line when the
#: subtotals sum to zero).
_SHARE, _REMAINDER = _floor_parts("d * subtotal", "weight")
_ITEM_BASES = (
    "item_bases AS MATERIALIZED (SELECT order_id, category, quantity, subtotal - share - "
    "CASE WHEN row_number() OVER (PARTITION BY order_id ORDER BY remainder DESC, line_no) "
    "<= d - SUM(share) OVER (PARTITION BY order_id) THEN 1 ELSE 0 END AS base FROM ("
    f"SELECT *, CASE WHEN weight > 0 THEN {_SHARE} WHEN first THEN d ELSE 0 END AS share, "
    f"CASE WHEN weight > 0 THEN {_REMAINDER} ELSE 0 END AS remainder FROM ("
    "SELECT l.order_id, l.line_no, l.category, l.quantity, l.subtotal, "
    "CAST(o.discount_amount AS HUGEINT) AS d, "
    "SUM(l.subtotal) OVER (PARTITION BY l.order_id) AS weight, "
    "row_number() OVER (PARTITION BY l.order_id ORDER BY l.line_no) = 1 AS first "
    "FROM order_lines l JOIN orders o USING (order_id))))"
)


def _item_fee(component: FeeComponent, entry: CategoryRate | None) -> str:
    """SQL for one order line's fee (in ``item_bases``) at a category's entry (None: none)."""
    rate = component.rate_bps if entry is None or entry.rate_bps is None else entry.rate_bps
    per_unit = component.per_unit if entry is None or entry.per_unit is None else entry.per_unit
    minimum = component.item_minimum
    if entry is not None and entry.item_minimum is not None:
        minimum = entry.item_minimum
    if entry is not None and entry.bands is not None:
        numerator = _marginal("base", entry.bands, scale="quantity")
    else:
        numerator = f"CAST(base AS HUGEINT) * {rate}"
    amount = f"{half_even(numerator, str(BPS))} + {per_unit} * quantity"
    return f"GREATEST({amount}, {minimum} * quantity)" if minimum is not None else amount


def _line_fees(component: FeeComponent) -> str:
    """SQL for every order's summed per-line fees under ``component``: (order_id, fee)."""
    table = component.categories or {}
    cases = " ".join(
        f"WHEN {_quote(category)} THEN {_item_fee(component, entry)}"
        for category, entry in table.items()
    )
    fee = _item_fee(component, None)
    fee = f"CASE category {cases} ELSE {fee} END" if cases else fee
    return f"(SELECT order_id, SUM({fee}) AS fee FROM item_bases GROUP BY order_id)"


def _amount(component: FeeComponent) -> str:
    """SQL for one order's fee line amount under ``component``."""
    if component.per_line:
        amount = f"COALESCE(pl.fee, 0) + {component.fixed}"
    else:
        numerator = _numerator(component, _base(component))
        amount = f"{half_even(numerator, str(BPS))} + {component.fixed}"
    if component.per_unit and not component.per_line:
        amount += f" + {component.per_unit} * COALESCE(u.units, 0)"
    if component.minimum is not None:
        amount = f"GREATEST({amount}, {component.minimum})"
    if component.maximum is not None:
        amount = f"LEAST({amount}, {component.maximum})"
    return amount


def _refundable(component: FeeComponent) -> str:
    """SQL for the part of the line (``amount``) its ``on_refund`` rule gives back in full."""
    if component.on_refund == "keep":
        return "0"
    if component.on_refund == "refund_percentage_keep_fixed":
        fixed = f"({component.fixed} + {component.per_unit} * units)"
        return f"(amount - LEAST(amount, {fixed}))"
    return "amount"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _component_sql(
    model: FeeModel, component: FeeComponent, merchants: Sequence[tuple[str, str]] | None
) -> str:
    """The lines of one component over the orders of ``merchants`` (merchant, platform), or of
    every order (None)."""
    pairs = ", ".join(f"({_quote(m)}, {_quote(p)})" for m, p in merchants or ())
    only = (
        f"JOIN (VALUES {pairs}) AS a(merchant_id, platform) "
        "ON a.merchant_id = o.merchant_id AND a.platform = o.platform"
        if merchants is not None
        else ""
    )
    # units (summed from the order lines, as the per-order path reads them) only where priced
    units = component.per_unit or component.on_refund == "refund_percentage_keep_fixed"
    join = "LEFT JOIN units u USING (order_id)" if units else ""
    if component.per_line:
        join += f" LEFT JOIN {_line_fees(component)} pl USING (order_id)"
    where = ""
    if component.platforms is not None:
        where = f"WHERE o.platform IN ({', '.join(map(_quote, component.platforms)) or 'NULL'})"
    return (
        f"SELECT *, {_refundable(component)} AS refundable FROM ("
        f"SELECT o.order_id, o.total_amount AS total, "
        f"{'COALESCE(u.units, 0)' if units else '0'} AS units, "
        f"{_quote(model.name)} AS model, "
        f"{_quote(component.name)} AS component, "
        f"{_quote(component.payer)} AS payer, {_quote(component.payee)} AS payee, "
        f"{_amount(component)} AS amount "
        f"FROM orders o {join} "
        f"{only} {where})"
    )


_REFUNDED = "refunded AS (SELECT order_id, SUM(amount) AS amount FROM refunds GROUP BY order_id)"
_UNITS = (
    "units AS MATERIALIZED (SELECT order_id, SUM(quantity) AS units FROM order_lines "
    f"GROUP BY order_id), {_REFUNDED}"
)


def _tables(model: FeeModel) -> str:
    """The common table expressions ``model``'s components read (order lines' bases if any
    component is per-line)."""
    per_line = any(c.per_line for c in model.components if c.trigger == "order_completed")
    return f"{_UNITS}, {_ITEM_BASES}" if per_line else _UNITS


#: Fee totals already computed in one re-pricing: (model, its (merchant, platform) pairs) ->
#: totals. Variants share the merchants' own models, so those are priced once for all.
TotalsCache = dict[tuple[int, tuple[tuple[str, str], ...]], Counter[tuple[str, str, str]]]


def fee_totals(
    con: duckdb.DuckDBPyConnection,
    assigned: Mapping[tuple[str, str], Sequence[FeeModel]],
    cache: TotalsCache | None = None,
) -> Counter[tuple[str, str, str]]:
    """Net fees by (model, payer, payee): every order's lines less their refund reversals.

    ``assigned`` gives the models that price the orders of each (merchant, platform). A key is
    present when at least one line was charged, as the loop's totals have it.
    """
    by_model: dict[int, tuple[FeeModel, list[tuple[str, str]]]] = {}
    for pair, models in assigned.items():
        for model in models:
            by_model.setdefault(id(model), (model, []))[1].append(pair)
    cache = {} if cache is None else cache
    totals: Counter[tuple[str, str, str]] = Counter()
    for model, pairs in by_model.values():
        key = (id(model), tuple(pairs))
        if key not in cache:
            everyone = len(set(pairs)) == len(pairs) == len(assigned)  # all orders: no join
            cache[key] = _model_totals(con, model, None if everyone else pairs)
        for line_key, amount in cache[key].items():
            totals[line_key] += amount
    return totals


def _model_totals(
    con: duckdb.DuckDBPyConnection, model: FeeModel, pairs: Sequence[tuple[str, str]] | None
) -> Counter[tuple[str, str, str]]:
    """One model's net fees over the orders of ``pairs`` (None: all), in one query."""
    parts = [
        _component_sql(model, component, pairs)
        for component in model.components
        if component.trigger == "order_completed"
    ]
    totals: Counter[tuple[str, str, str]] = Counter()
    if not parts:
        return totals
    back = half_even("f.refundable * r.amount", "f.total")
    query = (
        f"WITH {_tables(model)}, lines AS ({' UNION ALL '.join(parts)}) "
        f"SELECT f.model, f.payer, f.payee, SUM(f.amount) - COALESCE(SUM("
        f"CASE WHEN f.total > 0 AND r.amount IS NOT NULL THEN {back} ELSE 0 END), 0) "
        f"FROM lines f LEFT JOIN refunded r USING (order_id) GROUP BY ALL"
    )
    for name, payer, payee, amount in con.execute(query).fetchall():
        totals[(name, payer, payee)] += int(amount)
    return totals


def line_amounts(con: duckdb.DuckDBPyConnection, model: FeeModel) -> dict[tuple[str, str], int]:
    """Every order's ``order_completed`` line amounts under ``model``, by (order, component):
    the vectorized lines themselves, for checking against the per-order pricer."""
    pairs = con.execute("SELECT DISTINCT merchant_id, platform FROM orders ORDER BY ALL").fetchall()
    parts = [
        _component_sql(model, component, pairs)
        for component in model.components
        if component.trigger == "order_completed"
    ]
    if not parts or not pairs:
        return {}
    lines = " UNION ALL ".join(parts)
    query = f"WITH {_tables(model)} SELECT order_id, component, amount FROM ({lines})"
    return {(o, c): int(a) for o, c, a in con.execute(query).fetchall()}


def order_totals(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int, int]:
    """Orders, refunds, GMV, tax and merchant net before fees, net of refunds (as the loop).

    Tax returned by refunds telescopes like fee reversals: ``half_even(tax x refunded /
    total)`` per order.
    """
    tax_back = half_even("o.tax_amount * r.amount", "o.total_amount")
    orders, gmv, tax = con.execute(
        "SELECT COUNT(*), COALESCE(SUM(total_amount), 0), COALESCE(SUM(tax_amount), 0) FROM orders"
    ).fetchone()
    refunds, refunded, taxed_back = con.execute(
        f"WITH {_REFUNDED} SELECT (SELECT COUNT(*) FROM refunds JOIN orders USING (order_id)), "
        "COALESCE(SUM(r.amount), 0), "
        f"COALESCE(SUM(CASE WHEN o.total_amount > 0 THEN {tax_back} ELSE 0 END), 0) "
        "FROM orders o JOIN refunded r USING (order_id)"
    ).fetchone()
    gmv, tax, refunded, taxed_back = int(gmv), int(tax), int(refunded), int(taxed_back)
    return (
        orders,
        refunds,
        gmv - refunded,
        tax - taxed_back,
        gmv - tax - (refunded - taxed_back),
    )


def refunds_valid(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every refund is positive and no order is refunded beyond its total.

    Otherwise the per-order path runs, to refuse the ledger with its usual message.
    """
    bad = con.execute(
        "SELECT COUNT(*) FROM refunds WHERE amount <= 0 OR order_id IN (SELECT o.order_id "
        "FROM orders o JOIN refunds r USING (order_id) GROUP BY o.order_id, o.total_amount "
        "HAVING SUM(r.amount) > o.total_amount)"
    ).fetchone()[0]
    return bad == 0


def first_fallback(models: Iterable[FeeModel]) -> str | None:
    """The first reason among ``models`` to use the per-order path, naming the model."""
    for model in models:
        reason = model_fallback(model)
        if reason is not None:
            return f"fee model {model.name} has {reason}"
    return None
