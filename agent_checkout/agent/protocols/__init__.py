"""The agent's connectors for each checkout protocol: ACP 2025-09-29 (the graph's own terms),
ACP 2026-04-17 and UCP 2026-01-11, each in process and over HTTP (the ``*_wire`` modules);
:mod:`~agent_checkout.agent.protocols.choice` picks one by the merchant profile's ``protocol``."""

from agent_checkout.agent.protocols.acp_2026 import Acp2026Merchant
from agent_checkout.agent.protocols.choice import (
    http_connector,
    in_process_connector,
    protocol_of,
)
from agent_checkout.agent.protocols.ucp import UcpMerchant

__all__ = [
    "Acp2026Merchant",
    "UcpMerchant",
    "http_connector",
    "in_process_connector",
    "protocol_of",
]
