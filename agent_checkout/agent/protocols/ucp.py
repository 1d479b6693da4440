"""The agent's checkout calls in UCP 2026-01-11, against an in-process merchant's UCP store.

The graph asks in ACP 2025-09-29's terms (:mod:`merchants.acp`); this connector writes each call as
a UCP checkout request (line items with quantities, a buyer, one shipping method whose
destination is the shopper's address, the cheapest option selected, ``payment_data`` carrying the
delegated token through a payment handler) for :class:`merchants.ucp.checkout.UcpStore`, and reads
UCP's answer back into the :class:`~merchants.acp.CheckoutSession` the graph reads. UCP refuses
what ACP reports on a session (an item sold out, a card declined, a 3-D Secure challenge), so a
refusal with such a code becomes that session's error message; any other refusal is a
:class:`~merchants.errors.ProtocolError`, as over ACP. Each agent call is one served call.

The in-process store and :mod:`~agent_checkout.agent.protocols.ucp_wire` share everything but
the ``_send`` methods: the bodies and their reading are the same.

AP2 mandates: every checkout the merchant answers with under AP2 (``ap2`` in the body, or
``dev.ucp.shopping.ap2_mandate`` among its active capabilities) has its
``ap2.merchant_authorization`` checked against the business's published ``signing_keys``
(:mod:`agent_checkout.agent.ucp_signatures`) before the graph reads it; a missing or bad
signature ends the session with that merchant (``merchant_unavailable``, the reason naming it).
Complete then carries ``ap2.checkout_mandate``: here a compact JWS by the platform's own key
over the JCS form of the verified checkout, merchant signature included (the nested binding UCP
asks for; a real platform sends an SD-JWT+kb from AP2, which this mock does not build).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from agent_checkout.agent.connectors import Clock, InProcessMerchant, wall_clock
from agent_checkout.agent.ucp_signatures import BusinessSignatures, UcpSignatureInvalid
from merchants import Merchant, acp
from merchants.errors import ProtocolError
from merchants.ucp.checkout import UcpStore
from merchants.ucp.discovery import AP2_CAPABILITY
from merchants.ucp.errors import UcpError
from merchants.ucp.requests import UcpCheckoutComplete, UcpCheckoutCreate, UcpCheckoutUpdate
from merchants.ucp.signing import SigningKey, jcs

PROTOCOL = "ucp-2026-01-11"
VERSION = "2026-01-11"
#: The payment handler the agent pays through (every UCP merchant here offers it).
HANDLER_ID = "mock_payment_handler"
#: The id the agent gives the shopper's address, so it can select it in the same request.
DESTINATION_ID = "shopper_address"
T = TypeVar("T")

_STATUS: dict[str, acp.Status] = {
    "incomplete": "not_ready_for_payment",
    "requires_escalation": "not_ready_for_payment",
    "ready_for_complete": "ready_for_payment",
    "complete_in_progress": "in_progress",
    "completed": "completed",
    "canceled": "canceled",
}
#: UCP refusals that ACP reports as an error message on the session, by UCP code.
_ON_SESSION: dict[str, acp.MessageCode] = {
    "out_of_stock": "out_of_stock",
    "payment_declined": "payment_declined",
    "requires_3ds": "requires_3ds",
}


def create_body(request: acp.CheckoutSessionCreateRequest, currency: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": currency.upper(),
        "line_items": [{"item": {"id": i.id}, "quantity": i.quantity} for i in request.items],
    }
    if request.buyer is not None:
        body["buyer"] = request.buyer.wire()
    if request.fulfillment_address is not None:
        body["fulfillment"] = shipping_to(request.fulfillment_address)
    return body


def update_body(request: acp.CheckoutSessionUpdateRequest, session: dict) -> dict[str, Any]:
    body: dict[str, Any] = {"id": session["id"]}
    if request.items is not None:
        body["line_items"] = [{"item": {"id": i.id}, "quantity": i.quantity} for i in request.items]
    if request.buyer is not None:
        body["buyer"] = request.buyer.wire()
    if request.fulfillment_address is not None:
        body["fulfillment"] = shipping_to(request.fulfillment_address)
    if request.fulfillment_option_id is not None:
        body["fulfillment"] = select_option(session, request.fulfillment_option_id)
    return body


def shipping_to(address: acp.Address) -> dict[str, Any]:
    """One shipping method to the shopper's address, selected."""
    return {
        "methods": [
            {
                "type": "shipping",
                "destinations": [postal_address(address)],
                "selected_destination_id": DESTINATION_ID,
            }
        ]
    }


