"""Connectors that speak ACP over HTTP, to ``agent-checkout serve`` or any ACP merchant.

``HttpMerchant`` is rooted at a merchant's ACP base URL (for our server,
``http://127.0.0.1:8000/merchants/northwind``); ``HttpPayments`` at the payment processor's
(``http://127.0.0.1:8000/psp``). Protocol errors come back as :class:`merchants.ProtocolError`
with the server's status, code and ``Retry-After``, so the graph's retry and failure paths work
the same as in process; a connection that fails is :class:`MerchantUnavailable`.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from agent_checkout.agent.connectors import MerchantUnavailable
from merchants.acp import (
    API_VERSION,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    DelegatePaymentResponse,
)
from merchants.errors import ProtocolError
from merchants.feed import FeedProduct


class _AcpClient:
    """Headers, idempotency keys and error mapping shared by both connectors."""

    def __init__(
        self,
        base_url: str,
        token: str,
        client: httpx.Client | None,
        timeout: float,
        version: str = API_VERSION,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.version = version
        self.client = client or httpx.Client(timeout=timeout)
        self._requests = itertools.count(1)

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
        number = next(self._requests)
        headers = {
            "Authorization": f"Bearer {self.token}",
            "API-Version": self.version,
            "Request-Id": f"req_{number:08d}",
        }
        if method == "POST":
            headers["Idempotency-Key"] = f"idem_{id(self):x}_{number:08d}"
        try:
            response = self.client.request(
                method,
                f"{self.base_url}{path}",
                headers=headers,
                params=params,
                json=body.wire() if hasattr(body, "wire") else body,
            )
        except httpx.TransportError as problem:
            raise MerchantUnavailable(f"{self.base_url}: {problem}") from problem
        if response.status_code >= 400:
            raise _protocol_error(response)
        return response.json()


def _protocol_error(response: httpx.Response) -> ProtocolError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
    return ProtocolError(
        response.status_code,
        body.get("type", "processing_error"),
        body.get("code", f"http_{response.status_code}"),
        body.get("message", response.reason_phrase),
        body.get("param"),
        retry_after=float(retry_after) if retry_after else None,
    )


class HttpMerchant:
    """A merchant's ACP checkout (and our search extension) over HTTP."""

    #: The ``API-Version`` every request names (a connector of a later version sets its own).
    api_version = API_VERSION

    def __init__(
        self,
        base_url: str,
        merchant_id: str,
        *,
        token: str = "test-token",
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.merchant_id = merchant_id
        self._acp = _AcpClient(base_url, token, client, timeout, self.api_version)

    def search(
        self, query: str, *, limit: int = 10, max_price: int | None = None
    ) -> list[FeedProduct]:
        params = {"q": query, "limit": limit}
        if max_price is not None:
            params["max_price"] = max_price
        return [
            FeedProduct.model_validate(p)
            for p in self._acp.request("GET", "/search", params=params)
        ]

    def create_checkout(self, request: CheckoutSessionCreateRequest) -> CheckoutSession:
        return CheckoutSession.model_validate(
            self._acp.request("POST", "/checkout_sessions", request)
        )

    def update_checkout(
        self, session_id: str, request: CheckoutSessionUpdateRequest
    ) -> CheckoutSession:
        return CheckoutSession.model_validate(
            self._acp.request("POST", f"/checkout_sessions/{session_id}", request)
        )

    def complete_checkout(
        self, session_id: str, request: CheckoutSessionCompleteRequest
    ) -> CheckoutSession:
        return CheckoutSession.model_validate(
            self._acp.request("POST", f"/checkout_sessions/{session_id}/complete", request)
        )

    def cancel_checkout(self, session_id: str) -> CheckoutSession:
        return CheckoutSession.model_validate(
            self._acp.request("POST", f"/checkout_sessions/{session_id}/cancel", {})
        )

    def authenticate_checkout(self, session_id: str, passed: bool) -> CheckoutSession:
        """Our server's 3-D Secure extension (2025-09-29 has no field for the result)."""
        return CheckoutSession.model_validate(
            self._acp.request(
                "POST",
                f"/checkout_sessions/{session_id}/authenticate",
                {"result": "passed" if passed else "failed"},
            )
        )


class HttpPayments:
    """The payment processor's ``delegate_payment`` over HTTP."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "test-token",
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._acp = _AcpClient(base_url, token, client, timeout)

    def delegate_payment(self, request: DelegatePaymentRequest) -> DelegatePaymentResponse:
        return DelegatePaymentResponse.model_validate(
            self._acp.request("POST", "/agentic_commerce/delegate_payment", request)
        )


def http_merchants(
    server_url: str, *, token: str = "test-token", client: httpx.Client | None = None
) -> dict[str, HttpMerchant]:
    """Every merchant an ``agent-checkout serve`` lists at ``GET /merchants``."""
    listing = _AcpClient(server_url, token, client, 10.0).request("GET", "/merchants")
    return {
        m["id"]: HttpMerchant(
            f"{server_url.rstrip('/')}/merchants/{m['id']}", m["id"], token=token, client=client
        )
        for m in listing
    }
