"""Independent replications, in one process or several, and their means with 95% intervals.

Replication ``r`` of a run with root seed ``s`` uses seed ``seed_for(s, r)``, so replication r
of every variant (fee model, ranking, merchant setting) sees the same shoppers arriving at the
same times: common random numbers. Each replication is deterministic on its own, so running
them in parallel worker processes gives exactly the serial results.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from agent_checkout.market.companies import company_figures
from agent_checkout.sim.intervals import t95
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.streams import RandomStreams
from agent_checkout.sim.welfare import WELFARE_FIGURES, WelfareTally

#: Figures summarised across replications: a name and how to read it off a summary.
FIGURES: dict[str, Callable[[dict], float]] = {
    "sessions": lambda s: s["sessions"],
    "orders": lambda s: s["orders"],
    "conversion_rate": lambda s: s["conversion_rate"],
    "checkout_abandonment": lambda s: s["checkout_abandonment"],
    "gmv": lambda s: s["gmv"],
    "aov": lambda s: s["aov"],
    "buyer_spend": lambda s: s["gmv"],
    "merchant_net": lambda s: s["merchant_net"],
    "ai_platform_revenue": lambda s: s["fees"].get("ai_platform", 0),
    "fees_total": lambda s: s["fees_total"],
    "take_rate": lambda s: s["take_rate"],
    "ai_platform_take_rate": lambda s: s["ai_platform_take_rate"],
    "revenue_per_1000_sessions": lambda s: (
        1000 * s["fees"].get("ai_platform", 0) / s["sessions"] if s["sessions"] else 0.0
    ),
    "inference_cost": lambda s: s["inference_cost"],
    "ai_platform_net": lambda s: s["ai_platform_net"],
    "ai_platform_net_margin": lambda s: (
        s["ai_platform_net"] / s["fees"]["ai_platform"] if s["fees"].get("ai_platform") else 0.0
    ),
    "session_seconds_p95": lambda s: s["session_seconds"]["p95"],
    **WELFARE_FIGURES,
}


def replication_seed(root_seed: int, replication: int) -> int:
    """Replication 0 is the root seed itself, so one replication equals a plain run."""
    if replication == 0:
        return root_seed
    return RandomStreams(root_seed).seed_for("replication", replication) % 2**31


def interval(values: Sequence[float]) -> dict[str, float]:
    """Mean and the 95% confidence interval of the mean (Student t); a point with one value."""
    mean = statistics.fmean(values)
    half = (
        t95(len(values)) * statistics.stdev(values) / math.sqrt(len(values))
        if len(values) > 1
        else 0.0
    )
    return {"mean": round(mean, 6), "low": round(mean - half, 6), "high": round(mean + half, 6)}


def aggregate(summaries: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Mean and 95% interval of every figure in :data:`FIGURES` across replications, and of
    each named company's net."""
    readers = {**FIGURES, **company_figures(summaries[0])}
    return {name: interval([read(s) for s in summaries]) for name, read in readers.items()}


def _one(args: tuple[Scenario, int, str | None]) -> dict:
    from agent_checkout.sim.run import run_scenario  # workers import it themselves

    scenario, seed, out = args
    return run_scenario(scenario, seed=seed, out=out).summary


def run_replications(
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """Run replications 0..R-1 (serially, or on ``workers`` processes) and return summaries in
    replication order. With ``out``, replication r writes its files to ``out/replications/r``."""
    jobs = [
        (
            scenario,
            replication_seed(seed, r),
            str(out / "replications" / str(r)) if out is not None else None,
        )
        for r in range(replications)
    ]
    if workers <= 1 or replications == 1:
        results = []
        for job in jobs:
            results.append(_one(job))
            if progress is not None:
                progress(len(results))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = []
        for summary in pool.map(_one, jobs):
            results.append(summary)
            if progress is not None:
                progress(len(results))
        return results


def run_replicated(
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Run R replications and pool them (:func:`pooled_summary`). With ``out``, the run
    directory gets ``summary.json`` and ``replications/r/`` only once every replication has
    succeeded, and they replace whatever an earlier run left there (a single run's ledger
    included), so the directory always holds one run."""
    from agent_checkout.sim.run import write_json
    from agent_checkout.sim.run_dir import staged_run

    if out is None:
        summaries = run_replications(
            scenario, seed=seed, replications=replications, workers=workers, progress=progress
        )
        return pooled_summary(scenario, seed, summaries)
    with staged_run(out) as staging:
        summaries = run_replications(
            scenario,
            seed=seed,
            replications=replications,
            workers=workers,
            out=staging,
            progress=progress,
        )
        summary = pooled_summary(scenario, seed, summaries)
        write_json(staging / "summary.json", summary)
    return summary


def pooled_summary(scenario: Scenario, seed: int, summaries: Sequence[dict]) -> dict:
    """One summary for R replications: counts and money pooled over all of them (so the keys
    of a single run keep their meaning), the mean and 95% interval of each figure per
    replication under ``ci95``, and each replication's headline figures."""
    total = sum(s["sessions"] for s in summaries)
    orders = sum(s["orders"] for s in summaries)

    def pooled(key: str) -> dict[str, int]:
        keys = sorted({k for s in summaries for k in s[key]})
        return {k: sum(s[key].get(k, 0) for s in summaries) for k in keys}

    gmv = sum(s["gmv"] for s in summaries)
    fees = pooled("fees")
    return {
        "scenario": scenario.name,
        "seed": seed,
        "currency": scenario.currency,
        "replications": len(summaries),
        "seeds": [s["seed"] for s in summaries],
        "sessions": total,
        "orders": orders,
        "conversion_rate": round(orders / total, 6) if total else 0.0,
        "gmv": gmv,
        "fees": fees,
        "fees_total": sum(fees.values()),
        "take_rate": round(sum(fees.values()) / gmv, 6) if gmv else 0.0,
        "merchant_net": sum(s["merchant_net"] for s in summaries),
        "inference_cost": sum(s["inference_cost"] for s in summaries),
        "inference_fx": scenario.fx_table().describe("usd", scenario.currency),
        "outcomes": pooled("outcomes"),
        "unhandled_errors": sum(s["unhandled_errors"] for s in summaries),
        "oversells": sum(s["oversells"] for s in summaries),
        "welfare": WelfareTally.pooled(summaries).summary(),
        "ci95": aggregate(summaries),
        "per_replication": [
            {
                k: s[k]
                for k in (
                    "seed",
                    "sessions",
                    "orders",
                    "conversion_rate",
                    "gmv",
                    "fees",
                    "inference_cost",
                    "unhandled_errors",
                    "oversells",
                )
            }
            for s in summaries
        ],
    }
