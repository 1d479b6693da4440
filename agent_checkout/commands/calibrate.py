"""``agent-checkout calibrate``: fit a scenario's shoppers to target funnel figures."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from agent_checkout.commands.bad_input import fail
from agent_checkout.sim.calibrate import calibrate as fit
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.streams import SEED_MAX
from merchants.money import format_money

console = Console()


def calibrate(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in name.")],
    conversion: Annotated[
        float, typer.Option(min=0.0001, max=1.0, help="Target orders per session.")
    ] = 0.02,
    abandonment: Annotated[
        float, typer.Option(min=0.0, max=0.999, help="Target share of started checkouts not paid.")
    ] = 0.70,
    sessions: Annotated[int, typer.Option(min=100, help="Sessions per trial run.")] = 3000,
    iterations: Annotated[int, typer.Option(min=1, max=20)] = 7,
    seed: Annotated[
        int | None, typer.Option(min=0, max=SEED_MAX, help="Seed of every trial run.")
    ] = None,
) -> None:
    """Bisect checkout_acceptance to the target abandonment, then outside_utility to the target
    conversion; print the shopper settings to put in the scenario."""
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    result = fit(
        loaded,
        conversion=conversion,
        abandonment=abandonment,
        seed=loaded.seed if seed is None else seed,
        sessions=sessions,
        iterations=iterations,
        progress=lambda line: console.print(f"  {line}"),
    )
    console.print(
        f"fitted in {result.runs} runs: conversion {result.conversion_rate:.2%}, "
        f"abandonment {result.checkout_abandonment:.1%}, "
        f"AOV {format_money(result.aov, loaded.currency)}"
    )
    console.print(
        "shoppers:\n"
        f"  outside_utility: {result.outside_utility}\n"
        f"  checkout_acceptance: {result.checkout_acceptance}"
    )
