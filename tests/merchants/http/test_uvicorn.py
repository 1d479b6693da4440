"""The app under a real uvicorn server on a loopback port: bounded, and it stops by itself."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from merchants.http import create_app

from .support import HEADERS, build_shop


def test_real_server_on_loopback():
    merchants, processor = build_shop()
    app = create_app(merchants, processor)  # the real clock, as `agent-checkout serve` runs it
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # a free port, held until uvicorn takes the socket over
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=5
        ) as client:
            assert [m["id"] for m in client.get("/merchants").json()] == ["shop", "crafts"]
            item = list(merchants["shop"].catalog)[0].id
            created = client.post(
                "/merchants/shop/checkout_sessions",
                json={"items": [{"id": item, "quantity": 1}]},
                headers={"Request-Id": "live-1"},
            )
            assert created.status_code == 201
            assert created.headers["Request-Id"] == "live-1"
            assert created.json()["status"] == "not_ready_for_payment"
            refused = client.post("/merchants/shop/checkout_sessions", content=b"{")
            assert (refused.status_code, refused.json()["param"]) == (400, "$")
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
    assert not thread.is_alive()
