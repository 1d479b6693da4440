"""The protocol connectors in virtual time: each call is handed to the simulation's seam, as
:class:`~agent_checkout.sim.cosim.SimulatedMerchant` hands an ACP 2025-09-29 call."""

from __future__ import annotations

from agent_checkout.agent.connectors import Clock, InProcessMerchant
from agent_checkout.agent.protocols.acp_2026 import Acp2026Merchant
from agent_checkout.agent.protocols.choice import protocol_of
from agent_checkout.agent.protocols.ucp import UcpMerchant
from agent_checkout.sim.cosim import SimulatedMerchant
from merchants import Merchant


class SimulatedAcp2026Merchant(SimulatedMerchant, Acp2026Merchant):
    """ACP 2026-04-17, served by the simulation."""


class SimulatedUcpMerchant(SimulatedMerchant, UcpMerchant):
    """UCP 2026-01-11, served by the simulation."""


SIMULATED: dict[str, type[InProcessMerchant]] = {
    "acp-2025-09-29": SimulatedMerchant,
    "acp-2026-04-17": SimulatedAcp2026Merchant,
    "ucp-2026-01-11": SimulatedUcpMerchant,
}


def simulated_connector(merchant: Merchant, clock: Clock) -> InProcessMerchant:
    """The simulated connector that speaks ``merchant``'s protocol."""
    return SIMULATED[protocol_of(merchant)](merchant, clock)
