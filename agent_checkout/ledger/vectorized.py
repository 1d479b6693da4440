"""Re-pricing whole tables at once: one DuckDB query prices every order under every component.

The per-order pricer (:mod:`agent_checkout.fees.pricing`) stays the definition; this module
writes the same arithmetic in SQL on integers (:mod:`.fee_sql`), so its totals equal the loop's
to the minor unit. One scan of ``orders`` (joined only to the tables a component needs) gives
each order one column per component and sums them by merchant, platform and channel; a second
query does the same for the few refunded orders, with what their refunds return. Which models
price which group is then decided in Python, as the loop decides it order by order. Nothing
joins on text unless a component needs it: refunds, clicks and order lines are joined by
``order_id``, and each merchant's own models are read from ``fee_lines.merchant_id``.

* order-level components: ``clamp(half_even(base x rate, 10000) + fixed + per_unit x units)``,
  with tiers by order value (``whole`` or ``marginal``), ``platforms`` as a filter;
* running-volume tiers: the merchant's sales (items less discount plus shipping) before the
  order, in the order the loop records them (``placed_at``, then as recorded), and after
  ``placed_at - window_days`` (a window function over each merchant's orders);
* ``purchase_attributed`` components: the order's click is the latest of its session at or
  before it (clicks and orders share ``session_id``), and it charges within
  ``attribution_days`` after that click;
* per-line components (category tables, per-item minimums): the order's discount is split over
  its lines by largest remainder (ties to the lower ``line_no``) with window functions over the
  discounted orders' lines, each line rounds once and meets its item minimum, then the lines
  sum exactly plus ``fixed``;
* refunds: an order's refunds are reversed on the cumulative refunded share, so the pieces of
  one line telescope to ``half_even(refundable x refunded / total)``, the sum the loop adds.

``units`` is read from ``orders.units``, which the ledger writes as the sum of the order's line
quantities (the per-order path's ``PlacedOrder.units``; ``ledger verify`` checks it), so no
join with ``order_lines`` is needed unless a component prices lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from agent_checkout.fees.model import FeeComponent, FeeModel
from agent_checkout.ledger.fee_sql import DAY_MICROS, FeeSql, gate, volume_column

#: What ``reprice``'s ``engine`` may be: ``auto`` picks ``vectorized`` where the run allows.
ENGINES = ("auto", "per-order", "vectorized")

#: Integer types tried in turn: BIGINT is several times faster, HUGEINT holds any product.
WIDTHS = ("BIGINT", "HUGEINT")

#: A component as priced: the model it belongs to, and itself.
Priced = tuple[FeeModel, FeeComponent]


def half_even(numerator: str, denominator: str) -> str:
    """SQL for ``numerator / denominator`` rounded half to even, exactly (on HUGEINT)."""
    return FeeSql().half_even(numerator, denominator)


def component_key(model: FeeModel, component: FeeComponent) -> tuple[int, str]:
    """Which column prices ``component`` of ``model`` (models are told apart by identity:
    a user's file may share a built-in's name)."""
    return id(model), component.name


@dataclass
class OrderGroup:
    """The orders of one merchant on one platform through one channel (None: no channels),
    summed: counts and money net of nothing, ``lines`` by :func:`component_key` as
    (sum of line amounts, sum returned by refunds, lines charged)."""

    merchant: str
    platform: str
    channel: str | None
    orders: int
    refunds: int
    total: int
    tax: int
    refunded: int
    tax_back: int
    lines: dict[tuple[int, str], tuple[int, int, int]] = field(default_factory=dict)


def _unique(components: Iterable[Priced]) -> list[Priced]:
    seen: dict[tuple[int, str], Priced] = {}
    for model, component in components:
        if component.trigger != "link_clicked":
            seen.setdefault(component_key(model, component), (model, component))
    return list(seen.values())


def _orders_sql(sql: FeeSql, components: Sequence[Priced], *, refunds: bool, order_id: bool) -> str:
    """``WITH ... lines AS (...)``: one row per order with its facts and, for the ``k``-th
    component, ``a_k``, its line (NULL where it does not charge); with ``refunds``, only the
    refunded orders, with their refunds and ``b_k``, what those return of ``a_k``."""
    tables = []
    joins = []
    columns = [
        "o.merchant_id AS merchant_id",
        "o.platform AS platform",
        "o.channel AS channel",
        f"{sql.cast('o.items_amount - o.discount_amount')} AS items",
        f"{sql.cast('o.shipping_amount')} AS shipping",
        f"{sql.cast('o.total_amount')} AS total",
        f"{sql.cast('o.tax_amount')} AS tax",
        f"{sql.cast('o.units')} AS units",
        "epoch_us(o.placed_at) AS placed",
    ]
    if order_id or refunds:
        columns.insert(0, "o.order_id AS order_id")
    if any(c.attribution_days is not None for _, c in components):
        tables.append(
            "clicks_before AS (SELECT o.order_id, MAX(c.clicked_at) AS clicked_at FROM orders o "
            "JOIN clicks c ON c.session_id = o.session_id AND c.clicked_at <= o.placed_at "
            "GROUP BY o.order_id)"
        )
        joins.append("LEFT JOIN clicks_before cb USING (order_id)")
        columns.append("epoch_us(cb.clicked_at) AS clicked")
    per_line = [(k, c) for k, (_, c) in enumerate(components) if c.per_line]
    if per_line:
        sums = ", ".join(f"SUM({sql.line_fee(c)}) AS pl_{k}" for k, c in per_line)
        tables.append(sql.item_bases("refunded" if refunds else None))
        tables.append(f"line_fees AS (SELECT order_id, {sums} FROM item_bases GROUP BY order_id)")
        joins.append("LEFT JOIN line_fees USING (order_id)")
        columns += [f"pl_{k}" for k, _ in per_line]
    volumes = _volumes(components)
    if refunds:
        tables.insert(
            0,
            "refunded AS (SELECT order_id, "
            f"CAST(SUM(amount) AS {sql.width}) AS refunded, COUNT(*) AS refunds, "
            "MIN(amount) AS smallest FROM refunds GROUP BY order_id)",
        )
        if not volumes:  # the refunded orders only, from the start
            joins.insert(0, "JOIN refunded USING (order_id)")
            columns.append("refunded, refunds, smallest")
    facts = f"SELECT {', '.join(columns + volumes)} FROM orders o {' '.join(joins)}"
    if refunds and volumes:  # volumes count every order, so the refunded are picked after
        facts = f"SELECT * FROM ({facts}) JOIN refunded USING (order_id)"
    numerators = [
        f"{sql.numerator(c)} AS n_{k}" for k, (_, c) in enumerate(components) if not c.per_line
    ]
    amounts = [
        f"CASE WHEN {gate(c)} THEN {sql.amount(c, k)} END AS a_{k}"
        for k, (_, c) in enumerate(components)
    ]
    layers = [f"facts AS ({facts})"]
    layers.append(f"numerators AS (SELECT *{''.join(', ' + n for n in numerators)} FROM facts)")
    layers.append(f"lines AS (SELECT *{''.join(', ' + a for a in amounts)} FROM numerators)")
    if refunds:
        backs = [
            f"{sql.returned(c, f'a_{k}') or '0'} AS b_{k}" for k, (_, c) in enumerate(components)
        ]
        layers.append(f"priced AS (SELECT *{''.join(', ' + b for b in backs)} FROM lines)")
    return f"WITH {', '.join(tables + layers)}"


def _volumes(components: Sequence[Priced]) -> list[str]:
    """Columns of each order's running volume, one per window the components use: the
    merchant's sales recorded before it (earlier in ``placed_at``, then recorded order) less
    those at or before ``placed_at - window_days``."""
    windows = {
        c.tiers.window_days
        for _, c in components
        if c.tiers is not None and c.tiers.by == "running_volume"
    }
    sales = "SUM(o.items_amount - o.discount_amount + o.shipping_amount) OVER"
    before = (
        f"COALESCE({sales} (PARTITION BY o.merchant_id ORDER BY o.placed_at, o.rowid "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    )
    columns = []
    for days in sorted(windows, key=lambda d: -1 if d is None else d):
        volume = before
        if days is not None:
            volume += (
                f" - COALESCE({sales} (PARTITION BY o.merchant_id ORDER BY "
                "epoch_us(o.placed_at) RANGE BETWEEN UNBOUNDED PRECEDING AND "
                f"{days * DAY_MICROS} PRECEDING), 0)"
            )
        columns.append(f"{volume} AS {volume_column(days)}")
    return columns


def _run(con: duckdb.DuckDBPyConnection, build: Callable[[FeeSql], str]) -> list[tuple]:
    """Run the query ``build(sql)`` gives in BIGINT, or in HUGEINT where BIGINT overflows."""
    for width in WIDTHS[:-1]:
        try:
            return con.execute(build(FeeSql(width))).fetchall()
        except (duckdb.OutOfRangeException, duckdb.ConversionException):
            pass
    return con.execute(build(FeeSql(WIDTHS[-1]))).fetchall()


_GROUP = "merchant_id, platform, channel"


def price_groups(
    con: duckdb.DuckDBPyConnection, components: Iterable[Priced]
) -> list[OrderGroup] | None:
    """Every order priced under every component (link_clicked ones aside), summed by
    merchant, platform and channel; None if a refund is not positive or exceeds its order's
    total (the per-order path refuses such a ledger with its message).

    Two queries: every order's lines, then the refunded orders' reversals (a few orders, so
    the first needs no join with refunds).
    """
    priced = _unique(components)

    def charged(sql: FeeSql) -> str:
        sums = "".join(f", SUM(a_{k}), COUNT(a_{k})" for k in range(len(priced)))
        return (
            f"{_orders_sql(sql, priced, refunds=False, order_id=False)} SELECT {_GROUP}, "
            f"COUNT(*), SUM(total), SUM(tax){sums} FROM lines GROUP BY ALL"
        )

    def returned(sql: FeeSql) -> str:
        tax_back = sql.half_even("tax * refunded", "total")
        sums = "".join(
            f", SUM(CASE WHEN a_{k} IS NOT NULL THEN b_{k} ELSE 0 END)" for k in range(len(priced))
        )
        return (
            f"{_orders_sql(sql, priced, refunds=True, order_id=False)} SELECT {_GROUP}, "
            "BOOL_OR(smallest <= 0 OR refunded > total), SUM(refunds), SUM(refunded), "
            f"SUM(CASE WHEN total > 0 THEN {tax_back} ELSE 0 END){sums} FROM priced GROUP BY ALL"
        )

    backs = {tuple(row[:3]): row[3:] for row in _run(con, returned)}
    if any(row[0] for row in backs.values()):
        return None
    groups = []
    for row in _run(con, charged):
        back = backs.get(tuple(row[:3]), (False, 0, 0, 0, *[0] * len(priced)))
        group = OrderGroup(
            *row[:3], row[3], int(back[1]), int(row[4]), int(row[5]), int(back[2]), int(back[3])
        )
        for k, (model, component) in enumerate(priced):
            amount, count = row[6 + 2 * k : 8 + 2 * k]
            if count:
                key = component_key(model, component)
                group.lines[key] = (int(amount), int(back[4 + k]), count)
        groups.append(group)
    return groups


def line_amounts(con: duckdb.DuckDBPyConnection, model: FeeModel) -> dict[tuple[str, str], int]:
    """Every order's lines under ``model`` (``order_completed``, and ``purchase_attributed``
    where the order followed a click in their window), by (order, component): the vectorized
    lines themselves, for checking against the per-order pricer."""
    priced = _unique((model, c) for c in model.components)
    if not priced:
        return {}

    def build(sql: FeeSql) -> str:
        amounts = ", ".join(f"a_{k}" for k in range(len(priced)))
        lines = _orders_sql(sql, priced, refunds=False, order_id=True)
        return f"{lines} SELECT order_id, {amounts} FROM lines"

    return {
        (row[0], component.name): int(amount)
        for row in _run(con, build)
        for (_, component), amount in zip(priced, row[1:], strict=True)
        if amount is not None
    }
