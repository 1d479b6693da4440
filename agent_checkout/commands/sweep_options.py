"""``--backend`` and ``--address``: where ``run --replications`` and ``compare`` run their
replications (this machine, or Ray), shared by both commands, and the one line each failure
ends in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from agent_checkout.commands.bad_input import fail
from agent_checkout.sim.backends import BackendError, SweepError, sweep_backend


class Backend(StrEnum):
    """Where replications run."""

    local = "local"
    ray = "ray"


BackendOption = Annotated[
    Backend,
    typer.Option(
        help="Where replications run: local (--workers processes) or ray (a local Ray instance "
        "started for the command, or the cluster at --address; pip install "
        "'agent-checkout[ray]').",
    ),
]

AddressOption = Annotated[
    str | None,
    typer.Option(
        help="With --backend ray: the Ray cluster to run on (HEAD:6379, or ray://HEAD:10001).",
    ),
]


def check_backend(backend: Backend, address: str | None, workers: int) -> None:
    """Refuse, before anything runs, a backend that cannot be used as asked (Ray missing, an
    address without Ray), in one line."""
    try:
        sweep_backend(backend.value, workers=workers, address=address)
    except BackendError as problem:
        raise fail(str(problem)) from None


@contextmanager
def sweep_failures() -> Iterator[None]:
    """A replication that still failed after its retries, or a cluster that could not be
    reached, ends the command in one line (exit 1), as any other failure the user can act on."""
    try:
        yield
    except SweepError as problem:
        raise fail(str(problem), code=1) from None
    except BackendError as problem:
        raise fail(str(problem)) from None


def ran_on(backend: Backend, workers: int) -> str:
    """What ran the replications, for the line that reports their speed."""
    if backend is Backend.ray:
        return "Ray"
    return f"{workers} worker{'s' if workers > 1 else ''}"
