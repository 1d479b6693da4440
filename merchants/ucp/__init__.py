"""The Universal Commerce Protocol (UCP 2026-01-11), one wire protocol over the merchant's model.

Checkout sessions, orders and webhooks for the platform that sent a request (Google's AI Mode and
Gemini check out with UCP), on the same :class:`merchants.merchant.Merchant` an ACP checkout
uses: its catalog and stock, its order book and order events, its order sinks (the ledger). The
REST routes live in :mod:`merchants.http.ucp_routes`; this package knows nothing of HTTP.

Why our own thin models and not ``ucp-sdk``: the SDK's 0.1.0 models are generated per request
and response variant, need ``model_rebuild`` with hand-supplied names before use, and would put
another pinned dependency under every install for what this mock reads of a request (a dozen
fields). The merchant declares only those fields (:mod:`merchants.ucp.requests`, open to the
rest, as UCP's schemas are) and builds its answers as plain JSON; the tests validate every body
against the copied JSON Schemas (``merchants/specs/ucp``), and UCP's conformance suite, which
parses every answer with ``ucp-sdk``, runs against ``agent-checkout serve flower-shop``.
"""

from merchants.ucp.checkout import UcpStore
from merchants.ucp.errors import UcpError
from merchants.ucp.negotiation import Agent, parse_agent
from merchants.ucp.signing import SignatureError, SigningKey
from merchants.ucp.webhooks import PlatformWebhooks

__all__ = [
    "Agent",
    "PlatformWebhooks",
    "SignatureError",
    "SigningKey",
    "UcpError",
    "UcpStore",
    "parse_agent",
]
