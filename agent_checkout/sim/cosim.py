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
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import simpy
from greenlet import greenlet

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.sim.faults import FaultSchedule
from agent_checkout.sim.streams import Stream
from merchants.errors import ProtocolError
from merchants.profile import LatencyProfile
from merchants.ratelimit import RateLimiter


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
    """A merchant's capacity, latency law, rate limit and faults, in virtual time.

    A call queues for one of ``capacity`` slots, then its latency passes (longer while a
    ``slow`` fault is active), then, at the virtual time it is served, the rate limiter and the
    fault schedule may refuse it with a 429 or a 5xx; otherwise the operation runs.
    """

    def __init__(
        self,
        env: simpy.Environment,
        clock: VirtualClock,
        latency: LatencyProfile,
        capacity: int,
        *,
        server_id: str = "",
        limiter: RateLimiter | None = None,
        faults: FaultSchedule | None = None,
        observer: Callable[..., None] | None = None,
        by_endpoint: Mapping[str, LatencyProfile] | None = None,
    ) -> None:
        self.env, self.clock, self.server_id = env, clock, server_id
        self.slots = simpy.Resource(env, capacity=capacity)
        self._laws = {"": (math.log(latency.median_ms / 1000.0), latency.sigma)}
        for endpoint, law in (by_endpoint or {}).items():
            self._laws[endpoint] = (math.log(law.median_ms / 1000.0), law.sigma)
        self.limiter, self.faults, self.observer = limiter, faults, observer
        self.calls = 0

    def serve(
        self,
        call: MerchantCall,
        rng: Stream,
        served: Callable[[MerchantCall], None] | None = None,
    ) -> Generator[Any, Any, Any]:
        """Queue, wait out the latency, then execute at the virtual time the call is served.

        ``served`` runs just before the operation, at its virtual time: the hook for tracing
        and for knowing which session an order belongs to.
        """
        mu, sigma = self._laws.get(call.endpoint, self._laws[""])
        latency = rng.lognormvariate(mu, sigma)
        requested, queue, down = self.env.now, len(self.slots.queue), None
        with self.slots.request() as slot:
            yield slot
            queued = self.env.now - requested
            if self.faults is not None:
                latency = self.faults.latency(self.server_id, self.env.now, latency)
                down = self.faults.down(self.server_id, self.env.now)
            yield self.env.timeout(latency)
            self.calls += 1
            if served is not None:
                served(call)
            answer, status = self._answer(call, down)
            if self.observer is not None:
                self.observer(
                    self.server_id, call.endpoint, self.env.now, queued, latency, status, queue
                )
            return answer

    def _answer(self, call: MerchantCall, down: ProtocolError | None) -> tuple[Any, str]:
        now = self.clock()
        refusal = down
        if refusal is None and self.faults is not None:
            refusal = self.faults.failure(self.server_id, self.env.now)
        if refusal is None and self.limiter is not None:
            admission = self.limiter.try_acquire("agent-platform", now)
            if not admission.allowed:
                refusal = ProtocolError(
                    429,
                    "rate_limit_exceeded",
                    "too_many_requests",
                    f"{self.server_id}: rate limit",
                    retry_after=float(admission.retry_after),
                )
        if refusal is not None:
            return _Raised(refusal), str(refusal.status)
        try:
            return call.operation(now), "ok"
        except ProtocolError as error:  # a merchant's answer
            return _Raised(error), str(error.status)
        except Exception as error:  # a merchant bug: the session sees it, the run goes on
            return _Raised(error), "exception"


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
    env: simpy.Environment,
    index: int,
    run: Callable[[], dict],
    servers: dict[str, MerchantServer],
    latency_rng: Stream,
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
        return SessionRecord(
            index,
            started,
            env.now,
            "unhandled_error",
            {"detail": f"{type(error).__name__}: {error}"},
            calls,
        )
    state = request
    return SessionRecord(
        index, started, env.now, state.get("outcome", "unhandled_error"), state, calls
    )
