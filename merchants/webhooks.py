"""Order events on their way to the receiver: queued under the checkout lock, sent outside it.

A merchant puts each signed-to-be event in its :class:`EventOutbox` while it still holds the
checkout lock, so events keep the order of the changes they report, and the outbox sends them
once the lock is released, so a slow or dead receiver never holds up a sale or a read. The
outbox drains in one of two ways:

* in the caller's thread (the default): :meth:`EventOutbox.flush` runs right after a merchant
  operation has released its lock. An in-process receiver has its events before the operation
  returns, deterministically, signed at the event's own time; retries follow at once.
* in a background thread (:meth:`EventOutbox.start`, which the HTTP app's lifespan calls): a
  worker signs each attempt at the time its ``clock`` gives and waits out the back-off.

Each event gets at most ``RetryPolicy.attempts`` attempts, each with a fresh
``Merchant-Signature`` over the same body and ``Request-Id``. A connection failure or a 5xx is
tried again after ``first_delay * factor**(n - 1)`` seconds (at most ``max_delay``); a 4xx is
final. Every attempt is kept in :attr:`EventOutbox.attempts`, every event given up on in
:attr:`EventOutbox.undelivered` (both bounded). Events go out one at a time, in order.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from merchants.events import Envelope, OrderEvent, OrderEventEmitter, WebhookDeliveryError

log = logging.getLogger("merchants.events")

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded attempts with exponential back-off between them (seconds)."""

    attempts: int = 5
    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.first_delay < 0 or self.factor < 1 or self.max_delay < 0:
            raise ValueError("delays must be non-negative and the factor at least 1")

    def delay(self, failed_attempt: int) -> float:
        """The wait after attempt number ``failed_attempt`` (1-based) failed."""
        return min(self.max_delay, self.first_delay * self.factor ** (failed_attempt - 1))


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One try at handing an event to the receiver; ``error`` is None when it was taken."""

    request_id: str
    order_id: str
    event_type: str
    number: int
    sent_at: datetime
    error: str | None = None
    status: int | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None


class EventOutbox:
    """One merchant's queue of order events for its receiver. Thread-safe.

    Without an emitter (no sink set) :meth:`put` drops events: nobody listens. ``max_pending``
    bounds the queue; an event beyond it is recorded as undelivered instead of growing memory.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        max_pending: int = 10_000,
        history: int = 10_000,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.max_pending, self.history = max_pending, history
        self.emitter: OrderEventEmitter | None = None
        #: Attempts, oldest first (the newest ``history`` are kept).
        self.attempts: list[DeliveryAttempt] = []
        #: Events given up on, with the last reason (the newest ``history`` are kept).
        self.undelivered: list[tuple[OrderEvent, str]] = []
        self._pending: deque[tuple[Envelope, datetime]] = deque()
        self._cond = threading.Condition()
        self._busy = False  # a thread is flushing in the caller's-thread mode
        self._clock: Clock | None = None
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()

    def connect(self, emitter: OrderEventEmitter) -> None:
        """Send through ``emitter`` (its sink and secret) from now on."""
        with self._cond:
            self.emitter = emitter

    def put(self, event: OrderEvent, now: datetime) -> None:
        """Queue ``event`` (call under the lock that ordered the change); ``now`` is its time."""
        with self._cond:
            if self.emitter is None:
                return
            if len(self._pending) >= self.max_pending:
                self._give_up(event, f"outbox full ({self.max_pending} events waiting)")
                return
            self._pending.append((self.emitter.envelope(event), now))
            self._cond.notify_all()

    def pending(self) -> int:
        """Events queued or being delivered."""
        with self._cond:
            return len(self._pending)

    # -- draining in the caller's thread -------------------------------------------------------

    def flush(self) -> None:
        """Deliver what is queued, in this thread; a no-op while a background worker runs.

        Call it with no lock held. If another thread is already flushing, it delivers these
        events too, so this returns at once rather than queueing behind a slow receiver.
        """
        while True:
            with self._cond:
                if self._worker is not None or self._busy or not self._pending:
                    return
                self._busy = True
            try:
                while True:
                    with self._cond:
                        if not self._pending:
                            break
                        envelope, at = self._pending[0]
                    try:
                        self._deliver(envelope, lambda at=at: at, wait=None)
                    finally:
                        with self._cond:
                            self._pending.popleft()
                            self._cond.notify_all()
            finally:
                with self._cond:
                    self._busy = False

    # -- draining in a background thread -------------------------------------------------------

    def start(self, clock: Clock) -> None:
        """Deliver from a daemon thread from now on, signing each attempt at ``clock()``."""
        with self._cond:
            if self._worker is not None:
                return
            self._clock = clock
            self._stopping.clear()
            self._worker = threading.Thread(target=self._run, name="merchant-webhooks", daemon=True)
            self._worker.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the worker: it skips further back-off, tries what is queued, then ends.

        Waits at most ``timeout`` seconds; True when the worker ended (False leaves it to die
        with the process, as a daemon). Afterwards :meth:`flush` drains in the caller's thread.
        """
        with self._cond:
            worker = self._worker
            if worker is None:
                return True
            self._stopping.set()
            self._cond.notify_all()
        worker.join(timeout)
        with self._cond:
            if not worker.is_alive():
                self._worker = None
            return not worker.is_alive()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued event has been delivered or given up on (True), or timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending, timeout)

    def _run(self) -> None:
        clock = self._clock
        assert clock is not None
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping.is_set())
                if not self._pending:
                    return  # stopping, and nothing left
                envelope, _ = self._pending[0]
            try:
                self._deliver(envelope, clock, wait=self._stopping.wait)
            except Exception as problem:  # a sink's bug must not kill the worker
                log.exception("order event %s could not be sent", envelope.request_id)
                self._give_up(envelope.event, f"{type(problem).__name__}: {problem}")
            finally:
                with self._cond:
                    self._pending.popleft()
                    self._cond.notify_all()

    # -- one event ------------------------------------------------------------------------------

    def _deliver(
        self, envelope: Envelope, clock: Clock, wait: Callable[[float], bool] | None
    ) -> None:
        """Attempt until taken, refused for good (4xx) or out of attempts."""
        event = envelope.event
        for number in range(1, self.policy.attempts + 1):
            emitter = self.emitter
            if emitter is None:
                return
            sent_at = clock()
            try:
                emitter.send(envelope, sent_at)
            except WebhookDeliveryError as problem:
                self._record(
                    DeliveryAttempt(
                        envelope.request_id,
                        event.order_id,
                        event.type,
                        number,
                        sent_at,
                        str(problem),
                        problem.status,
                    )
                )
                if not problem.retryable or number == self.policy.attempts:
                    log.warning(
                        "order event %s for %s not delivered after %d attempt(s): %s",
                        event.type,
                        event.order_id,
                        number,
                        problem,
                    )
                    self._give_up(event, str(problem))
                    return
                if wait is not None and not self._stopping.is_set():
                    wait(self.policy.delay(number))
                continue
            self._record(
                DeliveryAttempt(envelope.request_id, event.order_id, event.type, number, sent_at)
            )
            return

    def _record(self, attempt: DeliveryAttempt) -> None:
        with self._cond:
            self.attempts.append(attempt)
            if len(self.attempts) > 2 * self.history:
                del self.attempts[: -self.history]

    def _give_up(self, event: OrderEvent, reason: str) -> None:
        with self._cond:
            self.undelivered.append((event, reason))
            if len(self.undelivered) > 2 * self.history:
                del self.undelivered[: -self.history]