def postal_address(address: acp.Address) -> dict[str, Any]:
    """ACP's address in UCP's postal address terms, with the id the agent gives it."""
    destination = {
        "id": DESTINATION_ID,
        "full_name": address.name,
        "street_address": address.line_one,
        "address_locality": address.city,
        "address_region": address.state,
        "postal_code": address.postal_code,
        "address_country": address.country,
    }
    if address.line_two:
        destination["extended_address"] = address.line_two
    return destination


def select_option(session: dict, option_id: str) -> dict[str, Any]:
    method = session["fulfillment"]["methods"][0]
    return {
        "methods": [
            {
                "id": method["id"],
                "type": method["type"],
                "groups": [{"id": method["groups"][0]["id"], "selected_option_id": option_id}],
            }
        ]
    }


def cheapest_option(session: dict) -> str | None:
    """The cheapest shipping option offered, unless one is selected (ACP's default at create)."""
    methods = (session.get("fulfillment") or {}).get("methods") or []
    if not methods or not methods[0].get("groups"):
        return None
    group = methods[0]["groups"][0]
    if group.get("selected_option_id") or not group.get("options"):
        return None
    return min(group["options"], key=lambda o: (_amount(o["totals"], "total"), o["id"]))["id"]


def complete_body(session_id: str, request: acp.CheckoutSessionCompleteRequest) -> dict[str, Any]:
    payment = request.payment_data
    data: dict[str, Any] = {
        "id": f"instrument_{session_id}",
        "handler_id": HANDLER_ID,
        "type": "card",
        "credential": {"type": "token", "token": payment.token},
    }
    if payment.billing_address is not None:
        data["billing_address"] = postal_address(payment.billing_address)
    return {"payment_data": data}


def under_ap2(view: dict) -> bool:
    """Whether a checkout answer says AP2 mandates are active (its ``ap2`` or capabilities)."""
    if "ap2" in view:
        return True
    capabilities = (view.get("ucp") or {}).get("capabilities") or []
    return any(isinstance(c, dict) and c.get("name") == AP2_CAPABILITY for c in capabilities)


def checkout_session(view: dict, *, refusal: UcpError | None = None) -> acp.CheckoutSession:
    """UCP's checkout as the graph reads it (UCP shows no tax per line: lines carry none), with
    a refusal ACP would have reported on the session as its error message."""
    totals = view.get("totals") or []
    items, discount = _amount(totals, "subtotal"), _amount(totals, "discount")
    lines = []
    for line in view.get("line_items") or []:
        base, off = _amount(line["totals"], "subtotal"), _amount(line["totals"], "discount")
        lines.append(
            acp.LineItem(
                id=line["id"],
                item=acp.Item(id=line["item"]["id"], quantity=line["quantity"]),
                base_amount=base,
                discount=off,
                subtotal=base - off,
                tax=0,
                total=base - off,
            )
        )
    options, selected = [], None
    methods = (view.get("fulfillment") or {}).get("methods") or []
    if methods and methods[0].get("groups"):
        group = methods[0]["groups"][0]
        selected = group.get("selected_option_id")
        for option in group.get("options") or []:
            price = _amount(option["totals"], "total")
            options.append(
                acp.FulfillmentOptionShipping(
                    id=option["id"], title=option["title"], subtotal=price, tax=0, total=price
                )
            )
    summary = [
        acp.Total(type="items_base_amount", display_text="Item(s) total", amount=items),
        acp.Total(type="discount", display_text="Discounts", amount=discount),
        acp.Total(type="subtotal", display_text="Subtotal", amount=items - discount),
        acp.Total(
            type="fulfillment", display_text="Shipping", amount=_amount(totals, "fulfillment")
        ),
        acp.Total(type="tax", display_text="Tax", amount=_amount(totals, "tax")),
        acp.Total(type="total", display_text="Total", amount=_amount(totals, "total")),
    ]
    messages: list[acp.MessageInfo | acp.MessageError] = [
        acp.MessageInfo(content=m["content"]) for m in view.get("messages") or []
    ]
    if refusal is not None:
        messages.append(
            acp.MessageError(
                code=_ON_SESSION[refusal.code], param=refusal.path, content=refusal.content
            )
        )
    order = view.get("order")
    return acp.CheckoutSession(
        id=view["id"],
        buyer=_buyer(view.get("buyer")),
        status=_STATUS.get(view.get("status", ""), "not_ready_for_payment"),
        currency=view["currency"].lower(),
        line_items=lines,
        fulfillment_options=options,
        fulfillment_option_id=selected,
        totals=summary,
        messages=messages,
        links=[],
        order=(
            acp.Order(
                id=order["id"], checkout_session_id=view["id"], permalink_url=order["permalink_url"]
            )
            if order
            else None
        ),
    )


