"""Opening a recorded ledger to read it, never to write: for verify, query and re-pricing.

The connection is DuckDB read-only, with file access switched off and locked, so a query can
neither change the ledger nor read or write other files. A ledger written before some table or
column existed gets a temporary stand-in (an empty table, or a view filling the new column as
:attr:`~agent_checkout.ledger.schema.Table.older` says), so every reader sees today's schema.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from agent_checkout.ledger.schema import TABLES


def open_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the ledger at ``path`` that sees the current schema."""
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "lock_configuration": True},
    )
    try:
        _stand_in_for_older_files(con)
    except BaseException:
        con.close()
        raise
    return con


def _stand_in_for_older_files(con: duckdb.DuckDBPyConnection) -> None:
    database = con.execute("SELECT current_database()").fetchone()[0]
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall():
        present.setdefault(table, set()).add(column)
    for table in TABLES:
        columns = present.get(table.name)
        if columns is None:
            con.execute(table.ddl(temporary=True))
            continue
        missing = [name for name in table.column_names if name not in columns]
        if not missing:
            continue
        values = ", ".join(
            f"{table.older.get(name, 'NULL')} AS {name}" if name in missing else name
            for name in table.column_names
        )
        con.execute(
            f'CREATE TEMP VIEW {table.name} AS SELECT {values} FROM "{database}".main.{table.name}'
        )
