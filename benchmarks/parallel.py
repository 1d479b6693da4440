"""Parallel speed-up: the same replications on 1 and on N worker processes, in one run.

Replications are independent and deterministic, so the results must be identical; only the
wall-clock time may differ.

    python benchmarks/parallel.py [--replications 4] [--workers 2] [--sessions 1000]
"""

from __future__ import annotations

import argparse
import time

from agent_checkout.sim.replications import run_replications
from agent_checkout.sim.scenario import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="quickstart")
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    scenario = scenario.model_copy(
        update={"arrivals": scenario.arrivals.model_copy(update={"sessions": args.sessions})}
    )
    timings, results = {}, {}
    for workers in (1, args.workers):
        started = time.perf_counter()
        results[workers] = run_replications(
            scenario, seed=scenario.seed, replications=args.replications, workers=workers
        )
        timings[workers] = time.perf_counter() - started
    same = results[1] == results[args.workers]
    print(f"{args.replications} replications x {args.sessions} sessions of {scenario.name}")
    print(f"1 worker    {timings[1]:7.1f} s")
    print(f"{args.workers} workers   {timings[args.workers]:7.1f} s")
    print(
        f"speed-up    {timings[1] / timings[args.workers]:7.2f}x  "
        f"(results identical: {'yes' if same else 'NO'})"
    )


if __name__ == "__main__":
    main()
