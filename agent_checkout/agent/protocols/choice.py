"""Which connector speaks a merchant's protocol: the profile's ``protocol`` decides."""

from __future__ import annotations

from agent_checkout.agent.connectors import Clock, InProcessMerchant, wall_clock
from agent_checkout.agent.protocols.acp_2026 import Acp2026Merchant
from agent_checkout.agent.protocols.ucp import UcpMerchant
from merchants import Merchant

#: The in-process connector of each protocol a profile may name.
IN_PROCESS: dict[str, type[InProcessMerchant]] = {
    "acp-2025-09-29": InProcessMerchant,
    "acp-2026-04-17": Acp2026Merchant,
    "ucp-2026-01-11": UcpMerchant,
}


def protocol_of(merchant: Merchant) -> str:
    """The protocol the agent uses with ``merchant`` (``acp-2025-09-29`` unless its profile
    says otherwise)."""
    return merchant.profile.protocol


def in_process_connector(merchant: Merchant, clock: Clock = wall_clock) -> InProcessMerchant:
    """The in-process connector that speaks ``merchant``'s protocol."""
    return IN_PROCESS[protocol_of(merchant)](merchant, clock)
