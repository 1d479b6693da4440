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

from merchants.http.errors import json_path
from merchants.ucp.errors import invalid


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ItemRef(_Open):
    id: str = Field(min_length=1)
    title: str | None = None


class LineItemIn(_Open):
    id: str | None = None
    item: ItemRef
    quantity: int = Field(ge=1, le=1_000_000)


class GroupIn(_Open):
    id: str | None = None
    selected_option_id: str | None = None


class MethodIn(_Open):
    id: str | None = None
    type: Literal["shipping", "pickup"] | None = None
    destinations: list[dict[str, Any]] | None = None
    selected_destination_id: str | None = None
    groups: list[GroupIn] | None = None


class FulfillmentIn(_Open):
    methods: list[MethodIn] = Field(default_factory=list)


class DiscountsIn(_Open):
    codes: list[str] = Field(default_factory=list)


class Consent(_Open):
    analytics: bool | None = None
    preferences: bool | None = None
    marketing: bool | None = None
    sale_of_data: bool | None = None


class BuyerIn(_Open):
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    consent: Consent | None = None


class PaymentIn(_Open):
    selected_instrument_id: str | None = None
    instruments: list[dict[str, Any]] | None = None


class CheckoutCreate(_Open):
    currency: str = Field(min_length=3, max_length=3)
    line_items: list[LineItemIn] = Field(min_length=1, max_length=100)
    buyer: BuyerIn | None = None
    fulfillment: FulfillmentIn | None = None
    discounts: DiscountsIn | None = None
    payment: PaymentIn | None = None


class CheckoutUpdate(_Open):
    id: str | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    line_items: list[LineItemIn] | None = Field(None, min_length=1, max_length=100)
    buyer: BuyerIn | None = None
    fulfillment: FulfillmentIn | None = None
    discounts: DiscountsIn | None = None
    payment: PaymentIn | None = None


class Credential(_Open):
    type: str
    token: str | None = None


class PaymentData(_Open):
    id: str = Field(min_length=1)
    handler_id: str = Field(min_length=1)
    type: str
    credential: Credential | None = None
    billing_address: dict[str, Any] | None = None


class Ap2In(_Open):
    checkout_mandate: str = Field(
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(~[A-Za-z0-9_-]+)*$"
    )


class CheckoutComplete(_Open):
    payment_data: PaymentData
    risk_signals: dict[str, Any] | None = None
    ap2: Ap2In | None = None


class EventLine(_Open):
    id: str
    quantity: int = Field(ge=1)


class FulfillmentEventIn(_Open):
    id: str = Field(min_length=1)
    occurred_at: datetime
    type: str
    line_items: list[EventLine]
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier: str | None = None
    description: str | None = None


class AdjustmentIn(_Open):
    id: str = Field(min_length=1)
    type: str
    occurred_at: datetime
    status: Literal["pending", "completed", "failed"]
    line_items: list[EventLine] | None = None
    amount: int | None = None
    description: str | None = None


class OrderFulfillmentIn(_Open):
    events: list[FulfillmentEventIn] | None = None


class OrderUpdate(_Open):
    """The parts of an order a platform's PUT may add to: fulfillment events and adjustments."""

    fulfillment: OrderFulfillmentIn | None = None
    adjustments: list[AdjustmentIn] | None = None


class Empty(_Open):
    """A body that may be absent (cancel, the shipping hook)."""


Model = TypeVar("Model", bound=BaseModel)


def parse(raw: bytes, model: type[Model]) -> Model:
    """A JSON body as ``model``; a problem is a 422 naming the first bad field."""
    if not raw.strip() and model is Empty:
        return Empty()
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
