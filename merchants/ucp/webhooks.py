"""Order webhooks to the platform named in a request's ``UCP-Agent`` profile.

The platform's profile (fetched from the URL its ``UCP-Agent`` header names, cached per URL)
lists the order capability with ``config.webhook_url``; order events are POSTed there. Delivery
is off the request path: :meth:`PlatformWebhooks.send` queues an event and a daemon worker sends
it, retrying a failed POST a few times with back-off, so a slow or absent platform never holds
up a checkout. A retry is scheduled, not slept on: the worker sends whatever is due first, so
events for a platform that is down wait behind nothing and hold nobody else's back (a retried
event may then reach its platform after a newer one; each carries the whole order). A profile
that cannot be fetched or names no webhook drops the event (logged): the platform did not ask
for one. Tests pass ``fetch`` and ``post`` callables (a local sink) and call :meth:`drain`
instead of running the worker.

Not done: UCP asks businesses to sign webhook bodies with a detached JWT in
``Request-Signature`` using a key published in ``signing_keys``; this mock sends them unsigned.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from merchants.ucp.orders import ORDER_CAPABILITY

log = logging.getLogger("merchants.ucp.webhooks")

Fetch = Callable[[str], dict[str, Any]]
Post = Callable[[str, dict[str, Any]], None]

# Assumptions (UCP says only that a business MUST retry): three attempts, 0.2 s then 0.4 s
# apart, two seconds each. Between one event's attempts the worker sends the others.
ATTEMPTS = 3
BACKOFF_SECONDS = 0.2
TIMEOUT_SECONDS = 2.0


def _fetch(url: str) -> dict[str, Any]:
    response = httpx.get(url, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()


def _post(url: str, body: dict[str, Any]) -> None:
    httpx.post(url, json=body, timeout=TIMEOUT_SECONDS).raise_for_status()


def webhook_url(profile: dict[str, Any]) -> str | None:
    """The order webhook a platform profile asks for, or None."""
    ucp = profile.get("ucp") if isinstance(profile, dict) else None
    capabilities = ucp.get("capabilities") if isinstance(ucp, dict) else None
    for capability in capabilities if isinstance(capabilities, list) else []:
        if isinstance(capability, dict) and capability.get("name") == ORDER_CAPABILITY:
            config = capability.get("config")
            url = config.get("webhook_url") if isinstance(config, dict) else None
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                return url
    return None


class PlatformWebhooks:
    """Delivers order events per platform profile, earliest due first, from one worker."""

    def __init__(
        self,
        fetch: Fetch = _fetch,
        post: Post = _post,
        *,
        background: bool = True,
        backoff: float = BACKOFF_SECONDS,
    ) -> None:
        self._fetch, self._post, self._background, self._backoff = fetch, post, background, backoff
        #: (due on time.monotonic(), sequence, profile URL, body, attempts made so far)
        self._due: list[tuple[float, int, str, dict[str, Any], int]] = []
        self._sequence = itertools.count()
        self._profiles: dict[str, str | None] = {}
        self._worker: threading.Thread | None = None
        self._ready = threading.Condition()
        #: (webhook URL, event type) of every event delivered, for tests and diagnostics.
        self.delivered: list[tuple[str, str]] = []
        #: Events dropped: no profile, no webhook in it, or every attempt failed.
        self.dropped: list[tuple[str, str]] = []

    def send(self, profile_url: str | None, body: dict[str, Any]) -> None:
        """Queue ``body`` for the platform whose profile is at ``profile_url``."""
        if not profile_url or not profile_url.startswith(("http://", "https://")):
            self.dropped.append((profile_url or "", str(body.get("event_type"))))
            return
        self._schedule(time.monotonic(), profile_url, body, 0)
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
                due, _, profile_url, body, attempts = heapq.heappop(self._due)
            time.sleep(max(0.0, due - time.monotonic()))
            self._attempt(profile_url, body, attempts)

    def _schedule(self, due: float, profile_url: str, body: dict[str, Any], attempts: int) -> None:
        with self._ready:
            heapq.heappush(self._due, (due, next(self._sequence), profile_url, body, attempts))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._due and not self._ready.wait(timeout=30):
                    self._worker = None  # idle: the next send starts a new worker
                    return
                if not self._due:
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._ready.wait(timeout=wait)  # woken early by a newer event
                    continue
                _, _, profile_url, body, attempts = heapq.heappop(self._due)
            self._attempt(profile_url, body, attempts)

    def _resolve(self, profile_url: str) -> str | None:
        if profile_url not in self._profiles:
            try:
                self._profiles[profile_url] = webhook_url(self._fetch(profile_url))
            except Exception as problem:  # an unreachable or broken profile: no webhook
                log.warning("platform profile %s: %s", profile_url, problem)
                return None  # not cached: the platform may come up later
        return self._profiles[profile_url]

    def _attempt(self, profile_url: str, body: dict[str, Any], attempts: int) -> None:
        """One POST of one event; a failure schedules the next attempt or drops the event."""
        kind = str(body.get("event_type"))
        url = self._resolve(profile_url)
        if url is None:
            self.dropped.append((profile_url, kind))
            return
        try:
            self._post(url, body)
        except Exception as problem:
            log.warning("webhook %s attempt %d: %s", url, attempts + 1, problem)
            if attempts + 1 < ATTEMPTS:
                retry_at = time.monotonic() + self._backoff * 2**attempts
                self._schedule(retry_at, profile_url, body, attempts + 1)
            else:
                self.dropped.append((url, kind))
            return
        self.delivered.append((url, kind))
