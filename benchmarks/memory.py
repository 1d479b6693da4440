"""Peak memory of the full simulation: growing session counts, and a burst held in flight.

Two targets, each run in a fresh process so that one peak does not hide another:

* flat memory: peak memory grows less than 50 MB from 1,000 to 1,000,000 sessions. Every
  session reaches the agent (the scenario's traffic channels are dropped) and merchants restock
  hourly, so shelves stay filled, every session runs its full length and orders keep coming.
  Results stream to the ledger in batches and every per-session structure is bounded.
* sessions in flight: 20,000 shoppers arrive within about a second of virtual time, so nearly
  all of them wait on merchants at once; the peak stays under 500 MB on the fast path.

    python benchmarks/memory.py [--sessions 1000 1000000] [--in-flight 20000] [--engine auto]

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

MIB = 2**20
GROWTH_LIMIT = 50_000_000  # bytes, from the smallest to the largest run
IN_FLIGHT_LIMIT = 500_000_000  # bytes, for the burst
BURST_RATE = 1_000_000  # arrivals per virtual minute: 20,000 arrive within 1.2 seconds

CHILD = """
import json, resource, sys, time
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
name, sessions, out, engine, burst = sys.argv[1:6]
scenario = load_scenario(name).model_copy(update={"channels": None})  # every session shops
arrivals = scenario.arrivals.model_copy(update={"sessions": int(sessions),
                                               "duration_minutes": None})
if burst == "0":  # hourly deliveries, so shelves stay stocked however long the run
    merchants = [p.model_copy(update={"restock_every_minutes": 60})
                 for p in scenario.merchant_profiles()]
    scenario = scenario.model_copy(update={"merchants": merchants})
else:
    arrivals = arrivals.model_copy(update={"rate_per_minute": float(burst)})
started = time.perf_counter()
summary = run_scenario(scenario.model_copy(update={"arrivals": arrivals}), out=out,
                       engine=engine).summary
rows = summary["timeseries"]["rows"]
print(json.dumps({"sessions": summary["sessions"], "orders": summary["orders"],
                  "engine": summary["engine"],
                  "in_flight": max((r["in_flight_max"] for r in rows), default=0),
                  "unhandled_errors": summary["unhandled_errors"],
                  "oversells": summary["oversells"],
                  "seconds": time.perf_counter() - started,
                  "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def measure(scenario: str, sessions: int, engine: str, burst: float = 0) -> dict:
    """One run in a fresh process: its figures and peak resident memory."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        line = subprocess.run(
            [sys.executable, "-c", CHILD, scenario, str(sessions), out, engine, str(burst)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    result = json.loads(line.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--in-flight", type=int, default=20_000, help="0: skip the burst")
    parser.add_argument("--scenario", default="quickstart")
    parser.add_argument("--engine", default="auto", choices=["auto", "fast", "langgraph"])
    args = parser.parse_args()
    passed = True
    results = []
    for sessions in args.sessions:
        result = measure(args.scenario, sessions, args.engine)
        results.append(result)
        print(
            f"{result['sessions']:>9,} sessions  {result['orders']:>8,} orders  "
            f"peak {result['peak_bytes'] / MIB:7.1f} MiB  "
            f"{result['sessions'] / result['seconds']:6.0f} sessions/s  "
            f"({result['wall']:.0f} s, {result['engine']})",
            flush=True,
        )
    if len(results) > 1:
        growth = results[-1]["peak_bytes"] - results[0]["peak_bytes"]
        passed &= growth < GROWTH_LIMIT
        print(
            f"growth from {results[0]['sessions']:,} to {results[-1]['sessions']:,} sessions: "
            f"{growth / MIB:.1f} MiB ({growth / 1e6:.1f} MB; target: under 50 MB): "
            f"{verdict(growth < GROWTH_LIMIT)}",
            flush=True,
        )
    if args.in_flight:
        burst = measure(args.scenario, args.in_flight, args.engine, BURST_RATE)
        peak = burst["peak_bytes"]
        passed &= peak < IN_FLIGHT_LIMIT
        print(
            f"{burst['sessions']:,} sessions arriving within "
            f"{60 * burst['sessions'] / BURST_RATE:.1f} virtual seconds "
            f"({burst['engine']}): {burst['in_flight']:,} in flight at once, "
            f"{burst['orders']:,} orders, {burst['unhandled_errors']} unhandled errors, "
            f"{burst['oversells']} oversells, peak {peak / MIB:.1f} MiB ({peak / 1e6:.1f} MB; "
            f"target: under 500 MB): {verdict(peak < IN_FLIGHT_LIMIT)}"
        )
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
