"""Property-based fuzzing of the whole app from its own OpenAPI document (schemathesis).

Bounded: a few examples per operation, no stateful links, in-process ASGI calls only. Whatever
the generated request, the server answers with a status below 500.
"""

from __future__ import annotations

import itertools

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from agent_checkout.sim.run import build_market  # noqa: E402
from agent_checkout.sim.scenario import load_scenario  # noqa: E402
from merchants.http import create_app  # noqa: E402

_merchants, _processor = build_market(load_scenario("quickstart"), 7)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_merchants, _processor))


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_5xx(case):
    response = case.call(headers={"Authorization": "Bearer fuzz", "API-Version": "2025-09-29"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


# ACP 2026-04-17: the version's own routes and checkout, asked as that version, every POST
# with a fresh Idempotency-Key (each request is new, so none replays another's answer).
_keys = itertools.count(1)
latest = schema.include(
    path_regex=r"^(/\.well-known/|/merchants/\{merchant_id\}/(\.well-known|carts|feed|checkout_sessions)"
    r"|/psp/delegate_authentication|/feeds)"
)


@latest.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_2026_04_17_request_gets_a_5xx(case):
    headers = {
        "Authorization": "Bearer fuzz",
        "API-Version": "2026-04-17",
        "Idempotency-Key": f"fuzz-{next(_keys)}",
    }
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


# UCP 2026-01-11 over REST, served for one merchant (flower-shop: so at the root too, where
# UCP's conformance suite looks): every UCP route, the platform named in UCP-Agent, a fresh
# Idempotency-Key each, and the merchant that exists (a made-up one only ever gets a 404).
_flower, _flower_psp = build_market(load_scenario("flower-shop"), 7)
ucp = schemathesis.openapi.from_asgi("/openapi.json", create_app(_flower, _flower_psp)).include(
    path_regex=r"^(/merchants/\{merchant_id\}/ucp/|/checkout-sessions|/orders/)"
)


@ucp.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_ucp_request_gets_a_5xx(case):
    if "merchant_id" in (case.path_parameters or {}):
        case.path_parameters["merchant_id"] = "flower-shop"
    headers = {
        "Authorization": "Bearer fuzz",
        "UCP-Agent": 'profile="https://agent.example/profile", version="2026-01-11"',
        "Idempotency-Key": f"fuzz-ucp-{next(_keys)}",
    }
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
