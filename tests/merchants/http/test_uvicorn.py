"""The app under a real uvicorn server on a loopback port: bounded, and it stops by itself."""

from __future__ import annotations

import httpx

from merchants.http import create_app
from tests.loopback import served

from .support import HEADERS, build_shop


def test_real_server_on_loopback():
    merchants, processor = build_shop()
    app = create_app(merchants, processor)  # the real clock, as `agent-checkout serve` runs it
    with (
        served(app) as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS, timeout=5) as client,
    ):
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
