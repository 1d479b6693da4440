"""Sweeps on Ray: each task (one replication of one variant) a Ray task, on a local Ray
instance started for the sweep or on a cluster.

Why the files travel back: on a cluster a task runs on another machine, so it simulates into
a scratch folder there and returns its files' bytes with its summary; the driver writes them
where a local run would have (``out/replications/r/``), so a run directory is the same
whichever backend filled it. A task that raises is retried (``max_retries``,
``retry_exceptions``); one that still fails stops the sweep with one line naming it.
Importing this module imports Ray: only :func:`~agent_checkout.sim.backends.sweep_backend`
does, when asked for Ray.
"""

from __future__ import annotations

import logging
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import ray
from ray.exceptions import RayError, RayTaskError

from agent_checkout.sim.backends import (
    BackendError,
    Progress,
    Replication,
    SweepError,
    run_replication,
)

#: A task's result: its summary and, when it wrote files, each file's bytes by relative path.
Packed = tuple[dict, dict[str, bytes]]


def run_packed(task: Callable[[Replication], dict], job: Replication) -> Packed:
    """Run ``task`` on a Ray worker; with ``job.out``, into a scratch folder whose files are
    returned, since the worker may not share the driver's disk."""
    if job.out is None:
        return task(job), {}
    with tempfile.TemporaryDirectory(prefix="agent-checkout-ray-") as scratch:
        folder = Path(scratch) / "run"
        summary = task(replace(job, out=str(folder)))
        files = {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    return summary, files


def write_files(out: str, files: dict[str, bytes]) -> None:
    """A task's files, written under ``out`` as the task wrote them on its worker."""
    for name, data in files.items():
        path = Path(out) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def failure(job: Replication, problem: RayError, attempts: int) -> SweepError:
    """One line: which task failed, after how many attempts, and the task's own error."""
    cause = problem.cause if isinstance(problem, RayTaskError) else None
    error = cause if isinstance(cause, BaseException) else problem
    text = str(error).strip().splitlines()
    what = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    return SweepError(f"{job.name()} failed after {attempts} attempts: {what}")


#: How long a cluster's address may take to answer before the sweep gives up on it.
CONNECT_SECONDS = 5.0


def address_problem(address: str) -> str | None:
    """Why nothing can run at ``address`` (``HOST:PORT`` or ``ray://HOST:PORT``), or None.
    Ray itself retries an address that never answers for ever, so it is tried here first,
    for :data:`CONNECT_SECONDS`; ``auto`` (the cluster ``ray start`` began on this machine)
    is left to Ray."""
    if address == "auto":
        return None
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not host or not port.isdigit():
        return "give HOST:PORT (the head's, e.g. 10.0.0.5:6379) or ray://HOST:10001"
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            return None
    except OSError as problem:
        return f"no Ray cluster answers there ({problem.strerror or problem})"


@contextmanager
def ray_session(address: str | None, workers: int) -> Iterator[None]:
    """Ray connected for the sweep: an instance already connected in this process is used as
    it is; else the cluster at ``address``; else a new local instance (``workers`` CPUs when
    more than 1), shut down at the end."""
    if ray.is_initialized():
        yield
        return
    if address is not None and (problem := address_problem(address)):
        raise BackendError(f"--address {address}: {problem}")
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address is None:
            ray.init(address="local", num_cpus=workers if workers > 1 else None, **quiet)
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, ValueError, RuntimeError) as problem:
        lines = str(problem).strip().splitlines() or [type(problem).__name__]
        where = "--backend ray" if address is None else f"--address {address}"
        raise BackendError(f"{where}: {lines[0]}") from None
    try:
        yield
    finally:
        ray.shutdown()


def finished(pending: list) -> tuple[list, list]:
    """The tasks of ``pending`` that are done (at least one; waits for it) and the rest: a
    wait for the first, then whatever else is ready, so a sweep of thousands of tasks is not
    one wait over all of them per task."""
    done, pending = ray.wait(pending, num_returns=1)
    if pending:
        more, pending = ray.wait(pending, num_returns=len(pending), timeout=0)
        done += more
    return done, pending


@dataclass(frozen=True)
class RayBackend:
    """Tasks as Ray tasks, on the cluster at ``address`` or a local instance; each task is
    retried ``max_retries`` times when it raises. ``task`` is what runs a replication."""

    address: str | None = None
    workers: int = 1
    max_retries: int = 2
    task: Callable[[Replication], dict] = run_replication

    def run(self, jobs: Sequence[Replication], progress: Progress | None = None) -> list[dict]:
        if not jobs:
            return []
        with ray_session(self.address, self.workers):
            remote = ray.remote(run_packed).options(
                num_cpus=1, max_retries=self.max_retries, retry_exceptions=True
            )
            refs = {remote.remote(self.task, job): index for index, job in enumerate(jobs)}
            results: list[dict | None] = [None] * len(jobs)
            pending = list(refs)
            while pending:
                done, pending = finished(pending)
                for ref in sorted(done, key=refs.__getitem__):
                    job = jobs[refs[ref]]
                    try:
                        summary, files = ray.get(ref)
                    except RayError as problem:
                        for waiting in pending:
                            ray.cancel(waiting)
                        raise failure(job, problem, self.max_retries + 1) from None
                    if job.out is not None:
                        write_files(job.out, files)
                    results[refs[ref]] = summary
                    if progress is not None:
                        progress(job)
            return results  # type: ignore[return-value]
