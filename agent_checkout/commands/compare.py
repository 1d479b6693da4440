"""``agent-checkout compare``: fee models side by side on common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from agent_checkout.report import FIGURE_FORMATS, interval_text
from agent_checkout.sim.compare import compare_models, write_comparison
from agent_checkout.sim.scenario import ScenarioError, load_scenario

console = Console()
errors = Console(stderr=True)


def compare(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    fee_models: Annotated[
        str,
        typer.Option(
            "--fee-models", help="Comma-separated AI-platform fee models (names or YAML files)."
        ),
    ],
    replications: Annotated[int, typer.Option(min=1, max=10_000)] = 5,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256)] = 1,
    pass_through: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Override the scenario's fee pass-through share."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where comparison.json goes.")] = Path("runs/compare"),
) -> None:
    """Run every fee model on the same replications; print mean and 95% CI per model."""
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        _fail(str(problem))
    models = [m.strip() for m in fee_models.split(",") if m.strip()]
    if not models:
        _fail("--fee-models: name at least one fee model")
    if pass_through is not None:
        loaded = loaded.model_copy(
            update={"fees": loaded.fees.model_copy(update={"pass_through": pass_through})}
        )
    seed = loaded.seed if seed is None else seed
    with Progress(console=console, transient=True) as bar:
        tasks = {m: bar.add_task(m, total=replications) for m in models}
        try:
            comparison = compare_models(
                loaded,
                models,
                seed=seed,
                replications=replications,
                workers=workers,
                progress=lambda m, done: bar.update(tasks[m], completed=done),
            )
        except (KeyError, FileNotFoundError, ValueError) as problem:
            _fail(f"--fee-models: {problem.args[0] if problem.args else problem}")
    write_comparison(out / "comparison.json", comparison)
    table = Table(
        title=f"{loaded.name} · {replications} replications · seed {seed} · "
        f"pass-through {loaded.fees.pass_through:g} · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    for model in models:
        table.add_column(model, justify="right")
    for name, (label, kind) in FIGURE_FORMATS.items():
        table.add_row(
            label,
            *(interval_text(comparison["figures"][m][name], kind, loaded.currency) for m in models),
        )
    console.print(table)
    same = "identical across models" if comparison["demand_identical"] else "differs by model"
    console.print(f"demand (sessions, orders, buyer spend) {same} · wrote {out}/comparison.json")


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)
