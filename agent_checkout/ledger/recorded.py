"""Reading a recorded run's orders back, as :class:`PlacedOrder` s with their refunds.

Queries stream every order's lines and refunds in ``placed_at`` order (ties in the order they
were recorded), one time slice of about ``slice_size`` orders at a time, fetched in batches: so
DuckDB sorts one slice and Python holds one batch, whatever the run's size. Titles, checkout
ids and buyer emails are not read back: no fee depends on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import duckdb

from merchants.orders import OrderLine, PlacedOrder

_ORDER = (
    "o.order_id, o.merchant_id, o.platform, o.currency, o.items_amount, o.discount_amount, "
    "o.shipping_amount, o.tax_amount, o.total_amount, o.placed_at, o.rowid AS recorded"
)
_STREAM = f"""
SELECT {_ORDER}, 0 AS kind, l.line_no AS n, l.product_id, l.category, l.quantity, l.unit_price,
       l.subtotal, l.tax, NULL AS refund
FROM orders o LEFT JOIN order_lines l USING (order_id) WHERE {{window}}
UNION ALL
SELECT {_ORDER}, 1 AS kind, r.seq AS n, NULL, NULL, NULL, NULL, NULL, NULL, r.amount AS refund
FROM orders o JOIN refunds r USING (order_id) WHERE {{window}}
ORDER BY placed_at, recorded, kind, n
"""
# the first placed_at of every slice_size-th order: slices never split one timestamp
_STARTS = """
SELECT DISTINCT placed_at FROM (
    SELECT placed_at, row_number() OVER (ORDER BY placed_at, rowid) - 1 AS k FROM orders)
WHERE k % ? = 0 ORDER BY placed_at
"""


def _windows(con: duckdb.DuckDBPyConnection, slice_size: int) -> Iterator[tuple[str, list]]:
    """``WHERE`` clauses (with parameters) that cut the orders into time slices, in order."""
    starts = [row[0] for row in con.execute(_STARTS, [slice_size]).fetchall()]
    for index, start in enumerate(starts):
        if index + 1 < len(starts):
            yield "o.placed_at >= ? AND o.placed_at < ?", [start, starts[index + 1]]
        else:
            yield "o.placed_at >= ?", [start]


def recorded_orders(
    con: duckdb.DuckDBPyConnection, batch_size: int = 20_000, slice_size: int = 200_000
) -> Iterator[tuple[PlacedOrder, list[int]]]:
    """Every order, in the order it was placed, with the amounts of its refunds in sequence."""
    for window, parameters in _windows(con, slice_size):
        result = con.execute(_STREAM.format(window=window), parameters * 2)
        head: tuple | None = None
        lines: list[OrderLine] = []
        refunds: list[int] = []
        while batch := result.fetchmany(batch_size):
            for row in batch:
                if head is not None and row[0] != head[0]:
                    yield _order(head, lines), refunds
                    lines, refunds = [], []
                head = row
                if row[11] == 1:
                    refunds.append(row[19])
                elif row[12] is not None:  # an order without lines has one row of NULLs
                    lines.append(OrderLine(row[13], "", *row[14:19]))
        if head is not None:
            yield _order(head, lines), refunds


def _order(row: tuple, lines: list[OrderLine]) -> PlacedOrder:
    return PlacedOrder(
        id=row[0],
        checkout_session_id="",
        merchant_id=row[1],
        platform=row[2],
        currency=row[3],
        lines=tuple(lines),
        items_amount=row[4],
        discount_amount=row[5],
        shipping_amount=row[6],
        tax_amount=row[7],
        total_amount=row[8],
        placed_at=row[9].replace(tzinfo=UTC),
    )
