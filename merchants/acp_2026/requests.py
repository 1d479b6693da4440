"""ACP 2026-04-17 request bodies, as that version's JSON Schema defines them.

Strict like the schema (``additionalProperties: false`` where it says so). 2026-04-17's ``Item``
has no ``quantity``: each ``line_items[]`` entry is one unit, so repeating an id buys more of it
(the merchant merges repeats into one line with a ``quantity``). Fields this mock accepts but
does not act on (``fulfillment_groups``, ``metadata``, ``risk_signals``, ``intent_trace``, ...)
are typed loosely, so a valid body is never refused for them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchants import acp
from merchants.acp import MAX_QUANTITY
from merchants.affiliates import AffiliateAttribution


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Open(BaseModel):
    """An object the schema leaves open (no ``additionalProperties: false``)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Address(_Strict):
    name: Annotated[str, Field(max_length=256)]
    line_one: Annotated[str, Field(max_length=60)]
    line_two: Annotated[str, Field(max_length=60)] | None = None
    city: Annotated[str, Field(max_length=60)]
    state: str
    country: Annotated[str, Field(min_length=2, max_length=2)]
    postal_code: Annotated[str, Field(max_length=20)]
    company: str | None = None


class Buyer(_Strict):
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str
    phone_number: str | None = None
    customer_id: str | None = None
    account_type: Literal["guest", "registered", "business"] | None = None
    authentication_status: Literal["authenticated", "guest", "requires_signin"] | None = None
    company: dict[str, Any] | None = None
    loyalty: dict[str, Any] | None = None
    tax_exemption: dict[str, Any] | None = None


class Item(_Strict):
    """One unit of a product; ``unit_amount`` is the price the client was shown."""

    id: Annotated[str, Field(min_length=1, max_length=256)]
    name: str | None = None
    unit_amount: Annotated[int, Field(ge=0)] | None = None


LineItems = Annotated[list[Item], Field(min_length=1, max_length=MAX_QUANTITY)]


class FulfillmentDetails(_Strict):
    name: str | None = None
    phone_number: str | None = None
    email: str | None = None
    address: Address | None = None


class SelectedFulfillmentOption(_Strict):
    type: Literal["shipping", "digital", "pickup", "local_delivery"]
    option_id: Annotated[str, Field(min_length=1)]
    item_ids: list[str]


Intervention = Literal["3ds", "biometric", "address_verification"]


class InterventionCapabilities(_Strict):
    supported: list[Intervention] | None = None
    required: list[Literal["3ds", "biometric"]] | None = None
    enforcement: Literal["always", "conditional", "optional"] | None = None
    display_context: Literal["native", "webview", "modal", "redirect"] | None = None
    redirect_context: Literal["in_app", "external_browser", "none"] | None = None
    max_redirects: Annotated[int, Field(ge=0)] | None = None
    max_interaction_depth: Annotated[int, Field(ge=1)] | None = None


class ExtensionDeclaration(_Strict):
    name: Annotated[str, Field(min_length=1)]
    extends: list[str] | None = None
    schema_: Annotated[str | None, Field(alias="schema")] = None
    spec: str | None = None


class PaymentCapability(_Strict):
    handlers: list[dict[str, Any]]


class Capabilities(_Strict):
    """What the agent supports; the merchant answers with what both support."""

    payment: PaymentCapability | None = None
    interventions: InterventionCapabilities | None = None
    extensions: list[str] | list[ExtensionDeclaration] | None = None

    def extension_names(self) -> frozenset[str] | None:
        """The extensions the agent declared (``None``: it did not say)."""
        if self.extensions is None:
            return None
        return frozenset(e if isinstance(e, str) else e.name for e in self.extensions)


class DiscountsRequest(_Strict):
    codes: Annotated[list[Annotated[str, Field(min_length=1)]], Field(max_length=20)] = []


class Credential(_Strict):
    type: str
    token: Annotated[str, Field(min_length=1, max_length=256)]


class Instrument(_Open):
    type: str
    credential: Credential


