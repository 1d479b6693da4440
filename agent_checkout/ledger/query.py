"""Read-only SQL on a recorded ledger, and the list of its tables, for ``agent-checkout ledger``.

The connection is the read-only one of :mod:`agent_checkout.ledger.reader`, so a query can
neither change the ledger nor touch other files. A bad query is a :class:`QueryError` whose
message is DuckDB's error, on one line. Given the ledgers of a replicated run
(:class:`~agent_checkout.ledger.reader.RunLedgers`), a query sees every table as the union of
all replications' rows, with a ``replication`` column first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from agent_checkout.ledger.reader import RunLedgers, open_read_only, run_ledgers
from agent_checkout.ledger.schema import BY_NAME


class QueryError(ValueError):
    """A query DuckDB refused: a syntax error, an unknown column, an attempt to write."""


@dataclass(frozen=True, slots=True)
class TableInfo:
    name: str
    about: str
    rows: int
    columns: list[tuple[str, str]]  # (name, type)


def one_line(problem: Exception) -> str:
    """DuckDB's message without its caret drawing: the first line says what is wrong."""
    lines = [line.strip() for line in str(problem).splitlines() if line.strip()]
    return lines[0] if lines else type(problem).__name__


Source = str | Path | RunLedgers
"""A ledger file, a run directory, or the ledgers of a run (one, or one per replication)."""


def open_source(source: Source) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``source``, whatever form it takes."""
    if isinstance(source, RunLedgers):
        return source.open()
    if Path(source).is_dir():
        return run_ledgers(source).open()
    return open_read_only(source)


def run_query(
    source: Source, sql: str, *, batch_size: int = 10_000
) -> tuple[list[str], Iterator[tuple]]:
    """Column names and an iterator of result rows, fetched in batches, of ``sql`` on ``source``.

    The connection stays open while the rows are read and closes when they are exhausted (or
    the iterator is closed). SQL with no statement (empty, or only a comment) is a
    :class:`QueryError`.
    """
    if not sql.strip():
        raise QueryError("no SQL given (for example: SELECT COUNT(*) FROM orders)")
    con = open_source(source)
    try:
        result = con.execute(sql)
    except duckdb.Error as problem:
        con.close()
        raise QueryError(one_line(problem)) from None
    if result is None:
        con.close()
        raise QueryError("no SQL statement given (for example: SELECT COUNT(*) FROM orders)")
    columns = [column[0] for column in result.description or []]

    def rows() -> Iterator[tuple]:
        try:
            if not columns:
                return
            while batch := result.fetchmany(batch_size):
                yield from batch
        except duckdb.Error as problem:
            raise QueryError(one_line(problem)) from None
        finally:
            con.close()

    return columns, rows()


def ledger_tables(source: Source) -> list[TableInfo]:
    """Every table of the ledger with its row count and ``(column, type)`` list (as a reader
    sees it: a stand-in for an older file, the union view of replications, comes first)."""
    con = open_source(source)
    try:
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE NOT internal AND database_name IN ('temp', current_database()) "
            "ORDER BY database_name <> 'temp', table_name, column_index"
        ).fetchall():
            found.setdefault(table, [])
            if column not in dict(found[table]):
                found[table].append((column, data_type))
        known = [name for name in BY_NAME if name in found]
        names = known + sorted(set(found) - set(known))
        return [
            TableInfo(
                name,
                BY_NAME[name].about if name in BY_NAME else "",
                con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0],
                found[name],
            )
            for name in names
        ]
    finally:
        con.close()
