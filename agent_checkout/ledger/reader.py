"""Opening a recorded ledger to read it, never to write: for verify, query and re-pricing.

The connection is DuckDB read-only, with file access switched off and locked, so a query can
neither change the ledger nor read or write other files. A ledger written before some table or
column existed gets a temporary stand-in (an empty table, or a view filling the new column as
:attr:`~agent_checkout.ledger.schema.Table.older` says), so every reader sees today's schema.

A run directory holds one ledger, or one per replication (``replications/r/ledger.duckdb``);
:func:`run_ledgers` finds them, and :func:`open_replications` reads several as one: each table
is a view over every replication's rows, with the replication's number first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from agent_checkout.ledger.schema import TABLES, Table

#: Tables every ledger has had since the first release: a file without them is not a ledger.
CORE_TABLES = ("orders", "postings")

_LOCKED = {"enable_external_access": False, "lock_configuration": True}


class NotALedger(ValueError):
    """A path that holds no ledger (or not the replication asked for), said in one line."""


@dataclass(frozen=True, slots=True)
class RunLedgers:
    """The ledger files of one run: one file, or one per replication (``replications`` gives
    their numbers, in order; None for a single run)."""

    files: tuple[Path, ...]
    replications: tuple[int, ...] | None = None

    def __iter__(self):
        numbers = self.replications or (None,) * len(self.files)
        return iter(zip(numbers, self.files, strict=True))

    def open(self) -> duckdb.DuckDBPyConnection:
        """One read-only connection over every file (see :func:`open_replications`)."""
        if self.replications is None:
            return open_read_only(self.files[0])
        return open_replications(list(zip(self.replications, self.files, strict=True)))


def run_ledgers(target: str | Path, replication: int | None = None) -> RunLedgers:
    """The ledgers of a run directory (or a ledger file), or one replication's.

    A directory whose ``summary.json`` says it holds R replications is read as those R
    ledgers; otherwise its ``ledger.duckdb`` is the run's. Raises :class:`NotALedger`.
    """
    target = Path(target)
    if not target.exists():
        raise NotALedger(f"{target}: no such file or directory")
    if target.is_file():
        if replication is not None:
            raise NotALedger(f"--replication {replication}: {target} is one ledger file")
        return RunLedgers((target,))
    count = _replications_in(target)
    if count is None:
        single = target / "ledger.duckdb"
        if not single.is_file():
            raise NotALedger(
                f"{single}: no ledger here (run `agent-checkout run ... --out DIR` first)"
            )
        if replication is not None:
            raise NotALedger(
                f"--replication {replication}: {target} holds a single run, not replications"
            )
        return RunLedgers((single,))
    numbers = tuple(range(count))
    if replication is not None:
        if replication not in numbers:
            raise NotALedger(
                f"--replication {replication}: {target} has replications 0 to {count - 1}"
            )
        numbers = (replication,)
    files = tuple(target / "replications" / str(r) / "ledger.duckdb" for r in numbers)
    for file in files:
        if not file.is_file():
            raise NotALedger(f"{file}: no ledger here (the replicated run is incomplete)")
    return RunLedgers(files, numbers)


def _replications_in(run_dir: Path) -> int | None:
    """How many replications the run in ``run_dir`` has, or None for a single run."""
    try:
        summary = json.loads((run_dir / "summary.json").read_text())
    except (OSError, ValueError):
        summary = None
    if isinstance(summary, dict) and isinstance(summary.get("replications"), int):
        return summary["replications"]
    if summary is None and not (run_dir / "ledger.duckdb").exists():
        found = [p.parent.name for p in (run_dir / "replications").glob("*/ledger.duckdb")]
        numbers = sorted(int(n) for n in found if n.isdigit())
        if numbers and numbers == list(range(len(numbers))):
            return len(numbers)
    return None


def open_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the ledger at ``path`` that sees the current schema.

    Raises :class:`NotALedger` for a missing file, a file DuckDB cannot open, and a database
    without the ledger's tables.
    """
    con = _connect(path, config=_LOCKED)
    try:
        present = _columns(con, con.execute("SELECT current_database()").fetchall()[0][0])
        _require_ledger(path, present)
        _stand_in_for_older_files(con, present)
    except BaseException:
        con.close()
        raise
    return con


