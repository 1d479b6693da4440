"""Etsy's routes over HTTP on a bare FastAPI app: key, rate limits, shapes, errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from merchants import PaymentProcessor
from merchants.etsy import EtsyReceipts, listing_id_of, shop_id_of
from merchants.http import create_app
from merchants.http.etsy_routes import etsy_router

from .shop_fixtures import NOW, buy, crafts, northwind

KEY = {"x-api-key": "keystring"}
OAUTH = {**KEY, "Authorization": "Bearer 12345678.oauth-token"}  # receipts are shop-private
BASE = "/merchants/crafts/v3/application"
SHOP = shop_id_of("crafts")
MUG = listing_id_of("crafts", "p0")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site():
    clock, receipts = Clock(), EtsyReceipts()
    merchants = {"crafts": crafts(), "north": northwind()}
    app = FastAPI()
    app.include_router(etsy_router(merchants, clock, receipts))
    return TestClient(app), clock, merchants


def limits(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith(("x-limit", "x-remain"))}


def test_the_eleventh_request_in_a_second_is_429_until_the_second_has_passed(site):
    client, clock, _ = site
    answers = [client.get(f"{BASE}/listings/{MUG}", headers=KEY) for _ in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    assert limits(answers[0]) == {
        "x-limit-per-second": "10",
        "x-remaining-this-second": "9",
        "x-limit-per-day": "10000",
        "x-remaining-today": "9999",
    }
    assert answers[-1].headers["x-remaining-this-second"] == "0"

    refused = client.get(f"{BASE}/listings/{MUG}", headers=KEY)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert limits(refused) == {
        "x-limit-per-second": "10",
        "x-remaining-this-second": "0",
        "x-limit-per-day": "10000",
        "x-remaining-today": "9990",
    }
    assert set(refused.json()) == {"error"}
    # another key has its own budget
    assert client.get(f"{BASE}/listings/{MUG}", headers={"x-api-key": "other"}).status_code == 200

    clock.now += timedelta(seconds=float(refused.headers["retry-after"]))
    again = client.get(f"{BASE}/listings/{MUG}", headers=KEY)
    assert again.status_code == 200
    assert (again.headers["x-remaining-this-second"], again.headers["x-remaining-today"]) == (
        "9",
        "9989",
    )


def test_no_api_key_is_403(site):
    client, _, _ = site
    for headers in ({}, {"x-api-key": "  "}):
        answer = client.get(f"{BASE}/listings/active", headers=headers)
        assert (answer.status_code, answer.json()) == (403, {"error": "Missing x-api-key header"})
        assert limits(answer) == {}


def test_find_all_listings_active_reads_etsy_query_parameters(site):
    client, _, _ = site
    answer = client.get(
        f"{BASE}/listings/active",
        headers=KEY,
        params={
            "min_price": "19.99",
            "max_price": "45",
            "sort_on": "price",
            "sort_order": "asc",
            "limit": "2",
            "offset": "1",
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3
    assert [r["skus"] for r in body["results"]] == [["p0"], ["p4"]]
    assert body["results"][0]["price"] == {"amount": 2499, "divisor": 100, "currency_code": "USD"}
    scored = client.get(
        f"{BASE}/listings/active",
        headers=KEY,
        params={"keywords": "mug kitchen", "sort_on": "score"},
    ).json()
    assert [r["skus"][0] for r in scored["results"]] == ["p0", "p4"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"limit": "abc"}, "Invalid parameter limit: expected an integer, got 'abc'"),
        ({"limit": "101"}, "Invalid parameter limit: must be between 1 and 100, got 101"),
        ({"offset": "-5"}, "Invalid parameter offset: must be at least 0, got -5"),
        (
            {"min_price": "1.999"},
            "Invalid parameter min_price: expected a price such as 12.50, got '1.999'",
        ),
        ({"max_price": "-3"}, "Invalid parameter max_price: must not be negative, got '-3'"),
        (
            {"sort_on": "best"},
            "Invalid parameter sort_on: must be one of created, price, updated, score, got 'best'",
        ),
        ({"taxonomy_id": "x"}, "Invalid parameter taxonomy_id: expected an integer, got 'x'"),
    ],
)
def test_bad_query_parameters_are_etsy_400s(site, params, error):
    client, _, _ = site
    answer = client.get(f"{BASE}/listings/active", headers=KEY, params=params)
    assert (answer.status_code, answer.json()) == (400, {"error": error})
    assert answer.headers["x-limit-per-second"] == "10"


def test_listing_inventory_and_shop(site):
    client, _, _ = site
    listing = client.get(f"{BASE}/listings/{MUG}", headers=KEY).json()
    assert (listing["listing_id"], listing["state"], listing["quantity"]) == (MUG, "active", 5)
    inventory = client.get(f"{BASE}/listings/{MUG}/inventory", headers=KEY).json()
    assert inventory["products"][0]["offerings"][0]["quantity"] == 5
    shop = client.get(f"{BASE}/shops/{SHOP}", headers=KEY).json()
    assert (shop["shop_id"], shop["shop_name"], shop["currency_code"]) == (
        SHOP,
        "JuniperAndThread",
        "USD",
    )


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/merchants/north/v3/application/listings/active", 404, "Etsy shop 'north' not found"),
        ("/merchants/nobody/v3/application/shops/1", 404, "Etsy shop 'nobody' not found"),
        (f"{BASE}/listings/42", 404, f"listing 42 of shop {SHOP} not found"),
        (
            f"{BASE}/listings/mug",
            400,
            "Invalid parameter listing_id: expected an integer, got 'mug'",
        ),
        (f"{BASE}/shops/1", 404, "shop 1 not found"),
        (f"{BASE}/shops/{SHOP}/receipts/7", 404, "receipt 7 not found"),
    ],
)
def test_not_found_and_bad_ids(site, path, status, error):
    client, _, _ = site
    answer = client.get(path, headers=OAUTH if "/receipts" in path else KEY)
    assert (answer.status_code, answer.json()) == (status, {"error": error})


def test_receipts_of_real_checkouts(site):
    client, _, merchants = site
    done = buy(merchants["crafts"], "p1", 1)
    page = client.get(f"{BASE}/shops/{SHOP}/receipts", headers=OAUTH).json()
    assert page["count"] == 1
    receipt = page["results"][0]
    assert (receipt["order_id"], receipt["grandtotal"]["amount"], receipt["status"]) == (
        done.order.id,
        9545,
        "paid",
    )
    one = client.get(f"{BASE}/shops/{SHOP}/receipts/{receipt['receipt_id']}", headers=OAUTH)
    assert one.json() == receipt
    assert (
        client.get(f"{BASE}/listings/{listing_id_of('crafts', 'p1')}", headers=KEY).json()["state"]
        == "sold_out"
    )
    paged = client.get(f"{BASE}/shops/{SHOP}/receipts", headers=OAUTH, params={"limit": "0"})
    assert paged.json() == {"error": "Invalid parameter limit: must be between 1 and 100, got 0"}


def test_receipts_without_an_oauth_bearer_are_401(site):
    client, _, merchants = site
    buy(merchants["crafts"], "p1", 1)
    for headers in (
        KEY,
        {**KEY, "Authorization": "Basic abc"},
        {**KEY, "Authorization": "Bearer "},
    ):
        answer = client.get(f"{BASE}/shops/{SHOP}/receipts", headers=headers)
        assert (answer.status_code, answer.json()) == (
            401,
            {"error": "OAuth required: send Authorization: Bearer <access token>"},
        )
        assert limits(answer) == {}  # refused before the rate limit counts it


def test_beside_the_acp_app_errors_stay_etsy_shaped():
    merchants = {"crafts": crafts()}
    clock = Clock()
    app = create_app(merchants, PaymentProcessor(), clock=clock)
    app.include_router(etsy_router(merchants, clock, EtsyReceipts()))
    client = TestClient(app)
    assert client.get(f"{BASE}/listings/active", headers=KEY).json()["count"] == 5
    bad = client.get(f"{BASE}/listings/active", headers=KEY, params={"limit": "x"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "Invalid parameter limit: expected an integer, got 'x'"},
    )
    assert client.get("/merchants/crafts/product_feed").status_code == 200
