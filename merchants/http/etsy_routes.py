"""Etsy Open API v3, as the mock serves it, under ``/merchants/{m}/v3/application/``.

Routes (``{m}`` is a merchant id whose profile says ``platform: etsy``; any other is a 404):

    GET listings/active                       findAllListingsActive (keywords, min_price, ...)
    GET listings/{listing_id}                 getListing
    GET listings/{listing_id}/inventory       getListingInventory
    GET shops/{shop_id}                       getShop
    GET shops/{shop_id}/receipts              getShopReceipts (limit, offset)
    GET shops/{shop_id}/receipts/{receipt_id} getShopReceipt

Every request needs ``x-api-key`` and counts against that key's
:class:`~merchants.ratelimit.EtsyLimits`; admitted answers carry Etsy's four ``x-limit-*`` /
``x-remaining-*`` headers, refused ones are 429 with ``retry-after``. Receipts (shop-private:
they carry buyers' emails) also need OAuth's ``Authorization: Bearer``, as on Etsy. Without a
``token`` any key and any bearer pass (a missing key is 403, a missing bearer 401); with one,
the key and the bearer must both be it, else 401. Errors are Etsy's flat ``{"error": "..."}``.
Query and path parameters are read as text and checked here, so a bad one is Etsy's 400
whatever error handlers the app installs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from merchants.etsy import EtsyError, EtsyReceipts, EtsyShop
from merchants.etsy.errors import invalid_parameter, not_found
from merchants.etsy.money import parse_unit_price
from merchants.http.credentials import bearer, matches
from merchants.merchant import Merchant
from merchants.ratelimit import EtsyLimits, RateLimiter

Clock = Callable[[], datetime]
Operation = Callable[[EtsyShop, datetime], Any]
PREFIX = "/merchants/{merchant_id}/v3/application"
API_KEY_HEADER = "x-api-key"

Text = Annotated[str | None, Query()]


def _integer(name: str, text: str | None, default: int | None = None) -> int | None:
    """A query or path integer, or a 400 naming it (bounds are the operation's to check)."""
    if text is None:
        return default
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise invalid_parameter(name, f"expected an integer, got {text!r}") from None


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def etsy_router(
    merchants: Mapping[str, Merchant],
    clock: Clock,
    receipts: EtsyReceipts,
    *,
    limits: RateLimiter | None = None,
    token: str | None = None,
) -> APIRouter:
    """Etsy's routes for the Etsy merchants among ``merchants``; ``clock`` is read once a request.

    Builds one :class:`EtsyShop` per Etsy merchant and attaches ``receipts`` to their orders
    (idempotently). ``limits`` defaults to Etsy's 10 per second and 10,000 per rolling day.
    ``token``, when set, is the one API key (and OAuth bearer, for receipts) accepted.
    """
    shops = {
        merchant_id: EtsyShop(merchant)
        for merchant_id, merchant in merchants.items()
        if merchant.profile.platform == "etsy"
    }
    receipts.attach(merchants.values())
    limiter = limits if limits is not None else EtsyLimits()
    router = APIRouter(prefix=PREFIX, tags=["etsy"])

    def serve(
        request: Request, merchant_id: str, operation: Operation, *, oauth: bool = False
    ) -> JSONResponse:
        """Key (and OAuth bearer), then rate limit, then the operation; all in Etsy's shape."""
        key = request.headers.get(API_KEY_HEADER, "").strip()
        if token is not None and not matches(key, token):
            return _unauthorized("Invalid API key: x-api-key must be this app's key")
        if not key:
            return JSONResponse({"error": "Missing x-api-key header"}, status_code=403)
        if oauth and not (bearer(request) and (token is None or matches(bearer(request), token))):
            return _unauthorized("OAuth required: send Authorization: Bearer <access token>")
        moment = clock()
        admission = limiter.try_acquire(key, moment)
        if not admission.allowed:
            return JSONResponse(
                {"error": f"Rate limit exceeded; retry after {admission.retry_after:g} s"},
                status_code=429,
                headers=admission.headers,
            )
        try:
            shop = shops.get(merchant_id)
            if shop is None:
                raise not_found(f"Etsy shop {merchant_id!r}")
            response = JSONResponse(operation(shop, moment))
        except EtsyError as problem:
            response = JSONResponse(problem.body(), status_code=problem.status)
        response.headers.update(admission.headers)
        return response

    def own_shop(shop: EtsyShop, shop_id: str) -> None:
        if _integer("shop_id", shop_id) != shop.shop_id:
            raise not_found(f"shop {shop_id}")

    @router.get("/listings/active", summary="findAllListingsActive")
    def find_all_listings_active(
        request: Request,
        merchant_id: str,
        keywords: Text = None,
        min_price: Text = None,
        max_price: Text = None,
        taxonomy_id: Text = None,
        sort_on: Text = None,
        sort_order: Text = None,
        limit: Text = None,
        offset: Text = None,
    ) -> JSONResponse:
        def operation(shop: EtsyShop, now: datetime) -> dict:
            return shop.find_all_listings_active(
                now=now,
                keywords=keywords,
                min_price=None
                if min_price is None
                else parse_unit_price("min_price", min_price, shop.currency),
                max_price=None
                if max_price is None
                else parse_unit_price("max_price", max_price, shop.currency),
                taxonomy_id=_integer("taxonomy_id", taxonomy_id),
                sort_on=sort_on or "created",
                sort_order=sort_order or "desc",
                limit=_integer("limit", limit, 25),
                offset=_integer("offset", offset, 0),
            ).wire()

        return serve(request, merchant_id, operation)

    @router.get("/listings/{listing_id}", summary="getListing")
    def get_listing(request: Request, merchant_id: str, listing_id: str) -> JSONResponse:
        return serve(
            request,
            merchant_id,
            lambda shop, now: shop.get_listing(_integer("listing_id", listing_id), now).wire(),
        )

    @router.get("/listings/{listing_id}/inventory", summary="getListingInventory")
    def get_listing_inventory(request: Request, merchant_id: str, listing_id: str) -> JSONResponse:
        return serve(
            request,
            merchant_id,
            lambda shop, now: shop.get_listing_inventory(
                _integer("listing_id", listing_id), now
            ).wire(),
        )

    @router.get("/shops/{shop_id}", summary="getShop")
    def get_shop(request: Request, merchant_id: str, shop_id: str) -> JSONResponse:
        def operation(shop: EtsyShop, now: datetime) -> dict:
            own_shop(shop, shop_id)
            return shop.shop(now).wire()

        return serve(request, merchant_id, operation)

    @router.get("/shops/{shop_id}/receipts", summary="getShopReceipts")
    def get_shop_receipts(
        request: Request, merchant_id: str, shop_id: str, limit: Text = None, offset: Text = None
    ) -> JSONResponse:
        def operation(shop: EtsyShop, now: datetime) -> dict:
            own_shop(shop, shop_id)
            return receipts.find_by_shop(
                shop.shop_id,
                now=now,
                limit=_integer("limit", limit, 25),
                offset=_integer("offset", offset, 0),
            ).wire()

        return serve(request, merchant_id, operation, oauth=True)

    @router.get("/shops/{shop_id}/receipts/{receipt_id}", summary="getShopReceipt")
    def get_shop_receipt(
        request: Request, merchant_id: str, shop_id: str, receipt_id: str
    ) -> JSONResponse:
        def operation(shop: EtsyShop, now: datetime) -> dict:
            own_shop(shop, shop_id)
            receipt = receipts.get(_integer("receipt_id", receipt_id), now)
            if receipt.shop_id != shop.shop_id:
                raise not_found(f"receipt {receipt_id} of shop {shop_id}")
            return receipt.wire()

        return serve(request, merchant_id, operation, oauth=True)

    return router
