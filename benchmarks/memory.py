"""Peak memory of the full simulation for growing session counts, each in a fresh process.

Merchants restock hourly, so shelves stay filled and every session runs its full length.
Results stream to the ledger in batches and every per-session structure is bounded, so peak
memory should barely move between 100,000 and 1,000,000 sessions (the target: under 100 MB of
growth). Each size runs in its own process so that one peak does not hide another.

    python benchmarks/memory.py [--sessions 100000 1000000] [--scenario quickstart]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, resource, sys, time
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
scenario = load_scenario(sys.argv[1]).model_copy(update={"channels": None})
sessions = int(sys.argv[2])
arrivals = scenario.arrivals.model_copy(update={"sessions": sessions, "duration_minutes": None})
# Hourly deliveries, so that shelves stay stocked and sessions stay full length however long.
merchants = [p.model_copy(update={"restock_every_minutes": 60})
             for p in scenario.merchant_profiles()]
started = time.perf_counter()
summary = run_scenario(scenario.model_copy(update={"arrivals": arrivals, "merchants": merchants}),
                       out=sys.argv[3]).summary
print(json.dumps({"sessions": summary["sessions"], "orders": summary["orders"],
                  "seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--scenario", default="quickstart")
    args = parser.parse_args()
    results = []
    for sessions in args.sessions:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            line = subprocess.run(
                [sys.executable, "-c", CHILD, args.scenario, str(sessions), out],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(line.strip().splitlines()[-1])
            results.append(result)
            print(
                f"{result['sessions']:>9,} sessions  {result['orders']:>8,} orders  "
                f"peak {result['peak_mib']:7.1f} MiB  "
                f"{result['sessions'] / result['seconds']:6.0f} sessions/s  "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if len(results) > 1:
        growth = results[-1]["peak_mib"] - results[0]["peak_mib"]
        print(
            f"growth from {results[0]['sessions']:,} to {results[-1]['sessions']:,} sessions: "
            f"{growth:.1f} MiB (target: under 100 MB)"
        )


if __name__ == "__main__":
    main()
