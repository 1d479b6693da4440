"""Which connector speaks a merchant's protocol: the profile's ``protocol`` decides, in process
or over HTTP (the simulation's are :mod:`agent_checkout.sim.simulated_protocols`)."""

from __future__ import annotations

import httpx

from agent_checkout.agent.connectors import Clock, InProcessMerchant, MerchantConnector, wall_clock
from agent_checkout.agent.http_connector import HttpMerchant
from agent_checkout.agent.protocols.acp_2026 import Acp2026Merchant
from agent_checkout.agent.protocols.acp_2026_wire import HttpAcp2026Merchant
from agent_checkout.agent.protocols.ucp import UcpMerchant
from agent_checkout.agent.protocols.ucp_wire import HttpUcpMerchant
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


def http_connector(
    server_url: str,
    merchant_id: str,
    protocol: str,
    *,
    currency: str,
    token: str = "test-token",
    client: httpx.Client | None = None,
) -> MerchantConnector:
    """The HTTP connector that speaks ``protocol`` to merchant ``merchant_id`` of an
    ``agent-checkout serve`` at ``server_url`` (``currency``: what the merchant sells in)."""
    base = f"{server_url.rstrip('/')}/merchants/{merchant_id}"
    if protocol == "acp-2025-09-29":
        return HttpMerchant(base, merchant_id, token=token, client=client)
    if protocol == "acp-2026-04-17":
        return HttpAcp2026Merchant(base, merchant_id, currency=currency, token=token, client=client)
    if protocol == "ucp-2026-01-11":
        return HttpUcpMerchant(
            f"{base}/ucp",
            merchant_id,
            currency=currency,
            search_url=f"{base}/search",
            token=token,
            client=client,
        )
    raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(IN_PROCESS)})")
