"""``agent-checkout report DIR``: the run (or comparison) in DIR as one self-contained HTML page,
DIR/report.html, to open offline or keep as a CI artefact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agent_checkout.commands.bad_input import fail

console = Console()


def scenario_yaml(scenario: str | None) -> str | None:
    """The YAML of ``--scenario`` (a file or a built-in name), or one line saying what is wrong."""
    if scenario is None:
        return None
    from agent_checkout.html_report.page import scenario_text
    from agent_checkout.sim.scenario import ScenarioError, load_scenario

    try:
        return scenario_text(load_scenario(scenario))
    except ScenarioError as problem:
        raise fail(f"--scenario: {problem}") from None


def write_or_fail(run_dir: Path, scenario: str | None) -> Path:
    """Write DIR/report.html, or one line naming what DIR lacks or holds wrong."""
    from agent_checkout.html_report import write_report

    if not run_dir.is_dir():
        raise fail(f"{run_dir}: not a directory (give a run's --out folder)")
    text = scenario_yaml(scenario)
    try:
        return write_report(run_dir, text)
    except FileNotFoundError as problem:
        raise fail(str(problem)) from None
    except (json.JSONDecodeError, KeyError, TypeError) as problem:
        what = f"not a summary or comparison this version writes ({problem})"
        raise fail(f"{run_dir}: {what}") from None


def report(
    run_dir: Annotated[
        Path, typer.Argument(help="A run's folder: summary.json and/or comparison.json.")
    ],
    scenario: Annotated[
        str | None,
        typer.Option(help="The scenario file (or built-in name) that produced the run, to show."),
    ] = None,
) -> None:
    """Write DIR/report.html: funnel, outcomes, fees, channels, companies, latency, time series,
    cohorts and any comparison, as inline SVG charts in one file that works offline."""
    path = write_or_fail(run_dir, scenario)
    console.print(f"wrote {path}", highlight=False, markup=False)
