"""``agent-checkout compare``: variants of a scenario side by side on common random numbers:
fee models (``--fee-models``), or any field (``--vary agent.ranking=neutral,sponsored``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from agent_checkout.commands.bad_input import SetOption, fail, load_or_fail, out_or_fail
from agent_checkout.commands.sweep_options import (
    AddressOption,
    Backend,
    BackendOption,
    check_backend,
    sweep_failures,
)
from agent_checkout.fees.library import FeeModelError
from agent_checkout.report import FIGURE_FORMATS, converted_label, figure_rows, interval_text
from agent_checkout.sim.compare import (
    VariantError,
    compare_models,
    compare_variants,
    parse_vary,
    variant,
    variants_of,
    write_comparison,
)
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


def scenario_variants(text: str, scenario: Scenario) -> tuple[str, dict[str, Scenario]]:
    """``--vary PATH=V1,V2,...``: the path and every variant, each built and checked before
    any runs."""
    try:
        path, values = parse_vary(text)
        return path, variants_of(scenario, path, values)
    except VariantError as problem:
        raise fail(f"--vary {problem}") from None


#: What a neutrality audit weighs: the platform's and merchants' money against the shopper's.
AUDIT_FIGURES = (
    "ai_platform_revenue",
    "merchant_net",
    "surplus_per_session",
    "best_shown_share",
    "best_first_share",
)


def paired_table(
    comparison: dict, labels: list[str], currency: str, converted: str | None = None
) -> Table:
    """Each variant minus the first, replication by replication: on common random numbers the
    interval of a difference is far narrower than the two figures' own intervals suggest."""
    table = Table(
        title=f"change vs {escape(labels[0])}, paired by replication · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    for label in labels[1:]:
        table.add_column(escape(label), justify="right")
    for name in AUDIT_FIGURES:
        title, kind = FIGURE_FORMATS[name]
        table.add_row(
            converted_label(name, title, converted),
            *(
                interval_text(comparison["difference_vs_first"][v][name], kind, currency)
                for v in labels[1:]
            ),
        )
    return table


def compare(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    fee_models: Annotated[
        str | None,
        typer.Option(
            "--fee-models",
            help="Comma-separated AI-platform fee models (names or YAML files); short for "
            "--vary fees.ai_platform=[A],[B].",
        ),
    ] = None,
    vary: Annotated[
        str | None,
        typer.Option(
            "--vary",
            help="PATH=V1,V2,...: a scenario field (dotted path, e.g. agent.ranking) and its "
            "values (YAML: neutral, 0.5, [a, b], {name: sponsored, params: {...}}).",
        ),
    ] = None,
    replications: Annotated[int, typer.Option(min=1, max=10_000)] = 5,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=SEED_MAX, help="Root seed (default: the scenario's)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256)] = 1,
    backend: BackendOption = Backend.local,
    address: AddressOption = None,
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
    html: Annotated[
        bool, typer.Option("--report", help="Also write DIR/report.html (agent-checkout report).")
    ] = False,
    set_: SetOption = None,
) -> None:
    """Run every variant on the same replications; print mean and 95% CI per variant."""
    if fee_models is None and vary is None:
        raise fail("compare: name what differs: --vary PATH=V1,V2,... or --fee-models A,B")
    if fee_models is not None and vary is not None:
        raise fail("--vary and --fee-models: give one (--fee-models A,B is short for --vary)")
    loaded, seed = load_or_fail(scenario, seed, set_)
    if pass_through is not None:
        loaded = loaded.model_copy(
            update={"fees": loaded.fees.model_copy(update={"pass_through": pass_through})}
        )
    if fee_models is not None:
        flag, path = "--fee-models", "fees.ai_platform"
        labels = fee_model_names(fee_models, loaded)
    else:
        flag = "--vary"
        path, variants = scenario_variants(vary, loaded)
        labels = list(variants)
    out = DEFAULT_OUT if out is None else out_or_fail(out)
    check_backend(backend, address, workers)
    with sweep_failures(), Progress(console=console, transient=True) as bar:
        tasks = {label: bar.add_task(escape(label), total=replications) for label in labels}
        track = {
            "seed": seed,
            "replications": replications,
            "workers": workers,
            "progress": lambda label, done: bar.update(tasks[label], completed=done),
            "backend": backend.value,
            "address": address,
        }
        try:
            if fee_models is not None:
                comparison = compare_models(loaded, labels, **track)
            else:
                comparison = compare_variants(loaded, variants, vary=path, **track)
        except (KeyError, FileNotFoundError, ValueError) as problem:
            raise fail(f"{flag}: {problem.args[0] if problem.args else problem}") from None
    write_comparison(out / "comparison.json", comparison)
    currency = comparison["currency"]
    table = Table(
        title=f"{escape(loaded.name)} · {escape(path)} · {replications} replications · "
        f"seed {seed} · pass-through {comparison['pass_through']:g} · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    for label in labels:
        table.add_column(escape(label), justify="right")
    converted = f"converted to {currency.upper()}" if "converted" in comparison else None
    for name, title, kind in figure_rows(comparison["figures"][labels[0]], converted):
        table.add_row(
            title,
            *(interval_text(comparison["figures"][v][name], kind, currency) for v in labels),
        )
    console.print(table)
    if converted:
        console.print(f"money figures: {comparison['converted']}", markup=False, highlight=False)
    if fee_models is None and len(labels) > 1:
        console.print(paired_table(comparison, labels, currency, converted))
    what = "models" if fee_models is not None else "variants"
    same = f"identical across {what}" if comparison["demand_identical"] else "differs"
    arrivals = "the same" if comparison["arrivals_identical"] else "different"
    console.print(
        f"demand (sessions, orders, buyer spend) {same} · arrivals {arrivals} in every variant "
        f"· wrote {out}/comparison.json",
        markup=False,
    )
    if html:
        from agent_checkout.html_report import write_report
        from agent_checkout.html_report.page import scenario_text

        console.print(f"wrote {write_report(out, scenario_text(loaded))}", markup=False)
