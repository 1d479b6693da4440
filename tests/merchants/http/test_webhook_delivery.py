"""A slow webhook receiver does not slow checkout: events go out after the lock, in order."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fastapi.testclient import TestClient

from merchants.events import UrlSink, verify_signature
from merchants.http import create_app
from merchants.http.app import real_time
from merchants.webhooks import RetryPolicy

from .support import FakeClock, Shop, build_shop

SECRET = b"whsec_slow"


def _buy_concurrently(shop: Shop, count: int) -> list[tuple[float, dict]]:
    """Open ``count`` sessions on different products, then complete them all at once."""
    ready = []
    for index in range(count):
        session = shop.create(index=index)
        ready.append((session, shop.token(session)))

    def complete(pair: tuple[dict, str]) -> tuple[float, dict]:
        started = time.monotonic()
        response = shop.complete(*pair)
        assert response.status_code == 200, response.text
        return time.monotonic() - started, response.json()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(complete, ready))


def _events(seen: list[tuple[str, bytes]]) -> dict[str, list[tuple[str, str]]]:
    """Event type and status by order id, in the order the receiver got them."""
    by_order: dict[str, list[tuple[str, str]]] = {}
    for request_id, body in seen:
        event = json.loads(body)
        order_id = request_id.rsplit(".", 1)[0]
        by_order.setdefault(order_id, []).append((event["type"], event["data"]["status"]))
    return by_order


def test_a_receiver_that_never_answers_blocks_no_checkout(
    make_client: Callable[..., TestClient], clock: FakeClock
):
    merchants, processor = build_shop()
    release = threading.Event()
    seen: list[tuple[str, bytes]] = []

    def stuck(body: bytes, headers: dict[str, str]) -> None:
        release.wait(20)  # bounded: the test releases it long before
        seen.append((headers["Request-Id"], body))

    merchants["shop"].set_event_sink(stuck, SECRET)
    app = create_app(merchants, processor, clock=clock)
    with make_client(app) as client:  # the lifespan starts the delivery workers
        shop = Shop(client, merchants, processor, clock)
        started = time.monotonic()
        results = _buy_concurrently(shop, 8)
        assert time.monotonic() - started < 3.0
        assert max(latency for latency, _ in results) < 2.0
        assert [body["status"] for _, body in results] == ["completed"] * 8
        order_ids = sorted(body["order"]["id"] for _, body in results)
        assert order_ids == [f"ord_shop_{n:07d}" for n in range(1, 9)]
        read = time.monotonic()
        got = client.get(f"/merchants/shop/checkout_sessions/{results[0][1]['id']}")
        assert got.status_code == 200 and time.monotonic() - read < 1.0
        shipped = client.post(f"/merchants/shop/orders/{order_ids[0]}/ship")
        assert shipped.json()["status"] == "shipped"
        assert seen == []  # the receiver still holds the first event
        assert merchants["shop"].events.pending() == 9
        release.set()
        assert merchants["shop"].events.wait_idle(10)
    by_order = _events(seen)
    assert len(seen) == 9
    assert by_order == {
        order_ids[0]: [("order_create", "created"), ("order_update", "shipped")],
        **{order_id: [("order_create", "created")] for order_id in order_ids[1:]},
    }
    assert [request_id.rsplit(".", 1)[1] for request_id, _ in seen] == [
        f"{n:07d}" for n in range(1, 10)
    ]  # sent in the order they were queued
    attempts = merchants["shop"].events.attempts
    assert (len(attempts), all(a.delivered and a.number == 1 for a in attempts)) == (9, True)
    assert merchants["shop"].undelivered == []


class _SlowReceiver(BaseHTTPRequestHandler):
    """Answers each POST after ``delay`` seconds; the first ``fail_first`` POSTs get a 500."""

    delay = 1.0
    fail_first = 1
    seen: list[tuple[str, bytes, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        failing = len(self.seen) < self.fail_first
        self.seen.append((self.headers["Request-Id"], body, self.headers["Merchant-Signature"]))
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_real_slow_receiver_on_loopback(make_client: Callable[..., TestClient]):
    _SlowReceiver.seen = []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _SlowReceiver)
    serving = threading.Thread(target=receiver.serve_forever, daemon=True)
    serving.start()
    merchants, processor = build_shop()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    merchants["shop"].set_event_sink(UrlSink(hook, timeout=5), SECRET)
    merchants["shop"].events.policy = RetryPolicy(first_delay=0.05)
    clock = real_time  # the server's real clock, so the receiver can check signature times
    try:
        app = create_app(merchants, processor)
        with make_client(app) as client:
            shop = Shop(client, merchants, processor, FakeClock(clock()))
            results = _buy_concurrently(shop, 2)
            assert max(latency for latency, _ in results) < 0.9  # the receiver takes 1 s
            assert merchants["shop"].events.wait_idle(15)
    finally:
        receiver.shutdown()
        receiver.server_close()
    seen = _SlowReceiver.seen
    # the first POST got a 500 and was sent again: 3 POSTs for 2 events, same id and body
    assert [request_id for request_id, _, _ in seen] == [
        seen[0][0],
        seen[0][0],
        seen[2][0],
    ]
    assert seen[0][1] == seen[1][1]
    for _, body, signature in seen:
        assert verify_signature(SECRET, body, signature, clock())
    attempts = merchants["shop"].events.attempts
    assert [(a.number, a.status, a.delivered) for a in attempts] == [
        (1, 500, False),
        (2, None, True),
        (1, None, True),
    ]


def test_an_in_process_sink_is_called_synchronously_once_the_lock_is_free(shop: Shop):
    """Without the lifespan's worker, events go out in the request, but after the lock."""
    merchant = shop.merchants["shop"]
    lock_free: list[bool] = []

    def sink(body: bytes, headers: dict[str, str]) -> None:
        def other_buyer() -> None:  # another thread must be able to take the checkout lock
            taken = merchant.checkout.lock.acquire(timeout=2)
            if taken:
                merchant.checkout.lock.release()
            lock_free.append(taken)

        thread = threading.Thread(target=other_buyer)
        thread.start()
        thread.join(5)

    merchant.set_event_sink(sink, SECRET)
    session = shop.create()
    done = shop.complete(session, shop.token(session)).json()
    assert lock_free == [True]  # delivered before the response, outside the lock
    shop.client.post(f"/merchants/shop/orders/{done['order']['id']}/ship")
    assert lock_free == [True, True]
    assert [a.delivered for a in merchant.events.attempts] == [True, True]
