"""``agent-checkout ledger``: check a run's ledger, query it with SQL, list its tables.

Every subcommand opens the ledger read-only (file access off), so none can change it. Bad input
ends in one line and exit code 2; a ledger that does not balance exits 1.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent_checkout.ledger.query import QueryError, ledger_tables, run_query
from agent_checkout.ledger.verify import verify_ledger

ledger_app = typer.Typer(
    help="Check and query a run's ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

#: Rows a rich table shows before it says how many more there are.
TABLE_ROWS = 1_000


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def ledger_path(run_dir: Path) -> Path:
    """``DIR/ledger.duckdb`` for a run directory (or the file itself); one-line error if absent."""
    path = run_dir / "ledger.duckdb" if run_dir.is_dir() else run_dir
    if not path.exists():
        raise _fail(f"{path}: no ledger here (run `agent-checkout run ... --out DIR` first)")
    return path


RunDir = Annotated[Path, typer.Argument(help="A run's output directory (or its ledger file).")]


@ledger_app.command("verify")
def verify(run_dir: RunDir) -> None:
    """Exit 0 when every order, refund and click balances; otherwise name the first bad one.

    A directory written with --replications holds one ledger per replication: all are checked.
    """
    replications = (
        sorted((run_dir / "replications").glob("*/ledger.duckdb"), key=lambda p: int(p.parent.name))
        if run_dir.is_dir()
        else []
    )
    paths = (
        replications
        if replications and not (run_dir / "ledger.duckdb").exists()
        else [ledger_path(run_dir)]
    )
    for path in paths:
        verdict = verify_ledger(path)
        where = f"{path.parent.name}: " if replications and path in replications else ""
        if not verdict.ok:
            raise _fail(f"{where}{verdict}", code=1)
        console.print(f"{where}{verdict}")


def _json_value(value: object) -> object:
    return value if isinstance(value, int | float | str | bool | None) else str(value)


@ledger_app.command("query")
def query(
    run_dir: RunDir,
    sql: Annotated[str, typer.Argument(help='The SQL to run, e.g. "SELECT * FROM orders".')],
    output: Annotated[
        Format, typer.Option("--format", help="table (rich), csv or json (a list of objects).")
    ] = Format.table,
) -> None:
    """Run read-only SQL on the ledger; `ledger tables` lists what there is to query."""
    path = ledger_path(run_dir)
    try:
        columns, rows = run_query(path, sql)
        if output is Format.csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
        elif output is Format.json:
            records = [dict(zip(columns, map(_json_value, row), strict=True)) for row in rows]
            sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        else:
            _print_table(columns, rows)
    except QueryError as problem:
        raise _fail(f"query failed: {problem}") from None


def _print_table(columns: list[str], rows) -> None:
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    shown = more = 0
    for row in rows:
        if shown < TABLE_ROWS:
            table.add_row(*("NULL" if v is None else str(v) for v in row))
            shown += 1
        else:
            more += 1
    if columns:
        console.print(table)
    note = f"{shown} row{'s' if shown != 1 else ''}"
    if more:
        note += f" shown, {more} more (use --format csv for all)"
    console.print(note, style="dim", highlight=False)


@ledger_app.command("tables")
def tables(run_dir: RunDir) -> None:
    """List the ledger's tables: what each holds, its row count, its columns and types."""
    for info in ledger_tables(ledger_path(run_dir)):
        rows = f"{info.rows:,} row{'' if info.rows == 1 else 's'}"
        console.print(f"[bold]{info.name}[/] ({rows})", highlight=False)
        if info.about:
            console.print(f"  {info.about}", style="dim", highlight=False, soft_wrap=True)
        console.print(
            "  " + ", ".join(f"{name} {kind.lower()}" for name, kind in info.columns),
            highlight=False,
            soft_wrap=True,
        )
