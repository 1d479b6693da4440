"""A recorded ledger as Arrow tables, and its tables written out as Parquet or CSV files.

Arrow is the hand-off format of the Python API: ``table.to_pandas()`` or
``polars.from_arrow(table)`` is one call away, and DuckDB queries Arrow tables in place.
Reading goes through the read-only connection of :mod:`agent_checkout.ledger.reader`, so a
replicated run's tables hold every replication's rows, ``replication`` first.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pyarrow as pa

from agent_checkout.ledger.query import Source, open_source
from agent_checkout.ledger.schema import TABLES


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


def ledger_tables_arrow(source: Source) -> dict[str, pa.Table]:
    """Every ledger table of ``source`` (a ledger file, run directory or its ledgers), by name,
    in the schema's order."""
    con = open_source(source)
    try:
        return {t.name: con.sql(f'SELECT * FROM "{t.name}"').to_arrow_table() for t in TABLES}
    finally:
        con.close()


def write_table(table: pa.Table, path: Path, fmt: ExportFormat) -> None:
    """One table to one file; CSV keeps a header row even for an empty table."""
    if fmt is ExportFormat.parquet:
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, path)


def export_tables(tables: dict[str, pa.Table], out: Path, fmt: ExportFormat) -> list[Path]:
    """Write each table to ``out/<name>.<fmt>`` (``out`` is created); the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt.value}"
        write_table(table, path, fmt)
        written.append(path)
    return written
