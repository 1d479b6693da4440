"""Fault schedules: what goes wrong, where and when, in virtual minutes.

A scenario lists faults; each names a server (a merchant id, or ``psp`` for the payment
processor) and a window. During an ``outage`` every call hangs until the client's timeout and
then fails with 503 (judged when service starts); an ``error_burst`` answers a
share of calls with a 5xx; ``slow`` multiplies latency; a ``stock_out`` empties a share of a
merchant's products at one moment (a rival's flash sale, a warehouse mistake).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchants.errors import ProtocolError


class _Fault(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Window(_Fault):
    server: str
    start_minute: float = Field(ge=0)
    end_minute: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_minute <= self.start_minute:
            raise ValueError("end_minute must be after start_minute")
        return self

    def active(self, server: str, seconds: float) -> bool:
        return server == self.server and self.start_minute * 60 <= seconds < self.end_minute * 60


class Outage(_Window):
    """Down: calls hang until the client's timeout, then fail with 503."""

    kind: Literal["outage"] = "outage"
    timeout_seconds: float = Field(10.0, gt=0)


class ErrorBurst(_Window):
    kind: Literal["error_burst"] = "error_burst"
    rate: float = Field(0.5, gt=0, le=1)
    status: int = Field(500, ge=500, le=599)


class Slow(_Window):
    kind: Literal["slow"] = "slow"
    factor: float = Field(5.0, gt=0)


class StockOut(_Fault):
    kind: Literal["stock_out"] = "stock_out"
    merchant: str
    at_minute: float = Field(ge=0)
    share: float = Field(1.0, gt=0, le=1)  # of the merchant's products, drawn by a seed


Fault = Annotated[Outage | ErrorBurst | Slow | StockOut, Field(discriminator="kind")]


class FaultSchedule:
    """The faults that act on calls, asked at the virtual time a call is served."""

    def __init__(self, faults: Sequence[Fault], rng: random.Random) -> None:
        self.windows = [f for f in faults if not isinstance(f, StockOut)]
        self.stock_outs = [f for f in faults if isinstance(f, StockOut)]
        self.rng = rng

    def latency(self, server: str, seconds: float, latency: float) -> float:
        """The call's latency once faults act: a hang during an outage, longer when slow."""
        for fault in self.windows:
            if fault.active(server, seconds):
                if isinstance(fault, Outage):
                    return fault.timeout_seconds
                if isinstance(fault, Slow):
                    latency *= fault.factor
        return latency

    def down(self, server: str, seconds: float) -> ProtocolError | None:
        """The 503 of an outage active when service starts, if any."""
        for fault in self.windows:
            if isinstance(fault, Outage) and fault.active(server, seconds):
                return ProtocolError(
                    503, "service_unavailable", "outage", f"{server} is down (scheduled outage)"
                )
        return None

    def failure(self, server: str, seconds: float) -> ProtocolError | None:
        """The error burst this call meets when it is answered, if any (draws only then)."""
        for fault in self.windows:
            if (
                isinstance(fault, ErrorBurst)
                and fault.active(server, seconds)
                and (self.rng.random() < fault.rate)
            ):
                return ProtocolError(
                    fault.status,
                    "processing_error",
                    "error_burst",
                    f"{server} failed (error burst)",
                )
        return None
