"""The ACP 2026-04-17 product feed: the merchant's ``metadata.json`` and ``products.jsonl``
validate against ``schema.feed.json``, and pushed to the (in-process) agent feed service they
come back as sent."""

from __future__ import annotations

import json

from .support import Schemas, Shop


def test_the_merchant_exports_its_catalog_as_feed_products(shop: Shop, schemas: Schemas):
    response = shop.client.get("/merchants/shop/feed/products.jsonl")
    assert response.headers["content-type"] == "application/jsonl"
    lines = response.text.splitlines()
    catalog = list(shop.merchants["shop"].catalog)
    assert len(lines) == len(catalog) == 30
    products = [json.loads(line) for line in lines]
    for product in products:
        schemas.check("Product", product, bundle="feed")
    first, item = products[0], catalog[0]
    (variant,) = first["variants"]
    assert (first["id"], first["title"]) == (item.id, item.title)
    assert variant["price"] == {"amount": item.price, "currency": "USD"}
    assert variant["availability"] == {"available": True, "status": "in_stock"}
    assert variant["seller"] == {
        "name": "Test Shop",
        "links": [{"type": "website", "url": "https://shop.example"}],
    }
    metadata = shop.client.get("/merchants/shop/feed/metadata.json").json()
    schemas.check("FeedMetadata", metadata, bundle="feed")
    assert metadata == {"id": "feed_shop", "updated_at": "2026-11-11T12:00:00Z"}


def test_push_to_the_agent_feed_and_read_it_back(shop: Shop, schemas: Schemas):
    created = shop.client.post("/feeds", json={"target_country": "US"})
    assert created.status_code == 201
    feed = created.json()
    schemas.check("FeedMetadata", feed, bundle="feed")
    assert feed == {
        "id": "feed_000001",
        "target_country": "US",
        "updated_at": "2026-11-11T12:00:00Z",
    }
    lines = shop.client.get("/merchants/shop/feed/products.jsonl").text.splitlines()
    products = [json.loads(line) for line in lines[:3]]
    path = f"/feeds/{feed['id']}/products"
    upserted = shop.client.patch(path, json={"products": products})
    assert upserted.json() == {"id": feed["id"], "accepted": True}
    changed = {**products[0], "title": "Renamed"}
    shop.client.patch(path, json={"products": [changed]})  # upsert by id: replaced, not added
    stored = shop.client.get(path).json()
    schemas.check("ProductsResponse", stored, bundle="feed")
    assert stored == {"products": [changed, *products[1:]]}
    assert shop.client.get(f"/feeds/{feed['id']}").json()["id"] == feed["id"]


def test_feed_refusals(shop: Shop):
    missing = shop.client.get("/feeds/feed_nope/products")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    shop.client.post("/feeds", json={})
    bad = shop.client.patch("/feeds/feed_000001/products", json={"products": [{"id": "x"}]})
    assert (bad.status_code, bad.json()["param"]) == (400, "$.products[0].variants")
    country = shop.client.post("/feeds", json={"target_country": "usa"})
    assert (country.status_code, country.json()["param"]) == (400, "$.target_country")
    assert shop.client.get("/merchants/nope/feed/products.jsonl").status_code == 404
