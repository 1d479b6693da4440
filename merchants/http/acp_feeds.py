"""The ACP 2026-04-17 product feed, both ends, in process.

Who hosts what: the spec has agents host ``/feeds`` and merchants push to it. This app is the
mock merchants' server, but our agent has no server of its own, so the app also plays the
agent's feed service, in memory: ``POST /feeds``, ``GET /feeds/{id}``,
``GET``/``PATCH /feeds/{id}/products`` (upsert by ``Product.id``). The merchant's side is the
file-ingestion pair it would hand over: ``GET /merchants/{m}/feed/metadata.json`` and
``GET /merchants/{m}/feed/products.jsonl``, its whole catalog in the 2026-04-17 ``Product``
shape. The older ``/merchants/{m}/product_feed`` stays as it was.

The feed OpenAPI names no headers or security: these routes are open like the catalog (with
the server's token when it has one) and need no ``API-Version``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from merchants.acp import timestamp
from merchants.acp_2026.feed import (
    CreateFeedRequest,
    Product,
    UpsertProductsRequest,
    feed_metadata,
    feed_product,
    products_jsonl,
)
from merchants.errors import not_found
from merchants.http.body import parse_body, read_body
from merchants.http.headers import catalog_access
from merchants.http.openapi import request_body
from merchants.merchant import Merchant

FEED_REQUEST_MODELS = [CreateFeedRequest, UpsertProductsRequest]
#: Most feeds the in-memory agent feed service holds: a mock, not a store.
MAX_FEEDS = 1_000


class AgentFeeds:
    """The agent's feed service: metadata and products per feed, in memory, thread-safe."""

    def __init__(self) -> None:
        self._feeds: dict[str, dict[str, Any]] = {}
        self._products: dict[str, dict[str, Product]] = {}
        self._created = 0
        self._lock = threading.Lock()

    def create(self, request: CreateFeedRequest, now: datetime) -> dict[str, Any]:
        with self._lock:
            if len(self._feeds) >= MAX_FEEDS:  # forget the oldest
                oldest = next(iter(self._feeds))
                del self._feeds[oldest], self._products[oldest]
            self._created += 1
            feed_id = f"feed_{self._created:06d}"
            self._feeds[feed_id] = feed_metadata(feed_id, now, request.target_country).wire()
            self._products[feed_id] = {}
            return dict(self._feeds[feed_id])

    def metadata(self, feed_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._find(feed_id))

    def products(self, feed_id: str) -> dict[str, Any]:
        with self._lock:
            self._find(feed_id)
            return {"products": [p.wire() for p in self._products[feed_id].values()]}

    def upsert(self, feed_id: str, request: UpsertProductsRequest, now: datetime) -> dict:
        with self._lock:
            self._find(feed_id)["updated_at"] = timestamp(now)
            for product in request.products:
                self._products[feed_id][product.id] = product
            return {"id": feed_id, "accepted": True}

    def _find(self, feed_id: str) -> dict[str, Any]:
        found = self._feeds.get(feed_id)
        if found is None:
            raise not_found(f"feed {feed_id}")
        return found


def feeds_router(
    merchants: Mapping[str, Merchant],
    now: Callable[[], datetime],
    token: str | None,
) -> APIRouter:
    router = APIRouter(dependencies=[Depends(catalog_access(token))], tags=["feed"])
    feeds = AgentFeeds()

    def shop(merchant_id: str) -> Merchant:
        found = merchants.get(merchant_id)
        if found is None:
            raise not_found(f"merchant {merchant_id!r}")
        return found

    @router.get(
        "/merchants/{merchant_id}/feed/products.jsonl",
        responses={200: {"content": {"application/jsonl": {}}, "description": "Products"}},
    )
    async def merchant_products(merchant_id: str) -> Response:
        merchant = shop(merchant_id)
        products = [
            feed_product(
                p,
                currency=merchant.checkout.catalog.currency,
                seller_name=merchant.info.name,
                site_url=merchant.checkout.site_url,
            )
            for p in merchant.catalog
        ]
        return Response(products_jsonl(products), media_type="application/jsonl")

    @router.get(
        "/merchants/{merchant_id}/feed/metadata.json",
        responses={200: {"description": "Feed metadata"}},
    )
    async def merchant_metadata(merchant_id: str) -> JSONResponse:
        shop(merchant_id)
        return JSONResponse(feed_metadata(f"feed_{merchant_id}", now()).wire())

    @router.post("/feeds", status_code=201, openapi_extra=request_body(CreateFeedRequest))
    async def create_feed(request: Request) -> Response:
        body = parse_body(await read_body(request), CreateFeedRequest)
        return JSONResponse(feeds.create(body, now()), status_code=201)

    @router.get("/feeds/{feed_id}", responses={200: {"description": "Feed metadata"}})
    async def get_feed(feed_id: str) -> JSONResponse:
        return JSONResponse(feeds.metadata(feed_id))

    @router.get("/feeds/{feed_id}/products", responses={200: {"description": "Feed products"}})
    async def get_feed_products(feed_id: str) -> JSONResponse:
        return JSONResponse(feeds.products(feed_id))

    @router.patch("/feeds/{feed_id}/products", openapi_extra=request_body(UpsertProductsRequest))
    async def upsert_feed_products(feed_id: str, request: Request) -> Response:
        body = parse_body(await read_body(request, limit=4 * 1024 * 1024), UpsertProductsRequest)
        return JSONResponse(feeds.upsert(feed_id, body, now()))

    return router
