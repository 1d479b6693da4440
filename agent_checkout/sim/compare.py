"""Compare fee models on common random numbers.

Each model becomes a variant of the scenario (the AI platform's fee models replaced by it; the
merchants' platform fees stay); every variant runs the same replications with the same seeds,
so replication r of every variant sees the same shoppers at the same times. With pass-through 0
fees change nobody's behaviour and demand is identical across variants; above 0, merchants
raise prices by a share of their fees and demand moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from agent_checkout.fees.library import load_fee_model
from agent_checkout.sim.replications import FIGURES, aggregate, interval, run_replications
from agent_checkout.sim.scenario import Scenario


def variant(scenario: Scenario, model: str) -> Scenario:
    """``scenario`` with ``model`` as the AI platform's only fee model."""
    load_fee_model(model)  # fail early, with the library's one-line message
    problem = scenario.currency_problem(ai_platform=[model])  # e.g. usd amounts, cny merchant
    problem = problem or scenario.billing_problem(ai_platform=[model])  # clicks billed twice
    if problem:
        raise ValueError(problem.removeprefix("fees.ai_platform: "))
    fees = scenario.fees.model_copy(update={"ai_platform": [model]})
    return scenario.model_copy(update={"fees": fees})


def compare_models(
    scenario: Scenario,
    models: Sequence[str],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Run every model's variant on the same replications; figures, paired differences, table."""
    runs: dict[str, list[dict]] = {}
    for model in models:
        runs[model] = run_replications(
            variant(scenario, model),
            seed=seed,
            replications=replications,
            workers=workers,
            progress=(lambda done, m=model: progress(m, done)) if progress else None,
        )
    baseline = runs[models[0]]
    figures = {model: aggregate(summaries) for model, summaries in runs.items()}
    differences = {
        model: {
            name: interval([read(s) - read(b) for s, b in zip(summaries, baseline, strict=True)])
            for name, read in FIGURES.items()
        }
        for model, summaries in runs.items()
    }
    table = [
        {"model": model, "figure": name, **values}
        for model, by_figure in figures.items()
        for name, values in by_figure.items()
    ]
    return {
        "scenario": scenario.name,
        "seed": seed,
        "currency": scenario.currency,
        "replications": replications,
        "pass_through": scenario.fees.pass_through,
        "models": list(models),
        "seeds": [s["seed"] for s in baseline],
        "figures": figures,
        "difference_vs_first": differences,
        "demand_identical": all(
            [_demand(s) for s in summaries] == [_demand(b) for b in baseline]
            for summaries in runs.values()
        ),
        "table": table,
    }


def _demand(summary: dict) -> tuple:
    """What shoppers did: sessions, orders, what they paid, how sessions ended."""
    return summary["sessions"], summary["orders"], summary["gmv"], summary["outcomes"]


def write_comparison(path: Path, comparison: dict) -> None:
    from agent_checkout.sim.run import write_json

    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, comparison)
