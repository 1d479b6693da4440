"""UCP's protocol mechanics over HTTP: discovery and the documents it names, UCP-Agent version
negotiation, Idempotency-Key, order webhooks to the platform's profile, the shipping test hook
and its secret, order updates (events, adjustments), and one merchant among several.
"""

from __future__ import annotations

import json

import pytest

from merchants.http import create_app
from merchants.payments import PaymentProcessor

from .support import (
    HEADERS,
    PROFILE_URL,
    SCHEMAS,
    SECRET,
    WEBHOOK_URL,
    FakeClock,
    WebhookSink,
    client,
    create_body,
    flower_shop,
    payment,
    source_file,
    ucp_app,
)


@pytest.fixture
def shop():
    return flower_shop()


@pytest.fixture
def sink():
    return WebhookSink()


@pytest.fixture
def app(shop, sink):
    return ucp_app({"flower-shop": shop}, FakeClock(), sink)


@pytest.fixture
def api(app):
    return client(app)


def completed_order(api) -> tuple[str, str]:
    session = api.post("/checkout-sessions", json=create_body(quantity=2)).json()
    done = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment())
    assert done.status_code == 200, done.text
    return session["id"], done.json()["order"]["id"]


def test_discovery_names_local_documents_that_resolve(api):
    profile = api.get("/.well-known/ucp").json()
    service = profile["ucp"]["services"]["dev.ucp.shopping"]
    assert service["rest"]["endpoint"] == "http://shop.test"
    assert [c["name"] for c in profile["ucp"]["capabilities"]] == [
        "dev.ucp.shopping.checkout",
        "dev.ucp.shopping.fulfillment",
        "dev.ucp.shopping.discount",
        "dev.ucp.shopping.buyer_consent",
        "dev.ucp.shopping.ap2_mandate",
        "dev.ucp.shopping.order",
    ]
    shop_pay = next(h for h in profile["payment"]["handlers"] if h["id"] == "shop_pay")
    assert (shop_pay["name"], shop_pay["config"]) == (
        "com.shopify.shop_pay",
        {"shop_id": "flower-shop"},
    )
    urls = [service["spec"], service["rest"]["schema"]]
    urls += [c[k] for c in profile["ucp"]["capabilities"] for k in ("spec", "schema")]
    for handler in profile["payment"]["handlers"]:
        urls += [handler["spec"], handler["config_schema"], *handler["instrument_schemas"]]
    assert all(url.startswith("http://shop.test/ucp/2026-01-11/") for url in urls)
    for url in sorted(set(urls)):
        response = api.get(url)
        assert response.status_code == 200, url
        if url.endswith(".json"):
            response.json()
        else:
            assert response.headers["content-type"].startswith("text/markdown")
    checkout = api.get("/ucp/2026-01-11/source/schemas/shopping/checkout.json")
    assert checkout.content == source_file("schemas/shopping/checkout.json").read_bytes()
    outside = "..%2F..%2F..%2Facp%2F2026-04-17%2Fjson-schema%2Fschema.agentic_checkout.json"
    assert api.get(f"/ucp/2026-01-11/source/{outside}").status_code == 404
    assert api.get("/ucp/2026-01-11/specification/nope").status_code == 404


def test_version_negotiation(api):
    for header, status in (
        ('profile="https://a.example/p"; version="2026-01-11"', 201),
        ('profile="https://a.example/p", version="2025-10-01"', 201),  # older: served
        ('profile="https://a.example/p"', 201),  # no version: ours
        ('profile="https://a.example/p"; version="2099-01-01"', 400),
    ):
        response = api.post("/checkout-sessions", json=create_body(), headers={"UCP-Agent": header})
        assert response.status_code == status, header
    assert response.json()["messages"][0]["code"] == "version_unsupported"
    bare = api.post("/checkout-sessions", json=create_body(), headers={"UCP-Agent": ""})
    assert (bare.status_code, bare.json()["messages"][0]["code"]) == (400, "missing_ucp_agent")
    odd = api.post(
        "/checkout-sessions", json=create_body(), headers={"UCP-Agent": 'version="soon"'}
    )
    assert (odd.status_code, odd.json()["messages"][0]["code"]) == (400, "invalid_ucp_agent")
    assert api.get("/.well-known/ucp", headers={"UCP-Agent": ""}).status_code == 200


