"""ACP's MCP binding over HTTP: initialize, the five tools of the OpenRPC document, and a whole
purchase made with tools/call, each answer checked against the 2026-04-17 JSON Schemas."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from merchants.affiliates import Attribution
from merchants.http import create_app
from merchants.mcp.tools import openrpc

from ..acp_2026_schemas import check
from .support import HEADERS, FakeClock, Shop, build_shop, create_body, payment_data, total

MCP = "/merchants/shop/mcp"
META = {"api_version": "2026-04-17"}


@pytest.fixture
def mcp(shop: Shop) -> TestClient:
    """A plain client for the MCP endpoint (its errors are JSON-RPC, not ACP, bodies)."""
    return TestClient(shop.client.app, headers={"Authorization": HEADERS["Authorization"]})


def _rpc(client: TestClient, method: str, params: dict | None = None, ident: Any = 1) -> dict:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
    if params is not None:
        message["params"] = params
    answer = client.post(
        MCP, json=message, headers={"Accept": "application/json, text/event-stream"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == ident
    return answer.json()


def _tool(client: TestClient, name: str, **arguments: Any) -> dict:
    """The tool's result (its structuredContent), or the JSON-RPC error."""
    answer = _rpc(client, "tools/call", {"name": name, "arguments": arguments})
    if "error" in answer:
        return answer
    assert answer["result"]["isError"] is False
    content = answer["result"]["structuredContent"]
    (text,) = answer["result"]["content"]
    assert text["type"] == "text" and json.loads(text["text"]) == content
    return content


