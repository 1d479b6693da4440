"""UCP checkout over HTTP at the flower shop: the lifecycle, fulfillment, discounts, buyer
consent, saved addresses, payment outcomes, and that the order is the merchant's own order.

Every body is checked against UCP's JSON Schemas by the client's hook (``support``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.acp import Allowance, DelegatePaymentRequest, PaymentMethodCard

from .support import (
    NOW,
    FakeClock,
    WebhookSink,
    amounts,
    client,
    create_body,
    flower_shop,
    payment,
    ucp_app,
)


@pytest.fixture
def shop():
    merchant = flower_shop()
    placed = []
    merchant.checkout.order_sinks.insert(0, placed.append)  # the ledger's place in a run
    merchant.placed = placed
    return merchant


@pytest.fixture
def api(shop):
    return client(ucp_app({"flower-shop": shop}, FakeClock(), WebhookSink()))


def create(api, **kwargs):
    response = api.post("/checkout-sessions", json=create_body(**kwargs))
    assert response.status_code == 201, response.text
    return response.json()


def update(api, session, **fields):
    body = {
        "id": session["id"],
        "currency": "USD",
        "line_items": [
            {"id": li["id"], "item": {"id": li["item"]["id"]}, "quantity": li["quantity"]}
            for li in session["line_items"]
        ],
    } | fields
    response = api.put(f"/checkout-sessions/{session['id']}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_create_prices_from_the_catalog_and_selects_the_free_rose_shipping(api):
    session = create(api, quantity=2)
    assert session["status"] == "ready_for_complete"
    assert session["line_items"][0]["item"] == {
        "id": "bouquet_roses",
        "title": "Bouquet of Red Roses",  # the catalog's title, not the agent's
        "price": 3500,
        "image_url": "https://example.com/roses.jpg",
    }
    assert amounts(session["totals"]) == {"subtotal": 7000, "fulfillment": 0, "total": 7000}
    method = session["fulfillment"]["methods"][0]
    assert [
        (o["id"], o["title"], amounts(o["totals"])["total"]) for o in method["groups"][0]["options"]
    ] == [
        ("std-ship", "Free Standard Shipping", 0),  # promo_2: roses ship free
        ("exp-ship-us", "Express Shipping (US)", 1500),
    ]
    assert session["payment"]["selected_instrument_id"] == "instr_1"
    assert {h["id"] for h in session["payment"]["handlers"]} == {
        "google_pay",
        "shop_pay",
        "mock_payment_handler",
    }


def test_options_follow_the_destination_country_and_the_basket(api):
    session = create(api, item="pot_ceramic", country="CA")
    options = session["fulfillment"]["methods"][0]["groups"][0]["options"]
    assert [(o["id"], amounts(o["totals"])["total"]) for o in options] == [
        ("std-ship", 500),
        ("exp-ship-intl", 2500),
    ]
    assert amounts(session["totals"]) == {"subtotal": 1500, "fulfillment": 500, "total": 2000}
    # Seven pots reach promo_1's $100 minimum: standard shipping becomes free.
    session = update(api, session, line_items=[{"item": {"id": "pot_ceramic"}, "quantity": 7}])
    assert amounts(session["totals"]) == {"subtotal": 10500, "fulfillment": 0, "total": 10500}


def test_codes_apply_in_turn_each_to_what_is_left(api):
    session = create(api, country=None)
    session = update(api, session, discounts={"codes": ["10OFF", "WELCOME20", "NOPE"]})
    assert amounts(session["totals"]) == {"subtotal": 3500, "discount": 980, "total": 2520}
    assert session["discounts"]["applied"] == [
        {
            "code": "10OFF",
            "title": "10% Off",
            "amount": 350,
            "automatic": False,
            "allocations": [{"path": "$.line_items[0]", "amount": 350}],
        },
        {
            "code": "WELCOME20",
            "title": "20% Off",
            "amount": 630,
            "automatic": False,
            "allocations": [{"path": "$.line_items[0]", "amount": 630}],
        },
    ]
    assert [(m["type"], m["code"]) for m in session["messages"]] == [
        ("warning", "discount_code_invalid")
    ]
    session = update(api, session, discounts={"codes": ["FIXED500"]})
    assert amounts(session["totals"]) == {"subtotal": 3500, "discount": 500, "total": 3000}
    assert "messages" not in session


def test_a_fixed_discount_splits_over_lines_by_largest_remainder(api):
    session = create(api, country=None)
    lines = [
        {"item": {"id": "bouquet_roses"}, "quantity": 1},
        {"item": {"id": "pot_ceramic"}, "quantity": 1},
    ]
    session = update(api, session, line_items=lines, discounts={"codes": ["fixed500"]})
    applied = session["discounts"]["applied"][0]
    assert applied["allocations"] == [
        {"path": "$.line_items[0]", "amount": 350},
        {"path": "$.line_items[1]", "amount": 150},
    ]
    assert [amounts(li["totals"])["total"] for li in session["line_items"]] == [3150, 1350]


def test_a_known_buyer_gets_saved_addresses_and_new_ones_are_saved(api):
    john = {"first_name": "John", "email": "John.Doe@example.com"}
    session = create(api, country=None, buyer=john)
    session = update(api, session, fulfillment={"methods": [{"type": "shipping"}]})
    method = session["fulfillment"]["methods"][0]
    assert [d["id"] for d in method["destinations"]] == ["addr_1", "addr_2"]
    assert method["selected_destination_id"] is None
    assert session["status"] == "incomplete"
    # The same address without an id is addr_1 again; a new one gets an id and is kept.
    same = {k: method["destinations"][0][k] for k in method["destinations"][0] if k != "id"}
    new = {"street_address": "9 Elm St", "address_locality": "Dover", "address_country": "US"}
    session = update(
        api, session, fulfillment={"methods": [{"type": "shipping", "destinations": [same, new]}]}
    )
    ids = [d["id"] for d in session["fulfillment"]["methods"][0]["destinations"]]
    assert ids[0] == "addr_1" and ids[1].startswith("addr_")
    again = create(api, country=None, buyer=john)
    again = update(api, again, fulfillment={"methods": [{"type": "shipping"}]})
    assert [d["id"] for d in again["fulfillment"]["methods"][0]["destinations"]] == [
        "addr_1",
        "addr_2",
        ids[1],
    ]
    stranger = create(api, country=None, buyer={"email": "nobody@example.com"})
    stranger = update(api, stranger, fulfillment={"methods": [{"type": "shipping"}]})
    assert "destinations" not in stranger["fulfillment"]["methods"][0]


def test_buyer_consent_is_kept(api):
    buyer = {"email": "c@example.com", "consent": {"marketing": True, "analytics": False}}
    session = create(api, buyer=buyer)
    fetched = api.get(f"/checkout-sessions/{session['id']}").json()
    assert fetched["buyer"] == buyer
    # An update naming the buyer without consent leaves the consent given.
    session = update(api, fetched, buyer={"email": "c@example.com", "first_name": "C"})
    assert session["buyer"]["consent"] == {"marketing": True, "analytics": False}


def test_complete_places_the_merchants_own_order(api, shop):
    session = create(api, item="pot_ceramic", quantity=2)
    session = update(api, session, discounts={"codes": ["10OFF"]})
    done = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment())
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "completed"
    order_id = body["order"]["id"]
    assert body["order"]["permalink_url"] == f"https://flowers.example/orders/{order_id}"
    assert amounts(body["totals"]) == {
        "subtotal": 3000,
        "discount": 300,
        "fulfillment": 500,
        "total": 3200,
    }
    assert shop.catalog.get("pot_ceramic").stock == 1998
    (placed,) = shop.placed
    assert (placed.id, placed.items_amount, placed.discount_amount, placed.shipping_amount) == (
        order_id,
        3000,
        300,
        500,
    )
    assert placed.total_amount == 3200
    assert [(d.code, d.funder, d.amount) for d in placed.discounts] == [("10OFF", "merchant", 300)]
    assert shop.orders.get(order_id).status == "created"
    order = api.get(f"/orders/{order_id}").json()
    assert order["checkout_id"] == session["id"]
    assert order["line_items"][0]["quantity"] == {"total": 2, "fulfilled": 0}
    assert order["fulfillment"]["expectations"][0]["description"] == "Standard Shipping"
    assert order["fulfillment"]["expectations"][0]["destination"] == {"address_country": "US"}
    assert amounts(order["totals"])["total"] == 3200
    # A closed session answers as it closed, and refuses every change.
    assert api.get(f"/checkout-sessions/{session['id']}").json() == body
    for method, path in (
        ("post", "/complete"),
        ("post", "/cancel"),
    ):
        again = api.request(method, f"/checkout-sessions/{session['id']}{path}", json=payment())
        assert (again.status_code, again.json()["messages"][0]["code"]) == (
            409,
            "checkout_not_modifiable",
        )


def test_cancel_then_nothing_else(api, shop):
    session = create(api)
    canceled = api.post(f"/checkout-sessions/{session['id']}/cancel")
    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")
    refused = api.put(f"/checkout-sessions/{session['id']}", json={"currency": "USD"})
    assert refused.status_code == 409
    other = api.put(f"/checkout-sessions/{session['id']}", json={"id": "cs_someone_else"})
    assert (other.status_code, other.json()["messages"][0]["code"]) == (400, "id_mismatch")
    assert shop.catalog.get("bouquet_roses").stock == 1000


def test_refusals_name_the_problem(api):
    cases = [
        (create_body(item="gardenias"), 400, "out_of_stock", "Insufficient stock"),
        (create_body(item="pink_wumpus"), 400, "product_not_found", "not found"),
        (create_body(currency="EUR"), 400, "currency_unsupported", "EUR"),
        ({"currency": "USD", "line_items": []}, 422, "invalid_request", "$.line_items"),
        (
            {"currency": "USD", "line_items": [{"item": {"id": "x"}, "quantity": 0}]},
            422,
            "invalid_request",
            "quantity",
        ),
    ]
    for body, status, code, words in cases:
        response = api.post("/checkout-sessions", json=body)
        assert response.status_code == status, body
        assert response.json()["messages"][0]["code"] == code
        assert words in response.json()["detail"]
    assert api.get("/checkout-sessions/nope").status_code == 404
    raw = api.post("/checkout-sessions", content=b"[1, 2]")
    assert (raw.status_code, raw.json()["detail"]) == (422, "the body must be a JSON object")


def test_complete_needs_fulfillment_an_offered_handler_and_an_approved_token(api, shop):
    bare = create(api, country=None)
    missing = api.post(f"/checkout-sessions/{bare['id']}/complete", json=payment())
    assert missing.status_code == 400
    assert "Fulfillment address and option must be selected" in missing.json()["detail"]
    session = create(api)
    declined = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment("fail_token"))
    assert (declined.status_code, declined.json()["messages"][0]["code"]) == (
        402,
        "payment_declined",
    )
    other = payment()
    other["payment_data"]["handler_id"] = "paypal"
    assert api.post(f"/checkout-sessions/{session['id']}/complete", json=other).status_code == 400
    bad_mandate = payment(ap2={"checkout_mandate": "not a jwt"})
    assert (
        api.post(f"/checkout-sessions/{session['id']}/complete", json=bad_mandate).status_code
        == 422
    )
    assert shop.placed == [] and shop.catalog.get("bouquet_roses").stock == 1000
    mandate = payment(ap2={"checkout_mandate": "header.payload.signature~kb"})
    done = api.post(f"/checkout-sessions/{session['id']}/complete", json=mandate)
    assert (done.status_code, done.json()["status"]) == (200, "completed")


def test_sessions_expire_after_six_hours(shop):
    clock = FakeClock()
    api = client(ucp_app({"flower-shop": shop}, clock, WebhookSink()))
    session = create(api)
    clock.advance(hours=6)
    expired = api.get(f"/checkout-sessions/{session['id']}").json()
    assert expired["status"] == "canceled"
    assert expired["messages"][0]["code"] == "checkout_expired"


def test_a_processor_token_is_not_charged_when_two_lines_of_one_product_exceed_its_stock(api, shop):
    shop.catalog.get("bouquet_roses").stock = 3
    body = create_body(quantity=2)
    body["line_items"].append({"item": {"id": "bouquet_roses", "title": "again"}, "quantity": 2})
    session = api.post("/checkout-sessions", json=body).json()  # each line alone fits
    processor = shop.checkout.processor
    token = processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=100_000,
                currency="usd",
                checkout_session_id=session["id"],
                merchant_id="flower-shop",
                expires_at=NOW + timedelta(hours=1),
            ),
        ),
        NOW,
    ).id
    refused = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment(token))
    assert (refused.status_code, refused.json()["messages"][0]["content"]) == (
        409,
        "Insufficient stock: bouquet_roses: wanted 4, 3 in stock",
    )
    assert processor.charge(  # the token was never spent: it still pays
        token,
        amount=100,
        currency="usd",
        checkout_session_id=session["id"],
        merchant_id="flower-shop",
        now=NOW,
    ).approved
    assert shop.placed == [] and shop.catalog.get("bouquet_roses").stock == 3
