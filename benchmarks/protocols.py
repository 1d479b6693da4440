"""Sessions per second of the same co-simulation over each checkout protocol, in one run.

Every merchant is put on one protocol at a time (ACP 2025-09-29, ACP 2026-04-17, UCP
2026-01-11); every session reaches the agent and checkout (the scenario's channels are dropped),
so the connectors' translation is what differs. The runs must place the same orders; the figures
are CPU seconds, best of ``--repeat``, printed as ratios to ACP 2025-09-29.

    python benchmarks/protocols.py [--sessions 2000] [--scenario quickstart] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
from merchants.profile import PROTOCOLS


def on_protocol(scenario, protocol: str, sessions: int):
    arrivals = scenario.arrivals.model_copy(update={"sessions": sessions, "duration_minutes": None})
    merchants = [p.model_copy(update={"protocol": protocol}) for p in scenario.merchant_profiles()]
    return scenario.model_copy(
        update={"arrivals": arrivals, "channels": None, "merchants": merchants}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2_000)
    parser.add_argument("--scenario", default="quickstart")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = load_scenario(args.scenario)
    best: dict[str, float] = {}
    orders: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.repeat):
            for protocol in PROTOCOLS:  # interleaved, so a busy moment hits every protocol
                scenario = on_protocol(base, protocol, args.sessions)
                started = time.process_time()
                summary = run_scenario(scenario, out=Path(folder) / f"{protocol}-{round_}").summary
                seconds = time.process_time() - started
                best[protocol] = min(best.get(protocol, seconds), seconds)
                orders[protocol] = summary["orders"]
    reference = best[PROTOCOLS[0]]
    same = len(set(orders.values())) == 1
    for protocol in PROTOCOLS:
        rate = args.sessions / best[protocol]
        print(
            f"{protocol:<15} {rate:8,.0f} sessions/s  {orders[protocol]:>6,} orders  "
            f"{best[protocol] / reference:5.2f}x the time of {PROTOCOLS[0]}"
        )
    print("same orders over every protocol" if same else "ORDERS DIFFER between protocols")


if __name__ == "__main__":
    main()
