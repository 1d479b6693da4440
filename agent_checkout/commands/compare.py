"""``agent-checkout compare``: fee models side by side on common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from agent_checkout.commands.bad_input import fail, load_or_fail, out_or_fail
from agent_checkout.fees.library import FeeModelError
from agent_checkout.report import figure_rows, interval_text
from agent_checkout.sim.compare import compare_models, variant, write_comparison
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.streams import SEED_MAX

console = Console()

#: Where comparison.json goes without --out; unlike a given --out, its parent is created.
DEFAULT_OUT = Path("runs/compare")


def fee_model_names(text: str, scenario: Scenario) -> list[str]:
    """The comma-separated names of ``--fee-models``, each checked to load and to price the
    scenario's currency before any runs."""
    models = [m.strip() for m in text.split(",")]
    if not any(models):
        raise fail("--fee-models: name at least one fee model")
    if "" in models:
        raise fail(f"--fee-models {text!r}: an empty entry (give names separated by ,)")
    for name in models:
        if models.count(name) > 1:
            raise fail(f"--fee-models: {name!r} is named twice")
        try:
            variant(scenario, name)
        except KeyError as problem:
            raise fail(f"--fee-models: {problem.args[0]}") from None
        except (FileNotFoundError, FeeModelError, ValueError) as problem:
            raise fail(f"--fee-models: {problem}") from None
    return models


def compare(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    fee_models: Annotated[
        str,
        typer.Option(
            "--fee-models", help="Comma-separated AI-platform fee models (names or YAML files)."
        ),
    ],
    replications: Annotated[int, typer.Option(min=1, max=10_000)] = 5,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=SEED_MAX, help="Root seed (default: the scenario's)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256)] = 1,
    pass_through: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Override the scenario's fee pass-through share."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where comparison.json goes (only the last folder of DIR is created).",
            show_default="runs/compare",
        ),
    ] = None,
) -> None:
    """Run every fee model on the same replications; print mean and 95% CI per model."""
    loaded, seed = load_or_fail(scenario, seed)
    models = fee_model_names(fee_models, loaded)
    out = DEFAULT_OUT if out is None else out_or_fail(out)
    if pass_through is not None:
        loaded = loaded.model_copy(
            update={"fees": loaded.fees.model_copy(update={"pass_through": pass_through})}
        )
    with Progress(console=console, transient=True) as bar:
        tasks = {m: bar.add_task(escape(m), total=replications) for m in models}
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
            raise fail(f"--fee-models: {problem.args[0] if problem.args else problem}") from None
    write_comparison(out / "comparison.json", comparison)
    table = Table(
        title=f"{escape(loaded.name)} · {replications} replications · seed {seed} · "
        f"pass-through {loaded.fees.pass_through:g} · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    for model in models:
        table.add_column(model, justify="right")
    for name, label, kind in figure_rows(comparison["figures"][models[0]]):
        table.add_row(
            label,
            *(interval_text(comparison["figures"][m][name], kind, loaded.currency) for m in models),
        )
    console.print(table)
    same = "identical across models" if comparison["demand_identical"] else "differs by model"
    console.print(
        f"demand (sessions, orders, buyer spend) {same} · wrote {out}/comparison.json",
        markup=False,
    )
