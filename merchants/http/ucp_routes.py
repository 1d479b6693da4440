"""UCP 2026-01-11 over REST: discovery, checkout sessions, orders and the shipping test hook.

Routes (``{m}`` is a merchant id; ``{id}`` a session or order id):

    GET  /merchants/{m}/.well-known/ucp                       the merchant's business profile
    POST /merchants/{m}/ucp/checkout-sessions                 create (201)
    GET  /merchants/{m}/ucp/checkout-sessions/{id}            get
    PUT  /merchants/{m}/ucp/checkout-sessions/{id}            update
    POST /merchants/{m}/ucp/checkout-sessions/{id}/complete   complete (places the order)
    POST /merchants/{m}/ucp/checkout-sessions/{id}/cancel     cancel
    GET  /merchants/{m}/ucp/orders/{id}                       order
    PUT  /merchants/{m}/ucp/orders/{id}                       add fulfillment events, adjustments
    POST /merchants/{m}/ucp/testing/simulate-shipping/{id}    test hook (``Simulation-Secret``)
    GET  /ucp/2026-01-11/...                                  the spec and schema documents the
                                                              profiles name (served locally)

A scenario with one merchant also serves it at the root (``/.well-known/ucp``,
``/checkout-sessions``, ``/orders/{id}``, ``/testing/simulate-shipping/{id}``), where UCP's
conformance suite looks. Every operation but discovery needs ``UCP-Agent`` (version
negotiation, :mod:`merchants.ucp.negotiation`); state-changing ones honour ``Idempotency-Key``
(same key and body: the first answer again; another body: 409). The shipping hook exists only
when the server was given a simulation secret. With a ``token``, operations need
``Authorization: Bearer <token>``; discovery and the documents stay open, as published
descriptions of the API. Every error is UCP's shape (:mod:`merchants.ucp.errors`).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from merchants.errors import ProtocolError
from merchants.http.body import read_body
from merchants.http.idempotency import IdempotencyStore, StoredResponse, fingerprint
from merchants.http.openapi import request_body
from merchants.merchant import Merchant
from merchants.specs import ucp_spec_dir
from merchants.ucp.checkout import UcpStore
from merchants.ucp.discovery import DOCS, HANDLER_IDS, business_profile, handler_config_schema
from merchants.ucp.errors import UcpError, not_found
from merchants.ucp.negotiation import Agent, parse_agent
from merchants.ucp.requests import (
    UcpCheckoutComplete,
    UcpCheckoutCreate,
    UcpCheckoutUpdate,
    UcpEmpty,
    UcpOrderUpdate,
    parse,
)
from merchants.ucp.signing import SigningKey, merchant_kid
from merchants.ucp.webhooks import PlatformWebhooks

log = logging.getLogger("merchants.http.ucp")

Clock = Callable[[], datetime]
#: (store, path parameters, raw body, now, base URL, agent) -> the answer's body
Operation = Callable[[UcpStore, Mapping[str, str], bytes, datetime, str, Agent], dict[str, Any]]


#: The request bodies the routes read by hand, for the OpenAPI document (merchants.http.openapi).
UCP_REQUEST_MODELS = [UcpCheckoutCreate, UcpCheckoutUpdate, UcpCheckoutComplete, UcpOrderUpdate]
_REQUEST_OF = {
    "create": UcpCheckoutCreate,
    "update": UcpCheckoutUpdate,
    "complete": UcpCheckoutComplete,
    "update_order": UcpOrderUpdate,
}


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _openapi(path: str, operation: str | None, agent: bool = True) -> dict[str, Any]:
    """What FastAPI cannot see of a hand-read route: path parameters, headers and the body."""
    parameters = [_path_parameter(name) for name in ("merchant_id", "id") if f"{{{name}}}" in path]
    if agent:
        parameters.append(
            {
                "name": "UCP-Agent",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "example": 'profile="https://agent.example/profile"'},
            }
        )
    extra: dict[str, Any] = {"parameters": parameters}
    model = _REQUEST_OF.get(operation or "")
    if model is not None:
        extra |= request_body(model)
    return extra


def error_response(problem: UcpError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(problem.body(), status_code=problem.status, headers=headers)


def _from_protocol(problem: ProtocolError) -> UcpError:
    return UcpError(problem.status, problem.code, problem.message, path=problem.param)


def ucp_router(
    merchants: Mapping[str, Merchant],
    now: Clock,
    *,
    token: str | None = None,
    simulation_secret: str | None = None,
    webhooks: PlatformWebhooks | None = None,
    signing_key: SigningKey | None = None,
) -> APIRouter:
    """Every merchant's UCP routes, and the root ones when there is exactly one merchant.
    Each merchant signs with ``signing_key`` under its own ``kid`` (``<merchant id>-2026``), or
    with a key of its own made when its store is first used (one per server start)."""
    webhooks = webhooks if webhooks is not None else PlatformWebhooks()
    stores: dict[str, UcpStore] = {}  # built on first use, so a broken merchant breaks only itself
    single = next(iter(merchants)) if len(merchants) == 1 else None
    keys = IdempotencyStore()
    router = APIRouter(tags=["ucp"])

    def store_of(request: Request) -> UcpStore:
        merchant_id = request.path_params.get("merchant_id", single)
        shop = merchants.get(merchant_id or "")
        if shop is None:
            raise not_found(f"merchant {merchant_id!r}")
        if merchant_id not in stores:
            key = None
            if signing_key is not None:
                key = SigningKey(merchant_kid(merchant_id), signing_key.private_key)
            stores[merchant_id] = UcpStore(shop, webhooks, signing_key=key)
        return stores[merchant_id]

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def authorized(request: Request) -> None:
        if token is None:
            return
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise UcpError(401, "unauthorized", "Authorization: Bearer <token> is required")

    async def run(
        request: Request, operation: Operation, status: int = 200, idempotent: bool = True
    ) -> Response:
        """Negotiate, read the body, honour ``Idempotency-Key``, run ``operation`` in a worker."""
        try:
            authorized(request)
            agent = parse_agent(request.headers.get("ucp-agent"))
            store = store_of(request)
            raw = await read_body(request)
            moment, base, params = now(), base_of(request), dict(request.path_params)
            key = request.headers.get("idempotency-key") if idempotent else None
            if key is None:
                body = await run_in_threadpool(operation, store, params, raw, moment, base, agent)
                return JSONResponse(body, status_code=status)
            claim = ("ucp", store.merchant.id, request.method, request.url.path)
            try:
                stored = keys.begin(claim, key, fingerprint(raw), moment)
            except ProtocolError as problem:  # another body (422 in ACP) or in flight
                raise UcpError(
                    409, problem.code, "Idempotency-Key reused: " + problem.message
                ) from None
            if stored is not None:
                return Response(
                    stored.body,
                    stored.status,
                    media_type="application/json",
                    headers={"Idempotent-Replayed": "true"},
                )
            try:
                body = await run_in_threadpool(operation, store, params, raw, moment, base, agent)
                response: JSONResponse = JSONResponse(body, status_code=status)
            except UcpError as problem:
                response = error_response(problem)
            except ProtocolError as problem:
                response = error_response(_from_protocol(problem))
            except BaseException:
                keys.abandon(claim, key)
                raise
            keys.finish(claim, key, StoredResponse(response.status_code, bytes(response.body)))
            return response
        except UcpError as problem:
            return error_response(problem)
        except ProtocolError as problem:  # a body over the size limit
            return error_response(_from_protocol(problem))
        except Exception as problem:  # a bug: still UCP's shape, no internals
            log.error("unhandled error in a UCP request", exc_info=problem)
            return error_response(
                UcpError(500, "internal_error", "The server failed to process the request.")
            )

    # -- operations: (store, params, raw, now, base, agent) -> body ---------------------------

    def create(store, params, raw, moment, base, agent):
        return store.create(parse(raw, UcpCheckoutCreate), moment, base, agent.profile)

    def get(store, params, raw, moment, base, agent):
        return store.get(params["id"], moment, base)

    def update(store, params, raw, moment, base, agent):
        return store.update(
            params["id"], parse(raw, UcpCheckoutUpdate), moment, base, agent.profile
        )

    def complete(store, params, raw, moment, base, agent):
        body = parse(raw, UcpCheckoutComplete)
        return store.complete(params["id"], body, moment, base, agent.profile)

    def cancel(store, params, raw, moment, base, agent):
        parse(raw, UcpEmpty)
        return store.cancel(params["id"], moment, base)

    def get_order(store, params, raw, moment, base, agent):
        return store.order(params["id"])

    def update_order(store, params, raw, moment, base, agent):
        return store.update_order(params["id"], parse(raw, UcpOrderUpdate), moment)

    # -- routes, per merchant and (one merchant) at the root ----------------------------------

    def add(path: str, method: str, operation: Operation, status: int = 200) -> None:
        idempotent = method != "GET"

        async def endpoint(request: Request) -> Response:
            return await run(request, operation, status, idempotent)

        endpoint.__name__ = f"ucp_{operation.__name__}"
        for prefix in ("/merchants/{merchant_id}/ucp", *([""] if single is not None else [])):
            router.add_api_route(
                prefix + path,
                endpoint,
                methods=[method],
                name=f"ucp_{operation.__name__}{prefix}",
                openapi_extra=_openapi(prefix + path, operation.__name__),
            )

    add("/checkout-sessions", "POST", create, 201)
    add("/checkout-sessions/{id}", "GET", get)
    add("/checkout-sessions/{id}", "PUT", update)
    add("/checkout-sessions/{id}/complete", "POST", complete)
    add("/checkout-sessions/{id}/cancel", "POST", cancel)
    add("/orders/{id}", "GET", get_order)
    add("/orders/{id}", "PUT", update_order)

    async def discovery(request: Request) -> Response:
        try:
            store = store_of(request)
        except UcpError as problem:
            return error_response(problem)
        base = base_of(request)
        merchant_id = request.path_params.get("merchant_id")
        endpoint = base if merchant_id is None else f"{base}/merchants/{merchant_id}/ucp"
        profile = store.merchant.profile
        keys = [store.signing_key.public_jwk()]
        return JSONResponse(business_profile(base, endpoint, profile.id, profile.name, keys))

    for path in (
        "/merchants/{merchant_id}/.well-known/ucp",
        *(["/.well-known/ucp"] if single else []),
    ):
        # Published, as a profile must be: no token, and (like /openapi.json) not in the document.
        router.add_api_route(
            path, discovery, methods=["GET"], name=f"ucp_discovery{path}", include_in_schema=False
        )

    if simulation_secret is not None:

        async def simulate_shipping(request: Request) -> Response:
            """Ship a whole order now (test hook; needs the server's ``Simulation-Secret``)."""
            sent = request.headers.get("simulation-secret", "")
            if not hmac.compare_digest(sent.encode(), simulation_secret.encode()):
                return error_response(
                    UcpError(403, "forbidden", "missing or wrong Simulation-Secret header")
                )
            try:
                store = store_of(request)
                order_id = request.path_params["id"]
                body = await run_in_threadpool(store.simulate_shipping, order_id, now())
            except UcpError as problem:
                return error_response(problem)
            return JSONResponse(body)

        for prefix in ("/merchants/{merchant_id}/ucp", *([""] if single is not None else [])):
            router.add_api_route(
                prefix + "/testing/simulate-shipping/{id}",
                simulate_shipping,
                methods=["POST"],
                name=f"ucp_simulate_shipping{prefix}",
                openapi_extra=_openapi(
                    prefix + "/testing/simulate-shipping/{id}", None, agent=False
                ),
            )

    _documents(router)
    return router


def _documents(router: APIRouter) -> None:
    """The copied specification, so every URL a profile names resolves on this server. Open to
    all and left out of the OpenAPI document, as ``/docs`` is: they describe the API."""
    root = ucp_spec_dir()

    @router.get(DOCS + "/specification/{page}", name="ucp_specification", include_in_schema=False)
    async def specification(page: str) -> Response:
        path = root / "specification" / f"{page.removesuffix('.md')}.md"
        if not _inside(path, root / "specification") or not path.is_file():
            return error_response(not_found(f"specification page {page!r}"))
        return FileResponse(path, media_type="text/markdown; charset=utf-8")

    @router.get(DOCS + "/source/{document:path}", name="ucp_schema", include_in_schema=False)
    async def schema(document: str) -> Response:
        path = root / "source" / document
        if path.suffix != ".json" or not _inside(path, root / "source") or not path.is_file():
            return error_response(not_found(f"schema {document!r}"))
        return Response(path.read_bytes(), media_type="application/json")

    @router.get(
        DOCS + "/handlers/{handler_id}/config.json",
        name="ucp_handler_config",
        include_in_schema=False,
    )
    async def handler_config(handler_id: str) -> Response:
        if handler_id not in HANDLER_IDS:
            return error_response(not_found(f"payment handler {handler_id!r}"))
        return Response(
            json.dumps(handler_config_schema(handler_id)), media_type="application/schema+json"
        )


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
