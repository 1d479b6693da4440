"""Platform profiles, fetched from the URL a request's ``UCP-Agent`` names and cached per URL.

A business reads a platform's profile twice over: for the capabilities both support (the
intersection decides whether AP2 mandates are active, :mod:`merchants.ucp.checkout`) and for
the order webhook it asks for (:mod:`merchants.ucp.webhooks`). A profile that cannot be fetched
counts as one that asks for nothing; the failure is remembered for :data:`RETRY_SECONDS` (real
time: only the HTTP server fetches), so a platform whose profile is unreachable costs one failed
fetch per half minute, not one per checkout, and is asked again once it may have come up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from merchants.ucp.orders import ORDER_CAPABILITY

log = logging.getLogger("merchants.ucp.platforms")

Fetch = Callable[[str], dict[str, Any]]
TIMEOUT_SECONDS = 2.0
RETRY_SECONDS = 30.0


def fetch_profile(url: str) -> dict[str, Any]:
    response = httpx.get(url, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()


def capabilities(profile: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The capability entries a profile lists (none for a malformed profile)."""
    ucp = profile.get("ucp") if isinstance(profile, dict) else None
    listed = ucp.get("capabilities") if isinstance(ucp, dict) else None
    return [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []


def capability_names(profile: dict[str, Any] | None) -> frozenset[str]:
    return frozenset(str(c.get("name")) for c in capabilities(profile))


def webhook_url(profile: dict[str, Any] | None) -> str | None:
    """The order webhook a platform profile asks for, or None."""
    for capability in capabilities(profile):
        if capability.get("name") == ORDER_CAPABILITY:
            config = capability.get("config")
            url = config.get("webhook_url") if isinstance(config, dict) else None
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                return url
    return None


class PlatformProfiles:
    """Profiles by URL: each fetched once when it answers, again a while after it did not."""

    def __init__(self, fetch: Fetch = fetch_profile, retry: float = RETRY_SECONDS) -> None:
        self._fetch, self._retry = fetch, retry
        self._cache: dict[str, dict[str, Any]] = {}
        #: URL -> when its last fetch failed (wall clock: a real platform's retry, never a
        #: simulation's; a simulated session names no http(s) profile)
        self._failed: dict[str, float] = {}

    def get(self, url: str | None) -> dict[str, Any] | None:
        """The profile at ``url``, or None for no URL, a non-HTTP one or a failed fetch."""
        if not url or not url.startswith(("http://", "https://")):
            return None
        if url in self._cache:
            return self._cache[url]
        failed = self._failed.get(url)
        if failed is not None and time.monotonic() - failed < self._retry:  # wall clock
            return None
        try:
            profile = self._fetch(url)
        except Exception as problem:  # an unreachable or broken profile asks for nothing
            profile, reason = None, str(problem)
        else:
            reason = "not a JSON object"
        if not isinstance(profile, dict):
            log.warning("platform profile %s: %s", url, reason)
            self._failed[url] = time.monotonic()  # wall clock
            return None
        self._failed.pop(url, None)
        self._cache[url] = profile
        return profile