def refused_session(refusal: UcpError, currency: str) -> acp.CheckoutSession:
    """A create UCP refused for a reason ACP reports on a session: no session, just the reason."""
    return checkout_session(
        {"id": "", "status": "incomplete", "currency": currency, "totals": []}, refusal=refusal
    )


def protocol_error(refusal: UcpError) -> ProtocolError:
    """Any other refusal, as the graph's retry and failure paths read errors."""
    kind = "processing_error" if refusal.status >= 500 else "invalid_request"
    if refusal.status == 429:
        kind = "rate_limit_exceeded"
    return ProtocolError(refusal.status, kind, refusal.code, refusal.content, refusal.path)


def _amount(totals: list[dict], kind: str) -> int:
    return next((t["amount"] for t in totals if t["type"] == kind), 0)


def _buyer(sent: dict | None) -> acp.Buyer | None:
    if not sent or not sent.get("email"):
        return None
    return acp.Buyer(
        first_name=sent.get("first_name") or "",
        last_name=sent.get("last_name") or "",
        email=sent["email"],
        phone_number=sent.get("phone_number"),
    )


class UcpCheckout(ABC):
    """The checkout calls in UCP; a subclass says how a request reaches the store (``_send_*``)
    and how a call is served (``_serve``)."""

    protocol = PROTOCOL
    currency: str
    merchant_id: str
    _tokens: dict[str, str]  # a session's token awaiting 3-D Secure
    #: The latest verified answer of each open AP2 session, for its checkout mandate.
    _ap2_views: dict[str, dict]
    _signatures: BusinessSignatures | None = None
    _platform_key: SigningKey | None = None

    _serve: Callable[[str, Callable[[datetime], Any]], Any]  # one served call, per transport

    @abstractmethod
    def _send_create(self, body: dict, now: datetime) -> dict:
        """Create a checkout session; its UCP view."""

    @abstractmethod
    def _send_update(self, session_id: str, body: dict, now: datetime) -> dict:
        """Update a session; its UCP view."""

    @abstractmethod
    def _send_complete(self, session_id: str, body: dict, now: datetime) -> dict:
        """Complete a session; its UCP view."""

    @abstractmethod
    def _send_get(self, session_id: str, now: datetime) -> dict:
        """A session's UCP view."""

    @abstractmethod
    def _send_cancel(self, session_id: str, now: datetime) -> dict:
        """Cancel a session; its UCP view."""

    @abstractmethod
    def _send_challenge(self, token: str, passed: bool, now: datetime) -> None:
        """Hand the shopper's 3-D Secure result for ``token`` to the payment handler."""

    @abstractmethod
    def _business_signatures(self) -> BusinessSignatures:
        """The merchant's published ``signing_keys`` (its ``/.well-known/ucp``)."""

    def _checked(self, view: dict) -> dict:
        """``view`` once its merchant authorization verifies (under AP2; else as it is). Keys
        read earlier that do not verify it are read again once: the business may have rotated
        its key (UCP's ``signing_keys`` rotation)."""
        if not under_ap2(view):
            return view
        try:
            if self._signatures is None:
                self._signatures = self._business_signatures()
                fresh = True
            else:
                fresh = False
            self._signatures.verify_checkout(view)
        except UcpSignatureInvalid:
            if fresh:
                raise
            self._signatures = self._business_signatures()
            self._signatures.verify_checkout(view)
        if view.get("status") in ("completed", "canceled"):
            self._ap2_views.pop(view.get("id", ""), None)
        else:
            self._ap2_views[view["id"]] = view
        return view

    def _mandated(self, session_id: str, body: dict) -> dict:
        """``body`` with ``ap2.checkout_mandate`` when the session is under AP2."""
        view = self._ap2_views.get(session_id)
        if view is None:
            return body
        if self._platform_key is None:
            self._platform_key = SigningKey.generate("agent-checkout-platform-2026")
        return body | {"ap2": {"checkout_mandate": self._platform_key.sign_compact(jcs(view))}}

    def _ucp(self, endpoint: str, operation: Callable[[datetime], T]) -> T:
        """One served call; a UCP refusal the graph does not read as a session is an error."""

        def run(now: datetime) -> T:
            try:
                return operation(now)
            except UcpError as refusal:
                raise protocol_error(refusal) from None

        return self._serve(endpoint, run)

    def create_checkout(self, request: acp.CheckoutSessionCreateRequest) -> acp.CheckoutSession:
        body = create_body(request, self.currency)

        def create(now: datetime) -> acp.CheckoutSession:
            try:
                view = self._checked(self._send_create(body, now))
            except UcpError as refusal:
                if refusal.code != "out_of_stock":
                    raise
                return refused_session(refusal, self.currency)
            option = cheapest_option(view)
            if option is not None:
                view = self._checked(
                    self._send_update(view["id"], {"fulfillment": select_option(view, option)}, now)
                )
            return checkout_session(view)

        return self._ucp("create_checkout", create)

    def update_checkout(
        self, session_id: str, request: acp.CheckoutSessionUpdateRequest
    ) -> acp.CheckoutSession:
        def update(now: datetime) -> acp.CheckoutSession:
            view = self._checked(self._send_get(session_id, now))
            updated = self._send_update(session_id, update_body(request, view), now)
            return checkout_session(self._checked(updated))

        return self._ucp("update_checkout", update)

    def complete_checkout(
        self, session_id: str, request: acp.CheckoutSessionCompleteRequest
    ) -> acp.CheckoutSession:
        body = complete_body(session_id, request)

        def complete(now: datetime) -> acp.CheckoutSession:
            try:
                sent = self._mandated(session_id, body)
                return checkout_session(self._checked(self._send_complete(session_id, sent, now)))
            except UcpError as refusal:
                if refusal.code not in _ON_SESSION:
                    raise
                if refusal.code == "requires_3ds":
                    self._tokens[session_id] = request.payment_data.token
                view = self._checked(self._send_get(session_id, now))
                return checkout_session(view, refusal=refusal)

        return self._ucp("complete_checkout", complete)

    def cancel_checkout(self, session_id: str) -> acp.CheckoutSession:
        return self._ucp(
            "cancel_checkout",
            lambda now: checkout_session(self._checked(self._send_cancel(session_id, now))),
        )

    def authenticate_checkout(self, session_id: str, passed: bool) -> acp.CheckoutSession:
        token = self._tokens.pop(session_id, None)
        if token is None:
            raise ProtocolError(
                409,
                "invalid_request",
                "invalid_state",
                f"checkout session {session_id} has no 3-D Secure challenge pending",
            )

        def authenticate(now: datetime) -> acp.CheckoutSession:
            self._send_challenge(token, passed, now)
            return checkout_session(self._checked(self._send_get(session_id, now)))

        return self._ucp("authenticate_checkout", authenticate)


