"""The agent's checkout calls in UCP 2026-01-11 over REST, to ``agent-checkout serve`` or any
UCP business.

Rooted at a merchant's UCP base (for our server, ``http://127.0.0.1:8000/merchants/flower-shop/
ucp``); every request names the platform in ``UCP-Agent`` and every state change carries an
``Idempotency-Key``. The bodies and their reading are :mod:`~agent_checkout.agent.protocols.ucp`'s;
a refusal comes back in UCP's error shape and is read as the in-process store's would be. Search
is the server's catalog search extension (UCP has none). A 3-D Secure challenge cannot be answered
over UCP's REST binding here: the agent's result goes to no one, so that payment fails.

Under AP2 the merchant's ``signing_keys`` are read once from its ``/.well-known/ucp`` (beside
the UCP base: ``.../merchants/flower-shop/.well-known/ucp``, or the root's), when the first
signed checkout arrives. ``platform_profile`` is the profile URL ``UCP-Agent`` names.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import httpx

from agent_checkout.agent.connectors import MerchantUnavailable, wall_clock
from agent_checkout.agent.protocols.ucp import VERSION, UcpCheckout
from agent_checkout.agent.ucp_signatures import BusinessSignatures
from merchants.errors import ProtocolError
from merchants.feed import FeedProduct
from merchants.ucp.errors import UcpError

#: Where this agent's platform profile would be published (UCP-Agent names it).
PLATFORM_PROFILE = "https://agent-checkout.example/.well-known/ucp"


class HttpUcpMerchant(UcpCheckout):
    """A merchant's UCP checkout over HTTP; ``search_url`` is its catalog search."""

    def __init__(
        self,
        base_url: str,
        merchant_id: str,
        *,
        currency: str,
        search_url: str | None = None,
        token: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        platform_profile: str = PLATFORM_PROFILE,
        business_profile: str | None = None,
    ) -> None:
        self.merchant_id = merchant_id
        self.currency = currency
        self.base_url = base_url.rstrip("/")
        self.search_url = search_url
        self.token = token
        self.client = client or httpx.Client(timeout=timeout)
        self.platform_profile = platform_profile
        root = self.base_url.removesuffix("/ucp")
        self.business_profile = business_profile or f"{root}/.well-known/ucp"
        self._tokens, self._ap2_views = {}, {}
        self._requests = itertools.count(1)

    def _serve(self, endpoint: str, operation: Any) -> Any:
        return operation(wall_clock())

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        number = next(self._requests)
        headers = {
            "UCP-Agent": f'profile="{self.platform_profile}", version="{VERSION}"',
            "Request-Id": f"req_{number:08d}",
        }
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if method != "GET":
            headers["Idempotency-Key"] = f"idem_{id(self):x}_{number:08d}"
        try:
            response = self.client.request(
                method, f"{self.base_url}{path}", headers=headers, json=body
            )
        except httpx.TransportError as problem:
            raise MerchantUnavailable(f"{self.base_url}: {problem}") from problem
        if response.status_code >= 400:
            raise _refusal(response)
        return response.json()

    def search(
        self, query: str, *, limit: int = 10, max_price: int | None = None
    ) -> list[FeedProduct]:
        if self.search_url is None:
            return []
        params: dict[str, Any] = {"q": query, "limit": limit}
        if max_price is not None:
            params["max_price"] = max_price
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.client.get(self.search_url, params=params, headers=headers)
        except httpx.TransportError as problem:
            raise MerchantUnavailable(f"{self.search_url}: {problem}") from problem
        if response.status_code >= 400:
            raise ProtocolError(
                response.status_code, "invalid_request", "search_failed", response.text[:200]
            )
        return [FeedProduct.model_validate(p) for p in response.json()]

    def _business_signatures(self) -> BusinessSignatures:
        return BusinessSignatures.fetch(self.merchant_id, self.business_profile, self.client)

    def _send_create(self, body: dict, now: datetime) -> dict:
        return self._request("POST", "/checkout-sessions", body)

    def _send_update(self, session_id: str, body: dict, now: datetime) -> dict:
        return self._request("PUT", f"/checkout-sessions/{session_id}", body)

    def _send_complete(self, session_id: str, body: dict, now: datetime) -> dict:
        return self._request("POST", f"/checkout-sessions/{session_id}/complete", body)

    def _send_get(self, session_id: str, now: datetime) -> dict:
        return self._request("GET", f"/checkout-sessions/{session_id}")

    def _send_cancel(self, session_id: str, now: datetime) -> dict:
        return self._request("POST", f"/checkout-sessions/{session_id}/cancel", {})

    def _send_challenge(self, token: str, passed: bool, now: datetime) -> None:
        raise UcpError(
            400,
            "authentication_unsupported",
            "this connector cannot hand a 3-D Secure result to a payment handler over REST",
        )


def _refusal(response: httpx.Response) -> UcpError:
    """UCP's error body (``messages[0]``) as the store's own :class:`UcpError`."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    messages = body.get("messages") if isinstance(body, dict) else None
    first = messages[0] if messages and isinstance(messages[0], dict) else {}
    return UcpError(
        response.status_code,
        first.get("code", f"http_{response.status_code}"),
        first.get("content", response.reason_phrase),
        path=first.get("path"),
    )
