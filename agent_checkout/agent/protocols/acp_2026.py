"""The agent's checkout calls in ACP 2026-04-17, against an in-process merchant.

The graph asks in 2025-09-29's terms (:mod:`merchants.acp`); this connector writes each request as
2026-04-17 defines it (one ``line_items[]`` entry per unit, ``currency``, ``capabilities``,
``fulfillment_details``, ``selected_fulfillment_options``, ``payment_data`` by handler, the 3-D
Secure outcome as ``authentication_result`` on complete) and hands it to
:mod:`merchants.acp_2026.checkout`, the functions the HTTP routes call. Those answer with the one
internal session model, which is what the graph reads, so nothing needs translating back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from agent_checkout.agent.connectors import Clock, InProcessMerchant, wall_clock
from merchants import Merchant, acp
from merchants.acp_2026 import checkout as acp_2026
from merchants.acp_2026 import requests as r26
from merchants.acp_2026.capabilities import handler_ids, negotiate
from merchants.authentication import AuthenticationProvider

PROTOCOL = "acp-2026-04-17"
VERSION = "2026-04-17"
T = TypeVar("T")

#: What the agent declares it supports: it can run a 3-D Secure challenge with the shopper.
CAPABILITIES = r26.Capabilities(interventions=r26.InterventionCapabilities(supported=["3ds"]))


def create_body(
    request: acp.CheckoutSessionCreateRequest, currency: str
) -> r26.CheckoutSessionCreateRequest:
    """2025-09-29's create as 2026-04-17's: each unit its own line item."""
    return r26.CheckoutSessionCreateRequest(
        line_items=units(request.items),
        currency=currency,
        buyer=buyer(request.buyer),
        fulfillment_details=fulfillment_details(request.fulfillment_address, request.buyer),
        capabilities=CAPABILITIES,
    )


def update_body(
    request: acp.CheckoutSessionUpdateRequest, product_ids: list[str]
) -> r26.CheckoutSessionUpdateRequest:
    """2025-09-29's update: a chosen ``fulfillment_option_id`` ships every item of the session."""
    selected = None
    if request.fulfillment_option_id is not None:
        selected = [
            r26.SelectedFulfillmentOption(
                type="shipping", option_id=request.fulfillment_option_id, item_ids=product_ids
            )
        ]
    return r26.CheckoutSessionUpdateRequest(
        line_items=units(request.items) if request.items is not None else None,
        buyer=buyer(request.buyer),
        fulfillment_details=fulfillment_details(request.fulfillment_address, request.buyer),
        selected_fulfillment_options=selected,
    )


def complete_body(
    session_id: str,
    request: acp.CheckoutSessionCompleteRequest,
    handler_id: str,
    challenge: bool | None,
) -> r26.CheckoutSessionCompleteRequest:
    """Pay with the delegated token through the session's card handler; ``challenge`` is the
    shopper's 3-D Secure result when one was taken since the last complete."""
    payment = request.payment_data
    billing = payment.billing_address
    return r26.CheckoutSessionCompleteRequest(
        buyer=buyer(request.buyer),
        payment_data=r26.PaymentData(
            handler_id=handler_id,
            instrument=r26.Instrument(
                type="card", credential=r26.Credential(type="spt", token=payment.token)
            ),
            billing_address=r26.Address(**billing.model_dump()) if billing else None,
        ),
        authentication_result=authentication_result(session_id, challenge),
    )


def authentication_result(session_id: str, passed: bool | None) -> r26.AuthenticationResult | None:
    """The challenge's outcome as the agent reports it (no provider issued its transaction,
    so the merchant takes the reported outcome)."""
    if passed is None:
        return None
    if not passed:
        return r26.AuthenticationResult(outcome="denied")
    return r26.AuthenticationResult(
        outcome="authenticated",
        outcome_details=r26.OutcomeDetails(
            three_ds_cryptogram="AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            electronic_commerce_indicator="05",
            transaction_id=f"agent_3ds_{session_id}",
            version="2.2.0",
        ),
    )


def units(items: list[acp.Item] | None) -> list[r26.Item]:
    return [r26.Item(id=item.id) for item in items or () for _ in range(item.quantity)]


def buyer(sent: acp.Buyer | None) -> r26.Buyer | None:
    return None if sent is None else r26.Buyer(**sent.model_dump())


def fulfillment_details(
    address: acp.Address | None, sent: acp.Buyer | None
) -> r26.FulfillmentDetails | None:
    if address is None:
        return None
    return r26.FulfillmentDetails(
        name=address.name,
        email=sent.email if sent else None,
        phone_number=sent.phone_number if sent else None,
        address=r26.Address(**address.model_dump()),
    )


class Acp2026Merchant(InProcessMerchant):
    """A merchant the agent reaches over ACP 2026-04-17 (search is the same extension)."""

    protocol = PROTOCOL

    def __init__(self, merchant: Merchant, clock: Clock = wall_clock) -> None:
        super().__init__(merchant, clock)
        self._authentication = AuthenticationProvider()
        self._challenges: dict[str, bool] = {}  # a challenge's result, until complete sends it
        offered = negotiate(CAPABILITIES, merchant.id, merchant.checkout.processor.provider)
        self._handler_id = min(handler_ids(offered))

    def _locked(self, operation: Callable[[datetime], T]) -> Callable[[datetime], T]:
        """Hold the checkout's lock around the operation (as the HTTP routes do), then send
        the order events it queued."""

        def run(now: datetime) -> T:
            with self.merchant.checkout.lock:
                answer = operation(now)
            self.merchant.deliver_events()
            return answer

        return run

    def create_checkout(self, request: acp.CheckoutSessionCreateRequest) -> acp.CheckoutSession:
        body = create_body(request, self.merchant.catalog.currency)
        return self._serve(
            "create_checkout", self._locked(lambda now: acp_2026.create(self.merchant, body, now))
        )

    def update_checkout(
        self, session_id: str, request: acp.CheckoutSessionUpdateRequest
    ) -> acp.CheckoutSession:
        def update(now: datetime) -> acp.CheckoutSession:
            lines = self.merchant.checkout.snapshot(session_id, now).lines
            body = update_body(request, [line.product_id for line in lines])
            return acp_2026.update(self.merchant, session_id, body, now)

        return self._serve("update_checkout", self._locked(update))

    def complete_checkout(
        self, session_id: str, request: acp.CheckoutSessionCompleteRequest
    ) -> acp.CheckoutSession:
        challenge = self._challenges.pop(session_id, None)
        body = complete_body(session_id, request, self._handler_id, challenge)
        return self._serve(
            "complete_checkout",
            self._locked(
                lambda now: acp_2026.complete(
                    self.merchant, session_id, body, now, self._authentication
                )
            ),
        )

    def authenticate_checkout(self, session_id: str, passed: bool) -> acp.CheckoutSession:
        """2026-04-17 sends the challenge's outcome with the next complete: read the session
        (the agent's 3-D Secure SDK would read its ``authentication_metadata``) and keep it,
        once the merchant has answered (a refused call leaves nothing to send)."""

        def read(now: datetime) -> acp.CheckoutSession:
            session = self.merchant.get_checkout(session_id, now)
            self._challenges[session_id] = passed
            return session

        return self._serve("authenticate_checkout", read)