def test_idempotency_replays_the_first_answer_and_refuses_another_body(api, shop):
    key = {"Idempotency-Key": "k-1"}
    first = api.post("/checkout-sessions", json=create_body(), headers=key)
    again = api.post("/checkout-sessions", json=create_body(), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    other = api.post("/checkout-sessions", json=create_body(quantity=3), headers=key)
    assert (other.status_code, other.json()["messages"][0]["code"]) == (409, "idempotency_conflict")
    session_id = first.json()["id"]
    complete = f"/checkout-sessions/{session_id}/complete"
    done = api.post(complete, json=payment(), headers={"Idempotency-Key": "k-2"})
    replay = api.post(complete, json=payment(), headers={"Idempotency-Key": "k-2"})
    assert replay.content == done.content and replay.status_code == 200
    assert len(shop.orders) == 1  # charged and placed once
    assert shop.catalog.get("bouquet_roses").stock == 999
    fresh = api.post(complete, json=payment(), headers={"Idempotency-Key": "k-3"})
    assert fresh.status_code == 409
    # A refusal is an answer too: the same key gets the same 409 again.
    assert (
        api.post(complete, json=payment(), headers={"Idempotency-Key": "k-3"}).content
        == fresh.content
    )


def test_webhooks_go_to_the_platform_named_in_the_agents_profile(app, api, sink):
    session_id, order_id = completed_order(api)
    app.state.webhooks.drain()
    assert sink.fetched == [PROFILE_URL]
    ((url, placed),) = sink.events
    assert (url, placed["event_type"], placed["checkout_id"]) == (
        WEBHOOK_URL,
        "order_placed",
        session_id,
    )
    assert placed["order"]["id"] == placed["id"] == order_id
    SCHEMAS.check(placed, "schemas/shopping/order.json")  # an order, plus the event fields
    assert placed["event_id"] and placed["created_time"] == "2026-02-13T09:00:00Z"
    shipped = api.post(
        f"/testing/simulate-shipping/{order_id}", headers={"Simulation-Secret": SECRET}
    )
    assert shipped.status_code == 200
    app.state.webhooks.drain()
    assert sink.types() == ["order_placed", "order_shipped"]
    order = sink.events[-1][1]["order"]
    assert [e["type"] for e in order["fulfillment"]["events"]] == ["shipped"]
    assert order["line_items"][0]["quantity"] == {"total": 2, "fulfilled": 2}
    assert order["line_items"][0]["status"] == "fulfilled"
    # A platform whose profile cannot be fetched gets nothing, and the sale still goes through.
    other = {"UCP-Agent": 'profile="http://gone.test/p"'}
    session = api.post("/checkout-sessions", json=create_body(), headers=other).json()
    done = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment(), headers=other)
    assert done.status_code == 200
    app.state.webhooks.drain()
    assert sink.types() == ["order_placed", "order_shipped"]
    assert app.state.webhooks.dropped == [("http://gone.test/p", "order_placed")]


def test_shipping_hook_needs_the_secret(api, shop):
    _, order_id = completed_order(api)
    path = f"/testing/simulate-shipping/{order_id}"
    assert api.post(path).status_code == 403
    assert api.post(path, headers={"Simulation-Secret": "guess"}).status_code == 403
    assert api.post(path, headers={"Simulation-Secret": SECRET}).status_code == 200
    assert shop.orders.get(order_id).status == "shipped"
    assert api.post(path, headers={"Simulation-Secret": SECRET}).status_code == 409
    assert (
        api.post(
            "/testing/simulate-shipping/nope", headers={"Simulation-Secret": SECRET}
        ).status_code
        == 404
    )


