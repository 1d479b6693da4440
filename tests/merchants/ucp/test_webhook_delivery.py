"""Order webhook delivery: retries are scheduled, so a platform that is down holds nobody up."""

from __future__ import annotations

import json
import threading
from typing import Any

from merchants.ucp.signing import SigningKey
from merchants.ucp.webhooks import ATTEMPTS, PlatformWebhooks

KEY = SigningKey.generate("shop-2026")

DOWN, UP = "http://down.test/profile", "http://up.test/profile"


class Platforms:
    """Two platforms' profiles; the first one's webhook refuses every POST."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []
        self.arrived = threading.Event()

    def fetch(self, profile_url: str) -> dict[str, Any]:
        hook = profile_url.replace("/profile", "/hook")
        capability = {"name": "dev.ucp.shopping.order", "config": {"webhook_url": hook}}
        return {"ucp": {"capabilities": [capability]}}

    def post(self, url: str, content: bytes, headers: dict[str, str]) -> None:
        self.posts.append((url, json.loads(content)["event_type"]))
        if url.startswith("http://down.test"):
            raise ConnectionRefusedError(url)
        self.arrived.set()


def test_a_retry_waits_behind_nothing_and_holds_back_no_other_platform():
    platforms = Platforms()
    webhooks = PlatformWebhooks(platforms.fetch, platforms.post, background=False, backoff=0.01)
    webhooks.send(DOWN, {"event_type": "order_placed"}, KEY)
    webhooks.send(UP, {"event_type": "order_placed"}, KEY)
    webhooks.send(DOWN, {"event_type": "order_shipped"}, KEY)
    webhooks.drain()
    down, up = "http://down.test/hook", "http://up.test/hook"
    # First attempts in the order sent, then the down platform's retries once each is due.
    assert platforms.posts[:3] == [
        (down, "order_placed"),
        (up, "order_placed"),
        (down, "order_shipped"),
    ]
    assert sorted(platforms.posts[3:]) == sorted(
        [(down, "order_placed"), (down, "order_shipped")] * (ATTEMPTS - 1)
    )
    assert webhooks.delivered == [(up, "order_placed")]
    assert sorted(webhooks.dropped) == [(down, "order_placed"), (down, "order_shipped")]


def test_the_worker_sends_a_new_event_while_an_old_one_waits_to_retry():
    platforms = Platforms()
    # A back-off far longer than the test: the up platform's event must not wait for it.
    webhooks = PlatformWebhooks(platforms.fetch, platforms.post, backoff=600.0)
    webhooks.send(DOWN, {"event_type": "order_placed"}, KEY)
    webhooks.send(UP, {"event_type": "order_placed"}, KEY)
    assert platforms.arrived.wait(timeout=10)
    assert webhooks.delivered == [("http://up.test/hook", "order_placed")]
    assert platforms.posts[0] == ("http://down.test/hook", "order_placed")
    assert webhooks.dropped == []  # the down platform's event still waits for its retry