def open_replications(ledgers: Sequence[tuple[int, Path]]) -> duckdb.DuckDBPyConnection:
    """One read-only connection over several replications' ledgers.

    The first file is opened read-only and the others attached read-only; then file access is
    switched off and locked, as for one ledger. Every table is a temporary view, the union of
    all replications' rows with ``replication`` (its number) as the first column. Ids repeat
    across replications: join on ``replication`` as well as the id.
    """
    (first_number, first), *others = ledgers
    con = _connect(first, config={})
    try:
        main = con.execute("SELECT current_database()").fetchall()[0][0]
        databases = [(first_number, first, main)]
        for index, (number, path) in enumerate(others, 1):
            alias = f"replication_{index}"
            try:
                con.execute(f"ATTACH '{_sql_text(path)}' AS {alias} (READ_ONLY)")
            except duckdb.Error as problem:
                raise NotALedger(f"{path}: not a ledger ({_what_is_wrong(problem)})") from None
            databases.append((number, path, alias))
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        columns = {}
        for number, path, database in databases:
            columns[number] = _columns(con, database)
            _require_ledger(path, columns[number])
        for table in TABLES:
            parts = [
                f"SELECT {number} AS replication, {_select(table, columns[number].get(table.name))}"
                + (
                    f' FROM "{database}".main.{table.name}'
                    if table.name in columns[number]
                    else " WHERE false"
                )
                for number, _, database in databases
            ]
            con.execute(f"CREATE TEMP VIEW {table.name} AS {' UNION ALL '.join(parts)}")
    except BaseException:
        con.close()
        raise
    return con


def _connect(path: str | Path, config: dict) -> duckdb.DuckDBPyConnection:
    if Path(path).is_dir():
        raise NotALedger(f"{path}: a directory, not a ledger file")
    if not Path(path).is_file():
        raise NotALedger(f"{path}: no such file")
    try:
        return duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as problem:
        raise NotALedger(f"{path}: not a ledger ({_what_is_wrong(problem)})") from None


def _what_is_wrong(problem: duckdb.Error) -> str:
    if "not a valid DuckDB database file" in str(problem):
        return "not a DuckDB database file"
    return _first_line(problem)


def _first_line(problem: Exception) -> str:
    lines = [line.strip() for line in str(problem).splitlines() if line.strip()]
    return lines[0] if lines else type(problem).__name__


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _columns(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, set[str]]:
    """Each table of ``database``'s main schema with its column names."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main'",
        [database],
    ).fetchall():
        present.setdefault(table, set()).add(column)
    return present


def _require_ledger(path: str | Path, present: dict[str, set[str]]) -> None:
    missing = [name for name in CORE_TABLES if name not in present]
    if missing:
        raise NotALedger(
            f"{path}: not a ledger (a DuckDB database without the {' and '.join(missing)} "
            f"table{'s' if len(missing) > 1 else ''})"
        )


def _select(table: Table, columns: set[str] | None) -> str:
    """The table's columns as today's schema has them, from a file that has ``columns`` of it
    (None: not the table at all, so every column is a typed NULL)."""
    if columns is None:
        return ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind, *_ in table.columns)
    return ", ".join(
        name if name in columns else f"{table.older.get(name, 'NULL')} AS {name}"
        for name in table.column_names
    )


def _stand_in_for_older_files(con: duckdb.DuckDBPyConnection, present: dict[str, set[str]]) -> None:
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    for table in TABLES:
        columns = present.get(table.name)
        if columns is None:
            con.execute(table.ddl(temporary=True))
        elif not set(table.column_names) <= columns:
            con.execute(
                f"CREATE TEMP VIEW {table.name} AS SELECT {_select(table, columns)} "
                f'FROM "{database}".main.{table.name}'
            )
