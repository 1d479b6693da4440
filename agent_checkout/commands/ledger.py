"""``agent-checkout ledger``: check a run's ledger, query it with SQL, list its tables, export them.

Every subcommand opens the ledger read-only (file access off), so none can change it. A run
written with --replications has one ledger per replication: verify checks each, query and
tables see every table as the union of all replications (a ``replication`` column first), and
``--replication k`` picks one. Bad input ends in one line and exit code 2; a ledger that does
not balance exits 1.
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
from rich.table import Table

from agent_checkout.commands.bad_input import OneLineErrors, fail
from agent_checkout.ledger.arrow import ExportFormat, export_tables, ledger_tables_arrow
from agent_checkout.ledger.query import QueryError, ledger_tables, run_query
from agent_checkout.ledger.reader import NotALedger, RunLedgers, run_ledgers
from agent_checkout.ledger.verify import verify_ledger

ledger_app = typer.Typer(
    cls=OneLineErrors,
    help="Check and query a run's ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

#: Rows a rich table shows before it says how many more there are.
TABLE_ROWS = 1_000


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def ledgers_or_fail(run_dir: Path, replication: int | None = None) -> RunLedgers:
    """The run's ledgers (every replication's, or one), or one line saying why there are none."""
    try:
        return run_ledgers(run_dir, replication)
    except NotALedger as problem:
        raise fail(str(problem)) from None


RunDir = Annotated[Path, typer.Argument(help="A run's output directory (or its ledger file).")]
Replication = Annotated[
    int | None,
    typer.Option(
        "--replication",
        min=0,
        help="In a run written with --replications, only replication K (default: all).",
    ),
]


@ledger_app.command("verify")
def verify(run_dir: RunDir, replication: Replication = None) -> None:
    """Exit 0 when every order, refund and click balances; otherwise name the first bad one.

    A directory written with --replications holds one ledger per replication: all are checked.
    """
    ledgers = ledgers_or_fail(run_dir, replication)
    for number, path in ledgers:
        try:
            verdict = verify_ledger(path)
        except NotALedger as problem:
            raise fail(str(problem)) from None
        where = "" if number is None else f"replication {number}: "
        if not verdict.ok:
            raise fail(f"{where}{verdict}", code=1)
        console.print(f"{where}{verdict}", highlight=False, markup=False)
    if ledgers.replications is not None and len(ledgers.files) > 1:
        console.print(f"all {len(ledgers.files)} replications balance", highlight=False)


def _json_value(value: object) -> object:
    return value if isinstance(value, int | float | str | bool | None) else str(value)


@ledger_app.command("query")
def query(
    run_dir: RunDir,
    sql: Annotated[str, typer.Argument(help='The SQL to run, e.g. "SELECT * FROM orders".')],
    output: Annotated[
        Format, typer.Option("--format", help="table (rich), csv or json (a list of objects).")
    ] = Format.table,
    replication: Replication = None,
) -> None:
    """Run read-only SQL on the ledger; `ledger tables` lists what there is to query.

    On a replicated run every table holds all replications' rows, with a `replication`
    column first; ids repeat across replications, so join on replication too.
    """
    ledgers = ledgers_or_fail(run_dir, replication)
    try:
        columns, rows = run_query(ledgers, sql)
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
    except NotALedger as problem:
        raise fail(str(problem)) from None
    except QueryError as problem:
        raise fail(f"query failed: {problem}") from None


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
def tables(run_dir: RunDir, replication: Replication = None) -> None:
    """List the ledger's tables: what each holds, its row count, its columns and types."""
    ledgers = ledgers_or_fail(run_dir, replication)
    try:
        found = ledger_tables(ledgers)
    except NotALedger as problem:
        raise fail(str(problem)) from None
    if ledgers.replications is not None:
        numbers = ledgers.replications
        which = (
            f"replication {numbers[0]}"
            if len(numbers) == 1
            else f"{len(numbers)} replications ({numbers[0]} to {numbers[-1]})"
        )
        console.print(
            f"{which}: every table holds their rows, replication first",
            highlight=False,
            markup=False,
        )
    for info in found:
        rows = f"{info.rows:,} row{'' if info.rows == 1 else 's'}"
        console.print(f"[bold]{info.name}[/] ({rows})", highlight=False)
        if info.about:
            console.print(f"  {info.about}", style="dim", highlight=False, soft_wrap=True)
        console.print(
            "  " + ", ".join(f"{name} {kind.lower()}" for name, kind in info.columns),
            highlight=False,
            soft_wrap=True,
        )


@ledger_app.command("export")
def export(
    run_dir: RunDir,
    output: Annotated[
        ExportFormat, typer.Option("--format", help="parquet or csv: one file per table.")
    ] = ExportFormat.parquet,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the files (created; default: RUN_DIR/export)."),
    ] = None,
    replication: Replication = None,
) -> None:
    """Write every ledger table to OUT/<table>.<format>, for pandas, polars, Spark or a sheet.

    On a replicated run each file holds all replications' rows, `replication` first.
    """
    ledgers = ledgers_or_fail(run_dir, replication)
    target = (
        out if out is not None else (run_dir if run_dir.is_dir() else run_dir.parent) / "export"
    )
    if target.exists() and not target.is_dir():
        raise fail(f"--out {target}: a file, not a folder")
    try:
        tables = ledger_tables_arrow(ledgers)
        written = export_tables(tables, target, output)
    except NotALedger as problem:
        raise fail(str(problem)) from None
    except OSError as problem:
        raise fail(f"--out {target}: {problem.strerror or problem}") from None
    rows = sum(t.num_rows for t in tables.values())
    console.print(
        f"wrote {len(written)} {output.value} files ({rows:,} rows) to {target}",
        highlight=False,
        markup=False,
    )
