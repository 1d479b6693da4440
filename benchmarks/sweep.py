"""Sweep backends: the same fee-model comparison on 1 local worker, N local workers and Ray,
in one run.

Every task (one replication of one variant) is deterministic, so the three comparisons must
be identical (asserted); only the wall-clock time may differ. Ray's start-up (a local
instance, or connecting to --address) is timed apart from the sweep.

A short untimed warm-up runs every replication's seed first: what a process builds once and
keeps (Faker's name pools per seed, catalogs) would otherwise be paid by the first backend
alone, and inherited for free by local workers forked after it. Ray's workers are fresh
processes and pay for it inside the Ray sweep, as they would on a cluster.

    python benchmarks/sweep.py [SCENARIO] [--models A,B] [--replications 4] [--sessions N]
        [--workers 2] [--address HEAD:6379]
"""

from __future__ import annotations

import argparse
import logging
import time

from agent_checkout.sim.compare import compare_models
from agent_checkout.sim.scenario import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="quickstart")
    parser.add_argument("--models", default="openai-instant-checkout,flat-per-order")
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument(
        "--sessions", type=int, default=None, help="per task (default: the scenario's own)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--address", default=None, help="a Ray cluster (default: a local one)")
    args = parser.parse_args()
    import ray

    overrides = {} if args.sessions is None else {"arrivals.sessions": args.sessions}
    scenario = load_scenario(args.scenario, overrides)
    models = args.models.split(",")
    sweep = {"seed": scenario.seed, "replications": args.replications}
    warm = load_scenario(args.scenario, {"arrivals.sessions": 50})
    compare_models(warm, models[:1], workers=1, **sweep)
    timings, results = {}, {}
    for workers in (1, args.workers):
        started = time.perf_counter()
        results[workers] = compare_models(scenario, models, workers=workers, **sweep)
        timings[workers] = time.perf_counter() - started
    started = time.perf_counter()
    if args.address is None:
        ray.init(
            address="local",
            num_cpus=args.workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
    else:
        ray.init(address=args.address, log_to_driver=False, logging_level=logging.ERROR)
    start = time.perf_counter() - started
    cpus = int(ray.cluster_resources().get("CPU", 0))
    try:
        started = time.perf_counter()
        on_ray = compare_models(scenario, models, backend="ray", **sweep)
        timings["ray"] = time.perf_counter() - started
    finally:
        ray.shutdown()
    same = results[1] == results[args.workers] == on_ray
    assert same, "the backends' comparisons differ"
    tasks = len(models) * args.replications
    one, many = timings[1], timings[args.workers]
    where = args.address or "a local instance"
    print(
        f"{len(models)} models x {args.replications} replications = {tasks} tasks of "
        f"{scenario.arrivals.sessions:,} sessions of {scenario.name}"
    )
    print(f"local, 1 worker      {one:7.1f} s")
    print(f"local, {args.workers} workers     {many:7.1f} s   {one / many:5.2f}x")
    print(f"Ray start            {start:7.1f} s   ({where}, {cpus} CPUs)")
    print(f"Ray sweep            {timings['ray']:7.1f} s   {one / timings['ray']:5.2f}x")
    whole = start + timings["ray"]
    print(f"Ray start + sweep    {whole:7.1f} s   {one / whole:5.2f}x")
    print(f"Ray vs {args.workers} local workers {many / timings['ray']:5.2f}x (sweep alone)")
    print("results identical on every backend: yes")


if __name__ == "__main__":
    main()
