"""Ledger invariants, checked by query: a recorded run either balances to the cent or says where.

For every order: its postings sum to zero; what the buyer paid equals merchant net plus every fee
line plus tax; the fee lines equal what was posted to payees. Over the whole ledger, postings sum
to zero per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

_CHECKS = {
    "postings do not sum to zero": """
        SELECT order_id, SUM(amount) AS off FROM postings GROUP BY order_id HAVING off <> 0
    """,
    "buyer paid != merchant net + fees + tax": """
        WITH p AS (
            SELECT order_id,
                   -SUM(amount) FILTER (WHERE account = 'buyer') AS paid,
                   COALESCE(SUM(amount) FILTER (WHERE account = 'merchant'), 0) AS net,
                   COALESCE(SUM(amount) FILTER (WHERE account = 'tax_authority'), 0) AS tax
            FROM postings GROUP BY order_id),
        f AS (SELECT order_id, SUM(amount) AS fees FROM fee_lines GROUP BY order_id)
        SELECT o.order_id, p.paid - (p.net + COALESCE(f.fees, 0) + p.tax) AS off
        FROM orders o JOIN p USING (order_id) LEFT JOIN f USING (order_id)
        WHERE p.paid <> o.buyer_paid OR p.tax <> o.tax_amount
           OR p.paid <> p.net + COALESCE(f.fees, 0) + p.tax
    """,
    "order has no postings": """
        SELECT o.order_id, 0 FROM orders o ANTI JOIN postings p USING (order_id)
    """,
    "total != items - discount + shipping + tax": """
        SELECT order_id, total_amount - (items_amount - discount_amount + shipping_amount
                                         + tax_amount) AS off
        FROM orders WHERE off <> 0
    """,
}

_CURRENCY = "SELECT currency, SUM(amount) AS off FROM postings GROUP BY currency HAVING off <> 0"


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    orders: int
    postings: int
    problem: str | None = None
    order_id: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"ledger balances: {self.orders} orders, {self.postings} postings"
        where = f" (order {self.order_id})" if self.order_id else ""
        return f"ledger does not balance: {self.problem}{where}"


def verify_ledger(path: str | Path) -> Verdict:
    """Check every invariant; the verdict names the first failing order, by order id."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        orders = con.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        postings = con.execute("SELECT COUNT(*) FROM postings").fetchone()[0]
        for problem, sql in _CHECKS.items():
            row = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT 1").fetchone()
            if row is not None:
                return Verdict(False, orders, postings, f"{problem} by {row[1]}", row[0])
        row = con.execute(_CURRENCY).fetchone()
        if row is not None:
            return Verdict(False, orders, postings,
                           f"postings in {row[0]} sum to {row[1]}, not zero")
        return Verdict(True, orders, postings)
    finally:
        con.close()
