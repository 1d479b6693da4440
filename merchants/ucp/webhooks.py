"""Order webhooks to the platform named in a request's ``UCP-Agent`` profile.

The platform's profile (fetched from the URL its ``UCP-Agent`` header names, cached per URL)
lists the order capability with ``config.webhook_url``; order events are POSTed there. Delivery
is off the request path: :meth:`PlatformWebhooks.send` queues an event and a daemon worker sends
it, retrying a failed POST a few times with back-off, so a slow or absent platform never holds
up a checkout. A profile that cannot be fetched or names no webhook drops the event (logged):
the platform did not ask for one. Tests pass ``fetch`` and ``post`` callables (a local sink)
and call :meth:`drain` instead of running the worker.

Not done: UCP asks businesses to sign webhook bodies with a detached JWT in
``Request-Signature`` using a key published in ``signing_keys``; this mock sends them unsigned.
"""

from __future__ import annotations

import logging
import queue
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
# apart, two seconds each, so a platform that is down costs the worker about 5 s per event.
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
    """Queues order events per platform profile and delivers them in order, one worker."""

    def __init__(
        self,
        fetch: Fetch = _fetch,
        post: Post = _post,
        *,
        background: bool = True,
        backoff: float = BACKOFF_SECONDS,
    ) -> None:
        self._fetch, self._post, self._background, self._backoff = fetch, post, background, backoff
        self._queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._profiles: dict[str, str | None] = {}
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        #: (webhook URL, event type) of every event delivered, for tests and diagnostics.
        self.delivered: list[tuple[str, str]] = []
        #: Events dropped: no profile, no webhook in it, or every attempt failed.
        self.dropped: list[tuple[str, str]] = []

    def send(self, profile_url: str | None, body: dict[str, Any]) -> None:
        """Queue ``body`` for the platform whose profile is at ``profile_url``."""
        if not profile_url or not profile_url.startswith(("http://", "https://")):
            self.dropped.append((profile_url or "", str(body.get("event_type"))))
            return
        self._queue.put((profile_url, body))
        if self._background:
            with self._lock:
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(
                        target=self._run, name="ucp-webhooks", daemon=True
                    )
                    self._worker.start()

    def drain(self) -> None:
        """Deliver everything queued now, in this thread."""
        while True:
            try:
                profile_url, body = self._queue.get_nowait()
            except queue.Empty:
                return
            self._deliver(profile_url, body)

    def _run(self) -> None:
        while True:
            try:
                profile_url, body = self._queue.get(timeout=30)
            except queue.Empty:
                return  # idle: the next send starts a new worker
            self._deliver(profile_url, body)

    def _resolve(self, profile_url: str) -> str | None:
        if profile_url not in self._profiles:
            try:
                self._profiles[profile_url] = webhook_url(self._fetch(profile_url))
            except Exception as problem:  # an unreachable or broken profile: no webhook
                log.warning("platform profile %s: %s", profile_url, problem)
                return None  # not cached: the platform may come up later
        return self._profiles[profile_url]

    def _deliver(self, profile_url: str, body: dict[str, Any]) -> None:
        kind = str(body.get("event_type"))
        url = self._resolve(profile_url)
        if url is None:
            self.dropped.append((profile_url, kind))
            return
        for attempt in range(ATTEMPTS):
            try:
                self._post(url, body)
            except Exception as problem:
                log.warning("webhook %s attempt %d: %s", url, attempt + 1, problem)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(self._backoff * 2**attempt)  # real time: a server's worker
                continue
            self.delivered.append((url, kind))
            return
        self.dropped.append((url, kind))
