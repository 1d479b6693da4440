"""Run a scenario: shoppers arrive, the agent buys, orders are priced and written to the ledger.

``run_scenario`` is the one entry point the CLI and the Python API share. The run writes
``summary.json`` and ``ledger.duckdb`` into ``out`` only when it has finished: both are built
under temporary names and moved into place at the end, so an interrupted run loses nothing that
an earlier run wrote.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import simpy

from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.policy import RulePolicy
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel, price_order
from agent_checkout.ledger.store import Ledger
from agent_checkout.sim.arrivals import ArrivalProfile
from agent_checkout.sim.cosim import (
    MerchantServer, SimulatedMerchant, SimulatedPayments, VirtualClock, drive_session,
)
from agent_checkout.sim.metrics import RunMetrics
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.shoppers import ShopperPopulation
from agent_checkout.sim.streams import RandomStreams
from merchants import PaymentProcessor, PlacedOrder, build_merchants
from merchants.profile import LatencyProfile

PSP_LATENCY = LatencyProfile(median_ms=120, sigma=0.3)
PSP_CAPACITY = 256


@dataclass
class RunResult:
    summary: dict
    out: Path | None


def fee_models_for(scenario: Scenario) -> dict[str, list[FeeModel]]:
    """Per merchant: the AI platform's models, then the merchant platform's own."""
    ai = [load_fee_model(name) for name in scenario.fees.ai_platform]
    return {p.id: ai + [load_fee_model(name) for name in p.fee_models]
            for p in scenario.merchant_profiles()}


def run_scenario(
    scenario: Scenario, *, seed: int | None = None, out: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate ``scenario`` with ``seed`` (default: the scenario's own) and summarise it."""
    seed = scenario.seed if seed is None else seed
    streams = RandomStreams(seed)
    profiles = scenario.merchant_profiles()
    models = fee_models_for(scenario)
    out_dir = Path(out) if out is not None else None
    metrics = RunMetrics()

    ledger = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        partial = out_dir / "ledger.duckdb.partial"
        partial.unlink(missing_ok=True)
        ledger = Ledger(partial)
        ledger.start_run(scenario=scenario.name, seed=seed, currency=scenario.currency,
                         fee_models=sorted({m.name for ms in models.values() for m in ms}))

    serving: dict[str, str] = {"session": ""}

    def record_order(order: PlacedOrder) -> None:
        lines = price_order(order, models[order.merchant_id])
        metrics.order_placed(order, lines)
        if ledger is not None:
            ledger.record(order, lines, session_id=serving["session"])

    processor = PaymentProcessor(rng=streams.stream("declines"),
                                 decline_rates=scenario.payments.decline_rates)
    merchants = build_merchants(profiles, seed=streams.seed_for("catalogs") % 2**31,
                                processor=processor, order_sink=record_order)
    categories: dict[str, float] = {}
    for profile in profiles:
        for name, weight in (profile.catalog.categories or {}).items():
            categories[name] = categories.get(name, 0.0) + weight

    env = simpy.Environment()
    clock = VirtualClock(env, scenario.start)
    servers = {m.id: MerchantServer(env, clock, m.profile.latency, m.profile.capacity)
               for m in merchants.values()}
    servers[SimulatedPayments.server_id] = MerchantServer(env, clock, PSP_LATENCY, PSP_CAPACITY)
    connectors = {m.id: SimulatedMerchant(m, clock) for m in merchants.values()}
    payments = SimulatedPayments(processor, clock)
    population = ShopperPopulation(scenario.shoppers, categories, streams)
    policy = RulePolicy(limit=scenario.agent.recommendations)
    graph = build_checkout_graph()

    def session(index: int):
        shopper = population.shopper(index)
        context = AgentContext(merchants=connectors, payments=payments, shopper=shopper,
                               policy=policy, clock=clock,
                               search_limit=scenario.agent.search_limit)
        label = f"s{index:07d}"

        def note_call(call) -> None:
            serving["session"] = label

        record = yield from drive_session(
            env, index, lambda: graph.invoke({}, context=context), servers,
            streams.stream("latency", index), on_call=note_call)
        metrics.session_ended(record.outcome, record.ended - record.started, record.calls)
        if progress is not None:
            progress(metrics.sessions)

    def arrivals():
        profile = ArrivalProfile(**scenario.arrivals.model_dump())
        for index, gap in enumerate(profile.gaps(streams.stream("arrivals"))):
            yield env.timeout(gap)
            env.process(session(index))

    env.process(arrivals())
    env.run()

    oversells = sum(m.catalog.oversold_units() for m in merchants.values())
    summary = metrics.summary(scenario=scenario.name, seed=seed, currency=scenario.currency,
                              oversells=oversells)
    if out_dir is not None:
        ledger.close()
        os.replace(partial, out_dir / "ledger.duckdb")
        write_json(out_dir / "summary.json", summary)
    return RunResult(summary=summary, out=out_dir)


def write_json(path: Path, data: dict) -> None:
    """Write atomically, with sorted keys, so equal data gives equal bytes."""
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
