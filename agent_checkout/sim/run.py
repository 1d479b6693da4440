"""Run a scenario: the one entry point the CLI and the Python API share.

The run writes ``summary.json`` and ``ledger.duckdb`` into ``out`` only when it has finished:
both are built under temporary names and moved into place at the end, so an interrupted or
failed run loses nothing that an earlier run wrote there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent_checkout.agent.policy import RulePolicy
from agent_checkout.agent.ranking import ranking_policy
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.ledger.store import Ledger
from agent_checkout.sim.passthrough import pass_through
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.shoppers import ShopperPopulation
from agent_checkout.sim.simulation import Simulation
from agent_checkout.sim.streams import RandomStreams
from merchants import Merchant, PaymentProcessor, build_merchants


@dataclass
class RunResult:
    summary: dict
    out: Path | None


def fee_models_for(scenario: Scenario) -> dict[str, list[FeeModel]]:
    """Per merchant: the AI platform's models, then the merchant platform's own."""
    ai = [load_fee_model(name) for name in scenario.fees.ai_platform]
    return {
        p.id: ai + [load_fee_model(name) for name in p.fee_models]
        for p in scenario.merchant_profiles()
    }


def build_market(scenario: Scenario, seed: int) -> tuple[dict[str, Merchant], PaymentProcessor]:
    """The scenario's merchants and payment processor, as every replication with ``seed`` sees
    them: ``run`` simulates them, ``serve`` puts them on HTTP."""
    streams = RandomStreams(seed)
    processor = PaymentProcessor(
        rng=streams.stream("declines"),
        decline_rates=scenario.payments.decline_rates,
        three_ds_rate=scenario.payments.three_ds_rate,
    )
    merchants = build_merchants(
        scenario.merchant_profiles(), seed=streams.seed_for("catalogs") % 2**31, processor=processor
    )
    if scenario.fees.pass_through:
        models = fee_models_for(scenario)
        for merchant in merchants.values():
            pass_through(merchant, models[merchant.id], scenario.fees.pass_through)
    return dict(merchants), processor


def build_simulation(scenario: Scenario, seed: int, ledger: Ledger | None = None) -> Simulation:
    """Everything one replication of ``scenario`` needs, drawn from ``seed``'s streams."""
    streams = RandomStreams(seed)
    profiles = scenario.merchant_profiles()
    merchants, processor = build_market(scenario, seed)
    categories: dict[str, float] = {}
    for profile in profiles:
        for name, weight in (profile.catalog.categories or {}).items():
            categories[name] = categories.get(name, 0.0) + weight
    population = ShopperPopulation(scenario.shoppers, categories, streams)
    arrivals = scenario.arrivals
    return Simulation(
        merchants=merchants,
        processor=processor,
        shopper=population.shopper,
        arrival_gaps=arrivals.gaps(streams.stream("arrivals")),
        start=scenario.start,
        streams=streams,
        fee_models=fee_models_for(scenario),
        policy=RulePolicy(
            limit=scenario.agent.recommendations,
            ranking=ranking_policy(scenario.agent.ranking.name, **scenario.agent.ranking.params),
        ),
        search_limit=scenario.agent.search_limit,
        ledger=ledger,
        cost_per_step_micros=scenario.agent.cost_per_step_micros,
        faults=scenario.faults,
        resolution_seconds=scenario.metrics.resolution_seconds,
        monetization=scenario.monetization,
        returns=scenario.returns,
    )


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    trace: list[int] | None = None,
) -> RunResult:
    """Simulate ``scenario`` with ``seed`` (default: the scenario's own) and summarise it.

    ``trace`` names sessions whose merchant calls are written to ``out/trace-sNNNNNNN.jsonl``.
    """
    seed = scenario.seed if seed is None else seed
    out_dir = Path(out) if out is not None else None
    ledger = partial = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        partial = out_dir / "ledger.duckdb.partial"
        partial.unlink(missing_ok=True)
        ledger = Ledger(partial)
    try:
        simulation = build_simulation(scenario, seed, ledger)
        if ledger is not None:
            ledger.start_run(
                scenario=scenario.name,
                seed=seed,
                currency=scenario.currency,
                fee_models=sorted({m.name for ms in simulation.fee_models.values() for m in ms}),
                pass_through=scenario.fees.pass_through,
                ranking=scenario.agent.ranking.name,
            )
        simulation.on_session_end = progress
        traces = [simulation.trace(index) for index in trace or []]
        metrics = simulation.run()
        summary = metrics.summary(
            scenario=scenario.name,
            seed=seed,
            currency=scenario.currency,
            oversells=simulation.oversold_units(),
            fx=scenario.fx_table(),
        )
    except BaseException:
        if ledger is not None:
            ledger.close()
            partial.unlink(missing_ok=True)
        raise
    if out_dir is not None:
        ledger.close()
        os.replace(partial, out_dir / "ledger.duckdb")
        write_json(out_dir / "summary.json", summary)
        for session_trace in traces:
            session_trace.write(out_dir / f"trace-{session_trace.session}.jsonl")
    return RunResult(summary=summary, out=out_dir)


def write_json(path: Path, data: dict) -> None:
    """Write atomically, with sorted keys, so equal data gives equal bytes."""
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