class UcpMerchant(UcpCheckout, InProcessMerchant):
    """A merchant the agent reaches over UCP in process (search is the catalog's search)."""

    def __init__(self, merchant: Merchant, clock: Clock = wall_clock) -> None:
        InProcessMerchant.__init__(self, merchant, clock)
        self.store = UcpStore(merchant)
        self.currency = merchant.catalog.currency
        self._tokens, self._ap2_views = {}, {}

    # -- how a request reaches the store (ucp_wire sends them over HTTP instead) --------------

    def _send_create(self, body: dict, now: datetime) -> dict:
        return self.store.create(UcpCheckoutCreate.model_validate(body), now, "", None)

    def _send_update(self, session_id: str, body: dict, now: datetime) -> dict:
        return self.store.update(session_id, UcpCheckoutUpdate.model_validate(body), now, "", None)

    def _send_complete(self, session_id: str, body: dict, now: datetime) -> dict:
        return self.store.complete(
            session_id, UcpCheckoutComplete.model_validate(body), now, "", None
        )

    def _send_get(self, session_id: str, now: datetime) -> dict:
        return self.store.get(session_id, now, "")

    def _send_cancel(self, session_id: str, now: datetime) -> dict:
        return self.store.cancel(session_id, now, "")

    def _business_signatures(self) -> BusinessSignatures:
        """The key the store's profile publishes (no HTTP in process)."""
        return BusinessSignatures(self.merchant_id, [self.store.signing_key.public_jwk()])

    def _send_challenge(self, token: str, passed: bool, now: datetime) -> None:
        """The shopper's 3-D Secure result, to the processor behind the payment handler."""
        try:
            self.merchant.checkout.processor.authenticate(token, passed, now)
        except ProtocolError as problem:
            raise UcpError(problem.status, problem.code, problem.message) from None
