"""Wire models of the Agentic Commerce Protocol, version 2025-09-29.

These pydantic models are the one shape of a checkout session, whether it is returned by an
in-process call or parsed from an HTTP body, so an agent sees the same objects either way.
Requests forbid unknown fields, as the official JSON Schema does. Amounts are integer minor
units and currency codes are lowercase ISO 4217.

At the end: this mock's 3-D Secure route body, which 2025-09-29 has no field for. Requests of
2026-04-17 are :mod:`merchants.acp_2026.requests`; responses of later versions are rendered by
:mod:`merchants.versions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

API_VERSION = "2025-09-29"

#: The most units of one item a session may hold (the RFC sets no cap; a mock needs one).
MAX_QUANTITY = 10_000

Status = Literal[
    "not_ready_for_payment", "ready_for_payment", "in_progress", "completed", "canceled"
]
MessageCode = Literal[
    "missing", "invalid", "out_of_stock", "payment_declined", "requires_sign_in", "requires_3ds"
]
TotalType = Literal[
    "items_base_amount",
    "items_discount",
    "subtotal",
    "discount",
    "fulfillment",
    "tax",
    "fee",
    "total",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def wire(self) -> dict:
        """The JSON body: optional fields that are unset are left out, as the schema wants."""
        return self.model_dump(mode="json", exclude_none=True)


class Address(_Wire):
    name: Annotated[str, Field(max_length=256)]
    line_one: Annotated[str, Field(max_length=60)]
    line_two: Annotated[str, Field(max_length=60)] | None = None
    city: Annotated[str, Field(max_length=60)]
    state: str
    country: Annotated[str, Field(min_length=2, max_length=2)]
    postal_code: Annotated[str, Field(max_length=20)]


class Buyer(_Wire):
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


class Item(_Wire):
    id: Annotated[str, Field(min_length=1, max_length=256)]
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class PaymentProvider(_Wire):
    provider: Literal["stripe"] = "stripe"
    supported_payment_methods: list[Literal["card"]] = ["card"]


class LineItem(_Wire):
    id: str
    item: Item
    base_amount: int
    discount: int
    subtotal: int
    tax: int
    total: int


class Total(_Wire):
    type: TotalType
    display_text: str
    amount: int


class FulfillmentOptionShipping(_Wire):
    type: Literal["shipping"] = "shipping"
    id: str
    title: str
    subtitle: str | None = None
    carrier: str | None = None
    earliest_delivery_time: str | None = None
    latest_delivery_time: str | None = None
    subtotal: int
    tax: int
    total: int


class FulfillmentOptionDigital(_Wire):
    type: Literal["digital"] = "digital"
    id: str
    title: str
    subtitle: str | None = None
    subtotal: int
    tax: int
    total: int


FulfillmentOption = Annotated[
    FulfillmentOptionShipping | FulfillmentOptionDigital, Field(discriminator="type")
]


class MessageInfo(_Wire):
    type: Literal["info"] = "info"
    param: str | None = None
    content_type: Literal["plain", "markdown"] = "plain"
    content: str


class MessageError(_Wire):
    type: Literal["error"] = "error"
    code: MessageCode
    param: str | None = None
    content_type: Literal["plain", "markdown"] = "plain"
    content: str


Message = Annotated[MessageInfo | MessageError, Field(discriminator="type")]


class Link(_Wire):
    type: Literal["terms_of_use", "privacy_policy", "seller_shop_policies"]
    url: str


class PaymentData(_Wire):
    token: Annotated[str, Field(min_length=1, max_length=256)]
    provider: Literal["stripe"] = "stripe"
    billing_address: Address | None = None


class Order(_Wire):
    id: str
    checkout_session_id: str
    permalink_url: str


class CheckoutSession(_Wire):
    id: str
    buyer: Buyer | None = None
    payment_provider: PaymentProvider | None = None
    status: Status
    currency: str
    line_items: list[LineItem]
    fulfillment_address: Address | None = None
    fulfillment_options: list[FulfillmentOption]
    fulfillment_option_id: str | None = None
    totals: list[Total]
    messages: list[Message]
    links: list[Link]
    order: Order | None = None

    def total(self, kind: TotalType = "total") -> int:
        """The amount of one ``totals[]`` entry (0 when absent)."""
        return next((t.amount for t in self.totals if t.type == kind), 0)

    def errors(self) -> list[MessageError]:
        return [m for m in self.messages if isinstance(m, MessageError)]


class CheckoutSessionCreateRequest(_Wire):
    buyer: Buyer | None = None
    items: Annotated[list[Item], Field(min_length=1, max_length=100)]
    fulfillment_address: Address | None = None


class CheckoutSessionUpdateRequest(_Wire):
    buyer: Buyer | None = None
    items: Annotated[list[Item], Field(max_length=100)] | None = None
    fulfillment_address: Address | None = None
    fulfillment_option_id: str | None = None


class CheckoutSessionCompleteRequest(_Wire):
    buyer: Buyer | None = None
    payment_data: PaymentData


class PaymentMethodCard(_Wire):
    type: Literal["card"] = "card"
    card_number_type: Literal["fpan", "network_token"] = "fpan"
    number: Annotated[str, Field(min_length=4, max_length=32)]
    exp_month: Annotated[str, Field(max_length=2)] | None = None
    exp_year: Annotated[str, Field(max_length=4)] | None = None
    name: str | None = None
    cvc: Annotated[str, Field(max_length=4)] | None = None
    cryptogram: str | None = None
    eci_value: Annotated[str, Field(max_length=2)] | None = None
    checks_performed: list[Literal["avs", "cvv", "ani", "auth0"]] | None = None
    iin: Annotated[str, Field(max_length=6)] | None = None
    display_card_funding_type: Literal["credit", "debit", "prepaid"] = "credit"
    display_wallet_type: str | None = None
    display_brand: str | None = None
    display_last4: Annotated[str, Field(max_length=4)] | None = None
    metadata: dict[str, str] = {}
    virtual: bool | None = None


class Allowance(_Wire):
    reason: Literal["one_time"] = "one_time"
    max_amount: Annotated[int, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[a-z]{3}$")]
    checkout_session_id: str
    merchant_id: Annotated[str, Field(max_length=256)]
    expires_at: AwareDatetime  # naive times cannot be compared with the processor's clock


class RiskSignal(_Wire):
    type: Literal["card_testing"] = "card_testing"
    score: int = 0
    action: Literal["blocked", "manual_review", "authorized"] = "authorized"


class DelegatePaymentRequest(_Wire):
    payment_method: PaymentMethodCard
    allowance: Allowance
    billing_address: Address | None = None
    risk_signals: Annotated[list[RiskSignal], Field(min_length=1)] = [RiskSignal()]
    metadata: dict[str, str] = {}


class DelegatePaymentResponse(_Wire):
    id: str
    created: str
    metadata: dict[str, str]


class ErrorBody(_Wire):
    """ACP's flat error: ``{type, code, message, param}``."""

    type: Literal[
        "invalid_request",
        "request_not_idempotent",
        "processing_error",
        "service_unavailable",
        "rate_limit_exceeded",
    ]
    code: str
    message: str
    param: str | None = None
    #: From 2026-04-17, on a refused ``API-Version``: the versions the server speaks.
    supported_versions: list[str] | None = None


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, the form ACP's examples use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the mock's 3-D Secure extension ---------------------------------------------------------


class AuthenticateRequest(_Wire):
    """Body of this mock's ``POST .../checkout_sessions/{id}/authenticate`` (any version)."""

    result: Literal["passed", "failed"]


def expected_prices(items: Sequence[object] | None) -> dict[str, int] | None:
    """The unit prices a request's items say the client expects (first mention wins); items
    of 2025-09-29 have no ``unit_amount``, 2026-04-17's may."""
    prices: dict[str, int] = {}
    for item in items or ():
        amount = getattr(item, "unit_amount", None)
        if amount is not None:
            prices.setdefault(item.id, amount)  # type: ignore[attr-defined]
    return prices or None