class PaymentData(_Strict):
    """A handler and the instrument it vaulted (or a B2B purchase order, which this mock's
    merchants do not take: refused with a 400 naming ``purchase_order_number``)."""

    handler_id: str | None = None
    instrument: Instrument | None = None
    billing_address: Address | None = None
    purchase_order_number: str | None = None
    payment_terms: Literal["immediate", "net_15", "net_30", "net_60", "net_90"] | None = None
    due_date: str | None = None
    approval_required: bool | None = None

    @model_validator(mode="after")
    def _handler_or_purchase_order(self) -> PaymentData:
        if (self.handler_id is None or self.instrument is None) and (
            self.purchase_order_number is None
        ):
            raise ValueError("payment_data needs handler_id and instrument")
        return self


class OutcomeDetails(_Strict):
    three_ds_cryptogram: str
    electronic_commerce_indicator: Literal["01", "02", "05", "06", "07"]
    transaction_id: str
    version: str


Outcome = Literal[
    "abandoned",
    "attempt_acknowledged",
    "authenticated",
    "canceled",
    "denied",
    "informational",
    "internal_error",
    "not_supported",
    "processing_error",
    "rejected",
]


class AuthenticationResult(_Strict):
    """The 3-D Secure outcome an agent sends with complete (from delegate authentication)."""

    outcome: Outcome
    outcome_details: OutcomeDetails | None = None

    @model_validator(mode="after")
    def _details_when_authenticated(self) -> AuthenticationResult:
        needs = self.outcome in ("authenticated", "informational", "attempt_acknowledged")
        if needs and self.outcome_details is None:
            raise ValueError(f"outcome {self.outcome!r} needs outcome_details")
        return self

    @property
    def passed(self) -> bool:
        return self.outcome in ("authenticated", "attempt_acknowledged")


class MarketingConsent(_Strict):
    channel: str
    opted_in: bool


OrderNotes = Annotated[str, Field(max_length=5000)]


class CheckoutSessionCreateRequest(_Strict):
    buyer: Buyer | None = None
    line_items: LineItems
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    fulfillment_details: FulfillmentDetails | None = None
    capabilities: Capabilities
    fulfillment_groups: list[dict[str, Any]] | None = None
    affiliate_attribution: AffiliateAttribution | None = None
    coupons: list[str] | None = None
    discounts: DiscountsRequest | None = None
    locale: str | None = None
    timezone: str | None = None
    quote_id: str | None = None
    metadata: dict[str, Any] | None = None
    order_notes: OrderNotes | None = None


class CheckoutSessionUpdateRequest(_Strict):
    buyer: Buyer | None = None
    line_items: Annotated[list[Item], Field(max_length=MAX_QUANTITY)] | None = None
    fulfillment_details: FulfillmentDetails | None = None
    fulfillment_groups: list[dict[str, Any]] | None = None
    selected_fulfillment_options: list[SelectedFulfillmentOption] | None = None
    coupons: list[str] | None = None
    discounts: DiscountsRequest | None = None
    order_notes: OrderNotes | None = None


class CheckoutSessionCompleteRequest(_Strict):
    buyer: Buyer | None = None
    payment_data: PaymentData
    authentication_result: AuthenticationResult | None = None
    affiliate_attribution: AffiliateAttribution | None = None
    risk_signals: dict[str, str] | None = None
    marketing_consents: list[MarketingConsent] | None = None
    order_notes: OrderNotes | None = None


class CancelSessionRequest(_Open):
    """``{intent_trace}``: why the buyer walked away (recorded by nothing in this mock).
    The body is optional: none at all reads as ``{}``."""

    body_optional: ClassVar[bool] = True
    intent_trace: dict[str, Any] | None = None


class CartCreateRequest(_Strict):
    line_items: LineItems
    buyer: Buyer | None = None
    locale: str | None = None


class CartUpdateRequest(_Strict):
    line_items: LineItems
    buyer: Buyer | None = None


class PaymentMethodCard(acp.PaymentMethodCard):
    """2026-04-17 allows IINs of up to 8 digits (ISO/IEC 7812-1)."""

    iin: Annotated[str, Field(max_length=8)] | None = None


class DelegatePaymentRequest(acp.DelegatePaymentRequest):
    """2026-04-17's ``delegate_payment``: ``risk_signals`` may be empty."""

    payment_method: PaymentMethodCard
    risk_signals: list[acp.RiskSignal]
