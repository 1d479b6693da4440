"""Who is calling: each platform's credential header, compared in constant time.

The rule, when the server has a token (``serve --token``), is that every route but the API
description (``/openapi.json``, ``/docs``, ``/redoc``) needs it, in the header the imitated
platform uses, and a request without it is 401 in that platform's error shape:

    ACP checkout, delegated payment, mock admin, catalog   Authorization: Bearer <token>
    Shopify-like storefront                                 X-Shopify-Storefront-Access-Token
                                                            (or Shopify-Storefront-Private-Token)
    Etsy-like Open API v3                                   x-api-key: <token>; receipts, which
                                                            carry buyers' emails, also need
                                                            Authorization: Bearer <token> (OAuth)

Without a token the server is open, as a local mock: ACP routes and Etsy receipts still need
some bearer and Etsy some ``x-api-key``, but any value passes. Rate limits count per credential
(:func:`client_key`), never per merchant.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request

STOREFRONT_TOKEN_HEADERS = ("x-shopify-storefront-access-token", "shopify-storefront-private-token")


def matches(given: str | None, token: str) -> bool:
    """True when ``given`` is ``token``, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def storefront_token(request: Request) -> str | None:
    """The Shopify Storefront access token the request carries (public or private header)."""
    for name in STOREFRONT_TOKEN_HEADERS:
        value = request.headers.get(name, "").strip()
        if value:
            return value
    return None


def client_key(credential: str | None, request: Request) -> str:
    """The rate-limit key: the credential, else the client's address (never the merchant)."""
    if credential:
        return f"credential:{credential}"
    host = request.client.host if request.client is not None else "unknown"
    return f"address:{host}"
