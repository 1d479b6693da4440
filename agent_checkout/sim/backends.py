"""Where a sweep's replications run: here (serially or on a process pool) or on Ray.

A sweep is a list of :class:`Replication` tasks, one replication of one variant each. Every
task is deterministic on its own (its scenario and seed decide everything), so any backend that
runs each task once gives exactly the serial results; a backend only decides where tasks run
and returns their summaries in the order of the tasks. Ray is an extra, imported only when
asked for (:mod:`agent_checkout.sim.ray_backend`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from agent_checkout.sim.scenario import Scenario

#: The backends a sweep may run on.
BACKENDS = ("local", "ray")

#: What a missing Ray says, in one line.
RAY_MISSING = "--backend ray needs Ray: pip install 'agent-checkout[ray]'"


@dataclass(frozen=True)
class Replication:
    """One task of a sweep: replication ``index`` of ``variant``, run with ``seed``; with
    ``out``, its files (summary.json, ledger.duckdb) go to that directory."""

    variant: str
    index: int
    scenario: Scenario
    seed: int
    out: str | None = None
    engine: str = "auto"  # what walks the agent's graph (agent_checkout.agent.engines)

    def name(self) -> str:
        """How a report names this task: variant, replication and seed."""
        return f"variant {self.variant!r}, replication {self.index} (seed {self.seed})"


#: Called with each task as it finishes, in the order they finish.
Progress = Callable[[Replication], None]


class SweepBackend(Protocol):
    """Runs tasks and returns their summaries in task order."""

    def run(self, jobs: Sequence[Replication], progress: Progress | None = None) -> list[dict]:
        """Every task's summary, in the order of ``jobs``; ``progress`` hears of each as it
        finishes. Raises :class:`SweepError` (or the task's own error) when a task fails."""
        ...


class SweepError(RuntimeError):
    """A task that still failed after its retries; the message is one line naming it."""


class BackendError(RuntimeError):
    """A backend that cannot be used as asked (Ray missing, no cluster at an address)."""


def run_replication(job: Replication) -> dict:
    """Simulate one task and return its summary (the function every backend runs)."""
    from agent_checkout.sim.run import run_scenario  # worker processes import it themselves

    return run_scenario(job.scenario, seed=job.seed, out=job.out, engine=job.engine).summary


@dataclass(frozen=True)
class LocalBackend:
    """Tasks on this machine: one after another, or on ``workers`` processes."""

    workers: int = 1

    def run(self, jobs: Sequence[Replication], progress: Progress | None = None) -> list[dict]:
        if self.workers <= 1 or len(jobs) <= 1:
            summaries = []
            for job in jobs:
                summaries.append(run_replication(job))
                if progress is not None:
                    progress(job)
            return summaries
        with ProcessPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            futures = {pool.submit(run_replication, job): i for i, job in enumerate(jobs)}
            results: list[dict | None] = [None] * len(jobs)
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    index = futures[future]
                    if future.exception() is not None:
                        for waiting in pending:
                            waiting.cancel()  # nothing more starts; running ones finish
                        raise future.exception()
                    results[index] = future.result()
                    if progress is not None:
                        progress(jobs[index])
            return results  # type: ignore[return-value]


def sweep_backend(
    backend: str = "local", *, workers: int = 1, address: str | None = None
) -> SweepBackend:
    """The backend named ``backend``: ``local`` (``workers`` processes) or ``ray`` (the cluster
    at ``address``, or a local Ray instance started for the sweep with ``workers`` CPUs when
    more than 1, else all of them). Raises :class:`BackendError` in one line."""
    if backend not in BACKENDS:
        raise BackendError(f"--backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend == "local":
        if address is not None:
            raise BackendError("--address: a Ray cluster's address; give it with --backend ray")
        return LocalBackend(workers)
    try:
        import ray  # noqa: F401 - only to say plainly that it is missing
    except ModuleNotFoundError:
        raise BackendError(RAY_MISSING) from None
    from agent_checkout.sim.ray_backend import RayBackend, address_problem

    if address is not None and (problem := address_problem(address)):
        raise BackendError(f"--address {address}: {problem}")
    return RayBackend(address=address, workers=workers)
