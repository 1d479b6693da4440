"""baseline-web lands on the public funnel figures, and the fit moves parameters the right way."""

from __future__ import annotations

from agent_checkout.sim.calibrate import _bisect, calibrate
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario


def test_baseline_web_reproduces_reference_figures():
    summary = run_scenario(load_scenario("baseline-web")).summary
    # README tolerances: conversion 1.5-3% of sessions, AOV $85-145, abandonment 70% +- 5 pts.
    assert 0.015 <= summary["conversion_rate"] <= 0.03
    assert 8_500 <= summary["aov"] <= 14_500
    assert 0.65 <= summary["checkout_abandonment"] <= 0.75
    assert summary["unhandled_errors"] == 0 and summary["oversells"] == 0


def test_bisection_finds_a_decreasing_functions_target():
    assert _bisect(lambda x: 10 - x, 3.0, 0.0, 10.0, 20, increasing=False) == 7.0
    assert _bisect(lambda x: 2 * x, 3.0, 0.0, 10.0, 20, increasing=True) == 1.5


def test_calibrate_moves_toward_the_targets():
    scenario = load_scenario("quickstart")
    loose = calibrate(
        scenario, conversion=0.10, abandonment=0.5, seed=3, sessions=300, iterations=3
    )
    assert loose.outside_utility > scenario.shoppers.outside_utility  # fewer buyers wanted
    assert loose.checkout_acceptance < 1.0  # abandonment wanted where there was none
    assert abs(loose.conversion_rate - 0.10) < 0.06
    assert loose.runs == 3 + 5 + 1
