"""The FastAPI app that puts mock merchants and their payment processor on the wire.

Routes (``{m}`` is a merchant id):

    GET  /merchants                                           id, platform and name of each
    GET  /merchants/{m}/product_feed                          the whole feed
    GET  /merchants/{m}/search?q=&limit=&max_price=           the same list Merchant.search gives
    POST /merchants/{m}/checkout_sessions                     ACP create (201)
    POST /merchants/{m}/checkout_sessions/{id}                ACP update
    GET  /merchants/{m}/checkout_sessions/{id}                ACP retrieve
    POST /merchants/{m}/checkout_sessions/{id}/complete       ACP complete
    POST /merchants/{m}/checkout_sessions/{id}/cancel         ACP cancel
    POST /merchants/{m}/checkout_sessions/{id}/authenticate   3-D Secure result (mock extension)
    POST /psp/agentic_commerce/delegate_payment               delegated payment token (201)
    GET  /.well-known/acp.json, /merchants/{m}/.well-known/...  ACP discovery (acp_discovery)
    ... /merchants/{m}/carts/...                              ACP 2026-04-17 carts (acp_carts)
    ... /psp/delegate_authentication/...                      3-D Secure (psp_authentication)
    ... /merchants/{m}/feed/..., /feeds/...                   2026-04-17 product feed (acp_feeds)
    ... /merchants/{m}/orders/..., /products/{p}/price        mock admin (merchants.http.admin)
    ... /merchants/{m}/storefront/...                         Shopify-like native cart API
    ... /merchants/{m}/v3/application/...                     Etsy-like Open API v3
    POST /merchants/{m}/mcp                                   ACP's MCP binding (merchants.mcp)
    ... /merchants/{m}/.well-known/ucp, /merchants/{m}/ucp/...  UCP 2026-01-11 (at the root too
                                                              with one merchant; ucp_routes)

ACP and PSP routes require ACP's headers (see :mod:`merchants.http.headers`). Access: with a
``token`` every route but the API description (``/openapi.json``, ``/docs``, ``/redoc``) needs
it, in the header of the platform it imitates (ACP, admin and catalog ``Authorization: Bearer``;
Shopify-like ``X-Shopify-Storefront-Access-Token``; Etsy-like ``x-api-key``, plus the bearer for
receipts), and answers 401 in that platform's error shape without it
(:mod:`merchants.http.credentials`); without a token, the catalog is open as a published feed
is. The app reads the clock once per request and hands
that time to the merchant, so a test passes a fake clock and the server passes real time.

Versions: ``API-Version: 2025-09-29`` and ``2026-04-17`` are served, each with its own request
shapes (2026-04-17's are :mod:`merchants.acp_2026.requests`, carried out over the same merchant
operations by :mod:`merchants.acp_2026.checkout`); each answer is the session's snapshot
rendered for the asked version by :func:`merchants.versions.render`. Under 2026-04-17 every
POST needs an ``Idempotency-Key`` (400 ``idempotency_key_required``).

3-D Secure: a complete whose card needs a challenge answers 200 (2025-09-29:
``ready_for_payment`` with a ``requires_3ds`` error on ``$.payment_data``; 2026-04-17:
``authentication_required``). The client posts ``{"result": "passed"|"failed"}`` to
``.../authenticate`` (2025-09-29's ``PaymentData`` has no room for it), or, under 2026-04-17,
sends ``authentication_result`` with its next complete; then completes with the same token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from merchants.acp import (
    API_VERSION,
    AuthenticateRequest,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    DelegatePaymentResponse,
    ErrorBody,
    expected_prices,
)
from merchants.acp_2026 import checkout as acp_2026
from merchants.acp_2026.requests import (
    CancelSessionRequest,
)
from merchants.acp_2026.requests import (
    CheckoutSessionCompleteRequest as Complete2026,
)
from merchants.acp_2026.requests import (
    CheckoutSessionCreateRequest as Create2026,
)
from merchants.acp_2026.requests import (
    CheckoutSessionUpdateRequest as Update2026,
)
from merchants.acp_2026.requests import (
    DelegatePaymentRequest as DelegatePayment2026,
)
from merchants.authentication import AuthenticationProvider
from merchants.errors import ProtocolError, not_found
from merchants.etsy import EtsyReceipts
from merchants.feed import FeedProduct
from merchants.http.acp_carts import CART_REQUEST_MODELS, carts_router
from merchants.http.acp_discovery import discovery_router
from merchants.http.acp_feeds import FEED_REQUEST_MODELS, feeds_router
from merchants.http.admin import ADMIN_REQUEST_MODELS, admin_router
from merchants.http.body import NoBody, parse_body, read_body
from merchants.http.errors import error_response, install_error_handlers, unexpected
from merchants.http.etsy_routes import etsy_router
from merchants.http.headers import EchoHeaders, acp_headers, catalog_access
from merchants.http.idempotency import IdempotencyStore, StoredResponse, fingerprint
from merchants.http.openapi import install_openapi, request_body
from merchants.http.psp_authentication import AUTHENTICATION_REQUEST_MODELS, authentication_router
from merchants.http.shopify_routes import shopify_router
from merchants.http.ucp_routes import UCP_REQUEST_MODELS, ucp_router
from merchants.ids import IdSource
from merchants.mcp import JsonRpcMessage, mcp_router
from merchants.merchant import Merchant
from merchants.native_orders import order_2026
from merchants.payments import PaymentProcessor
from merchants.snapshot import SessionSnapshot
from merchants.ucp.signing import SigningKey
from merchants.ucp.webhooks import PlatformWebhooks
from merchants.versions import V2026_04_17, render

Clock = Callable[[], datetime]
Body = TypeVar("Body", bound=BaseModel)
Operation = Callable[[Body, datetime], Any]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "Invalid request or headers",
        401: "Missing or wrong bearer token",
        404: "No such merchant or session",
        405: "Not allowed in the session's state",
        409: "Conflicting state, or idempotency key in flight",
        413: "Body over 64 KiB",
        422: "Idempotency key reused with another body",
    }.items()
}


def real_time() -> datetime:
    """The server's only reading of real time; every merchant operation gets it as ``now``."""
    return datetime.now(UTC)  # wall clock


