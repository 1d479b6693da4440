"""baseline-web lands on the public funnel figures at every seed from 1 to 5 (and its own), and
the fit, across several seeds, moves parameters the right way."""

from __future__ import annotations

import statistics

import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.sim.calibrate import _bisect, calibrate, measure_seeds, parse_seeds
from agent_checkout.sim.scenario import load_scenario

SEEDS = (1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def baseline_web() -> dict[int, object]:
    """baseline-web as shipped, at seeds 1-5 and its own seed (two processes)."""
    scenario = load_scenario("baseline-web")
    seeds = (*SEEDS, scenario.seed)
    return {f.seed: f for f in measure_seeds(scenario, seeds, workers=2)}


@pytest.mark.parametrize("seed", [*SEEDS, "own"])
def test_baseline_web_lands_inside_the_tolerances(baseline_web, seed):
    figures = baseline_web[load_scenario("baseline-web").seed if seed == "own" else seed]
    # README tolerances: conversion 1.5-3% of sessions, AOV $85-145, abandonment 70% +- 5 pts.
    assert 0.015 <= figures.conversion_rate <= 0.03
    assert 8_500 <= figures.aov <= 14_500
    assert 0.65 <= figures.checkout_abandonment <= 0.75


def test_baseline_web_is_centred_on_its_targets(baseline_web):
    """The fit aimed the seeds' mean at 2.2% conversion and 70% abandonment."""
    seeds = [baseline_web[s] for s in SEEDS]
    assert statistics.fmean(f.conversion_rate for f in seeds) == pytest.approx(0.022, abs=0.002)
    assert statistics.fmean(f.checkout_abandonment for f in seeds) == pytest.approx(0.70, abs=0.01)


def test_bisection_finds_a_decreasing_functions_target():
    assert _bisect(lambda x: 10 - x, 3.0, 0.0, 10.0, 20, increasing=False) == 7.0
    assert _bisect(lambda x: 2 * x, 3.0, 0.0, 10.0, 20, increasing=True) == 1.5


def test_seeds_are_read_as_ranges_and_lists():
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("7") == [7]
    assert parse_seeds("1-3, 9,2") == [1, 2, 3, 9]
    for bad in ("5-1", "x", "1-", "-3", ""):
        with pytest.raises(ValueError):
            parse_seeds(bad)


def test_calibrate_fits_the_mean_of_several_seeds():
    # Without channels every session is ready to buy: this fits the shoppers themselves.
    scenario = load_scenario("quickstart").model_copy(update={"channels": None})
    fit = calibrate(
        scenario, conversion=0.10, abandonment=0.5, seeds=(3, 4), sessions=200, iterations=2
    )
    assert fit.outside_utility > scenario.shoppers.outside_utility  # fewer buyers wanted
    assert fit.checkout_acceptance < 1.0  # abandonment wanted where there was none
    assert fit.runs == 2 + 4 + 1
    assert [f.seed for f in fit.per_seed] == [3, 4]
    mean = [statistics.fmean(f.conversion_rate for f in fit.per_seed)]
    mean.append(statistics.fmean(f.checkout_abandonment for f in fit.per_seed))
    assert [fit.conversion_rate, fit.checkout_abandonment] == [round(m, 6) for m in mean]
    assert len({f.conversion_rate for f in fit.per_seed}) == 2  # the seeds differ
    assert abs(fit.conversion_rate - 0.10) < 0.06


def test_calibrate_command_prints_every_seed_and_refuses_bad_seeds():
    runner = CliRunner()
    args = ["calibrate", "quickstart", "--sessions", "100", "--iterations", "1"]
    result = runner.invoke(app, [*args, "--seeds", "1,2"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith("│")]
    assert [row[1] for row in rows] == ["1", "2", "mean"]
    assert "fitted in 5 trials of 2 seed(s)" in result.output
    bad = runner.invoke(app, [*args, "--seeds", "5-1"])
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "error: --seeds: '5-1' is not a range of non-negative seeds such as 1-5"
    ]
