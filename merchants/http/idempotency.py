"""Idempotency keys as ACP's current RFC defines them, kept in memory.

Same key and same body: the stored answer is replayed. Same key, another body: 422
``idempotency_conflict``. A key whose first request is still being served: 409
``idempotency_in_flight``. 5xx answers are not stored, so a retry runs again. A key lives
``ttl`` (24 hours) from its first use, measured by the ``now`` the caller passes in, which lets a
test age keys with a fake clock. Keys are scoped (by merchant and route), so two merchants or
two routes never share one. The ``API-Version`` is not part of the scope: a key names one
operation whatever version the request carries, so a retry under another version replays it
(rendered for that version when the answer can be, see :attr:`StoredResponse.render`) and never
runs it twice.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from merchants.errors import ProtocolError

TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """An answer worth replaying: status and the exact body bytes.

    ``version`` is the API version ``body`` was rendered for; ``render`` gives the same answer
    for another version (None: the body is the same in every version, as errors are).
    """

    status: int
    body: bytes
    version: str | None = None
    render: Callable[[str], bytes] | None = None

    def body_for(self, version: str) -> bytes:
        if self.render is None or version == self.version:
            return self.body
        return self.render(version)


@dataclass(slots=True)
class _Entry:
    fingerprint: str
    first_used: datetime
    response: StoredResponse | None = None  # None while the first request is in flight


def fingerprint(body: bytes) -> str:
    """A digest of what the body says: canonical JSON, so key order and spacing don't count."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return hashlib.sha256(body).hexdigest()
    return hashlib.sha256(canonical.encode()).hexdigest()


def conflict() -> ProtocolError:
    return ProtocolError(
        422,
        "invalid_request",
        "idempotency_conflict",
        "Idempotency-Key has already been used with a different request body",
    )


def in_flight() -> ProtocolError:
    return ProtocolError(
        409,
        "invalid_request",
        "idempotency_in_flight",
        "A request with this Idempotency-Key is currently being processed",
    )


class IdempotencyStore:
    """Keys by scope, in first-use order so expired ones are dropped from the front. Thread-safe."""

    def __init__(self, ttl: timedelta = TTL) -> None:
        self.ttl = ttl
        self._entries: OrderedDict[tuple[Hashable, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def begin(
        self, scope: Hashable, key: str, body_fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        """Claim ``key``: ``None`` means serve the request, then :meth:`finish` or :meth:`abandon`.

        A stored response means replay it. Raises 422 for another body, 409 while in flight.
        """
        with self._lock:
            self._drop_expired(now)
            entry = self._entries.get((scope, key))
            if entry is not None and now - entry.first_used >= self.ttl:
                del self._entries[(scope, key)]  # expired but not yet dropped (clock went back)
                entry = None
            if entry is None:
                self._entries[(scope, key)] = _Entry(body_fingerprint, now)
                return None
            if entry.fingerprint != body_fingerprint:
                raise conflict()
            if entry.response is None:
                raise in_flight()
            return entry.response

    def finish(self, scope: Hashable, key: str, response: StoredResponse) -> None:
        """Store the answer for replay; a 5xx releases the key instead, so a retry runs again."""
        if response.status >= 500:
            self.abandon(scope, key)
            return
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is not None:
                entry.response = response

    def abandon(self, scope: Hashable, key: str) -> None:
        """Forget a claimed key (the request failed before it had an answer worth keeping)."""
        with self._lock:
            self._entries.pop((scope, key), None)

    def _drop_expired(self, now: datetime) -> None:
        while self._entries:
            first = next(iter(self._entries.values()))
            if now - first.first_used < self.ttl:
                break
            self._entries.popitem(last=False)
