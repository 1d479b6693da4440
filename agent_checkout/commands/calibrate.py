"""``agent-checkout calibrate``: fit a scenario's shoppers to target funnel figures."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agent_checkout.commands.bad_input import fail
from agent_checkout.commands.calibrate_channels import print_progress, run_channel_fit
from agent_checkout.sim.calibrate import Fit, parse_seeds
from agent_checkout.sim.calibrate import calibrate as fit
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.streams import SEED_MAX
from merchants.money import format_money

console = Console()


def calibrate(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    conversion: Annotated[
        float | None,
        typer.Option(min=0.0001, max=1.0, help="Target orders per session [default: 0.02]."),
    ] = None,
    abandonment: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=0.999, help="Target share of started checkouts not paid [default: 0.7]."
        ),
    ] = None,
    channels: Annotated[
        bool,
        typer.Option(
            "--channels",
            help="Fit each channel's intent mix and in-chat acceptance to per-channel targets.",
        ),
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(help="With --channels: one channel's target, e.g. ai_link_out=0.012."),
    ] = None,
    sessions: Annotated[
        int | None,
        typer.Option(min=100, help="Sessions per trial run (default: the scenario's own)."),
    ] = None,
    iterations: Annotated[int, typer.Option(min=1, max=20)] = 7,
    seeds: Annotated[
        str,
        typer.Option(help="Seeds every trial runs, e.g. 1-5 or 1,2,7; the fit is to their mean."),
    ] = "1-5",
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=SEED_MAX, help="Fit at this one seed only (instead of --seeds)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes running a trial's seeds.")] = 1,
) -> None:
    """Bisect checkout_acceptance to the target abandonment, then outside_utility to the target
    conversion, on the mean of several seeds; print each seed's figures and the shopper
    settings to put in the scenario. With --channels, fit every channel to its own target
    conversion instead and print the channels section to put in the scenario."""
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    try:
        chosen = [seed] if seed is not None else parse_seeds(seeds)
    except ValueError as problem:
        raise fail(f"--seeds: {problem}") from None
    if sessions is None and loaded.arrivals.sessions is None:
        raise fail(f"--sessions: {loaded.name} sets a duration, not a session count: give one")
    if channels:
        for flag, value in (("--conversion", conversion), ("--abandonment", abandonment)):
            if value is not None:
                raise fail(f"{flag}: with --channels, give per-channel targets with --target")
        run_channel_fit(loaded, target or [], chosen, sessions, iterations, workers)
        return
    if target:
        raise fail("--target: per-channel targets need --channels")
    result = fit(
        loaded,
        conversion=0.02 if conversion is None else conversion,
        abandonment=0.70 if abandonment is None else abandonment,
        seeds=chosen,
        sessions=sessions,
        iterations=iterations,
        workers=workers,
        progress=print_progress,
    )
    console.print(seed_table(result, loaded.currency))
    console.print(
        f"fitted in {result.runs} trials of {len(chosen)} seed(s): mean conversion "
        f"{result.conversion_rate:.2%}, abandonment {result.checkout_abandonment:.1%}, "
        f"AOV {format_money(result.aov, loaded.currency)}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        "shoppers:\n"
        f"  outside_utility: {result.outside_utility}\n"
        f"  checkout_acceptance: {result.checkout_acceptance}",
        highlight=False,
    )


def seed_table(result: Fit, currency: str) -> Table:
    """The fitted parameters' figures, seed by seed, then their mean."""
    table = Table(title="with the fitted parameters", title_justify="left")
    for name in ("seed", "conversion", "abandonment", "AOV"):
        table.add_column(name, justify="right")
    for figures in result.per_seed:
        table.add_row(
            str(figures.seed),
            f"{figures.conversion_rate:.2%}",
            f"{figures.checkout_abandonment:.1%}",
            format_money(figures.aov, currency),
        )
    table.add_row(
        "mean",
        f"{result.conversion_rate:.2%}",
        f"{result.checkout_abandonment:.1%}",
        format_money(result.aov, currency),
        style="bold",
    )
    return table
