"""The Shopify-like storefront over HTTP: products, carts and discount codes as JSON routes.

Routes (``{m}`` is a merchant id on ``platform: shopify``; any other merchant is a 404):

    GET    /merchants/{m}/storefront/products                       {"products": [Product]}
    GET    /merchants/{m}/storefront/products/{handle}              {"product": Product}
    POST   /merchants/{m}/storefront/carts                          cartCreate      -> payload
    GET    /merchants/{m}/storefront/carts/{cart}                   {"cart": Cart}
    POST   /merchants/{m}/storefront/carts/{cart}/lines             cartLinesAdd    -> payload
    PATCH  /merchants/{m}/storefront/carts/{cart}/lines             cartLinesUpdate -> payload
    DELETE /merchants/{m}/storefront/carts/{cart}/lines/{line}      cartLinesRemove -> payload
    POST   /merchants/{m}/storefront/carts/{cart}/discount_codes    cartDiscountCodesUpdate
    POST   /merchants/{m}/storefront/carts/{cart}/buyer_identity    cartBuyerIdentityUpdate

A payload is ``{cart, userErrors, warnings}``. As on Shopify, business problems (unknown
variant, no stock, a code that does not apply) are answered 200 with ``userErrors`` or
``warnings``; only protocol problems are 4xx, in ACP's error shape like the rest of the server:
an unknown merchant or cart 404, a malformed body 400. With a ``token``, every route needs it in
``X-Shopify-Storefront-Access-Token`` (or ``Shopify-Storefront-Private-Token``), as Shopify's
Storefront API does; without it the answer is 401 in Shopify's shape, ``{"errors": "..."}``.
Every admitted request then takes a slot in the merchant's REST leaky bucket
(:func:`merchants.ratelimit.shopify_bucket`, by ``profile.plan``), one bucket per client
credential (the access token, else the client's address): a refusal is 429 with
``Retry-After``, and every answer carries ``X-Shopify-Shop-Api-Call-Limit``. The router returns
its errors itself rather than raising, so it works on any FastAPI app, with or without
:func:`merchants.http.errors.install_error_handlers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from merchants.acp import ErrorBody
from merchants.errors import ProtocolError, not_found
from merchants.http.body import parse_body, read_body
from merchants.http.credentials import client_key, matches, storefront_token
from merchants.http.errors import error_response, unexpected
from merchants.merchant import Merchant
from merchants.ratelimit import LeakyBucket, shopify_bucket
from merchants.shopify import ShopifyStorefront, UnknownCart
from merchants.shopify.cart_shapes import (
    CartBuyerIdentityUpdateInput,
    CartDiscountCodesInput,
    CartInput,
    CartLinesAddInput,
    CartLinesUpdateInput,
)

Clock = Callable[[], datetime]
Operation = Callable[[ShopifyStorefront, Any, datetime], Any]
#: Shopify's answer to a missing or wrong access token.
UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def shopify_storefronts(merchants: Mapping[str, Merchant]) -> dict[str, ShopifyStorefront]:
    """A storefront for each Shopify merchant, by id (Etsy merchants have none)."""
    return {
        mid: ShopifyStorefront(m) for mid, m in merchants.items() if m.profile.platform == "shopify"
    }


def _rate_limited(bucket: LeakyBucket, headers: dict[str, str]) -> Response:
    body = ErrorBody(
        type="rate_limit_exceeded",
        code="rate_limit_exceeded",
        message=f"Exceeded {bucket.leak_per_second:g} calls per second for api client. "
        "Reduce request rates to resume uninterrupted service.",
    )
    return JSONResponse(body.wire(), status_code=429, headers=headers)


def shopify_router(
    merchants: Mapping[str, Merchant],
    clock: Clock,
    *,
    storefronts: Mapping[str, ShopifyStorefront] | None = None,
    token: str | None = None,
) -> APIRouter:
    """Routes for the Shopify merchants among ``merchants``; ``clock`` is read once per request.

    Pass ``storefronts`` to share carts with in-process callers; by default the router builds
    its own. ``token``, when set, is the Storefront access token every request must carry. An
    unknown ``profile.plan`` fails here, at startup, naming the plan.
    """
    fronts = dict(storefronts) if storefronts is not None else shopify_storefronts(merchants)
    buckets = {mid: shopify_bucket(front.merchant.profile.plan) for mid, front in fronts.items()}
    router = APIRouter(prefix="/merchants/{merchant_id}/storefront", tags=["shopify"])

    async def serve(
        merchant_id: str,
        request: Request,
        operation: Operation,
        model: type[BaseModel] | None = None,
    ) -> Response:
        """Check the token, admit through the client's bucket, parse, run, add the limit header."""
        credential = storefront_token(request)
        if token is not None and not matches(credential, token):
            return JSONResponse(
                {"errors": UNAUTHORIZED}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        front = fronts.get(merchant_id)
        if front is None:
            return error_response(not_found(f"shopify merchant {merchant_id!r}"))
        moment = clock()
        admission = buckets[merchant_id].try_acquire(client_key(credential, request), moment)
        if not admission.allowed:
            return _rate_limited(buckets[merchant_id], admission.headers)
        try:
            body = None
            if model is not None:
                raw = await read_body(request)
                body = parse_body(raw if raw.strip() or model is not CartInput else b"{}", model)
            result = await run_in_threadpool(operation, front, body, moment)
            response: Response = JSONResponse(result)
        except ProtocolError as problem:
            response = error_response(problem)
        except UnknownCart as problem:
            response = error_response(not_found(f"cart {problem.cart_id!r}"))
        except Exception as problem:  # a bug: still an ACP-shaped answer, never a traceback
            response = unexpected(problem)
        response.headers.update(admission.headers)
        return response

    def found(value: BaseModel | None, key: str, what: str) -> dict[str, Any]:
        if value is None:
            raise not_found(what)
        return {key: value.wire()}

    @router.get("/products")
    async def list_products(merchant_id: str, request: Request) -> Response:
        return await serve(
            merchant_id, request, lambda f, _, at: {"products": [p.wire() for p in f.products(at)]}
        )

    @router.get("/products/{handle}")
    async def get_product(merchant_id: str, handle: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, _, at: found(f.product(handle, at), "product", f"product {handle!r}"),
        )

    @router.post("/carts")
    async def create_cart(merchant_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, body, at: f.cart_create(
                body.lines, body.buyer_identity, body.discount_codes, at
            ).wire(),
            CartInput,
        )

    @router.get("/carts/{cart_id}")
    async def get_cart(merchant_id: str, cart_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, _, at: found(f.cart(cart_id, at), "cart", f"cart {cart_id!r}"),
        )

    @router.post("/carts/{cart_id}/lines")
    async def add_lines(merchant_id: str, cart_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, body, at: f.cart_lines_add(cart_id, body.lines, at).wire(),
            CartLinesAddInput,
        )

    @router.patch("/carts/{cart_id}/lines")
    async def update_lines(merchant_id: str, cart_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, body, at: f.cart_lines_update(cart_id, body.lines, at).wire(),
            CartLinesUpdateInput,
        )

    @router.delete("/carts/{cart_id}/lines/{line_id}")
    async def remove_line(
        merchant_id: str, cart_id: str, line_id: str, request: Request
    ) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, _, at: f.cart_lines_remove(cart_id, [line_id], at).wire(),
        )

    @router.post("/carts/{cart_id}/discount_codes")
    async def update_discount_codes(merchant_id: str, cart_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, body, at: f.cart_discount_codes_update(
                cart_id, body.discount_codes, at
            ).wire(),
            CartDiscountCodesInput,
        )

    @router.post("/carts/{cart_id}/buyer_identity")
    async def update_buyer_identity(merchant_id: str, cart_id: str, request: Request) -> Response:
        return await serve(
            merchant_id,
            request,
            lambda f, body, at: f.cart_buyer_identity_update(
                cart_id, body.buyer_identity, at
            ).wire(),
            CartBuyerIdentityUpdateInput,
        )

    return router