def session_body(session: CheckoutSession, *, with_order: bool = False) -> dict[str, Any]:
    """A session as 2025-09-29 sends it: ``order`` only in the answer to complete.

    That version's ``CheckoutSession`` schema forbids ``order`` (only ``CheckoutSessionWithOrder``,
    the complete response, has it), so retrieve, update and cancel leave it out.
    """
    body = session.wire()
    if not with_order:
        body.pop("order", None)
    return body


@dataclass(frozen=True, slots=True)
class SessionAnswer:
    """A session as an operation left it, to be rendered for whichever version asks."""

    snapshot: SessionSnapshot
    with_order: bool = False
    #: 2026-04-17's native ``Order`` as the operation left it (line items, fulfillments,
    #: adjustments, totals), which that version's session carries in place of the reference.
    native_order: dict[str, Any] | None = None

    def body(self, version: str) -> dict[str, Any]:
        body = render(self.snapshot, version, with_order=self.with_order)
        if version == V2026_04_17 and self.native_order is not None:
            body["order"] = self.native_order
        return body

    def wire(self, version: str) -> bytes:
        """The body bytes the app answers (an idempotent replay in ``version`` reuses them)."""
        return bytes(JSONResponse(self.body(version)).body)


def rendered(
    shop: Merchant,
    operation: Callable[[Any, datetime], CheckoutSession],
    *,
    with_order: bool = False,
) -> Callable[[Any, datetime], SessionAnswer]:
    """Run a checkout operation and keep the session's snapshot, to render for any version.

    Both happen under the checkout's lock, so the snapshot is the state the operation left; the
    order events the operation queued are sent once that lock is released.
    """

    def run(body: Any, at: datetime) -> SessionAnswer:
        try:
            with shop.checkout.lock:
                session = operation(body, at)
                snapshot = shop.checkout.snapshot(session.id, at)
                placed = snapshot.order
                native = None if placed is None else order_2026(shop.order(placed.id))
        finally:
            shop.deliver_events()
        return SessionAnswer(snapshot, with_order, native)

    return run


