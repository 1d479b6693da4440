"""Mock-admin routes: drive what a real merchant does by hand (prices, an order's life).

Not part of ACP; they let a test or a person change a price or ship an order over HTTP and
watch the agent side react (re-priced sessions, signed order events). Bearer token only, no
``API-Version``; errors in ACP's error shape.

    GET  /merchants/{m}/orders/{order_id}                 the order: status, refunds; with
                                                          API-Version: 2026-04-17 that
                                                          version's native Order
    POST /merchants/{m}/orders/{order_id}/ship            -> shipped      (order_update event)
    POST /merchants/{m}/orders/{order_id}/track           {"type": "in_transit", "location"?}
    POST /merchants/{m}/orders/{order_id}/fulfill         -> fulfilled    (order_update event)
    POST /merchants/{m}/orders/{order_id}/cancel          -> canceled, restocked, refunded
    POST /merchants/{m}/orders/{order_id}/refund          {"amount": int, "type"?: ...}
    POST /merchants/{m}/orders/{order_id}/dispute         {"amount": int, "reason": str}
    POST /merchants/{m}/products/{product_id}/price       {"price": int}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from merchants.acp import timestamp
from merchants.errors import ProtocolError, not_found
from merchants.http.body import NoBody, parse_body, read_body
from merchants.http.errors import error_response, unexpected
from merchants.http.headers import admin_headers
from merchants.http.openapi import request_body
from merchants.merchant import Merchant
from merchants.native_orders import render_order
from merchants.order_book import TRACKING_EVENTS

Clock = Callable[[], datetime]


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Annotated[int, Field(gt=0)]
    type: Literal["original_payment", "store_credit"] = "original_payment"


class TrackRequest(BaseModel):
    """A carrier event for the order's shipment (``TRACKING_EVENTS``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[TRACKING_EVENTS]  # type: ignore[valid-type]
    location: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class DisputeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Annotated[int, Field(gt=0)]
    reason: Annotated[str, Field(min_length=1, max_length=200)] = "fraudulent"


class PriceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    price: Annotated[int, Field(ge=0)]


ADMIN_REQUEST_MODELS: list[type[BaseModel]] = [
    RefundRequest,
    TrackRequest,
    DisputeRequest,
    PriceRequest,
]


def admin_router(merchants: Mapping[str, Merchant], token: str | None, clock: Clock) -> APIRouter:
    """The mock-admin routes over ``merchants``; ``clock`` is read once per request."""
    router = APIRouter(dependencies=[Depends(admin_headers(token))], tags=["mock-admin"])

    async def serve(
        request: Request,
        merchant_id: str,
        model: type[BaseModel] | None,
        operation: Callable[[Merchant, Any, datetime], Any],
    ) -> Response:
        moment = clock()
        try:
            shop = merchants.get(merchant_id)
            if shop is None:
                raise not_found(f"merchant {merchant_id!r}")
            body = parse_body(await read_body(request), model) if model else None
            result = await run_in_threadpool(operation, shop, body, moment)
        except ProtocolError as problem:
            return error_response(problem)
        except Exception as problem:  # a bug; the client still gets ACP's shape
            return unexpected(problem)
        return JSONResponse(result)

    orders = "/merchants/{merchant_id}/orders/{order_id}"

    @router.get(orders)
    async def get_order(merchant_id: str, order_id: str, request: Request) -> Response:
        version = request.headers.get("api-version")
        return await serve(
            request,
            merchant_id,
            None,
            lambda shop, _, at: render_order(shop.order(order_id), version),
        )

    def transition(action: str) -> None:
        @router.post(
            orders + f"/{action}",
            name=f"{action}_order",
            openapi_extra=request_body(NoBody, required=False),
        )
        async def move(merchant_id: str, order_id: str, request: Request) -> Response:
            step = {
                "ship": Merchant.ship,
                "fulfill": Merchant.fulfill,
                "cancel": Merchant.cancel_order,
            }[action]
            return await serve(
                request, merchant_id, NoBody, lambda shop, _, at: step(shop, order_id, at).wire()
            )

    for action in ("ship", "fulfill", "cancel"):
        transition(action)

    @router.post(orders + "/refund", openapi_extra=request_body(RefundRequest))
    async def refund_order(merchant_id: str, order_id: str, request: Request) -> Response:
        return await serve(
            request,
            merchant_id,
            RefundRequest,
            lambda shop, body, at: shop.refund(order_id, body.amount, at, body.type).wire(),
        )

    @router.post(orders + "/track", openapi_extra=request_body(TrackRequest))
    async def track_order(merchant_id: str, order_id: str, request: Request) -> Response:
        return await serve(
            request,
            merchant_id,
            TrackRequest,
            lambda shop, body, at: shop.track(order_id, body.type, at, body.location).wire(),
        )

    @router.post(orders + "/dispute", openapi_extra=request_body(DisputeRequest))
    async def dispute_order(merchant_id: str, order_id: str, request: Request) -> Response:
        return await serve(
            request,
            merchant_id,
            DisputeRequest,
            lambda shop, body, at: shop.dispute(order_id, body.amount, at, body.reason).wire(),
        )

    @router.post(
        "/merchants/{merchant_id}/products/{product_id}/price",
        openapi_extra=request_body(PriceRequest),
    )
    async def set_price(merchant_id: str, product_id: str, request: Request) -> Response:
        def operation(shop: Merchant, body: PriceRequest, at: datetime) -> dict[str, Any]:
            change = shop.set_price(product_id, body.price, at)
            return {
                "product_id": change.product_id,
                "old_price": change.old_price,
                "new_price": change.new_price,
                "at": timestamp(change.at),
            }

        return await serve(request, merchant_id, PriceRequest, operation)

    return router