def test_without_a_secret_there_is_no_shipping_hook(shop, sink):
    api = client(ucp_app({"flower-shop": shop}, FakeClock(), sink, secret=None))
    _, order_id = completed_order(api)
    assert (
        api.post(
            f"/testing/simulate-shipping/{order_id}", headers={"Simulation-Secret": ""}
        ).status_code
        == 404
    )


def test_order_updates_append_events_and_adjustments(app, api, shop, sink):
    _, order_id = completed_order(api)
    order = api.get(f"/orders/{order_id}").json()
    line = order["line_items"][0]["id"]
    event = {
        "id": "evt_1",
        "occurred_at": "2026-02-14T10:00:00Z",
        "type": "delivered",
        "line_items": [{"id": line, "quantity": 2}],
        "tracking_number": "TRACK123",
    }
    refund = {
        "id": "adj_1",
        "type": "refund",
        "occurred_at": "2026-02-15T10:00:00Z",
        "status": "completed",
        "amount": 500,
    }
    order["fulfillment"]["events"] = [event]
    order["adjustments"] = [refund]
    updated = api.put(f"/orders/{order_id}", json=order)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert [e["tracking_number"] for e in body["fulfillment"]["events"]] == ["TRACK123"]
    assert body["line_items"][0]["status"] == "fulfilled"
    assert [(a["id"], a["amount"]) for a in body["adjustments"]] == [("adj_1", 500)]
    assert shop.orders.get(order_id).refunded == 500  # the merchant's book refunds it too
    # Sending the same entries again adds nothing (append-only, by id); rewriting is ignored.
    order["adjustments"] = [refund | {"amount": 9}]
    assert api.put(f"/orders/{order_id}", json=order).json()["adjustments"] == body["adjustments"]
    assert shop.orders.get(order_id).refunded == 500
    for bad in (
        {"adjustments": [refund | {"id": "adj_2", "status": "INVALID"}]},
        {"adjustments": {"id": "adj_1", "amount": 100}},
        {"fulfillment": {"events": [event | {"id": "e2", "occurred_at": "yesterday"}]}},
    ):
        assert api.put(f"/orders/{order_id}", json=bad).status_code == 422, bad
    unknown = {
        "fulfillment": {
            "events": [event | {"id": "e3", "line_items": [{"id": "x", "quantity": 1}]}]
        }
    }
    assert api.put(f"/orders/{order_id}", json=unknown).status_code == 400
    too_much = {"adjustments": [refund | {"id": "adj_3", "amount": 999_999}]}
    assert api.put(f"/orders/{order_id}", json=too_much).status_code == 400
    app.state.webhooks.drain()
    assert sink.types() == ["order_placed", "order_updated"]
    assert api.get("/orders/nope").status_code == 404


def test_each_merchant_of_a_scenario_has_its_own_ucp_prefix(sink):
    shops = {"flower-shop": flower_shop(), "blooms": flower_shop(id="blooms", name="Blooms")}
    api = client(create_app(shops, PaymentProcessor(), clock=FakeClock(), simulation_secret=SECRET))
    assert api.get("/.well-known/ucp").status_code == 404  # no root with two merchants
    profile = api.get("/merchants/blooms/.well-known/ucp").json()
    endpoint = profile["ucp"]["services"]["dev.ucp.shopping"]["rest"]["endpoint"]
    assert endpoint == "http://shop.test/merchants/blooms/ucp"
    created = api.post(
        "/merchants/blooms/ucp/checkout-sessions", json=create_body(), headers=HEADERS
    )
    assert created.status_code == 201
    assert created.json()["id"].startswith("ucp_cs_blooms_")
    session = created.json()["id"]
    assert api.get(f"/merchants/flower-shop/ucp/checkout-sessions/{session}").status_code == 404
    assert api.get("/merchants/nope/ucp/checkout-sessions/x").status_code == 404
    json.dumps(api.get("/openapi.json").json())  # the document still builds