def _priced(body: Any) -> dict[str, Any]:
    """``expected_prices`` for a 2025-09-29 create or update, only when the client stated any."""
    found: dict[str, Any] = {}
    if body.items:
        prices = expected_prices(body.items)
        if prices:
            found["expected_prices"] = prices
    discounts = getattr(body, "discounts", None)
    if discounts is not None:
        found["codes"] = discounts.codes
    return found


def _by_version(version: str, latest: type[Body], first: type[Body]) -> type[Body]:
    return latest if version == V2026_04_17 else first


def create_app(
    merchants: Mapping[str, Merchant],
    processor: PaymentProcessor,
    *,
    token: str | None = None,
    clock: Clock | None = None,
    etsy_receipts: EtsyReceipts | None = None,
    ids: IdSource | None = None,
    simulation_secret: str | None = None,
    ucp_webhooks: PlatformWebhooks | None = None,
    ucp_signing_key: SigningKey | None = None,
) -> FastAPI:
    """An app serving ``merchants`` (by id) and ``processor``; ``token=None`` accepts any bearer.

    Beside ACP, each merchant's native API: Shopify-like merchants a Storefront-style cart API,
    Etsy-like ones the Open API v3 listings and receipts. ``token`` guards every route (see the
    module's docstring for which header each platform reads). ``ids``, when given, mints every
    session, order, cart and payment-token id from now on (``serve`` passes
    :class:`merchants.ids.SecretIds`, so no id can be guessed); by default the merchants keep
    theirs, which in process are serial and deterministic. ``simulation_secret`` turns on UCP's
    shipping test hook (:mod:`merchants.http.ucp_routes`); ``ucp_webhooks`` replaces how UCP
    platform profiles are fetched and order webhooks posted (tests); ``ucp_signing_key``, the
    key every UCP merchant signs with (a fresh one per merchant without it).
    """
    if ids is not None:
        for shop in merchants.values():
            shop.ids = ids
        processor.ids = ids
    now = clock or real_time
    keys = IdempotencyStore()
    authentication = AuthenticationProvider(ids)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """While the server runs, each merchant's order events go out from a worker thread."""
        for shop in merchants.values():
            shop.events.start(now)
        try:
            yield
        finally:
            for shop in merchants.values():
                await run_in_threadpool(shop.events.stop)

    app = FastAPI(
        lifespan=lifespan,
        title="agent-checkout mock merchants",
        version=API_VERSION,
        description="Mock Shopify- and Etsy-like merchants speaking the Agentic Commerce "
        "Protocol (ACP 2025-09-29 and 2026-04-17), and the payment processor that vaults "
        "delegated cards.",
    )
    app.add_middleware(EchoHeaders)
    install_error_handlers(app)
    acp = APIRouter(dependencies=[Depends(acp_headers(token))], responses=_ERRORS)
    catalog = APIRouter(dependencies=[Depends(catalog_access(token))], tags=["catalog"])

    def api_version(request: Request) -> str:
        """The version the client asked for (the headers dependency has checked it)."""
        return request.headers.get("api-version", API_VERSION)

    def merchant(merchant_id: str) -> Merchant:
        found = merchants.get(merchant_id)
        if found is None:
            raise not_found(f"merchant {merchant_id!r}")
        return found

    async def outcome(operation: Operation, body: Any, moment: datetime) -> Any:
        """Run one merchant operation in a worker thread; its ProtocolError is the answer."""
        try:
            return await run_in_threadpool(operation, body, moment)
        except ProtocolError as problem:
            return error_response(problem)
        except Exception as problem:  # a bug; the client still gets ACP's shape
            return unexpected(problem)

    def respond(result: Any, status: int, version: str) -> Response:
        if isinstance(result, Response):
            return result
        if isinstance(result, SessionAnswer):
            result = result.body(version)
        return JSONResponse(result, status_code=status)

    async def answer(
        operation: Operation, body: Any, moment: datetime, status: int, version: str = API_VERSION
    ) -> Response:
        return respond(await outcome(operation, body, moment), status, version)

    async def serve(
        request: Request,
        scope: Hashable,
        model: type[Body],
        operation: Operation,
        status: int = 200,
    ) -> Response:
        """Read and validate the body, honour ``Idempotency-Key``, then answer.

        A key is scoped by merchant, method and path, not by ``API-Version``: the same key and
        body under another version replays the first answer, rendered for the asking version.
        """
        moment = now()
        version = api_version(request)
        key = request.headers.get("idempotency-key")
        if key is None and version == V2026_04_17:
            raise ProtocolError(  # mandatory on every POST (and PUT) from 2026-04-17 on
                400,
                "invalid_request",
                "idempotency_key_required",
                "Idempotency-Key header is required",
            )
        raw = await read_body(request)
        body = parse_body(raw, model)
        if key is None:
            return await answer(operation, body, moment, status, version)
        claim = (scope, request.method, request.url.path)
        stored = keys.begin(claim, key, fingerprint(raw), moment)
        if stored is not None:
            return Response(
                stored.body_for(version),
                stored.status,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            result = await outcome(operation, body, moment)
            response = respond(result, status, version)
        except BaseException:
            keys.abandon(claim, key)
            raise
        again = result.wire if isinstance(result, SessionAnswer) else None
        keys.finish(
            claim, key, StoredResponse(response.status_code, bytes(response.body), version, again)
        )
        return response

    # -- catalog: open without a token, as a published feed is -------------------------------

    @catalog.get("/merchants", responses={200: {"description": "The merchants"}})
    async def list_merchants() -> list[dict[str, str]]:
        return [asdict(m.info) for m in merchants.values()]

    @catalog.get(
        "/merchants/{merchant_id}/product_feed",
        response_model=list[FeedProduct],
        responses=_ERRORS,
    )
    async def product_feed(merchant_id: str) -> Response:
        shop = merchant(merchant_id)
        return await answer(
            lambda _, at: [p.model_dump(mode="json") for p in shop.product_feed(at)],
            None,
            now(),
            200,
        )

    @catalog.get(
        "/merchants/{merchant_id}/search",
        response_model=list[FeedProduct],
        responses=_ERRORS,
    )
    async def search(
        merchant_id: str,
        q: Annotated[str, Query(max_length=1_000)],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        max_price: Annotated[int | None, Query(ge=0)] = None,
    ) -> Response:
        shop = merchant(merchant_id)
        return await answer(
            lambda _, at: [
                p.model_dump(mode="json")
                for p in shop.search(q, at, limit=limit, max_price=max_price)
            ],
            None,
            now(),
            200,
        )

    # -- ACP checkout ------------------------------------------------------------------------

    sessions = "/merchants/{merchant_id}/checkout_sessions"

    @acp.post(
        sessions,
        status_code=201,
        tags=["checkout"],
        response_model=CheckoutSession,
        openapi_extra=request_body(CheckoutSessionCreateRequest, Create2026),
    )
    async def create_checkout_session(merchant_id: str, request: Request) -> Response:
        shop, version = merchant(merchant_id), api_version(request)
        return await serve(
            request,
            merchant_id,
            _by_version(version, Create2026, CheckoutSessionCreateRequest),
            rendered(
                shop,
                lambda body, at: (
                    acp_2026.create(shop, body, at)
                    if version == V2026_04_17
                    else shop.create_checkout(body, at, **_priced(body))
                ),
            ),
            201,
        )

    @acp.post(
        sessions + "/{checkout_session_id}",
        tags=["checkout"],
        response_model=CheckoutSession,
        openapi_extra=request_body(CheckoutSessionUpdateRequest, Update2026),
    )
    async def update_checkout_session(
        merchant_id: str, checkout_session_id: str, request: Request
    ) -> Response:
        shop, version = merchant(merchant_id), api_version(request)
        return await serve(
            request,
            merchant_id,
            _by_version(version, Update2026, CheckoutSessionUpdateRequest),
            rendered(
                shop,
                lambda body, at: (
                    acp_2026.update(shop, checkout_session_id, body, at)
                    if version == V2026_04_17
                    else shop.update_checkout(checkout_session_id, body, at, **_priced(body))
                ),
            ),
        )

    @acp.get(sessions + "/{checkout_session_id}", tags=["checkout"], response_model=CheckoutSession)
    async def get_checkout_session(
        merchant_id: str, checkout_session_id: str, request: Request
    ) -> Response:
        shop, version = merchant(merchant_id), api_version(request)
        return await answer(
            rendered(shop, lambda _, at: shop.get_checkout(checkout_session_id, at)),
            None,
            now(),
            200,
            version,
        )

    @acp.post(
        sessions + "/{checkout_session_id}/complete",
        tags=["checkout"],
        response_model=CheckoutSession,
        openapi_extra=request_body(CheckoutSessionCompleteRequest, Complete2026),
    )
    async def complete_checkout_session(
        merchant_id: str, checkout_session_id: str, request: Request
    ) -> Response:
        shop, version = merchant(merchant_id), api_version(request)

        def complete(body: Any, at: datetime) -> CheckoutSession:
            if version == V2026_04_17:
                return acp_2026.complete(shop, checkout_session_id, body, at, authentication)
            return shop.complete_checkout(checkout_session_id, body, at)

        return await serve(
            request,
            merchant_id,
            _by_version(version, Complete2026, CheckoutSessionCompleteRequest),
            rendered(shop, complete, with_order=True),
        )

    @acp.post(
        sessions + "/{checkout_session_id}/cancel",
        tags=["checkout"],
        response_model=CheckoutSession,
        openapi_extra=request_body(NoBody, CancelSessionRequest, required=False),
    )
    async def cancel_checkout_session(
        merchant_id: str, checkout_session_id: str, request: Request
    ) -> Response:
        shop, version = merchant(merchant_id), api_version(request)
        return await serve(
            request,
            merchant_id,
            _by_version(version, CancelSessionRequest, NoBody),
            rendered(shop, lambda _, at: shop.cancel_checkout(checkout_session_id, at)),
        )

    @acp.post(
        sessions + "/{checkout_session_id}/authenticate",
        tags=["checkout"],
        response_model=CheckoutSession,
        openapi_extra=request_body(AuthenticateRequest),
    )
    async def authenticate_checkout_session(
        merchant_id: str, checkout_session_id: str, request: Request
    ) -> Response:
        """The 3-D Secure challenge result (this mock's extension); then complete again."""
        shop = merchant(merchant_id)
        return await serve(
            request,
            merchant_id,
            AuthenticateRequest,
            rendered(
                shop,
                lambda body, at: shop.authenticate_checkout(
                    checkout_session_id, body.result == "passed", at
                ),
            ),
        )

    # -- the payment processor ---------------------------------------------------------------

    @acp.post(
        "/psp/agentic_commerce/delegate_payment",
        status_code=201,
        tags=["payments"],
        response_model=DelegatePaymentResponse,
        openapi_extra=request_body(DelegatePaymentRequest, DelegatePayment2026),
    )
    async def delegate_payment(request: Request) -> Response:
        return await serve(
            request,
            "psp",
            _by_version(api_version(request), DelegatePayment2026, DelegatePaymentRequest),
            lambda body, at: processor.delegate_payment(body, at).wire(),
            201,
        )

    app.include_router(catalog)
    app.include_router(acp)
    app.include_router(admin_router(merchants, token, now))
    app.include_router(discovery_router(merchants))
    app.include_router(carts_router(merchants, serve, now, token))
    app.include_router(authentication_router(authentication, serve, now, token))
    app.include_router(feeds_router(merchants, now, token))
    app.include_router(shopify_router(merchants, now, token=token))
    app.include_router(etsy_router(merchants, now, etsy_receipts or EtsyReceipts(), token=token))
    app.include_router(mcp_router(token))
    app.include_router(
        ucp_router(
            merchants,
            now,
            token=token,
            simulation_secret=simulation_secret,
            webhooks=ucp_webhooks,
            signing_key=ucp_signing_key,
        )
    )
    install_openapi(
        app,
        [
            CheckoutSessionCreateRequest,
            CheckoutSessionUpdateRequest,
            CheckoutSessionCompleteRequest,
            AuthenticateRequest,
            NoBody,
            DelegatePaymentRequest,
            *ADMIN_REQUEST_MODELS,
            JsonRpcMessage,
            Create2026,
            Update2026,
            Complete2026,
            CancelSessionRequest,
            *CART_REQUEST_MODELS,
            *AUTHENTICATION_REQUEST_MODELS,
            *FEED_REQUEST_MODELS,
            DelegatePayment2026,
            *UCP_REQUEST_MODELS,
        ],
    )
    return app
