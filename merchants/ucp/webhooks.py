"""Order webhooks to the platform named in a request's ``UCP-Agent`` profile, signed.

The platform's profile (:mod:`merchants.ucp.platforms`, cached per URL) lists the order
capability with ``config.webhook_url``; order events are POSTed there. Each body is serialized
once, when the event is queued, and signed as those exact bytes: ``Request-Signature`` carries a
detached JWT (RFC 7797, ES256) whose ``kid`` names the merchant's key in the ``signing_keys`` of
its ``/.well-known/ucp`` (order.md, "Webhook Signature Verification"); every attempt POSTs the
same bytes with the same signature.

Delivery is off the request path: :meth:`PlatformWebhooks.send` queues an event and a daemon
worker sends it, retrying a failed POST a few times with back-off, so a slow or absent platform
never holds up a checkout. A retry is scheduled, not slept on: the worker sends whatever is due
first, so events for a platform that is down wait behind nothing and hold nobody else's back (a
retried event may then reach its platform after a newer one; each carries the whole order). A
profile that cannot be fetched or names no webhook drops the event (logged): the platform did
not ask for one. Tests pass ``fetch`` and ``post`` callables (a local sink) and call
:meth:`drain` instead of running the worker.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from merchants.ucp.platforms import Fetch, PlatformProfiles, fetch_profile, webhook_url
from merchants.ucp.signing import SIGNATURE_HEADER, SigningKey

log = logging.getLogger("merchants.ucp.webhooks")

#: (webhook URL, exact body bytes, headers) -> None; raises when the platform refused it.
Post = Callable[[str, bytes, Mapping[str, str]], None]

# Assumptions (UCP says only that a business MUST retry): three attempts, 0.2 s then 0.4 s
# apart, two seconds each. Between one event's attempts the worker sends the others.
ATTEMPTS = 3
BACKOFF_SECONDS = 0.2
TIMEOUT_SECONDS = 2.0


def _post(url: str, content: bytes, headers: Mapping[str, str]) -> None:
    response = httpx.post(
        url,
        content=content,
        headers={"Content-Type": "application/json", **headers},
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()


def webhook_bytes(body: dict[str, Any]) -> bytes:
    """The one serialization of an event: what is signed is what is sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class _Event:
    profile_url: str
    kind: str
    content: bytes
    headers: dict[str, str]


class PlatformWebhooks:
    """Delivers signed order events per platform profile, earliest due first, from one worker."""

    def __init__(
        self,
        fetch: Fetch = fetch_profile,
        post: Post = _post,
        *,
        background: bool = True,
        backoff: float = BACKOFF_SECONDS,
    ) -> None:
        self.profiles = PlatformProfiles(fetch)
        self._post, self._background, self._backoff = post, background, backoff
        #: (due on the wall clock's time.monotonic(), sequence, event, attempts made so far):
        #: real deliveries over HTTP, never a simulation's (it names no http(s) profile)
        self._due: list[tuple[float, int, _Event, int]] = []
        self._sequence = itertools.count()
        self._worker: threading.Thread | None = None
        self._ready = threading.Condition()
        #: (webhook URL, event type) of every event delivered, for tests and diagnostics.
        self.delivered: list[tuple[str, str]] = []
        #: Events dropped: no profile, no webhook in it, or every attempt failed.
        self.dropped: list[tuple[str, str]] = []

    def send(self, profile_url: str | None, body: dict[str, Any], key: SigningKey) -> None:
        """Queue ``body``, signed with ``key``, for the platform whose profile is at
        ``profile_url``."""
        kind = str(body.get("event_type"))
        if not profile_url or not profile_url.startswith(("http://", "https://")):
            self.dropped.append((profile_url or "", kind))
            return
        content = webhook_bytes(body)
        event = _Event(profile_url, kind, content, {SIGNATURE_HEADER: key.sign_webhook(content)})
        self._schedule(time.monotonic(), event, 0)  # wall clock
        if self._background:
            with self._ready:
                if self._worker is None:
                    self._worker = threading.Thread(
                        target=self._run, name="ucp-webhooks", daemon=True
                    )
                    self._worker.start()

    def drain(self) -> None:
        """Deliver everything queued now, retries included, in this thread."""
        while True:
            with self._ready:
                if not self._due:
                    return
                due, _, event, attempts = heapq.heappop(self._due)
            time.sleep(max(0.0, due - time.monotonic()))  # wall clock
            self._attempt(event, attempts)

    def _schedule(self, due: float, event: _Event, attempts: int) -> None:
        with self._ready:
            heapq.heappush(self._due, (due, next(self._sequence), event, attempts))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._due and not self._ready.wait(timeout=30):
                    self._worker = None  # idle: the next send starts a new worker
                    return
                if not self._due:
                    continue
                wait = self._due[0][0] - time.monotonic()  # wall clock
                if wait > 0:
                    self._ready.wait(timeout=wait)  # woken early by a newer event
                    continue
                _, _, event, attempts = heapq.heappop(self._due)
            self._attempt(event, attempts)

    def _attempt(self, event: _Event, attempts: int) -> None:
        """One POST of one event; a failure schedules the next attempt or drops the event."""
        url = webhook_url(self.profiles.get(event.profile_url))
        if url is None:
            self.dropped.append((event.profile_url, event.kind))
            return
        try:
            self._post(url, event.content, event.headers)
        except Exception as problem:
            log.warning("webhook %s attempt %d: %s", url, attempts + 1, problem)
            if attempts + 1 < ATTEMPTS:
                retry_at = time.monotonic() + self._backoff * 2**attempts  # wall clock
                self._schedule(retry_at, event, attempts + 1)
            else:
                self.dropped.append((url, event.kind))
            return
        self.delivered.append((url, event.kind))
