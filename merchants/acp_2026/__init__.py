"""ACP 2026-04-17 on the wire: its request bodies, capability negotiation, the checkout
operations over the one internal checkout, carts and the discovery document.

Sessions are rendered for this version by :mod:`merchants.versions`. Import the submodules
directly; this package imports nothing, so :mod:`merchants.versions` may use
:mod:`merchants.acp_2026.capabilities` without a cycle.
"""
