"""``agent-checkout calibrate --channels``: fit each traffic channel to its target conversion and
print the fit channel by channel, then the ``channels:`` section to paste into the scenario."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent_checkout.commands.bad_input import fail
from agent_checkout.sim.calibrate_channels import ChannelsFit, fit_channels, parse_targets
from agent_checkout.sim.scenario import Scenario
from merchants.money import format_money

console = Console()
PARAMETER_LABELS = {"engaged": "engaged", "in_chat_acceptance": "acceptance"}


def run_channel_fit(
    scenario: Scenario,
    targets: Sequence[str],
    seeds: Sequence[int],
    sessions: int | None,
    iterations: int,
    workers: int,
) -> None:
    """Refuse bad ``--target`` pairs or a scenario without channels, else fit and print."""
    try:
        chosen = parse_targets(targets)
    except ValueError as problem:
        raise fail(f"--target: {problem}") from None
    if not scenario.channels:
        raise fail(f"--channels: {scenario.name} has no channels: section to fit")
    missing = [name for name in chosen if name not in scenario.channels]
    if missing:
        raise fail(f"--target: {missing[0]} is not one of {scenario.name}'s channels")
    result = fit_channels(
        scenario,
        seeds=seeds,
        targets=chosen,
        sessions=sessions,
        iterations=iterations,
        workers=workers,
        progress=print_progress,
    )
    console.print(channel_table(result, scenario.currency))
    for fit in result.channels:
        if fit.at_top:
            console.print(
                f"{fit.channel}: every trial fell short of its target, up to the top of its "
                f"bracket ({fit.top:g}, twice its starting value): paste the section below into "
                "the scenario and fit again",
                highlight=False,
                soft_wrap=True,
            )
    console.print(
        f"fitted in {result.runs} trials of {len(seeds)} seed(s); whole run: mean conversion "
        f"{result.conversion:.2%}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(escape(result.scenario_yaml(scenario)), highlight=False, soft_wrap=True)


def print_progress(line: str) -> None:
    """One trial's line, indented, as the fit goes."""
    console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)


def channel_table(result: ChannelsFit, currency: str) -> Table:
    """Per channel, lowest target first: target, the mean conversion the fitted parameter gives
    with its 95% interval and the seeds' range, revenue per session, and the parameter (the
    engaged share of the intent mix, or in-chat acceptance)."""
    title = f"channels fitted on the mean of seeds {_seeds(result.seeds)}"
    table = Table(title=title, title_justify="left")
    for name in ("channel", "target", "mean", "95% interval", "seeds", "rev./session", "fitted"):
        table.add_column(name, justify="left" if name in ("channel", "fitted") else "right")
    for fit in result.channels:
        mean = fit.mean
        table.add_row(
            fit.channel,
            f"{fit.target:.2%}",
            f"{mean['mean']:.2%}",
            f"{max(mean['low'], 0.0):.2%}–{mean['high']:.2%}",
            f"{min(fit.conversions):.2%}–{max(fit.conversions):.2%}",
            format_money(fit.revenue_per_session, currency),
            f"{PARAMETER_LABELS[fit.parameter]} {fit.value:g}",
        )
    return table


def _seeds(seeds: Sequence[int]) -> str:
    consecutive = list(seeds) == list(range(seeds[0], seeds[0] + len(seeds)))
    if consecutive and len(seeds) > 2:
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(seed) for seed in seeds)
