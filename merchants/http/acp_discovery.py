"""``GET /.well-known/acp.json``: ACP 2026-04-17 discovery, public (no token, no headers).

Several merchants share this server, each under ``/merchants/{id}``, which is its ACP base
URL; so each has its document at ``/merchants/{id}/.well-known/acp.json``, and the origin's
``/.well-known/acp.json`` describes the first merchant (the server's default shop).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from merchants.acp_2026.discovery import CACHE_CONTROL, discovery_document
from merchants.errors import not_found
from merchants.merchant import Merchant


def discovery_router(merchants: Mapping[str, Merchant]) -> APIRouter:
    router = APIRouter(tags=["discovery"])

    def document(request: Request, merchant_id: str) -> JSONResponse:
        shop = merchants.get(merchant_id)
        if shop is None:
            raise not_found(f"merchant {merchant_id!r}")
        base = f"{str(request.base_url).rstrip('/')}/merchants/{merchant_id}"
        body = discovery_document(base, shop.checkout.catalog.currency)
        return JSONResponse(body, headers={"Cache-Control": CACHE_CONTROL})

    @router.get("/.well-known/acp.json", responses={200: {"description": "Discovery document"}})
    async def origin_discovery(request: Request) -> JSONResponse:
        if not merchants:
            raise not_found("merchant")
        return document(request, next(iter(merchants)))

    @router.get(
        "/merchants/{merchant_id}/.well-known/acp.json",
        responses={200: {"description": "Discovery document"}},
    )
    async def merchant_discovery(merchant_id: str, request: Request) -> JSONResponse:
        return document(request, merchant_id)

    return router
