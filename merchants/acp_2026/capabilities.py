"""Capability negotiation (ACP 2026-01-30 onward): what a merchant offers, met with what the
agent says it supports.

The merchant answers with the intersection: interventions both support, extensions both
declared, and its payment handlers (narrowed to the agent's, by ``id`` or ``name``, when the
agent lists any). An agent that leaves a part out places no limit on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from merchants.acp_2026.requests import Capabilities

#: The one handler every mock merchant takes: a card vaulted by the processor's
#: ``delegate_payment``, presented as a shared payment token (the spec's example handler).
CARD_HANDLER_ID = "card_tokenized"

DISCOUNT_EXTENSION: dict[str, Any] = {
    "name": "discount",
    "extends": ["$.CheckoutSession.discounts"],
}

#: The interventions the mock merchants can ask for: 3-D Secure only.
INTERVENTIONS: tuple[str, ...] = ("3ds",)


def card_handler(merchant_id: str, psp: str) -> dict[str, Any]:
    """The tokenized-card handler of ``merchant_id``, vaulted at ``psp``."""
    return {
        "id": CARD_HANDLER_ID,
        "name": "dev.acp.tokenized.card",
        "display_name": "Credit Card",
        "version": "2026-01-22",
        "spec": "https://acp.dev/handlers/tokenized.card",
        "requires_delegate_payment": True,
        "requires_pci_compliance": False,
        "psp": psp,
        "config_schema": "https://acp.dev/schemas/handlers/tokenized.card/config.json",
        "instrument_schemas": ["https://acp.dev/schemas/handlers/tokenized.card/instrument.json"],
        "config": {
            "merchant_id": merchant_id,
            "psp": psp,
            "accepted_brands": ["visa", "mastercard", "amex", "discover"],
            "accepted_funding_types": ["credit", "debit", "prepaid"],
            "supports_3ds": True,
        },
        "display_order": 0,
    }


def negotiate(agent: Capabilities | None, merchant_id: str, psp: str) -> dict[str, Any]:
    """The ``capabilities`` a session answers with: the merchant's, met with ``agent``'s.

    Stored on the session at create (as plain JSON), so every later answer repeats it.
    """
    handlers = [card_handler(merchant_id, psp)]
    supported = list(INTERVENTIONS)
    extensions = [DISCOUNT_EXTENSION]
    if agent is not None:
        if agent.payment is not None and agent.payment.handlers:
            named = {h.get(k) for h in agent.payment.handlers for k in ("id", "name")}
            handlers = [h for h in handlers if h["id"] in named or h["name"] in named]
        if agent.interventions is not None and agent.interventions.supported is not None:
            supported = [i for i in supported if i in agent.interventions.supported]
        declared = agent.extension_names()
        if declared is not None:
            extensions = [e for e in extensions if e["name"] in declared]
    return {
        "payment": {"handlers": handlers},
        "interventions": {"supported": supported, "required": [], "enforcement": "conditional"},
        "extensions": extensions,
    }


def handler_ids(capabilities: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(h["id"] for h in capabilities["payment"]["handlers"])
