"""The agent's checkout calls in ACP 2026-04-17 over HTTP (``API-Version: 2026-04-17``).

Requests are :mod:`~agent_checkout.agent.protocols.acp_2026`'s bodies; each POST carries an
``Idempotency-Key``, which that version requires. Answers are 2026-04-17 sessions, read back into
the 2025-09-29 model the graph reads: per-line and per-option ``totals`` become amounts,
``selected_fulfillment_options`` the chosen option, ``authentication_required`` a
``requires_3ds`` error (as 2025-09-29 shows a pending challenge) and ``expired`` ``canceled``.
"""

from __future__ import annotations

from typing import Any, get_args

import httpx

from agent_checkout.agent.http_connector import HttpMerchant
from agent_checkout.agent.protocols.acp_2026 import (
    PROTOCOL,
    VERSION,
    complete_body,
    create_body,
    update_body,
)
from merchants import acp
from merchants.versions import REQUIRES_3DS

_CODES = frozenset(get_args(acp.MessageCode))
_LINKS = frozenset(get_args(acp.Link.model_fields["type"].annotation))


def checkout_session(body: dict[str, Any]) -> acp.CheckoutSession:
    """A 2026-04-17 session as the graph reads it."""
    status = body["status"]
    messages = [_message(m) for m in body.get("messages") or []]
    if status == "authentication_required":
        status = "ready_for_payment"
        messages.append(
            acp.MessageError(code="requires_3ds", param="$.payment_data", content=REQUIRES_3DS)
        )
    elif status == "expired":
        status = "canceled"
    selected = body.get("selected_fulfillment_options") or []
    details = body.get("fulfillment_details") or {}
    address = details.get("address")
    order = body.get("order")
    return acp.CheckoutSession(
        id=body["id"],
        buyer=_buyer(body.get("buyer")),
        status=status,
        currency=body["currency"],
        line_items=[_line(line) for line in body["line_items"]],
        fulfillment_address=(
            acp.Address(**{k: v for k, v in address.items() if k != "company"}) if address else None
        ),
        fulfillment_options=[_option(option) for option in body.get("fulfillment_options") or []],
        fulfillment_option_id=selected[0]["option_id"] if selected else None,
        totals=[acp.Total(**total) for total in body["totals"]],
        messages=messages,
        links=[acp.Link(**link) for link in body.get("links") or [] if link["type"] in _LINKS],
        order=(
            acp.Order(
                id=order["id"],
                checkout_session_id=order.get("checkout_session_id", body["id"]),
                permalink_url=order["permalink_url"],
            )
            if order
            else None
        ),
    )


def _json(body: Any) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_none=True, by_alias=True)


def _amounts(totals: list[dict]) -> dict[str, int]:
    return {t["type"]: t["amount"] for t in totals}


def _line(line: dict) -> acp.LineItem:
    amounts = _amounts(line["totals"])
    return acp.LineItem(
        id=line["id"],
        item=acp.Item(id=line["item"]["id"], quantity=line["quantity"]),
        base_amount=amounts.get("items_base_amount", 0),
        discount=amounts.get("discount", 0),
        subtotal=amounts.get("subtotal", 0),
        tax=amounts.get("tax", 0),
        total=amounts.get("total", 0),
    )


def _option(option: dict) -> acp.FulfillmentOptionShipping:
    amounts = _amounts(option["totals"])
    return acp.FulfillmentOptionShipping(
        id=option["id"],
        title=option["title"],
        subtotal=amounts.get("subtotal", 0),
        tax=amounts.get("tax", 0),
        total=amounts.get("total", 0),
    )


def _message(message: dict) -> acp.MessageInfo | acp.MessageError:
    if message["type"] == "error":
        code = message.get("code")
        return acp.MessageError(
            code=code if code in _CODES else "invalid",
            param=message.get("param"),
            content=message["content"],
        )
    return acp.MessageInfo(param=message.get("param"), content=message["content"])


def _buyer(buyer: dict | None) -> acp.Buyer | None:
    if not buyer or buyer.get("first_name") is None or buyer.get("last_name") is None:
        return None
    return acp.Buyer(
        first_name=buyer["first_name"],
        last_name=buyer["last_name"],
        email=buyer["email"],
        phone_number=buyer.get("phone_number"),
    )


class HttpAcp2026Merchant(HttpMerchant):
    """A merchant's ACP 2026-04-17 checkout (and the search extension) over HTTP."""

    protocol = PROTOCOL
    api_version = VERSION

    def __init__(
        self,
        base_url: str,
        merchant_id: str,
        *,
        currency: str,
        token: str = "test-token",
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(base_url, merchant_id, token=token, client=client, timeout=timeout)
        self.currency = currency
        self._handlers: dict[str, str] = {}  # a session's card handler, from its capabilities
        self._items: dict[str, list[str]] = {}  # a session's product ids
        self._challenges: dict[str, bool] = {}

    def _read(self, body: dict[str, Any]) -> acp.CheckoutSession:
        session = checkout_session(body)
        handlers = ((body.get("capabilities") or {}).get("payment") or {}).get("handlers") or []
        if handlers:
            self._handlers[session.id] = min(h["id"] for h in handlers)
        self._items[session.id] = [line.item.id for line in session.line_items]
        return session

    def create_checkout(self, request: acp.CheckoutSessionCreateRequest) -> acp.CheckoutSession:
        body = create_body(request, self.currency)
        return self._read(self._acp.request("POST", "/checkout_sessions", _json(body)))

    def update_checkout(
        self, session_id: str, request: acp.CheckoutSessionUpdateRequest
    ) -> acp.CheckoutSession:
        body = update_body(request, self._items.get(session_id, []))
        return self._read(
            self._acp.request("POST", f"/checkout_sessions/{session_id}", _json(body))
        )

    def complete_checkout(
        self, session_id: str, request: acp.CheckoutSessionCompleteRequest
    ) -> acp.CheckoutSession:
        challenge = self._challenges.pop(session_id, None)
        handler = self._handlers.get(session_id, "")
        body = complete_body(session_id, request, handler, challenge)
        session = self._read(
            self._acp.request(
                "POST",
                f"/checkout_sessions/{session_id}/complete",
                _json(body),
            )
        )
        if session.status in ("completed", "canceled"):
            self._handlers.pop(session_id, None)
            self._items.pop(session_id, None)
        return session

    def cancel_checkout(self, session_id: str) -> acp.CheckoutSession:
        self._handlers.pop(session_id, None)
        self._items.pop(session_id, None)
        return checkout_session(
            self._acp.request("POST", f"/checkout_sessions/{session_id}/cancel", {})
        )

    def authenticate_checkout(self, session_id: str, passed: bool) -> acp.CheckoutSession:
        """2026-04-17 sends the challenge's outcome with the next complete: read the session
        and keep the outcome until then."""
        session = self._read(self._acp.request("GET", f"/checkout_sessions/{session_id}"))
        self._challenges[session_id] = passed
        return session
