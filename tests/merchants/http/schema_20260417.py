"""The part of ACP 2026-04-17's ``CheckoutSession`` schema this mock's answers can touch.

``shared/specs/acp/2026-04-17`` holds that version's examples only, so the definitions below
were transcribed from the upstream ``spec/2026-04-17/json-schema/schema.agentic_checkout.json``
(agentic-commerce-protocol/agentic-commerce-protocol): same property names, required lists,
enums and ``additionalProperties: false``. Definitions the mock never sends (discounts,
marketing consent, fulfillment groups, ...) are kept as bare objects, and so is
``AuthenticationMetadata``, whose definition was not transcribed.
"""

from __future__ import annotations

from typing import Any

_ANY_OBJECT: dict[str, Any] = {"type": "object"}
_STR: dict[str, Any] = {"type": "string"}
_INT: dict[str, Any] = {"type": "integer"}
_TOTALS = {"type": "array", "items": {"$ref": "#/$defs/Total"}}
_SEVERITY = {"enum": ["info", "low", "medium", "high", "critical"]}
_RESOLUTION = {"enum": ["recoverable", "requires_buyer_input", "requires_buyer_review"]}
_CONTENT_TYPE = {"enum": ["plain", "markdown"]}


def _closed(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required,
    }


def _message(kind: str, codes: list[str] | None) -> dict[str, Any]:
    properties = {
        "type": {"const": kind},
        "severity": _SEVERITY,
        "resolution": _RESOLUTION,
        "param": _STR,
        "content_type": _CONTENT_TYPE,
        "content": _STR,
    }
    required = ["type", "content_type", "content"]
    if codes is not None:
        properties["code"] = {"enum": codes}
        required.insert(1, "code")
    return _closed(properties, required)


