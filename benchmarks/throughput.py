"""Sessions per second of one agent graph, four ways, measured in one run (CPU time, best of
``--rounds``):

- the simulation on the LangGraph engine (``graph.stream`` in each session's greenlet);
- the simulation on the fast path (the same compiled graph's nodes and edges called directly,
  :mod:`agent_checkout.agent.fast_engine`), asserted to give the identical summary;
- bare ``graph.invoke`` of the same graph per session against in-process merchants (no SimPy,
  no latency, no fees or metrics);
- a plain loop of the same node calls (the fast path's walker) against in-process merchants,
  asserted to end every session as ``graph.invoke`` does.

By default every session reaches the agent (the scenario's traffic channels are dropped, as the
quickstart was when issue 14 measured it); the scenario as written, where most conversations
end before any search, is measured too (simulation only). Ratios are printed.

    python benchmarks/throughput.py [SCENARIO] [--sessions N] [--seed S] [--rounds R]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.fast_engine import GraphWalker
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.policy import RulePolicy
from agent_checkout.sim.currency_summary import mixed_summary
from agent_checkout.sim.run import build_market, build_simulation
from agent_checkout.sim.scenario import Scenario, load_scenario

FIXED_NOW = datetime(2026, 11, 11, tzinfo=UTC)


def simulated(scenario: Scenario, seed: int, engine: str) -> tuple[float, dict]:
    """CPU seconds of one simulation on ``engine``, and its summary without the engine."""
    simulation = build_simulation(scenario, seed, engine=engine)
    assert simulation.engine.name == engine
    started = time.process_time()
    metrics = simulation.run()
    seconds = time.process_time() - started
    figures = dict(
        scenario=scenario.name,
        seed=seed,
        currency=scenario.currency,
        oversells=simulation.oversold_units(),
        fx=scenario.fx_table(),
        companies=scenario.companies,
    )
    if simulation.by_currency:
        summary = mixed_summary(metrics, simulation.by_currency, **figures)
    else:
        summary = metrics.summary(**figures)
    return seconds, summary


def in_process(scenario: Scenario, seed: int, sessions: int, how: str) -> tuple[float, list]:
    """CPU seconds of ``sessions`` sessions outside the simulation, each walked by
    ``graph.invoke`` (``how="invoke"``) or by the walker's plain loop (``"loop"``), against
    fresh in-process merchants; and each session's outcome."""
    shoppers = build_simulation(scenario, seed).shopper  # the simulation's shoppers, same seed
    merchants, processor = build_market(scenario, seed)  # fresh, and no simulation's sinks
    connectors = {m.id: InProcessMerchant(m, clock=lambda: FIXED_NOW) for m in merchants.values()}
    payments = InProcessPayments(processor, clock=lambda: FIXED_NOW)
    graph = build_checkout_graph()
    walker = GraphWalker(graph)
    policy = RulePolicy(limit=scenario.agent.recommendations)
    outcomes = []
    started = time.process_time()
    for index in range(sessions):
        context = AgentContext(
            merchants=connectors,
            payments=payments,
            shopper=shoppers(index),
            policy=policy,
            clock=lambda: FIXED_NOW,
            search_limit=scenario.agent.search_limit,
        )
        if how == "invoke":
            state = graph.invoke({}, context=context)
        else:
            walk = walker.walk(context)
            for _ in walk:
                pass
            state = walk.state
        outcomes.append(state.get("outcome"))
    return time.process_time() - started, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="quickstart")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    written = load_scenario(args.scenario)
    arrivals = written.arrivals.model_copy(
        update={"sessions": args.sessions, "duration_minutes": None}
    )
    written = written.model_copy(update={"arrivals": arrivals})
    shopping = written.model_copy(update={"channels": None})

    best: dict[str, float] = {}
    orders: dict[str, int] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    for _ in range(args.rounds):  # interleaved, so a busy moment hits every measurement alike
        runs = {e: simulated(shopping, args.seed, e) for e in ("langgraph", "fast")}
        assert runs["fast"][1] == runs["langgraph"][1], "fast and LangGraph summaries differ"
        for engine, (seconds, summary) in runs.items():
            keep(engine, seconds)
            orders[engine] = summary["orders"]
        invoked = in_process(shopping, args.seed, args.sessions, "invoke")
        looped = in_process(shopping, args.seed, args.sessions, "loop")
        assert looped[1] == invoked[1], "the plain loop ended sessions otherwise than invoke"
        keep("invoke", invoked[0])
        keep("loop", looped[0])
        orders["invoke"] = orders["loop"] = invoked[1].count("purchased")
        as_written = {e: simulated(written, args.seed, e) for e in ("langgraph", "fast")}
        assert as_written["fast"][1] == as_written["langgraph"][1], "summaries differ"
        for engine, (seconds, summary) in as_written.items():
            keep(f"written-{engine}", seconds)
            orders[f"written-{engine}"] = summary["orders"]

    rate = {name: args.sessions / seconds for name, seconds in best.items()}
    print(
        f"scenario {written.name}, {args.sessions} sessions, seed {args.seed}, "
        f"best of {args.rounds} rounds, sessions per CPU second"
    )
    print("every session reaches the agent (channels off):")
    rows = [
        ("simulation, LangGraph engine", "langgraph"),
        ("simulation, fast path", "fast"),
        ("bare graph.invoke", "invoke"),
        ("plain loop of node calls", "loop"),
    ]
    for label, name in rows:
        print(f"  {label:30} {rate[name]:8.0f}/s  ({orders[name]} orders)")
    print(f"  fast / LangGraph simulation    {rate['fast'] / rate['langgraph']:8.2f}x")
    print(f"  fast simulation / bare invoke  {rate['fast'] / rate['invoke']:8.2f}x")
    print(f"  plain loop / bare invoke       {rate['loop'] / rate['invoke']:8.2f}x")
    print(f"  fast simulation / plain loop   {rate['fast'] / rate['loop']:8.2f}x")
    print("the scenario as written (most conversations end before search):")
    for label, name in rows[:2]:
        print(
            f"  {label:30} {rate['written-' + name]:8.0f}/s  ({orders['written-' + name]} orders)"
        )
    ratio = rate["written-fast"] / rate["written-langgraph"]
    print(f"  fast / LangGraph simulation    {ratio:8.2f}x")
    print("summaries identical on both engines (asserted in every round)")


if __name__ == "__main__":
    main()
