"""Fit shopper parameters to target funnel figures by bisection on common random numbers.

Checkout abandonment falls as ``checkout_acceptance`` rises, and hardly depends on how many
shoppers reach checkout; conversion falls as ``outside_utility`` (the appeal of buying nothing)
rises. So the fit first bisects acceptance to the target abandonment, then outside utility to
the target conversion, each evaluation a run of the scenario with the same seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario


@dataclass(frozen=True)
class Fit:
    outside_utility: float
    checkout_acceptance: float
    conversion_rate: float
    checkout_abandonment: float
    aov: int
    runs: int


def _with(scenario: Scenario, sessions: int, **shoppers: float) -> Scenario:
    arrivals = scenario.arrivals.model_copy(update={"sessions": sessions, "duration_minutes": None})
    return scenario.model_copy(
        update={"arrivals": arrivals, "shoppers": scenario.shoppers.model_copy(update=shoppers)}
    )


def _bisect(
    measure: Callable[[float], float],
    target: float,
    low: float,
    high: float,
    iterations: int,
    increasing: bool,
) -> float:
    for _ in range(iterations):
        middle = (low + high) / 2
        above = measure(middle) > target
        if above == increasing:
            high = middle
        else:
            low = middle
    return round((low + high) / 2, 4)


def calibrate(
    scenario: Scenario,
    *,
    conversion: float,
    abandonment: float,
    seed: int,
    sessions: int = 3000,
    iterations: int = 7,
    progress: Callable[[str], None] | None = None,
) -> Fit:
    """Parameters that bring ``scenario`` near the targets, and the figures they give."""
    runs = 0
    shoppers = scenario.shoppers

    def run(**values: float) -> dict:
        nonlocal runs
        runs += 1
        summary = run_scenario(_with(scenario, sessions, **values), seed=seed).summary
        if progress is not None:
            progress(
                f"{values} -> conversion {summary['conversion_rate']:.2%}, "
                f"abandonment {summary['checkout_abandonment']:.1%}"
            )
        return summary

    acceptance = _bisect(
        lambda a: run(checkout_acceptance=a, outside_utility=shoppers.outside_utility)[
            "checkout_abandonment"
        ],
        abandonment,
        0.0,
        1.0,
        iterations,
        increasing=False,
    )
    utility = _bisect(
        lambda u: run(checkout_acceptance=acceptance, outside_utility=u)["conversion_rate"],
        conversion,
        -5.0,
        15.0,
        iterations + 2,
        increasing=False,
    )
    final = run(checkout_acceptance=acceptance, outside_utility=utility)
    return Fit(
        outside_utility=utility,
        checkout_acceptance=acceptance,
        conversion_rate=final["conversion_rate"],
        checkout_abandonment=final["checkout_abandonment"],
        aov=final["aov"],
        runs=runs,
    )