def test_initialize_and_notifications(mcp: TestClient):
    answer = _rpc(
        mcp,
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"},
        },
    )
    result = answer["result"]
    assert result["protocolVersion"] == "2025-06-18"
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["serverInfo"]["name"] == "agent-checkout-merchant"
    assert (
        "2026-04-17 create, update, complete and cancel a meta.idempotency_key"
        in (result["instructions"])
    )
    newer = _rpc(mcp, "initialize", {"protocolVersion": "2099-01-01"}, ident="a")
    assert newer["result"]["protocolVersion"] == "2025-11-25"  # the latest we speak
    done = mcp.post(MCP, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert (done.status_code, done.content) == (202, b"")
    assert _rpc(mcp, "ping")["result"] == {}


def test_tools_list_gives_the_five_tools_with_bundled_schemas(mcp: TestClient):
    tools = _rpc(mcp, "tools/list")["result"]["tools"]
    assert (
        [t["name"] for t in tools]
        == [m["name"] for m in openrpc()["methods"]]
        == [
            "create_checkout_session",
            "get_checkout_session",
            "update_checkout_session",
            "complete_checkout_session",
            "cancel_checkout_session",
        ]
    )
    for tool in tools:
        schema = tool["inputSchema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        refs = json.dumps(schema).split('"$ref": "')[1:]
        assert all(r.startswith("#/$defs/") for r in refs), tool["name"]  # self-contained
        needs = {
            "get_checkout_session": ["meta", "id"],
            "create_checkout_session": ["meta", "payload"],
            "cancel_checkout_session": ["meta", "id"],
        }
        assert schema["required"] == needs.get(tool["name"], ["meta", "id", "payload"])
    create = tools[0]["inputSchema"]
    jsonschema.validate(
        {
            "meta": META,
            "payload": {"line_items": [{"id": "x"}], "currency": "usd", "capabilities": {}},
        },
        create,
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"meta": {}, "payload": {}}, create)


def test_a_whole_purchase_over_mcp(shop: Shop, mcp: TestClient):
    product = shop.product()
    attribution = {"provider": "impact.com", "publisher_id": "pub_123", "touchpoint": "first"}
    payload = create_body(product.id, 2, affiliate_attribution=attribution)
    create = {"meta": {**META, "idempotency_key": "create-1"}, "payload": payload}
    created = _tool(mcp, "create_checkout_session", **create)
    check("CheckoutSession", created)
    assert (created["id"], created["status"]) == ("cs_shop_0000001", "ready_for_payment")
    assert created["line_items"][0]["quantity"] == 2  # two one-unit entries, one line
    assert _tool(mcp, "create_checkout_session", **create) == created  # the same key replays
    # Every 2026-04-17 POST needs its key, over MCP as over REST (meta.idempotency_key).
    unkeyed = _tool(mcp, "create_checkout_session", meta=META, payload=payload)
    assert unkeyed["error"]["data"]["code"] == "idempotency_key_required"
    express = {"type": "shipping", "option_id": "express", "item_ids": [product.id]}
    updated = _tool(
        mcp,
        "update_checkout_session",
        meta={**META, "idempotency_key": "update-1"},
        id=created["id"],
        payload={"selected_fulfillment_options": [express]},
    )
    check("CheckoutSession", updated)
    assert updated["selected_fulfillment_options"][0]["option_id"] == "express"
    token = shop.token(updated)  # delegated payment stays REST: the binding covers checkout
    completed = _tool(
        mcp,
        "complete_checkout_session",
        meta={**META, "idempotency_key": "complete-1"},
        id=created["id"],
        payload={"payment_data": payment_data(token)},
    )
    check("CheckoutSessionWithOrder", completed)
    assert completed["status"] == "completed"
    assert completed["order"]["id"] == "ord_shop_0000001"
    got = _tool(mcp, "get_checkout_session", meta=META, id=created["id"])
    assert (got["status"], total(got)) == ("completed", total(updated))
    record = shop.merchants["shop"].order("ord_shop_0000001")
    assert (record.order.total_amount, record.order.units) == (total(updated), 2)
    assert record.order.affiliate == Attribution("impact.com", "pub_123", touchpoint="first")
    shipped = shop.merchants["shop"].ship(record.order.id, shop.clock.now)
    assert shipped.fulfillments[0].carrier == "UPS"  # the express option's carrier
    # The same purchase is visible over REST.
    rest = shop.client.get(f"/merchants/shop/checkout_sessions/{created['id']}")
    assert rest.json()["status"] == "completed"

    other = _tool(
        mcp,
        "create_checkout_session",
        meta={**META, "idempotency_key": "create-2"},
        payload=create_body(product.id),
    )
    canceled = _tool(
        mcp, "cancel_checkout_session", meta={**META, "idempotency_key": "cancel-1"}, id=other["id"]
    )
    check("CheckoutSession", canceled)
    assert canceled["status"] == "canceled"


def test_acp_errors_are_32000_with_acps_error_in_data(mcp: TestClient):
    missing = _tool(mcp, "get_checkout_session", meta=META, id="cs_nope")
    assert missing["error"]["code"] == -32000
    check("Error", missing["error"]["data"])
    assert missing["error"]["data"]["code"] == "not_found"
    assert missing["error"]["message"] == missing["error"]["data"]["message"]
    empty = {"line_items": [], "currency": "usd", "capabilities": {}}
    bad = _tool(
        mcp, "create_checkout_session", meta={**META, "idempotency_key": "k"}, payload=empty
    )
    assert (bad["error"]["code"], bad["error"]["data"]["param"]) == (-32000, "$.line_items")
    old = _tool(mcp, "get_checkout_session", meta={"api_version": "2024-01-01"}, id="cs_1")
    assert old["error"]["data"]["code"] == "unsupported_api_version"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"name": "buy_everything", "arguments": {}}, "Unknown tool: 'buy_everything'"),
        ({"name": "get_checkout_session", "arguments": {"id": "x"}}, "meta.api_version"),
        ({"name": "get_checkout_session", "arguments": {"meta": META}}, "needs id"),
        (
            {"name": "get_checkout_session", "arguments": {"meta": {**META, "request_id": "a\nb"}}},
            "meta.request_id must be a printable ASCII string",
        ),
        (
            {"name": "complete_checkout_session", "arguments": {"meta": META, "id": "x"}},
            "needs payload",
        ),
        (
            {
                "name": "update_checkout_session",
                "arguments": {"meta": META, "id": "x", "payload": [1]},
            },
            "payload must be an object",
        ),
    ],
)
def test_a_wrong_envelope_is_32602(mcp: TestClient, params: dict, message: str):
    answer = _rpc(mcp, "tools/call", params)
    assert answer["error"]["code"] == -32602
    assert message in answer["error"]["message"]


def test_json_rpc_level_errors(mcp: TestClient):
    assert _rpc(mcp, "resources/list")["error"]["code"] == -32601
    unparsable = mcp.post(MCP, content=b"{nope", headers={"Content-Type": "application/json"})
    assert unparsable.status_code == 400
    assert unparsable.json()["error"]["code"] == -32700
    batch = mcp.post(MCP, json=[{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    assert (batch.status_code, batch.json()["error"]["code"]) == (400, -32600)
    foreign = mcp.post(
        MCP,
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    unknown = mcp.post(
        MCP,
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"MCP-Protocol-Version": "1999-01-01"},
    )
    assert unknown.status_code == 400
    assert mcp.get(MCP).status_code == 405


def test_the_endpoint_needs_the_servers_token():
    merchants, processor = build_shop()
    app = create_app(merchants, processor, token="sekrit", clock=FakeClock())
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert TestClient(app).post(MCP, json=ping).status_code == 401
    client = TestClient(app, headers={"Authorization": "Bearer sekrit"})
    assert client.post(MCP, json=ping).json() == {"jsonrpc": "2.0", "id": 1, "result": {}}
    # The token is passed on to the REST route a tool call runs.
    answer = client.post(
        MCP,
        json={
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "get_checkout_session", "arguments": {"meta": META, "id": "cs_x"}},
        },
    )
    assert answer.json()["error"]["data"]["code"] == "not_found"
