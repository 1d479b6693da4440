"""What a platform may send: thin pydantic models of UCP 2026-01-11's request bodies.

Only the fields the merchant reads are declared; anything else is allowed through and ignored,
as UCP's schemas are open (``additionalProperties: true``) and platforms round-trip whole
responses. A body these models refuse is a 422 naming the first bad field by JSONPath.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from merchants.ucp.errors import invalid


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class UcpItemRef(_Open):
    id: str = Field(min_length=1)
    title: str | None = None


class UcpLineItemIn(_Open):
    id: str | None = None
    item: UcpItemRef
    quantity: int = Field(ge=1, le=1_000_000)


class UcpGroupIn(_Open):
    id: str | None = None
    selected_option_id: str | None = None


class UcpMethodIn(_Open):
    id: str | None = None
    type: Literal["shipping", "pickup"] | None = None
    destinations: list[dict[str, Any]] | None = None
    selected_destination_id: str | None = None
    groups: list[UcpGroupIn] | None = None


class UcpFulfillmentIn(_Open):
    methods: list[UcpMethodIn] = Field(default_factory=list)


class UcpDiscountsIn(_Open):
    codes: list[str] = Field(default_factory=list)


class UcpConsent(_Open):
    analytics: bool | None = None
    preferences: bool | None = None
    marketing: bool | None = None
    sale_of_data: bool | None = None


class UcpBuyerIn(_Open):
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    consent: UcpConsent | None = None


class UcpPaymentIn(_Open):
    selected_instrument_id: str | None = None
    instruments: list[dict[str, Any]] | None = None


class UcpCheckoutCreate(_Open):
    currency: str = Field(min_length=3, max_length=3)
    line_items: list[UcpLineItemIn] = Field(min_length=1, max_length=100)
    buyer: UcpBuyerIn | None = None
    fulfillment: UcpFulfillmentIn | None = None
    discounts: UcpDiscountsIn | None = None
    payment: UcpPaymentIn | None = None


class UcpCheckoutUpdate(_Open):
    id: str | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    line_items: list[UcpLineItemIn] | None = Field(None, min_length=1, max_length=100)
    buyer: UcpBuyerIn | None = None
    fulfillment: UcpFulfillmentIn | None = None
    discounts: UcpDiscountsIn | None = None
    payment: UcpPaymentIn | None = None


class UcpCredential(_Open):
    type: str
    token: str | None = None


class UcpPaymentData(_Open):
    id: str = Field(min_length=1)
    handler_id: str = Field(min_length=1)
    type: str
    credential: UcpCredential | None = None
    billing_address: dict[str, Any] | None = None


class UcpAp2In(_Open):
    checkout_mandate: str = Field(
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(~[A-Za-z0-9_-]+)*$"
    )


class UcpCheckoutComplete(_Open):
    payment_data: UcpPaymentData
    risk_signals: dict[str, Any] | None = None
    ap2: UcpAp2In | None = None


class UcpEventLine(_Open):
    id: str
    quantity: int = Field(ge=1)


class UcpFulfillmentEventIn(_Open):
    id: str = Field(min_length=1)
    occurred_at: datetime
    type: str
    line_items: list[UcpEventLine]
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier: str | None = None
    description: str | None = None


class UcpAdjustmentIn(_Open):
    id: str = Field(min_length=1)
    type: str
    occurred_at: datetime
    status: Literal["pending", "completed", "failed"]
    line_items: list[UcpEventLine] | None = None
    amount: int | None = None
    description: str | None = None


class UcpOrderFulfillmentIn(_Open):
    events: list[UcpFulfillmentEventIn] | None = None


class UcpOrderUpdate(_Open):
    """The parts of an order a platform's PUT may add to: fulfillment events and adjustments."""

    fulfillment: UcpOrderFulfillmentIn | None = None
    adjustments: list[UcpAdjustmentIn] | None = None


class UcpEmpty(_Open):
    """A body that may be absent (cancel, the shipping hook)."""


Model = TypeVar("Model", bound=BaseModel)


def parse(raw: bytes, model: type[Model]) -> Model:
    """A JSON body as ``model``; a problem is a 422 naming the first bad field."""
    # merchants.http imports this package: imported here, merchants.ucp imports on its own.
    from merchants.http.errors import json_path

    if not raw.strip() and model is UcpEmpty:
        return UcpEmpty()
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid("the body is not JSON") from None
    if not isinstance(data, dict):
        raise invalid("the body must be a JSON object", "$")
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        errors = problem.errors(include_url=False)
        first = errors[0]
        where = json_path(tuple(first.get("loc", ())))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise invalid(f"{where}: {first['msg']}{more}", where) from None
