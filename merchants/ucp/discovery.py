"""The business profile at ``/.well-known/ucp``: services, capabilities and payment handlers.

Every spec and schema URL it names points at the merchant itself (``{base}/ucp/2026-01-11/...``,
served from the copied specification in ``merchants/specs/ucp``), so a platform or test that
follows them needs no internet. The mock payment handlers (Google Pay, Shop Pay and a test
handler) point at the payment-handler guide and at a small config schema served beside it.
"""

from __future__ import annotations

from typing import Any

from merchants.specs import UCP_VERSION

DOCS = f"/ucp/{UCP_VERSION}"
SHOPPING = "dev.ucp.shopping"

#: (name, spec page, schema, the capability it extends)
CAPABILITIES: tuple[tuple[str, str, str, str | None], ...] = (
    ("dev.ucp.shopping.checkout", "checkout", "schemas/shopping/checkout.json", None),
    (
        "dev.ucp.shopping.fulfillment",
        "fulfillment",
        "schemas/shopping/fulfillment.json",
        "dev.ucp.shopping.checkout",
    ),
    (
        "dev.ucp.shopping.discount",
        "discount",
        "schemas/shopping/discount.json",
        "dev.ucp.shopping.checkout",
    ),
    (
        "dev.ucp.shopping.buyer_consent",
        "buyer-consent",
        "schemas/shopping/buyer_consent.json",
        "dev.ucp.shopping.checkout",
    ),
    (
        "dev.ucp.shopping.ap2_mandate",
        "ap2-mandates",
        "schemas/shopping/ap2_mandate.json",
        "dev.ucp.shopping.checkout",
    ),
    ("dev.ucp.shopping.order", "order", "schemas/shopping/order.json", None),
)
CHECKOUT_CAPABILITIES = tuple(name for name, *_ in CAPABILITIES if name != "dev.ucp.shopping.order")
AP2_CAPABILITY = "dev.ucp.shopping.ap2_mandate"

#: (id, name, config): the payment handlers every UCP merchant here offers.
HANDLERS: tuple[tuple[str, str], ...] = (
    ("google_pay", "com.google.pay"),
    ("shop_pay", "com.shopify.shop_pay"),
    ("mock_payment_handler", "dev.agent_checkout.mock_payment_handler"),
)
HANDLER_IDS = frozenset(handler_id for handler_id, _ in HANDLERS)


def handler_config_schema(handler_id: str) -> dict[str, Any]:
    """The JSON Schema of a mock handler's ``config`` (served at its ``config_schema`` URL)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{handler_id} configuration (agent-checkout mock)",
        "type": "object",
        "additionalProperties": True,
    }


def payment_handlers(base: str, merchant_id: str, merchant_name: str) -> list[dict[str, Any]]:
    """The handlers, with their documents at ``base`` (the server's own URL)."""
    configs: dict[str, dict[str, Any]] = {
        "google_pay": {
            "api_version": 2,
            "merchant_info": {"merchant_id": merchant_id, "merchant_name": merchant_name},
            "allowed_payment_methods": [{"type": "CARD"}],
        },
        "shop_pay": {"shop_id": merchant_id},
        "mock_payment_handler": {"outcomes": "a token a store file marks 'decline' is declined"},
    }
    return [
        {
            "id": handler_id,
            "name": name,
            "version": UCP_VERSION,
            "spec": f"{base}{DOCS}/specification/payment-handler-guide",
            "config_schema": f"{base}{DOCS}/handlers/{handler_id}/config.json",
            "instrument_schemas": [
                f"{base}{DOCS}/source/schemas/shopping/types/card_payment_instrument.json"
            ],
            "config": configs[handler_id],
        }
        for handler_id, name in HANDLERS
    ]


def business_profile(
    base: str,
    endpoint: str,
    merchant_id: str,
    merchant_name: str,
    signing_keys: list[dict[str, str]],
) -> dict[str, Any]:
    """The discovery document of a merchant whose UCP REST endpoint is ``endpoint``, with the
    public keys (JWK) its webhooks and AP2 checkouts are signed with."""
    capabilities = []
    for name, page, schema, extends in CAPABILITIES:
        capability: dict[str, Any] = {
            "name": name,
            "version": UCP_VERSION,
            "spec": f"{base}{DOCS}/specification/{page}",
            "schema": f"{base}{DOCS}/source/{schema}",
        }
        if extends is not None:
            capability["extends"] = extends
        capabilities.append(capability)
    return {
        "ucp": {
            "version": UCP_VERSION,
            "services": {
                SHOPPING: {
                    "version": UCP_VERSION,
                    "spec": f"{base}{DOCS}/specification/overview",
                    "rest": {
                        "schema": f"{base}{DOCS}/source/services/shopping/openapi.json",
                        "endpoint": endpoint,
                    },
                }
            },
            "capabilities": capabilities,
        },
        "payment": {"handlers": payment_handlers(base, merchant_id, merchant_name)},
        "signing_keys": signing_keys,
    }


def checkout_meta(*, ap2: bool = False) -> dict[str, Any]:
    """The ``ucp`` field of every checkout response: the version and active capabilities
    (AP2 mandates only where negotiated)."""
    active = [name for name in CHECKOUT_CAPABILITIES if ap2 or name != AP2_CAPABILITY]
    return {
        "version": UCP_VERSION,
        "capabilities": [{"name": name, "version": UCP_VERSION} for name in active],
    }
