"""Fit shopper parameters to target funnel figures by bisection, across several seeds.

Checkout abandonment falls as ``checkout_acceptance`` rises, and hardly depends on how many
shoppers reach checkout; conversion falls as ``outside_utility`` (the appeal of buying nothing)
rises. So the fit first bisects acceptance to the target abandonment, then outside utility to
the target conversion. Each trial runs the scenario once per seed (the seeds are common random
numbers across trials) and bisects on the seeds' average, so the fit does not chase the luck of
one seed's catalog and shoppers; the figures of every seed are reported beside the average.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.streams import SEED_MAX

T = TypeVar("T")


@dataclass(frozen=True)
class SeedFigures:
    """The calibrated figures of one seed's run."""

    seed: int
    conversion_rate: float
    checkout_abandonment: float
    aov: int


@dataclass(frozen=True)
class Fit:
    """Fitted parameters; the figures are the average over ``per_seed``."""

    outside_utility: float
    checkout_acceptance: float
    conversion_rate: float
    checkout_abandonment: float
    aov: int
    runs: int  # trials, each one run per seed
    per_seed: tuple[SeedFigures, ...] = ()


#: The most seeds one fit may average over: each trial runs every seed.
MAX_SEEDS = 100


def parse_seeds(text: str) -> list[int]:
    """Seeds written as ``1-5``, ``1,2,7`` or a mix (``1-3,9``), in the order given."""
    seeds: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ValueError(f"{text!r} is not a list of seeds such as 1-5 or 1,2,7") from None
        if low < 0 or high < low:
            raise ValueError(f"{part.strip()!r} is not a range of non-negative seeds such as 1-5")
        if high > SEED_MAX or high - low >= MAX_SEEDS:
            raise ValueError(f"{part.strip()!r}: give at most {MAX_SEEDS} seeds, each 0 to 2**63-1")
        seeds += [s for s in range(low, high + 1) if s not in seeds]
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"{text!r}: give at most {MAX_SEEDS} seeds")
    return seeds


def resized(scenario: Scenario, sessions: int, **shoppers: float) -> Scenario:
    """``scenario`` with ``sessions`` arrivals (not a duration) and the ``shoppers`` fields set."""
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


def _figures(seed: int, summary: dict) -> SeedFigures:
    return SeedFigures(
        seed, summary["conversion_rate"], summary["checkout_abandonment"], summary["aov"]
    )


def _read_run(job: tuple[Scenario, int, Callable[[int, dict], T]]) -> T:
    scenario, seed, read = job
    return read(seed, run_scenario(scenario, seed=seed).summary)


def run_seeds(
    scenario: Scenario, seeds: Sequence[int], read: Callable[[int, dict], T], workers: int = 1
) -> tuple[T, ...]:
    """Run ``scenario`` once per seed (on ``workers`` processes) and return what ``read`` (a
    module-level function, so that worker processes can call it) takes from each seed and its
    summary, in the order of ``seeds``."""
    jobs = [(scenario, seed, read) for seed in seeds]
    if workers <= 1 or len(jobs) == 1:
        return tuple(_read_run(job) for job in jobs)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return tuple(pool.map(_read_run, jobs))


def measure_seeds(
    scenario: Scenario, seeds: Sequence[int], workers: int = 1
) -> tuple[SeedFigures, ...]:
    """Run ``scenario`` once per seed (on ``workers`` processes) and return each seed's figures."""
    return run_seeds(scenario, seeds, _figures, workers)


def average(per_seed: Sequence[SeedFigures]) -> tuple[float, float, int]:
    """Mean conversion, abandonment and AOV (rounded to the minor unit) over the seeds."""
    return (
        round(statistics.fmean(f.conversion_rate for f in per_seed), 6),
        round(statistics.fmean(f.checkout_abandonment for f in per_seed), 6),
        round(statistics.fmean(f.aov for f in per_seed)),
    )


def calibrate(
    scenario: Scenario,
    *,
    conversion: float,
    abandonment: float,
    seeds: Sequence[int],
    sessions: int | None = None,
    iterations: int = 7,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> Fit:
    """Parameters that bring ``scenario``'s average over ``seeds`` near the targets, and the
    figures they give per seed. ``sessions`` defaults to the scenario's own count."""
    if not seeds:
        raise ValueError("give at least one seed")
    runs = 0
    shoppers = scenario.shoppers
    size = sessions if sessions is not None else scenario.arrivals.sessions
    if size is None:
        raise ValueError("the scenario sets a duration, not a session count: give sessions")

    def run(**values: float) -> tuple[SeedFigures, ...]:
        nonlocal runs
        runs += 1
        per_seed = measure_seeds(resized(scenario, size, **values), seeds, workers)
        conversion_rate, abandoned, _ = average(per_seed)
        if progress is not None:
            progress(
                f"{values} -> conversion {conversion_rate:.2%}, abandonment {abandoned:.1%}"
                + (f" (mean of {len(seeds)} seeds)" if len(seeds) > 1 else "")
            )
        return per_seed

    acceptance = _bisect(
        lambda a: average(run(checkout_acceptance=a, outside_utility=shoppers.outside_utility))[1],
        abandonment,
        0.0,
        1.0,
        iterations,
        increasing=False,
    )
    utility = _bisect(
        lambda u: average(run(checkout_acceptance=acceptance, outside_utility=u))[0],
        conversion,
        -5.0,
        15.0,
        iterations + 2,
        increasing=False,
    )
    per_seed = run(checkout_acceptance=acceptance, outside_utility=utility)
    conversion_rate, abandoned, aov = average(per_seed)
    return Fit(
        outside_utility=utility,
        checkout_acceptance=acceptance,
        conversion_rate=conversion_rate,
        checkout_abandonment=abandoned,
        aov=aov,
        runs=runs,
        per_seed=per_seed,
    )
