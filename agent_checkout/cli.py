"""The ``agent-checkout`` command line.

Bad input (a scenario file, a flag) ends in one line naming what is wrong and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent_checkout.commands.bad_input import (
    OneLineErrors,
    SetOption,
    fail,
    load_or_fail,
    out_or_fail,
)
from agent_checkout.commands.calibrate import calibrate
from agent_checkout.commands.chat import chat
from agent_checkout.commands.compare import compare
from agent_checkout.commands.fees import fees_app
from agent_checkout.commands.ledger import ledger_app
from agent_checkout.commands.report import report
from agent_checkout.commands.reprice import reprice
from agent_checkout.commands.schema import schema
from agent_checkout.commands.serve import serve
from agent_checkout.commands.sweep_options import (
    AddressOption,
    Backend,
    BackendOption,
    check_backend,
    ran_on,
    sweep_failures,
)
from agent_checkout.html_report import write_report
from agent_checkout.html_report.page import scenario_text
from agent_checkout.report import print_replications, print_summary
from agent_checkout.sim.invariants import broken_invariants
from agent_checkout.sim.realism import conversion_remark
from agent_checkout.sim.replications import run_replicated
from agent_checkout.sim.run import engine_problem, run_scenario, untraceable
from agent_checkout.sim.scenario import Scenario, builtin_scenarios, load_scenario
from agent_checkout.sim.streams import SEED_MAX

app = typer.Typer(
    cls=OneLineErrors,
    help="Simulate AI shopping agents buying through ACP checkout, and measure who earns what.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()


def progress_bar(unit: str) -> Progress:
    """The bar a long command shows while it works: name, bar, done of total ``unit``, time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


#: Where a run goes without --out; unlike a given --out, its parent is created if missing.
DEFAULT_OUT = Path("runs/latest")


