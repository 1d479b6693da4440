"""Sessions per second: the full co-simulation against bare ``graph.invoke`` of the same graph.

Both sides run the same shoppers (same scenario, same seed) through the same compiled graph
against freshly built in-process merchants; the simulation adds SimPy, virtual latency,
queueing, greenlet hand-offs, fee pricing and metrics. The ratio is what co-simulation costs.

    python benchmarks/throughput.py [SCENARIO] [--sessions N]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.policy import RulePolicy
from agent_checkout.sim.run import build_simulation
from agent_checkout.sim.scenario import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="quickstart")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    scenario = scenario.model_copy(
        update={"arrivals": scenario.arrivals.model_copy(update={"sessions": args.sessions})}
    )

    simulation = build_simulation(scenario, args.seed)
    started = time.perf_counter()
    metrics = simulation.run()
    sim_seconds = time.perf_counter() - started

    bare = build_simulation(scenario, args.seed)  # fresh merchants and shoppers, same seed
    fixed_now = datetime(2026, 11, 11, tzinfo=UTC)
    connectors = {
        m.id: InProcessMerchant(m, clock=lambda: fixed_now) for m in bare.merchants.values()
    }
    payments = InProcessPayments(
        next(iter(bare.merchants.values())).checkout.processor, clock=lambda: fixed_now
    )
    graph = build_checkout_graph()
    policy = RulePolicy(limit=scenario.agent.recommendations)
    purchased = 0
    started = time.perf_counter()
    for index in range(args.sessions):
        state = graph.invoke(
            {},
            context=AgentContext(
                merchants=connectors,
                payments=payments,
                shopper=bare.shopper(index),
                policy=policy,
                clock=lambda: fixed_now,
                search_limit=scenario.agent.search_limit,
            ),
        )
        purchased += state.get("outcome") == "purchased"
    bare_seconds = time.perf_counter() - started

    sim_rate, bare_rate = args.sessions / sim_seconds, args.sessions / bare_seconds
    print(f"scenario {scenario.name}, {args.sessions} sessions, seed {args.seed}")
    print(f"simulation     {sim_rate:8.0f} sessions/s  ({metrics.orders} orders)")
    print(f"graph.invoke   {bare_rate:8.0f} sessions/s  ({purchased} orders)")
    print(f"ratio          {sim_rate / bare_rate:8.2f}  (simulation / bare graph)")


if __name__ == "__main__":
    main()
