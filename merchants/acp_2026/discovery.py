"""The ACP discovery document (``/.well-known/acp.json``, 2026-04-17): what a merchant speaks,
before any session. Seller-scoped and static; per-session facts (payment handlers) stay in a
session's negotiated ``capabilities``."""

from __future__ import annotations

from typing import Any

from merchants.acp_2026.capabilities import DISCOUNT_EXTENSION, INTERVENTIONS
from merchants.versions import SUPPORTED_VERSIONS, V2026_04_17

DOCUMENTATION_URL = "https://agenticcommerce.dev"
#: How long an agent may cache the document: the spec's recommended minimum.
CACHE_CONTROL = "public, max-age=3600"
#: The services this mock serves (the closed enum of 2026-04-17): ``orders`` is the native
#: order on the session and its webhooks (merchants.native_orders).
SERVICES: tuple[str, ...] = ("checkout", "orders", "delegate_payment", "carts")
#: REST under ``api_base_url``, and the MCP binding at ``{api_base_url}/mcp`` (merchants.mcp).
TRANSPORTS: tuple[str, ...] = ("rest", "mcp")


def discovery_document(
    api_base_url: str,
    currency: str,
    *,
    services: tuple[str, ...] = SERVICES,
    transports: tuple[str, ...] = TRANSPORTS,
) -> dict[str, Any]:
    """The document of one merchant whose ACP routes live under ``api_base_url``."""
    return {
        "protocol": {
            "name": "acp",
            "version": V2026_04_17,
            "supported_versions": list(SUPPORTED_VERSIONS),
            "documentation_url": DOCUMENTATION_URL,
        },
        "api_base_url": api_base_url,
        "transports": list(transports),
        "capabilities": {
            "services": list(services),
            "extensions": [{"name": DISCOUNT_EXTENSION["name"]}],
            "intervention_types": list(INTERVENTIONS),
            "supported_currencies": [currency],
            "supported_locales": ["en-US"],
        },
    }
