"""Co-simulation: each shopper session is a SimPy process driving the compiled LangGraph graph.

The graph runs in a greenlet owned by the session's process. When a node calls a merchant through
a simulated connector, the greenlet switches back to the process with the call; the process
queues it for the merchant's capacity, lets its latency pass in virtual time, and only then
executes it, at the virtual time it is served, before switching back with the answer. So nodes
make ordinary synchronous calls, sessions interleave in virtual time (two racing for the last
unit get realistic outcomes), and the very same graph runs outside the simulation unchanged.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import simpy
from greenlet import greenlet

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from merchants.profile import LatencyProfile


@dataclass(frozen=True, slots=True)
class MerchantCall:
    """A call waiting to be served: which server, which endpoint, and the operation itself."""

    server: str
    endpoint: str
    operation: Callable[[datetime], Any]


@dataclass(frozen=True, slots=True)
class Pause:
    """A session asking to wait (a back-off) before it goes on, in virtual seconds."""

    seconds: float


def virtual_sleep(seconds: float) -> None:
    """The simulation's ``sleep``: the session's process waits; nothing else does."""
    _hand_to_simulation(Pause(seconds))


class _Raised:
    """An exception the operation raised, carried back to the caller's greenlet."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _hand_to_simulation(call: MerchantCall | Pause) -> Any:
    session = greenlet.getcurrent()
    if session.parent is None:
        raise RuntimeError("a simulated connector was called outside a simulation session")
    answer = session.parent.switch(call)
    if isinstance(answer, _Raised):
        raise answer.error
    return answer


class SimulatedMerchant(InProcessMerchant):
    """An in-process merchant whose calls are served by the simulation, in virtual time."""

    def _serve(self, endpoint: str, operation: Callable[[datetime], Any]) -> Any:
        return _hand_to_simulation(MerchantCall(self.merchant_id, endpoint, operation))


class SimulatedPayments(InProcessPayments):
    server_id = "psp"

    def _serve(self, endpoint: str, operation: Callable[[datetime], Any]) -> Any:
        return _hand_to_simulation(MerchantCall(self.server_id, endpoint, operation))


class VirtualClock:
    """``env.now`` seconds after ``epoch``, as an aware datetime: the simulation's only clock."""

    def __init__(self, env: simpy.Environment, epoch: datetime) -> None:
        self.env, self.epoch = env, epoch

    def __call__(self) -> datetime:
        return self.epoch + timedelta(seconds=self.env.now)


class MerchantServer:
    """A merchant's capacity (concurrent calls) and latency law, in virtual time."""

    def __init__(self, env: simpy.Environment, clock: VirtualClock, latency: LatencyProfile,
                 capacity: int) -> None:
        self.env, self.clock = env, clock
        self.slots = simpy.Resource(env, capacity=capacity)
        self._mu = math.log(latency.median_ms / 1000.0)
        self._sigma = latency.sigma
        self.calls = 0

    def serve(self, call: MerchantCall, rng: random.Random,
              served: Callable[[MerchantCall], None] | None = None) -> Generator[Any, Any, Any]:
        """Queue, wait out the latency, then execute at the virtual time the call is served.

        ``served`` runs just before the operation, at its virtual time: the hook for tracing
        and for knowing which session an order belongs to.
        """
        latency = rng.lognormvariate(self._mu, self._sigma)
        with self.slots.request() as slot:
            yield slot
            yield self.env.timeout(latency)
            self.calls += 1
            if served is not None:
                served(call)
            try:
                return call.operation(self.clock())
            except Exception as error:  # a merchant's answer, e.g. a ProtocolError
                return _Raised(error)


@dataclass(slots=True)
class SessionRecord:
    """How one session went: what the graph ended in, and when, in virtual seconds."""

    index: int
    started: float
    ended: float
    outcome: str
    state: dict | None
    calls: int


def drive_session(
    env: simpy.Environment, index: int, run: Callable[[], dict],
    servers: dict[str, MerchantServer], latency_rng: random.Random,
    served: Callable[[MerchantCall], None] | None = None,
) -> Generator[Any, Any, SessionRecord]:
    """The SimPy process of one session: run the graph, serving each merchant call it makes."""
    started, calls = env.now, 0
    session = greenlet(run)
    try:
        request = session.switch()
        while not session.dead:
            if isinstance(request, Pause):
                yield env.timeout(request.seconds)
                answer = None
            else:
                calls += 1
                answer = yield from servers[request.server].serve(request, latency_rng, served)
            request = session.switch(answer)
    except Exception as error:  # the graph raised: counted, never fatal to the run
        return SessionRecord(index, started, env.now, "unhandled_error",
                             {"detail": f"{type(error).__name__}: {error}"}, calls)
    state = request
    return SessionRecord(index, started, env.now, state.get("outcome", "unhandled_error"),
                         state, calls)
