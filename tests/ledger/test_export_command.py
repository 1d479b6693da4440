"""``agent-checkout ledger export``: every table to Parquet or CSV, the same rows as a query."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq

from agent_checkout.ledger.schema import TABLES
from tests.ledger.test_query_command import invoke, run_dir  # noqa: F401 - the fixture

NAMES = sorted(f"{t.name}" for t in TABLES)


def test_parquet_holds_every_table_by_default_in_the_run_dir(run_dir):  # noqa: F811
    result = invoke("export", str(run_dir))
    assert result.exit_code == 0, result.output
    out = run_dir / "export"
    # 1 run, 2 orders of one line each, 6 fee lines, 1 refund of 3 lines, 27 postings
    assert result.output.split() == [
        "wrote",
        "14",
        "parquet",
        "files",
        "(42",
        "rows)",
        "to",
        str(out),
    ]
    assert sorted(p.stem for p in out.iterdir()) == NAMES
    orders = pq.read_table(out / "orders.parquet")
    assert orders.num_rows == 2
    fees = pq.read_table(out / "fee_lines.parquet").column("amount").to_pylist()
    assert fees == [260, 232, 170, 40, 276, 162]  # as test_query_command's payee totals
    assert pq.read_table(out / "refunds.parquet").column("amount").to_pylist() == [1000]


def test_csv_goes_to_out_with_a_header_even_when_empty(run_dir, tmp_path):  # noqa: F811
    out = tmp_path / "sheets"
    result = invoke("export", str(run_dir), "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.csv" for n in NAMES]
    with (out / "refunds.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["order_id"], r["amount"], r["reason"]) for r in rows] == [
        (rows[0]["order_id"], "1000", "damaged")
    ]
    assert (out / "clicks.csv").read_text().startswith('"click_id"')
