"""ACP 2026-04-17 delegate authentication, served by the payment processor beside
``delegate_payment``: ``POST /psp/delegate_authentication``,
``POST /psp/delegate_authentication/{id}/authenticate``, ``GET /psp/delegate_authentication/{id}``.

Outcomes are deterministic (see :mod:`merchants.authentication`). ACP's headers as for
checkout; POSTs under 2026-04-17 need an ``Idempotency-Key``. Errors use ACP's checkout error
shape: the delegate-authentication schema's closed ``code`` list (``invalid_card``,
``duplicate_request``, ``idempotency_conflict``) has no code for a missing field or an unknown
session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from merchants.authentication import (
    AuthenticationProvider,
    DelegateAuthenticationAuthenticateRequest,
    DelegateAuthenticationCreateRequest,
)
from merchants.http.headers import acp_headers
from merchants.http.openapi import request_body

Serve = Callable[..., Any]
AUTHENTICATION_REQUEST_MODELS = [
    DelegateAuthenticationCreateRequest,
    DelegateAuthenticationAuthenticateRequest,
]


def authentication_router(
    provider: AuthenticationProvider,
    serve: Serve,
    now: Callable[[], datetime],
    token: str | None,
) -> APIRouter:
    router = APIRouter(dependencies=[Depends(acp_headers(token))], tags=["payments"])
    base = "/psp/delegate_authentication"

    @router.post(
        base, status_code=201, openapi_extra=request_body(DelegateAuthenticationCreateRequest)
    )
    async def create_authentication_session(request: Request) -> Response:
        return await serve(
            request, "psp-authentication", DelegateAuthenticationCreateRequest, provider.create, 201
        )

    @router.post(
        base + "/{authentication_session_id}/authenticate",
        openapi_extra=request_body(DelegateAuthenticationAuthenticateRequest),
    )
    async def authenticate_session(authentication_session_id: str, request: Request) -> Response:
        return await serve(
            request,
            "psp-authentication",
            DelegateAuthenticationAuthenticateRequest,
            lambda body, at: provider.authenticate(authentication_session_id, body, at),
        )

    @router.get(base + "/{authentication_session_id}", responses={200: {"description": "Session"}})
    async def get_authentication_session(authentication_session_id: str) -> Response:
        return JSONResponse(provider.get(authentication_session_id, now()))

    return router