Seed = Annotated[
    int | None,
    typer.Option(min=0, max=SEED_MAX, help="Root seed, 0 to 2**63-1 (default: the scenario's)."),
]


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    seed: Seed = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where summary.json and ledger.duckdb go; they replace an earlier run's files "
            "there once this run has succeeded. Only the last folder of DIR is created.",
            show_default="runs/latest",
        ),
    ] = None,
    trace: Annotated[
        list[int] | None,
        typer.Option(
            help="Trace session N's merchant calls to DIR/trace-sNNNNNNN.jsonl (repeatable)."
        ),
    ] = None,
    replications: Annotated[
        int,
        typer.Option(
            min=1, max=10_000, help="Independent replications, with seeds derived from --seed."
        ),
    ] = 1,
    workers: Annotated[
        int, typer.Option(min=1, max=256, help="Processes running replications in parallel.")
    ] = 1,
    html: Annotated[
        bool, typer.Option("--report", help="Also write DIR/report.html (agent-checkout report).")
    ] = False,
    backend: BackendOption = Backend.local,
    address: AddressOption = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 1 (after writing the run) on unhandled errors, oversells or an "
            "unbalanced ledger, one line each.",
        ),
    ] = False,
    set_: SetOption = None,
    engine: Annotated[
        str,
        typer.Option(
            help="What walks the agent's graph: langgraph, fast (its nodes and edges called "
            "directly, same results) or auto (fast unless the run needs LangGraph).",
        ),
    ] = "auto",
) -> None:
    """Run a scenario and write DIR/summary.json and DIR/ledger.duckdb.

    With --replications R the summary pools all replications and adds means and 95%
    intervals under ci95; each replication's files go to DIR/replications/r/. They run on
    --workers processes, or on Ray with --backend ray (results identical).
    """
    loaded, seed = load_or_fail(scenario, seed, set_)
    out = DEFAULT_OUT if out is None else out_or_fail(out)
    trace = list(dict.fromkeys(trace or []))
    if trace and replications > 1:
        raise fail("--trace works on a single replication; drop --replications")
    if bad := untraceable(loaded, trace):
        sessions = loaded.arrivals.sessions
        raise fail(
            f"--trace {bad[0]}: {loaded.name} has sessions 0 to {sessions - 1}"
            if bad[0] >= 0
            else f"--trace {bad[0]}: sessions are numbered from 0"
        )
    if replications == 1 and (backend is Backend.ray or address is not None):
        raise fail("--backend ray runs replications: give --replications 2 or more")
    check_backend(backend, address, workers)
    if problem := engine_problem(loaded, engine):
        raise fail(f"--{problem}")
    started = time.perf_counter()
    if replications > 1:
        with sweep_failures(), progress_bar("replications") as bar:
            task = bar.add_task(escape(loaded.name), total=replications)
            summary = run_replicated(
                loaded,
                seed=seed,
                replications=replications,
                workers=workers,
                out=out,
                progress=lambda done: bar.update(task, completed=done),
                backend=backend.value,
                address=address,
                engine=engine,
            )
        elapsed = time.perf_counter() - started
        print_replications(summary, console)
        _remark(summary, loaded)
        console.print(
            f"{summary['sessions'] / elapsed:,.0f} sessions/s in {elapsed:.1f} s "
            f"(wall clock, {ran_on(backend, workers)}) · wrote "
            f"{out}/summary.json and {out}/replications/",
            highlight=False,
            markup=False,
        )
        _write_report(out, loaded, html)
        _check(summary, out, check)
        return
    total = loaded.arrivals.sessions  # None when the run is bounded by duration only
    with progress_bar("sessions") as bar:
        task = bar.add_task(escape(loaded.name), total=total)
        step = max(1, (total or 20_000) // 200)

        def advance(done: int) -> None:
            if done % step == 0 or done == total:
                bar.update(task, completed=done)

        result = run_scenario(
            loaded, seed=seed, out=out, progress=advance, trace=trace, engine=engine
        )
    elapsed = time.perf_counter() - started
    print_summary(result.summary, console)
    _remark(result.summary, loaded)
    console.print(
        f"{result.summary['sessions'] / elapsed:,.0f} sessions/s in {elapsed:.1f} s "
        f"(wall clock) · wrote {out}/summary.json and {out}/ledger.duckdb",
        highlight=False,
        markup=False,
    )
    _write_report(out, loaded, html)
    if result.untraced:
        sessions = result.summary["sessions"]
        raise fail(
            f"--trace {result.untraced[0]}: the run had {sessions} sessions (0 to "
            f"{sessions - 1}); no trace written for it"
        )
    _check(result.summary, out, check)


def _check(summary: dict, out: Path, check: bool) -> None:
    """With ``--check``, name each broken invariant on a line of its own and exit 1."""
    problems = broken_invariants(summary, out) if check else []
    for problem in problems:
        console.print(
            f"check failed: {problem}", style="red", highlight=False, markup=False, soft_wrap=True
        )
    if problems:
        raise typer.Exit(1)


def _write_report(out: Path, scenario: Scenario, wanted: bool) -> None:
    """``--report``: the run as DIR/report.html, with the scenario that produced it."""
    if wanted:
        path = write_report(out, scenario_text(scenario))
        console.print(f"wrote {path}", highlight=False, markup=False)


def _remark(summary: dict, scenario: Scenario) -> None:
    """Say so when the run converts like no real shop (agent_checkout.sim.realism)."""
    remark = conversion_remark(summary["conversion_rate"], scenario.conversion_note)
    if remark:
        console.print(remark, style="yellow", highlight=False, markup=False, soft_wrap=True)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios, with what each one is for."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("what it is", overflow="fold")
    for name in builtin_scenarios():
        description = " ".join(load_scenario(name).description.split())
        table.add_row(name, description)
    console.print(table)


# The other commands, each in its own module, in the order a newcomer meets them.
app.command()(compare)
app.command()(reprice)
app.command()(report)
app.add_typer(ledger_app, name="ledger")
app.add_typer(fees_app, name="fees")
app.command()(serve)
app.command()(chat)
app.command()(calibrate)
app.command()(schema)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