SCHEMA_20260417: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "Address": _closed(
            {
                n: _STR
                for n in (
                    "name",
                    "line_one",
                    "line_two",
                    "city",
                    "state",
                    "country",
                    "postal_code",
                    "company",
                )
            },
            ["name", "line_one", "city", "state", "country", "postal_code"],
        ),
        "Buyer": _closed(
            {
                **{
                    n: _STR
                    for n in (
                        "first_name",
                        "last_name",
                        "full_name",
                        "email",
                        "phone_number",
                        "customer_id",
                    )
                },
                "account_type": {"enum": ["guest", "registered", "business"]},
                "authentication_status": {"enum": ["authenticated", "guest", "requires_signin"]},
                "company": _ANY_OBJECT,
                "loyalty": _ANY_OBJECT,
                "tax_exemption": _ANY_OBJECT,
            },
            ["email"],
        ),
        "Capabilities": _closed(
            {
                "payment": _closed({"handlers": {"type": "array"}}, ["handlers"]),
                "interventions": _closed(
                    {
                        "supported": {
                            "type": "array",
                            "items": {"enum": ["3ds", "biometric", "address_verification"]},
                        },
                        "required": {"type": "array", "items": {"enum": ["3ds", "biometric"]}},
                        "enforcement": {"enum": ["always", "conditional", "optional"]},
                        "display_context": _STR,
                        "redirect_context": _STR,
                        "max_redirects": _INT,
                        "max_interaction_depth": _INT,
                    },
                    [],
                ),
                "extensions": {"type": "array"},
            },
            [],
        ),
        "Item": _closed({"id": _STR, "name": _STR, "unit_amount": _INT}, ["id"]),
        "Total": _closed(
            {
                "type": {
                    "enum": [
                        "items_base_amount",
                        "items_discount",
                        "subtotal",
                        "discount",
                        "fulfillment",
                        "tax",
                        "fee",
                        "gift_wrap",
                        "tip",
                        "store_credit",
                        "total",
                        "amount_refunded",
                    ]
                },
                "display_text": _STR,
                "amount": _INT,
                "presentment_amount": _INT,
                "description": _STR,
                "breakdown": {"type": "array"},
            },
            ["type", "display_text", "amount"],
        ),
        "LineItem": _closed(
            {
                "id": _STR,
                "item": {"$ref": "#/$defs/Item"},
                "quantity": {"type": "integer", "minimum": 1},
                "name": _STR,
                "description": _STR,
                "images": {"type": "array", "items": _STR},
                "unit_amount": _INT,
                "disclosures": {"type": "array"},
                "custom_attributes": {"type": "array"},
                "marketplace_seller_details": _ANY_OBJECT,
                "product_id": _STR,
                "sku": _STR,
                "variant_id": _STR,
                "category": _STR,
                "tags": {"type": "array"},
                "weight": _ANY_OBJECT,
                "dimensions": _ANY_OBJECT,
                "availability_status": {
                    "enum": ["in_stock", "low_stock", "out_of_stock", "backorder", "pre_order"]
                },
                "available_quantity": _INT,
                "max_quantity_per_order": _INT,
                "fulfillable_on": _STR,
                "variant_options": {"type": "array"},
                "discount_details": {"type": "array"},
                "tax_exempt": {"type": "boolean"},
                "tax_exemption_reason": _STR,
                "parent_id": _STR,
                "totals": _TOTALS,
            },
            ["id", "item", "quantity", "totals"],
        ),
        "FulfillmentDetails": _closed(
            {
                "name": _STR,
                "phone_number": _STR,
                "email": _STR,
                "address": {"$ref": "#/$defs/Address"},
            },
            [],
        ),
        "FulfillmentOptionShipping": _closed(
            {
                "type": {"const": "shipping"},
                "id": _STR,
                "title": _STR,
                "description": _STR,
                "carrier": _STR,
                "earliest_delivery_time": {"type": "string", "format": "date-time"},
                "latest_delivery_time": {"type": "string", "format": "date-time"},
                "totals": _TOTALS,
            },
            ["type", "id", "title", "totals"],
        ),
        "SelectedFulfillmentOption": _closed(
            {
                "type": {"enum": ["shipping", "digital", "pickup", "local_delivery"]},
                "option_id": _STR,
                "item_ids": {"type": "array", "items": _STR},
            },
            ["type", "option_id", "item_ids"],
        ),
        "MessageInfo": _message("info", None),
        "MessageWarning": _message(
            "warning",
            [
                "low_stock",
                "high_demand",
                "shipping_delay",
                "price_change",
                "expiring_promotion",
                "limited_availability",
                "discount_code_expired",
                "discount_code_invalid",
                "discount_code_already_applied",
                "discount_code_combination_disallowed",
                "discount_code_minimum_not_met",
                "discount_code_user_not_logged_in",
                "discount_code_user_ineligible",
                "discount_code_usage_limit_reached",
            ],
        ),
        "MessageError": _message(
            "error",
            [
                "missing",
                "invalid",
                "out_of_stock",
                "payment_declined",
                "requires_sign_in",
                "requires_3ds",
                "low_stock",
                "quantity_exceeded",
                "coupon_invalid",
                "coupon_expired",
                "minimum_not_met",
                "maximum_exceeded",
                "region_restricted",
                "age_verification_required",
                "approval_required",
                "unsupported",
                "not_found",
                "conflict",
                "rate_limited",
                "expired",
                "intervention_required",
            ],
        ),
        "Link": _closed(
            {
                "type": {
                    "enum": [
                        "terms_of_use",
                        "privacy_policy",
                        "return_policy",
                        "shipping_policy",
                        "contact_us",
                        "about_us",
                        "faq",
                        "support",
                    ]
                },
                "title": _STR,
                "url": {"type": "string", "format": "uri"},
            },
            ["type", "url"],
        ),
        "Order": _closed(
            {
                "type": {"const": "order"},
                "id": _STR,
                "checkout_session_id": _STR,
                "order_number": _STR,
                "client_reference_id": _STR,
                "permalink_url": {"type": "string", "format": "uri"},
                "status": {
                    "enum": [
                        "created",
                        "confirmed",
                        "manual_review",
                        "processing",
                        "shipped",
                        "delivered",
                        "canceled",
                    ]
                },
                "estimated_delivery": _ANY_OBJECT,
                "confirmation": _ANY_OBJECT,
                "support": _ANY_OBJECT,
                "line_items": {"type": "array"},
                "fulfillments": {"type": "array"},
                "adjustments": {"type": "array"},
                "totals": _TOTALS,
            },
            ["id", "checkout_session_id", "permalink_url"],
        ),
        "CheckoutSession": _closed(
            {
                "id": _STR,
                "protocol": _closed(
                    {"version": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}}, ["version"]
                ),
                "capabilities": {"$ref": "#/$defs/Capabilities"},
                "buyer": {"$ref": "#/$defs/Buyer"},
                "status": {
                    "enum": [
                        "incomplete",
                        "not_ready_for_payment",
                        "requires_escalation",
                        "authentication_required",
                        "ready_for_payment",
                        "pending_approval",
                        "complete_in_progress",
                        "completed",
                        "canceled",
                        "in_progress",
                        "expired",
                    ]
                },
                "currency": _STR,
                "presentment_currency": _STR,
                "exchange_rate": {"type": "number"},
                "exchange_rate_timestamp": _STR,
                "locale": _STR,
                "timezone": _STR,
                "line_items": {"type": "array", "items": {"$ref": "#/$defs/LineItem"}},
                "fulfillment_details": {"$ref": "#/$defs/FulfillmentDetails"},
                "fulfillment_options": {
                    "type": "array",
                    "items": {"oneOf": [{"$ref": "#/$defs/FulfillmentOptionShipping"}]},
                },
                "selected_fulfillment_options": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/SelectedFulfillmentOption"},
                },
                "fulfillment_groups": {"type": "array"},
                "totals": _TOTALS,
                "messages": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"$ref": "#/$defs/MessageInfo"},
                            {"$ref": "#/$defs/MessageWarning"},
                            {"$ref": "#/$defs/MessageError"},
                        ]
                    },
                },
                "links": {"type": "array", "items": {"$ref": "#/$defs/Link"}},
                "authentication_metadata": _ANY_OBJECT,
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "expires_at": {"type": "string", "format": "date-time"},
                "continue_url": _STR,
                "metadata": _ANY_OBJECT,
                "quote_id": _STR,
                "quote_expires_at": _STR,
                "discounts": _ANY_OBJECT,
                "marketing_consent_options": {"type": "array"},
                "order": {"$ref": "#/$defs/Order"},
            },
            [
                "id",
                "status",
                "currency",
                "line_items",
                "totals",
                "fulfillment_options",
                "messages",
                "links",
                "capabilities",
            ],
        ),
    },
}
