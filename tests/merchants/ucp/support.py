"""Helpers for the UCP tests: the flower shop over HTTP, a fake clock, a webhook sink, and
UCP 2026-01-11's JSON Schemas (shipped in ``merchants/specs/ucp``).

Every response the test client receives is checked by a hook: discovery against the profile
schema, checkout sessions against the checkout schema with each extension's
(fulfillment, discount, buyer consent), orders against the order schema, errors against UCP's
error shape (each message a ``message_error``), and never a 5xx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from merchants import PaymentProcessor
from merchants.http.ucp_routes import ucp_router
from merchants.merchant import Merchant
from merchants.profile import load_profile
from merchants.specs import ucp_spec_dir
from merchants.ucp import PlatformWebhooks

NOW = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
SECRET = "sim-secret"
PROFILE_URL = "http://agent.test/profile.json"
WEBHOOK_URL = "http://agent.test/webhooks/orders"
HEADERS = {"UCP-Agent": f'profile="{PROFILE_URL}"'}
SOURCE = ucp_spec_dir() / "source"
CHECKOUT_SCHEMAS = (
    "schemas/shopping/checkout.json",
    "schemas/shopping/fulfillment.json#/$defs/checkout",
    "schemas/shopping/discount.json#/$defs/checkout",
    "schemas/shopping/buyer_consent.json#/$defs/checkout",
    "schemas/shopping/ap2_mandate.json#/$defs/checkout_response_with_ap2",
)
_FILES = sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.json"))


def _retrieve(uri: str) -> Resource:
    """A schema by URI: upstream ``$id``s and relative refs disagree in places (the profile's
    ``../schemas/ucp.json``), so the file is the one whose path ends the URI's path longest."""
    path = re.sub(r"^https?://[^/]+", "", uri.split("#")[0])
    found = [f for f in _FILES if path.endswith("/" + f)]
    if not found:
        raise NoSuchResource(ref=uri)
    return Resource.from_contents(json.loads((SOURCE / max(found, key=len)).read_text()))


class UcpSchemas:
    def __init__(self) -> None:
        self.registry = Registry(retrieve=_retrieve)

    def errors(self, name: str, body: Any) -> list[str]:
        validator = Draft202012Validator(
            {"$ref": f"https://ucp.dev/{name}"}, registry=self.registry
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]

    def check(self, body: Any, *names: str) -> None:
        problems = [f"{name}: {e}" for name in names for e in self.errors(name, body)]
        assert not problems, problems


SCHEMAS = UcpSchemas()


class FakeClock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class WebhookSink:
    """The platform side: its profile names :data:`WEBHOOK_URL` (and, with ``ap2``, AP2
    mandates); posts are kept in order, parsed, and as sent (bytes and headers)."""

    def __init__(self, *, ap2: bool = False) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.raw: list[tuple[bytes, dict[str, str]]] = []
        self.fetched: list[str] = []
        self.ap2 = ap2

    def fetch(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if url != PROFILE_URL:
            raise httpx.ConnectError("no such platform")
        capabilities: list[dict[str, Any]] = [
            {
                "name": "dev.ucp.shopping.order",
                "version": "2026-01-11",
                "config": {"webhook_url": WEBHOOK_URL},
            }
        ]
        if self.ap2:
            capabilities += [
                {"name": name, "version": "2026-01-11"}
                for name in ("dev.ucp.shopping.checkout", "dev.ucp.shopping.ap2_mandate")
            ]
        return {"ucp": {"version": "2026-01-11", "capabilities": capabilities}}

    def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> None:
        self.events.append((url, json.loads(content)))
        self.raw.append((content, dict(headers)))

    def types(self) -> list[str]:
        return [body["event_type"] for _, body in self.events]


def flower_shop(**overrides: Any) -> Merchant:
    profile = load_profile("flower-shop")
    if overrides:
        profile = profile.model_copy(update=overrides)
    return Merchant(profile, seed=1, processor=PaymentProcessor())


def ucp_app(
    merchants: dict[str, Merchant], clock: FakeClock, sink: WebhookSink, secret: str | None = SECRET
) -> FastAPI:
    app = FastAPI()
    webhooks = PlatformWebhooks(sink.fetch, sink.post, background=False, backoff=0.0)
    app.include_router(ucp_router(merchants, clock, simulation_secret=secret, webhooks=webhooks))
    app.state.webhooks = webhooks
    return app


def check_response(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    path = response.request.url.path
    if not response.headers.get("content-type", "").startswith("application/json"):
        return
    body = response.json()
    if response.status_code == 404 and "status" not in body:
        return  # no such route at all: the framework's (or the whole app's) own 404
    if response.status_code >= 400:
        assert body["status"] == "requires_escalation", body
        assert body["detail"] == body["messages"][0]["content"]
        for message in body["messages"]:
            SCHEMAS.check(message, "schemas/shopping/types/message_error.json")
    elif path.endswith("/.well-known/ucp"):
        SCHEMAS.check(body, "discovery/profile_schema.json")
    elif "/checkout-sessions" in path:
        SCHEMAS.check(body, *CHECKOUT_SCHEMAS)
    elif "/orders/" in path or "/simulate-shipping/" in path:
        SCHEMAS.check(body, "schemas/shopping/order.json")


def client(app: FastAPI) -> TestClient:
    test_client = TestClient(app, base_url="http://shop.test", headers=HEADERS)

    def hook(response: httpx.Response) -> None:
        response.read()
        check_response(response)

    test_client.event_hooks["response"].append(hook)
    return test_client


def create_body(
    item: str = "bouquet_roses", quantity: int = 1, country: str | None = "US", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": "USD",
        "line_items": [{"item": {"id": item, "title": "what the agent saw"}, "quantity": quantity}],
        "payment": {"instruments": [], "selected_instrument_id": "instr_1"},
    }
    if country is not None:
        body["fulfillment"] = {
            "methods": [
                {
                    "type": "shipping",
                    "destinations": [{"id": "dest_1", "address_country": country}],
                    "selected_destination_id": "dest_1",
                    "groups": [{"selected_option_id": "std-ship"}],
                }
            ]
        }
    return body | extra


def payment(token: str = "success_token", **extra: Any) -> dict[str, Any]:
    return {
        "payment_data": {
            "id": "instr_1",
            "handler_id": "mock_payment_handler",
            "type": "card",
            "brand": "Visa",
            "last_digits": "1234",
            "credential": {"type": "token", "token": token},
        },
        "risk_signals": {},
    } | extra


def amounts(totals: list[dict[str, Any]]) -> dict[str, int]:
    return {t["type"]: t["amount"] for t in totals}


def source_file(relative: str) -> Path:
    return SOURCE / relative
