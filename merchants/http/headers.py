"""ACP request headers: bearer authorization, ``API-Version``, and the echoed correlation ids.

Every version in :data:`merchants.versions.SUPPORTED_VERSIONS` is accepted; anything else is
400 ``unsupported_api_version`` (a missing one ``api_version_required``), whose body lists
``supported_versions`` as 2026-04-17 recommends. Mock-admin routes need the bearer token only;
catalog routes need it only when the server has one (see :mod:`merchants.http.credentials`
for the whole rule).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from merchants.errors import ProtocolError
from merchants.versions import SUPPORTED_VERSIONS

ECHOED = (b"request-id", b"idempotency-key")
MAX_IDEMPOTENCY_KEY = 255

_bearer = HTTPBearer(auto_error=False, description="Any bearer token unless the server has one.")


def acp_headers(token: str | None) -> Callable[..., None]:
    """A dependency enforcing ACP's headers; ``token=None`` accepts any bearer token."""

    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        api_version: Annotated[str | None, Header(alias="API-Version")] = None,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
        request_id: Annotated[str | None, Header(alias="Request-Id")] = None,
    ) -> None:
        _check_bearer(credentials, token)
        if api_version is None:
            raise ProtocolError(
                400,
                "invalid_request",
                "api_version_required",
                "API-Version header is required",
                supported_versions=SUPPORTED_VERSIONS,
            )
        if api_version not in SUPPORTED_VERSIONS:
            raise ProtocolError(
                400,
                "invalid_request",
                "unsupported_api_version",
                f"API-Version {api_version!r} is not supported "
                f"(supported: {', '.join(SUPPORTED_VERSIONS)})",
                supported_versions=SUPPORTED_VERSIONS,
            )
        if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
            raise ProtocolError(
                400,
                "invalid_request",
                "invalid",
                f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
            )

    return check


def admin_headers(token: str | None) -> Callable[..., None]:
    """A dependency for the mock-admin routes: the bearer token, no API version."""

    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        _check_bearer(credentials, token)

    return check


def catalog_access(token: str | None) -> Callable[..., None]:
    """A dependency for the catalog (feed, search): open without a token, else its bearer."""

    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        if token is not None:
            _check_bearer(credentials, token)

    return check


def _check_bearer(credentials: HTTPAuthorizationCredentials | None, token: str | None) -> None:
    if credentials is None or not credentials.credentials:
        raise ProtocolError(
            401, "invalid_request", "unauthorized", "Authorization: Bearer <token> is required"
        )
    if token is not None and not hmac.compare_digest(
        credentials.credentials.encode(), token.encode()
    ):
        raise ProtocolError(401, "invalid_request", "unauthorized", "invalid bearer token")


class EchoHeaders:
    """ASGI middleware: copy ``Request-Id`` and ``Idempotency-Key`` onto every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        echoed: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in ECHOED:
                echoed.setdefault(name, value)
        if not echoed:
            await self.app(scope, receive, send)
            return

        async def send_echoing(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in echoed]
                message = {**message, "headers": [*kept, *echoed.items()]}
            await send(message)

        await self.app(scope, receive, send_echoing)
