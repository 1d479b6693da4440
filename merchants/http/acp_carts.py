"""ACP 2026-04-17 carts: ``POST /carts``, ``GET``/``PUT /carts/{id}``, ``POST /carts/{id}/cancel``,
under each merchant's base URL (``/merchants/{m}``).

ACP's headers as for checkout (``API-Version`` must be 2026-04-17: earlier versions have no
carts, 404 ``not_found``); POSTs and PUT need an ``Idempotency-Key``. A cart is turned into a
checkout by creating a session with its ``line_items``: the spec defers ``cart_id`` on
checkout creation to a later release, so no such field is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from merchants.acp_2026.carts import cart_body
from merchants.acp_2026.checkout import units
from merchants.acp_2026.requests import CartCreateRequest, CartUpdateRequest
from merchants.carts import CartBook
from merchants.errors import ProtocolError, not_found
from merchants.http.body import NoBody
from merchants.http.headers import acp_headers
from merchants.http.openapi import request_body
from merchants.merchant import Merchant
from merchants.versions import V2026_04_17

Serve = Callable[..., Any]
CART_REQUEST_MODELS = [CartCreateRequest, CartUpdateRequest]


def carts_router(
    merchants: Mapping[str, Merchant],
    serve: Serve,
    now: Callable[[], datetime],
    token: str | None,
) -> APIRouter:
    """Routes over one :class:`CartBook` per merchant; ``serve`` is the app's body reader
    (validation, idempotency) from :func:`merchants.http.app.create_app`."""
    router = APIRouter(dependencies=[Depends(acp_headers(token))], tags=["carts"])
    books: dict[str, CartBook] = {}  # made at a merchant's first cart

    def book(merchant_id: str, request: Request) -> tuple[Merchant, CartBook]:
        if request.headers.get("api-version") != V2026_04_17:
            raise ProtocolError(
                404, "invalid_request", "not_found", "carts need API-Version 2026-04-17"
            )
        shop = merchants.get(merchant_id)
        if shop is None:
            raise not_found(f"merchant {merchant_id!r}")
        return shop, books.setdefault(merchant_id, CartBook(shop.checkout))

    def buyer(body: CartCreateRequest | CartUpdateRequest) -> dict | None:
        return body.buyer.model_dump(mode="json", exclude_none=True) if body.buyer else None

    carts = "/merchants/{merchant_id}/carts"

    @router.post(carts, status_code=201, openapi_extra=request_body(CartCreateRequest))
    async def create_cart(merchant_id: str, request: Request) -> Response:
        shop, found = book(merchant_id, request)
        return await serve(
            request,
            ("carts", merchant_id),
            CartCreateRequest,
            lambda body, at: cart_body(
                found.create(units(shop, body.line_items, "$.line_items"), buyer(body), at),
                shop.checkout.site_url,
            ),
            201,
        )

    @router.get(carts + "/{cart_id}", responses={200: {"description": "The cart"}})
    async def get_cart(merchant_id: str, cart_id: str, request: Request) -> Response:
        shop, found = book(merchant_id, request)
        priced = await run_in_threadpool(found.get, cart_id, now())  # waits on the checkout lock
        return JSONResponse(cart_body(priced, shop.checkout.site_url))

    @router.put(carts + "/{cart_id}", openapi_extra=request_body(CartUpdateRequest))
    async def update_cart(merchant_id: str, cart_id: str, request: Request) -> Response:
        shop, found = book(merchant_id, request)
        return await serve(
            request,
            ("carts", merchant_id),
            CartUpdateRequest,
            lambda body, at: cart_body(
                found.replace(
                    cart_id, units(shop, body.line_items, "$.line_items"), buyer(body), at
                ),
                shop.checkout.site_url,
            ),
        )

    @router.post(carts + "/{cart_id}/cancel", openapi_extra=request_body(NoBody, required=False))
    async def cancel_cart(merchant_id: str, cart_id: str, request: Request) -> Response:
        shop, found = book(merchant_id, request)
        return await serve(
            request,
            ("carts", merchant_id),
            NoBody,
            lambda _, at: cart_body(found.cancel(cart_id, at), shop.checkout.site_url),
        )

    return router
