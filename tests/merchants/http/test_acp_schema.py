"""Every endpoint and every session transition over HTTP, each body checked against ACP's schema.

The checking itself happens in the client's response hook (``support.check_response``); these
tests drive the routes and pin the exact values.
"""

from __future__ import annotations

import copy
import json

from merchants.money import apply_bps

from .support import ADDRESS, NOW, SPEC_DIR, Shop, patch_checkout_schema, total


def test_schema_patches_are_needed_and_sufficient(schemas):
    """The two in-memory readings of the 2025-09-29 schema (see ``patch_checkout_schema``)."""
    raw = json.loads((SPEC_DIR / "schema.agentic_checkout.json").read_text())
    assert raw["$defs"]["Item"]["properties"]["quantity"]["exclusiveMinimum"] is True
    session = {
        "id": "cs_1",
        "status": "completed",
        "currency": "usd",
        "line_items": [],
        "totals": [],
        "fulfillment_options": [],
        "messages": [],
        "links": [],
        "order": {
            "id": "o",
            "checkout_session_id": "cs_1",
            "permalink_url": "https://shop.example/o",
        },
    }
    from jsonschema import Draft202012Validator

    as_written = Draft202012Validator({**raw, "$ref": "#/$defs/CheckoutSessionWithOrder"})
    assert not as_written.is_valid(session)  # unsatisfiable as written: base forbids `order`
    assert schemas.errors("CheckoutSessionWithOrder", session) == []
    assert schemas.errors("CheckoutSession", session)  # `order` is not part of CheckoutSession
    assert schemas.errors("Item", {"id": "x", "quantity": 0})
    assert schemas.errors("Item", {"id": "x", "quantity": 1}) == []
    assert patch_checkout_schema(raw)["$defs"]["Item"]["properties"]["quantity"] == {
        "type": "number",
        "exclusiveMinimum": 0,
    }


def test_list_merchants(shop: Shop):
    response = shop.client.get("/merchants")
    assert response.status_code == 200
    assert response.json() == [
        {"id": "shop", "platform": "shopify", "name": "Test Shop"},
        {"id": "crafts", "platform": "etsy", "name": "Test Crafts"},
    ]


def test_product_feed_is_the_merchants_feed(shop: Shop):
    response = shop.client.get("/merchants/crafts/product_feed")
    assert response.status_code == 200
    expected = [p.model_dump(mode="json") for p in shop.merchants["crafts"].product_feed(NOW)]
    assert response.json() == expected
    assert len(expected) == 20


def test_search_is_merchant_search(shop: Shop):
    query = shop.product().title.split()[-1]
    response = shop.client.get("/merchants/shop/search", params={"q": query, "limit": 3})
    assert response.status_code == 200
    expected = shop.merchants["shop"].search(query, NOW, limit=3)
    assert response.json() == [p.model_dump(mode="json") for p in expected]
    assert 1 <= len(expected) <= 3
    cheap = shop.client.get("/merchants/shop/search", params={"q": query, "max_price": 0})
    assert cheap.json() == []
    assert shop.client.get("/merchants/shop/search", params={"q": "zzzz"}).json() == []


def test_create_without_address_is_not_ready(shop: Shop):
    product = shop.product()
    session = shop.create(quantity=2, address=False)
    assert session["status"] == "not_ready_for_payment"
    assert session["id"] == "cs_shop_0000001"
    assert [m["code"] for m in session["messages"]] == ["missing"]
    assert session["messages"][0]["param"] == "$.fulfillment_address"
    assert "fulfillment_option_id" not in session
    base = product.price * 2
    tax = apply_bps(base, 725)
    assert session["line_items"] == [
        {
            "id": "li_1",
            "item": {"id": product.id, "quantity": 2},
            "base_amount": base,
            "discount": 0,
            "subtotal": base,
            "tax": tax,
            "total": base + tax,
        }
    ]
    assert [(t["type"], t["amount"]) for t in session["totals"]] == [
        ("items_base_amount", base),
        ("subtotal", base),
        ("tax", tax),
        ("total", base + tax),
    ]


