"""The storefront over HTTP on a bare FastAPI app: routes, status codes and the leaky bucket."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from merchants.http.shopify_routes import UNAUTHORIZED, shopify_router

from .support import FakeClock, tiny_merchant, tiny_storefront

LIMIT = "X-Shopify-Shop-Api-Call-Limit"
BASE = "/merchants/tiny/storefront"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def front():
    return tiny_storefront()


@pytest.fixture
def client(front, clock) -> TestClient:
    merchants = {"tiny": front.merchant, "crafts": tiny_merchant(platform="etsy", mid="crafts")}
    app = FastAPI()
    app.include_router(shopify_router(merchants, clock, storefronts={"tiny": front}))
    return TestClient(app)


def test_products_and_one_product_by_handle(client):
    listed = client.get(f"{BASE}/products")
    assert listed.status_code == 200 and listed.headers[LIMIT] == "1/40"
    assert [p["handle"] for p in listed.json()["products"]][:2] == [
        "relaxed-cotton-t-shirt",
        "stoneware-mug",
    ]
    mug = client.get(f"{BASE}/products/stoneware-mug").json()["product"]
    assert mug["variants"][0]["id"] == "mug"
    assert mug["variants"][0]["price"] == {"amount": "12.50", "currencyCode": "USD"}
    missing = client.get(f"{BASE}/products/ghost")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_cart_round_trip(client, front, clock):
    created = client.post(
        f"{BASE}/carts",
        json={
            "lines": [{"merchandiseId": "tee_navy_m", "quantity": 2}],
            "buyerIdentity": {"email": "ada@example.com"},
            "discountCodes": ["PCT15"],
        },
    )
    assert created.status_code == 200
    cart = created.json()["cart"]
    assert created.json()["userErrors"] == [] and cart["id"] == "cart_tiny_0000001"
    path = f"{BASE}/carts/{cart['id']}"
    added = client.post(f"{path}/lines", json={"lines": [{"merchandiseId": "mug"}]}).json()
    assert [li["quantity"] for li in added["cart"]["lines"]] == [2, 1]
    # 5250 - 788 (15%) + 323 tax = 4785, as in process
    assert added["cart"]["cost"]["totalAmount"] == {"amount": "47.85", "currencyCode": "USD"}
    updated = client.patch(f"{path}/lines", json={"lines": [{"id": "line_2", "quantity": 2}]})
    assert updated.json()["cart"]["lines"][1]["quantity"] == 2
    removed = client.delete(f"{path}/lines/line_1").json()["cart"]
    assert [li["id"] for li in removed["lines"]] == ["line_2"]
    codes = client.post(f"{path}/discount_codes", json={"discountCodes": ["SAVE5"]}).json()
    assert codes["cart"]["discountCodes"] == [{"code": "SAVE5", "applicable": True}]
    buyer = client.post(f"{path}/buyer_identity", json={"buyerIdentity": {"countryCode": "US"}})
    assert buyer.json()["cart"]["buyerIdentity"]["countryCode"] == "US"
    got = client.get(path).json()["cart"]
    assert got == front.cart(cart["id"], clock()).wire()  # one cart, two faces
    assert front.catalog.sold == {}


def test_business_problems_are_user_errors_with_200(client):
    payload = client.post(f"{BASE}/carts", json={"lines": [{"merchandiseId": "tee_navy_l"}]})
    assert payload.status_code == 200
    assert payload.json() == {
        "cart": None,
        "warnings": [],
        "userErrors": [
            {
                "code": "MERCHANDISE_NOT_APPLICABLE",
                "field": ["lines", "0", "merchandiseId"],
                "message": "Relaxed Cotton T-Shirt is not available for sale.",
            }
        ],
    }
    cart_id = client.post(f"{BASE}/carts").json()["cart"]["id"]  # no body: an empty cart
    gone = client.delete(f"{BASE}/carts/{cart_id}/lines/line_7")
    assert gone.status_code == 200
    assert gone.json()["userErrors"][0]["code"] == "INVALID_MERCHANDISE_LINE"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/carts/cart_nope", None),
        ("POST", "/carts/cart_nope/lines", {"lines": []}),
        ("PATCH", "/carts/cart_nope/lines", {"lines": []}),
        ("DELETE", "/carts/cart_nope/lines/line_1", None),
        ("POST", "/carts/cart_nope/discount_codes", {"discountCodes": []}),
    ],
)
def test_an_unknown_cart_is_404(client, method, path, body):
    answer = client.request(method, BASE + path, json=body)
    assert answer.status_code == 404
    assert answer.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "message": "cart 'cart_nope' not found",
    }
    assert answer.headers[LIMIT] == "1/40"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"lines": [{"merchandiseId": "mug", "quantity": "2"}]}, "$.lines[0].quantity"),
        ({"lines": [{"merchandiseId": "mug", "colour": "red"}]}, "$.lines[0].colour"),
        ({"discountCodes": "PCT15"}, "$.discountCodes"),
    ],
)
def test_malformed_bodies_are_400(client, body, param):
    answer = client.post(f"{BASE}/carts", json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and answer.json()["param"] == param
    assert client.post(f"{BASE}/carts", content=b"{not json").status_code == 400


@pytest.mark.parametrize("merchant", ["crafts", "nowhere"])
def test_only_shopify_merchants_are_served(client, merchant):
    answer = client.get(f"/merchants/{merchant}/storefront/products")
    assert answer.status_code == 404 and LIMIT not in answer.headers


def test_the_41st_request_at_one_instant_is_429_until_a_slot_leaks(client, clock):
    answers = [client.get(f"{BASE}/products/stoneware-mug") for _ in range(40)]
    assert all(a.status_code == 200 for a in answers)
    assert [answers[0].headers[LIMIT], answers[-1].headers[LIMIT]] == ["1/40", "40/40"]
    refused = client.get(f"{BASE}/products/stoneware-mug")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "0.5"  # Basic leaks 2 a second
    assert refused.headers[LIMIT] == "40/40"
    assert refused.json()["type"] == "rate_limit_exceeded"
    clock.advance(float(refused.headers["Retry-After"]))
    again = client.get(f"{BASE}/products/stoneware-mug")
    assert again.status_code == 200 and again.headers[LIMIT] == "40/40"


def test_the_plan_sets_the_leak_rate(clock):
    front = tiny_storefront(tiny_merchant(plan="plus"))
    app = FastAPI()
    app.include_router(shopify_router({"tiny": front.merchant}, clock))
    client = TestClient(app)
    for _ in range(40):
        client.get(f"{BASE}/products")
    assert client.get(f"{BASE}/products").headers["Retry-After"] == "0.1"  # 1/20 s -> 0.05


def test_an_unknown_plan_fails_at_startup(clock):
    with pytest.raises(ValueError, match="unknown Shopify plan 'gold'"):
        shopify_router({"tiny": tiny_merchant(plan="gold")}, clock)


def test_each_client_credential_has_its_own_bucket(client):
    first = {"X-Shopify-Storefront-Access-Token": "storefront-a"}
    for _ in range(40):
        client.get(f"{BASE}/products", headers=first)
    assert client.get(f"{BASE}/products", headers=first).status_code == 429
    other = client.get(
        f"{BASE}/products", headers={"Shopify-Storefront-Private-Token": "storefront-b"}
    )
    assert (other.status_code, other.headers[LIMIT]) == (200, "1/40")
    anonymous = client.get(f"{BASE}/products")  # no token: the client's address is the key
    assert (anonymous.status_code, anonymous.headers[LIMIT]) == (200, "1/40")
    assert client.get(f"{BASE}/products").headers[LIMIT] == "2/40"
    assert client.get(f"{BASE}/products", headers=first).headers[LIMIT] == "40/40"


def test_with_a_token_a_stranger_gets_shopifys_401_and_spends_no_slot(front, clock):
    app = FastAPI()
    app.include_router(
        shopify_router({"tiny": front.merchant}, clock, storefronts={"tiny": front}, token="sf")
    )
    client = TestClient(app)
    for headers in ({}, {"X-Shopify-Storefront-Access-Token": "guess"}):
        refused = client.post(f"{BASE}/carts", headers=headers, json={})
        assert (refused.status_code, refused.json()) == (401, {"errors": UNAUTHORIZED})
        assert LIMIT not in refused.headers
    created = client.post(f"{BASE}/carts", headers={"X-Shopify-Storefront-Access-Token": "sf"})
    assert (created.status_code, created.headers[LIMIT]) == (200, "1/40")
