"""With a token, every route of the app refuses a stranger, in its platform's error shape."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from merchants.etsy import shop_id_of
from merchants.http import create_app
from merchants.http.shopify_routes import UNAUTHORIZED

from .support import FakeClock, build_shop

TOKEN = "tok_3b9f0c1d"
VERSION = {"API-Version": "2025-09-29"}
RIGHT = {
    **VERSION,
    "Authorization": f"Bearer {TOKEN}",
    "X-Shopify-Storefront-Access-Token": TOKEN,
    "x-api-key": TOKEN,
}
WRONG = {
    **VERSION,
    "Authorization": "Bearer guess",
    "X-Shopify-Storefront-Access-Token": "guess",
    "x-api-key": "guess",
}
#: Routes anyone may read, and why: they describe the API and hold no merchant's data.
PUBLIC = {
    "/openapi.json": "the OpenAPI description of the routes",
    "/docs": "Swagger UI over /openapi.json",
    "/docs/oauth2-redirect": "Swagger UI's OAuth helper page",
    "/redoc": "ReDoc over /openapi.json",
    "/.well-known/acp.json": "ACP discovery, public by the 2026-04-17 spec",
    "/merchants/{merchant_id}/.well-known/acp.json": "the same, per merchant",
    "/merchants/{merchant_id}/.well-known/ucp": "UCP's business profile, published by design",
    "/ucp/2026-01-11/specification/{page}": "the UCP specification's prose",
    "/ucp/2026-01-11/source/{document:path}": "the UCP JSON Schemas and OpenAPI",
    "/ucp/2026-01-11/handlers/{handler_id}/config.json": "a UCP payment handler's config schema",
}
# catalog 3, ACP and PSP 7, mock admin 8, MCP 1, Shopify-like 9, Etsy-like 6, UCP 7; ACP 2026-04-17:
# carts 4, delegate authentication 3, feed 6 (2 merchant files, 4 agent feed operations)
PROTECTED = 54


def _walk(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, descending into included routers (which add no prefix here)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            assert route.include_context.prefix == ""
            yield from _walk(inner.routes)
        else:
            yield route


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in _walk(app.routes)
        for method in route.methods or ()
        if method != "HEAD"
    )


def _url(path: str) -> str:
    """The path with dummy values; the merchant is one of the platform the route serves."""
    merchant = "crafts" if "/v3/application" in path else "shop"
    values = {
        "merchant_id": merchant,
        "shop_id": str(shop_id_of("crafts")),
        "page": "overview",
        "document": "schemas/ucp.json",
        "handler_id": "google_pay",
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.fixture
def app() -> FastAPI:
    merchants, processor = build_shop()
    return create_app(merchants, processor, token=TOKEN, clock=FakeClock())


def _send(client: TestClient, method: str, path: str, headers: dict[str, str]):
    body = {} if method in ("POST", "PATCH") else None
    return client.request(method, _url(path), headers=headers, json=body)


def test_the_walk_covers_every_documented_operation(app: FastAPI):
    walked = [(m, p) for m, p in _operations(app) if p not in PUBLIC]
    documented = sorted(
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if path not in PUBLIC  # the discovery documents are public and documented
    )
    assert walked == documented
    assert len(walked) == PROTECTED
    assert {p for _, p in _operations(app)} >= set(PUBLIC)


@pytest.mark.parametrize("headers", [VERSION, WRONG], ids=["no-credential", "wrong-credential"])
def test_every_route_refuses_a_request_without_the_token(app: FastAPI, headers: dict[str, str]):
    client = TestClient(app)
    refused = 0
    for method, path in _operations(app):
        answer = _send(client, method, path, headers)
        if path in PUBLIC:
            assert answer.status_code == 200, path
            continue
        assert answer.status_code == 401, (method, path, answer.status_code, answer.text)
        if "/storefront/" in path:  # Shopify's shape
            assert answer.json() == {"errors": UNAUTHORIZED}, path
        elif "/v3/application/" in path:  # Etsy's flat shape
            assert set(answer.json()) == {"error"}, path
        elif "/ucp/" in path:  # UCP's
            assert answer.json()["messages"][0]["code"] == "unauthorized", path
        else:  # ACP's
            assert (answer.json()["type"], answer.json()["code"]) == (
                "invalid_request",
                "unauthorized",
            ), path
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        refused += 1
    assert refused == PROTECTED


def test_with_the_token_every_route_lets_the_request_through(app: FastAPI):
    client = TestClient(app)
    statuses = {}
    for method, path in _operations(app):
        answer = _send(client, method, path, RIGHT)
        statuses[(method, path)] = answer.status_code
        assert answer.status_code not in (401, 403), (method, path, answer.text)
    assert statuses[("GET", "/merchants")] == 200
    assert statuses[("GET", "/merchants/{merchant_id}/storefront/products")] == 200
    assert (
        statuses[("GET", "/merchants/{merchant_id}/v3/application/shops/{shop_id}/receipts")] == 200
    )


def test_etsy_receipts_also_need_the_oauth_bearer(app: FastAPI):
    client = TestClient(app)
    base = f"/merchants/crafts/v3/application/shops/{shop_id_of('crafts')}"
    key_only = {"x-api-key": TOKEN}
    assert client.get(base, headers=key_only).status_code == 200  # getShop is public data
    receipts = client.get(f"{base}/receipts", headers=key_only)
    assert (receipts.status_code, receipts.json()) == (
        401,
        {"error": "OAuth required: send Authorization: Bearer <access token>"},
    )
    wrong = client.get(f"{base}/receipts", headers={**key_only, "Authorization": "Bearer x"})
    assert wrong.status_code == 401
