"""Ledger.bulk_load: rows written against an older schema stop short; later columns are NULL."""

from __future__ import annotations

import duckdb

from agent_checkout.ledger import Ledger
from agent_checkout.ledger.store import NULL


def test_rows_that_stop_short_leave_the_later_columns_null(tmp_path):
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="synthetic", seed=1, currency="usd", fee_models=[])
        # The orders columns up to channel, as benchmarks/reprice.py writes them.
        row = ("o1", "", "cs1", "m1", "shopify", "usd", 1000, 0, 499, 80, 1579, 1579, 1)
        ledger.bulk_load("orders", [(*row, "2026-01-01 00:00:00", NULL)])
    with duckdb.connect(str(path), read_only=True) as con:
        got = con.execute(
            "SELECT order_id, total_amount, units, channel, affiliate_provider, protocol,"
            " protocol_version FROM orders"
        ).fetchall()
    assert got == [("o1", 1579, 1, None, None, None, None)]