def test_create_with_address_picks_cheapest_option_and_is_ready(shop: Shop):
    session = shop.create(
        address=True,
        buyer={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
    )
    assert session["status"] == "ready_for_payment"
    assert session["messages"] == []
    assert session["fulfillment_option_id"] == "standard"
    assert [o["id"] for o in session["fulfillment_options"]] == ["standard", "express"]
    assert session["fulfillment_address"] == ADDRESS
    assert session["payment_provider"] == {
        "provider": "stripe",
        "supported_payment_methods": ["card"],
    }


def test_update_then_get_return_the_same_session(shop: Shop):
    session = shop.create(address=False)
    path = f"/merchants/shop/checkout_sessions/{session['id']}"
    product = shop.product(index=1)
    updated = shop.client.post(
        path,
        json={
            "items": [{"id": product.id, "quantity": 3}],
            "fulfillment_address": ADDRESS,
            "fulfillment_option_id": "express",
        },
    )
    assert updated.status_code == 200
    body = updated.json()
    assert body["status"] == "ready_for_payment"
    assert body["fulfillment_option_id"] == "express"
    assert body["line_items"][0]["item"] == {"id": product.id, "quantity": 3}
    assert total(body, "fulfillment") == 1499
    fetched = shop.client.get(path)
    assert fetched.status_code == 200
    assert fetched.json() == body


def test_refused_update_changes_nothing(shop: Shop):
    session = shop.create(address=True)
    path = f"/merchants/shop/checkout_sessions/{session['id']}"
    refused = shop.client.post(
        path,
        json={
            "items": [{"id": shop.product(index=2).id, "quantity": 1}],
            "fulfillment_option_id": "teleport",
        },
    )
    assert refused.status_code == 400
    assert refused.json()["param"] == "$.fulfillment_option_id"
    assert shop.client.get(path).json() == session


def test_cancel_then_everything_else_is_refused(shop: Shop):
    session = shop.create()
    path = f"/merchants/shop/checkout_sessions/{session['id']}"
    canceled = shop.client.post(path + "/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["messages"] == [
        {"type": "info", "content_type": "plain", "content": "Checkout session canceled."}
    ]
    again = shop.client.post(path + "/cancel", json={})
    assert (again.status_code, again.json()["code"]) == (405, "invalid_state")
    update = shop.client.post(path, json={"fulfillment_option_id": "express"})
    assert (update.status_code, update.json()["code"]) == (409, "invalid_state")
    token = shop.token(session)
    complete = shop.complete(session, token)
    assert (complete.status_code, complete.json()["code"]) == (409, "invalid_state")
    assert shop.client.get(path).json()["status"] == "canceled"


def test_cancel_takes_no_fields(shop: Shop):
    session = shop.create()
    response = shop.client.post(
        f"/merchants/shop/checkout_sessions/{session['id']}/cancel",
        json={"reason": "changed my mind"},
    )
    assert (response.status_code, response.json()["param"]) == (400, "$.reason")


def test_complete_then_cancel_is_405_and_get_leaves_order_out(shop: Shop):
    session = shop.create()
    done = shop.complete(session, shop.token(session))
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed"
    assert body["order"] == {
        "id": "ord_shop_0000001",
        "checkout_session_id": session["id"],
        "permalink_url": "https://shop.example/orders/0000001",
    }
    path = f"/merchants/shop/checkout_sessions/{session['id']}"
    cancel = shop.client.post(path + "/cancel")
    assert (cancel.status_code, cancel.json()["code"]) == (405, "invalid_state")
    fetched = shop.client.get(path).json()
    assert fetched["status"] == "completed"
    assert "order" not in fetched  # CheckoutSession (2025-09-29) has no `order`
    again = shop.complete(session, shop.token(session))
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


def test_expired_session_is_canceled_and_cannot_complete(shop: Shop):
    session = shop.create()
    token = shop.token(session, expires=NOW.replace(hour=13))
    shop.clock.advance(minutes=30)
    path = f"/merchants/shop/checkout_sessions/{session['id']}"
    fetched = shop.client.get(path).json()
    assert fetched["status"] == "canceled"
    assert fetched["messages"] == [
        {"type": "info", "content_type": "plain", "content": "Checkout session expired."}
    ]
    complete = shop.complete(session, token)
    assert (complete.status_code, complete.json()["code"]) == (409, "session_expired")
    cancel = shop.client.post(path + "/cancel")
    assert cancel.status_code == 405


def test_out_of_stock_is_a_message_not_an_error(shop: Shop):
    product = shop.product()
    session = shop.create(quantity=product.stock + 1)
    assert session["status"] == "not_ready_for_payment"
    assert [(m["code"], m["param"]) for m in session["messages"]] == [
        ("out_of_stock", "$.line_items[0]")
    ]
    complete = shop.complete(session, shop.token(session))
    assert complete.status_code == 200
    assert complete.json()["status"] == "not_ready_for_payment"
    assert [m["code"] for m in complete.json()["messages"]] == ["out_of_stock"]


def test_complete_before_ready_is_409(shop: Shop):
    session = shop.create(address=False)
    complete = shop.complete(session, shop.token(session))
    assert (complete.status_code, complete.json()["code"]) == (409, "not_ready_for_payment")


def test_unknown_session_and_merchant_are_404(shop: Shop):
    missing = shop.client.get("/merchants/shop/checkout_sessions/cs_nope")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    for method, path in [
        ("GET", "/merchants/acme/product_feed"),
        ("GET", "/merchants/acme/search?q=mug"),
        ("POST", "/merchants/acme/checkout_sessions"),
        ("GET", "/merchants/acme/checkout_sessions/cs_1"),
    ]:
        response = shop.client.request(method, path, json={"items": []})
        assert (response.status_code, response.json()["message"]) == (
            404,
            "merchant 'acme' not found",
        ), path


def test_spec_example_requests_are_accepted(shop: Shop):
    """The spec's own examples, with ids this merchant knows and a future expiry."""
    examples = json.loads((SPEC_DIR / "examples.agentic_checkout.json").read_text())
    create = copy.deepcopy(examples["create_checkout_session_request"])
    create["items"][0]["id"] = shop.product().id
    fractional = shop.client.post("/merchants/shop/checkout_sessions", json=create)
    # the 2025-09-29 example asks for 2.5 units; the RFC says integers of at least 1
    assert (fractional.status_code, fractional.json()["param"]) == (400, "$.items[0].quantity")
    create["items"][0]["quantity"] = 2
    created = shop.client.post("/merchants/shop/checkout_sessions", json=create)
    assert created.status_code == 201
    session = created.json()
    update = {**examples["update_checkout_session_request"], "fulfillment_option_id": "express"}
    updated = shop.client.post(f"/merchants/shop/checkout_sessions/{session['id']}", json=update)
    assert (updated.status_code, updated.json()["fulfillment_option_id"]) == (200, "express")
    session = updated.json()
    payments = json.loads((SPEC_DIR / "examples.delegate_payment.json").read_text())
    delegate = copy.deepcopy(payments["delegate_payment_request"])
    delegate["allowance"].update(
        checkout_session_id=session["id"],
        merchant_id="shop",
        max_amount=total(session),
        expires_at="2026-11-11T12:15:00Z",
    )
    token = shop.client.post("/psp/agentic_commerce/delegate_payment", json=delegate)
    assert token.status_code == 201
    assert token.json() == {
        "id": "vt_00000001",
        "created": "2026-11-11T12:00:00Z",
        "metadata": {"campaign": "q4", "source": "chatgpt_checkout", "merchant_id": "shop"},
    }
    complete = copy.deepcopy(examples["complete_checkout_session_request"])
    complete["payment_data"]["token"] = token.json()["id"]
    done = shop.client.post(
        f"/merchants/shop/checkout_sessions/{session['id']}/complete", json=complete
    )
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert done.json()["buyer"] == complete["buyer"]


def test_openapi_documents_every_route_and_request_body(shop: Shop):
    document = shop.client.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/merchants",
        "/merchants/{merchant_id}/product_feed",
        "/merchants/{merchant_id}/search",
        "/merchants/{merchant_id}/checkout_sessions",
        "/merchants/{merchant_id}/checkout_sessions/{checkout_session_id}",
        "/merchants/{merchant_id}/checkout_sessions/{checkout_session_id}/complete",
        "/merchants/{merchant_id}/checkout_sessions/{checkout_session_id}/cancel",
        "/merchants/{merchant_id}/checkout_sessions/{checkout_session_id}/authenticate",
        "/psp/agentic_commerce/delegate_payment",
        # ACP 2026-04-17 beside checkout: discovery, carts, delegate authentication
        "/.well-known/acp.json",
        "/merchants/{merchant_id}/.well-known/acp.json",
        "/merchants/{merchant_id}/carts",
        "/merchants/{merchant_id}/carts/{cart_id}",
        "/merchants/{merchant_id}/carts/{cart_id}/cancel",
        "/psp/delegate_authentication",
        "/psp/delegate_authentication/{authentication_session_id}",
        "/psp/delegate_authentication/{authentication_session_id}/authenticate",
        "/merchants/{merchant_id}/feed/metadata.json",
        "/merchants/{merchant_id}/feed/products.jsonl",
        "/feeds",
        "/feeds/{feed_id}",
        "/feeds/{feed_id}/products",
        # mock admin (merchants.http.admin)
        "/merchants/{merchant_id}/orders/{order_id}",
        "/merchants/{merchant_id}/orders/{order_id}/ship",
        "/merchants/{merchant_id}/orders/{order_id}/fulfill",
        "/merchants/{merchant_id}/orders/{order_id}/cancel",
        "/merchants/{merchant_id}/orders/{order_id}/refund",
        "/merchants/{merchant_id}/orders/{order_id}/track",
        "/merchants/{merchant_id}/orders/{order_id}/dispute",
        "/merchants/{merchant_id}/products/{product_id}/price",
        # ACP's MCP binding (merchants.mcp)
        "/merchants/{merchant_id}/mcp",
        # Shopify-like native cart API (merchants.http.shopify_routes)
        "/merchants/{merchant_id}/storefront/carts",
        "/merchants/{merchant_id}/storefront/carts/{cart_id}",
        "/merchants/{merchant_id}/storefront/carts/{cart_id}/buyer_identity",
        "/merchants/{merchant_id}/storefront/carts/{cart_id}/discount_codes",
        "/merchants/{merchant_id}/storefront/carts/{cart_id}/lines",
        "/merchants/{merchant_id}/storefront/carts/{cart_id}/lines/{line_id}",
        "/merchants/{merchant_id}/storefront/products",
        "/merchants/{merchant_id}/storefront/products/{handle}",
        # Etsy-like Open API v3 (merchants.http.etsy_routes)
        "/merchants/{merchant_id}/v3/application/listings/active",
        "/merchants/{merchant_id}/v3/application/listings/{listing_id}",
        "/merchants/{merchant_id}/v3/application/listings/{listing_id}/inventory",
        "/merchants/{merchant_id}/v3/application/shops/{shop_id}",
        "/merchants/{merchant_id}/v3/application/shops/{shop_id}/receipts",
        "/merchants/{merchant_id}/v3/application/shops/{shop_id}/receipts/{receipt_id}",
        # UCP 2026-01-11 (merchants.http.ucp_routes)
        "/merchants/{merchant_id}/ucp/checkout-sessions",
        "/merchants/{merchant_id}/ucp/checkout-sessions/{id}",
        "/merchants/{merchant_id}/ucp/checkout-sessions/{id}/complete",
        "/merchants/{merchant_id}/ucp/checkout-sessions/{id}/cancel",
        "/merchants/{merchant_id}/ucp/orders/{id}",
    }
    schemas = document["components"]["schemas"]
    refs = []
    for path in document["paths"].values():
        for operation in path.values():
            body = operation.get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                refs += [s["$ref"] for s in schema.get("oneOf", [schema])]  # one per version
    assert sorted(set(r.rsplit("/", 1)[1] for r in refs)) == [
        "AuthenticateRequest",
        "CancelSessionRequest",
        "CartCreateRequest",
        "CartUpdateRequest",
        "CheckoutSessionCompleteRequest",
        "CheckoutSessionCompleteRequest_2026_04_17",
        "CheckoutSessionCreateRequest",
        "CheckoutSessionCreateRequest_2026_04_17",
        "CheckoutSessionUpdateRequest",
        "CheckoutSessionUpdateRequest_2026_04_17",
        "CreateFeedRequest",
        "DelegateAuthenticationAuthenticateRequest",
        "DelegateAuthenticationCreateRequest",
        "DelegatePaymentRequest",
        "DelegatePaymentRequest_2026_04_17",
        "DisputeRequest",
        "JsonRpcMessage",
        "NoBody",
        "PriceRequest",
        "RefundRequest",
        "TrackRequest",
        "UcpCheckoutComplete",  # UCP 2026-01-11 (merchants.ucp.requests)
        "UcpCheckoutCreate",
        "UcpCheckoutUpdate",
        "UcpOrderUpdate",
        "UpsertProductsRequest",
    ]
    assert all(r.rsplit("/", 1)[1] in schemas for r in refs)
    create = document["paths"]["/merchants/{merchant_id}/checkout_sessions"]["post"]
    headers = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert headers == {"API-Version", "Idempotency-Key", "Request-Id"}
    assert create["security"] == [{"HTTPBearer": []}]
