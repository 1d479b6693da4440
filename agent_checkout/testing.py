"""What a test of an agent or a scenario needs, without pytest: a merchant, an agent that buys
from it, a sized check run of a scenario, and the check of its ``expect:`` block. The pytest
plugin (:mod:`agent_checkout.pytest_plugin`) hands these out as fixtures and scenario items.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.policy import CheckoutPolicy, RulePolicy
from agent_checkout.agent.protocols import in_process_connector
from agent_checkout.agent.shopper import SampleShopper
from agent_checkout.agent.state import Need
from agent_checkout.expectations import (
    Miss,
    baseline_misses,
    baseline_of,
    metric_misses,
    write_baseline,
)
from agent_checkout.sim.expect import ExpectSpec
from agent_checkout.sim.invariants import broken_invariants
from agent_checkout.sim.replications import pooled_summary, replication_seed
from agent_checkout.sim.run import RunResult, run_scenario
from agent_checkout.sim.scenario import Scenario, load_scenario
from merchants import Merchant, PaymentProcessor, build_merchants, load_profile


def sample_merchant(profile: str = "northwind-outfitters", seed: int = 7) -> Merchant:
    """A built-in merchant profile's shop, with its own payment processor, ready to buy from."""
    merchants = build_merchants([load_profile(profile)], seed=seed, processor=PaymentProcessor())
    return next(iter(merchants.values()))


@dataclass
class CheckoutAgent:
    """The checkout graph with its merchants: ``buy`` runs one session outside any simulation
    and returns its final state (``outcome``, ``recommendations``, ``checkout``)."""

    merchants: list[Merchant]
    policy: CheckoutPolicy = field(default_factory=RulePolicy)
    #: One connector per merchant, in the protocol its profile names, kept across purchases.
    connectors: dict[str, InProcessMerchant] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.connectors = {m.id: in_process_connector(m) for m in self.merchants}

    def buy(self, category: str, query: str, budget: int) -> dict:
        processor = self.merchants[0].checkout.processor  # the one its merchants charge through
        return build_checkout_graph().invoke(
            {},
            context=AgentContext(
                merchants=self.connectors,
                payments=InProcessPayments(processor),
                shopper=SampleShopper(Need(category=category, query=query), budget=budget),
                policy=self.policy,
            ),
        )


def sized(scenario: Scenario, sessions: int | None) -> Scenario:
    """``scenario`` cut to ``sessions`` arrivals (None: as it is), for a fast check run."""
    if sessions is None:
        return scenario
    arrivals = scenario.arrivals.model_copy(update={"sessions": sessions})
    return scenario.model_copy(update={"arrivals": arrivals})


def simulate(
    scenario: Scenario | str | Path,
    out: Path,
    *,
    sessions: int | None = None,
    seed: int | None = None,
    policy: CheckoutPolicy | None = None,
) -> RunResult:
    """Run ``scenario`` (cut to ``sessions``) into ``out``, with ``policy`` as its agent."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return run_scenario(sized(scenario, sessions), seed=seed, out=out, policy=policy)


@dataclass(frozen=True)
class CheckRun:
    """A check run: its summary (pooled over replications), each replication's, its folder."""

    summary: dict
    replications: list[dict]
    out: Path


def check_run(scenario: Scenario, out: Path, policy: CheckoutPolicy | None = None) -> CheckRun:
    """Run ``scenario`` as its ``expect:`` block sizes it: sessions, seed, replications (each
    replication in ``out/replications/r``, seeded as ``run --replications`` seeds it)."""
    spec = scenario.expect or ExpectSpec()
    scenario = sized(scenario, spec.sessions)
    seed = scenario.seed if spec.seed is None else spec.seed
    if spec.replications == 1:
        summary = run_scenario(scenario, seed=seed, out=out, policy=policy).summary
        return CheckRun(summary, [summary], out)
    summaries = [
        run_scenario(
            scenario,
            seed=replication_seed(seed, r),
            out=out / "replications" / str(r),
            policy=policy,
        ).summary
        for r in range(spec.replications)
    ]
    return CheckRun(pooled_summary(scenario, seed, summaries), summaries, out)


def baseline_path(scenario_file: Path, spec: ExpectSpec) -> Path:
    """Where the scenario's baseline lives: ``baseline.file`` relative to the scenario file,
    or ``baselines/<file name>.json`` beside it."""
    given = spec.baseline.file if spec.baseline else None
    return scenario_file.parent / (given or f"baselines/{scenario_file.stem}.json")


def check_expectations(
    scenario_file: Path,
    run: CheckRun,
    spec: ExpectSpec,
    *,
    update_baselines: bool = False,
) -> list[str]:
    """Every way ``run`` misses ``spec``, rendered (empty: it meets all). With
    ``update_baselines`` the baseline file is rewritten from this run instead of compared."""
    broken = broken_invariants(run.summary, run.out, spec.invariants)
    failures = [f"invariant {problem}" for problem in broken]
    misses: list[Miss] = metric_misses(spec, run.summary)
    if spec.baseline is not None:
        path = baseline_path(scenario_file, spec)
        if update_baselines:
            about = {
                "scenario": run.summary["scenario"],
                "seed": run.summary["seed"],
                "sessions": run.summary["sessions"],
                "replications": len(run.replications),
            }
            write_baseline(path, baseline_of(spec, run.summary, run.replications, about))
        else:
            stored = json.loads(path.read_text()) if path.is_file() else {}
            shown = Path(os.path.relpath(path, scenario_file.parent)).as_posix()
            misses += baseline_misses(spec, run.summary, run.replications, stored, shown)
    return failures + [miss.render() for miss in misses]
