"""Capability negotiation: the merchant's offer met with what the agent declares."""

from __future__ import annotations

from datetime import UTC, datetime

from merchants.acp_2026.capabilities import DISCOUNT_EXTENSION, card_handler, negotiate
from merchants.acp_2026.requests import Capabilities
from merchants.authentication import (
    MAX_SESSIONS,
    AuthenticationProvider,
    DelegateAuthenticationCreateRequest,
)


def _agent(**fields) -> Capabilities:
    return Capabilities.model_validate(fields)


def test_an_agent_that_says_nothing_limits_nothing():
    assert negotiate(None, "shop", "stripe") == negotiate(_agent(), "shop", "stripe")
    offer = negotiate(None, "shop", "stripe")
    assert offer["payment"]["handlers"] == [card_handler("shop", "stripe")]
    assert offer["interventions"]["supported"] == ["3ds"]
    assert offer["extensions"] == [DISCOUNT_EXTENSION]


def test_extensions_by_name_or_declaration_and_handlers_by_id_or_name():
    declared = _agent(extensions=[{"name": "discount"}, {"name": "fulfillment"}])
    assert negotiate(declared, "shop", "stripe")["extensions"] == [DISCOUNT_EXTENSION]
    assert negotiate(_agent(extensions=[]), "shop", "stripe")["extensions"] == []
    by_name = _agent(payment={"handlers": [{"name": "dev.acp.tokenized.card"}]})
    assert negotiate(by_name, "shop", "stripe")["payment"]["handlers"] == [
        card_handler("shop", "stripe")
    ]
    no_3ds = _agent(interventions={"supported": ["address_verification"]})
    assert negotiate(no_3ds, "shop", "stripe")["interventions"]["supported"] == []


def test_the_provider_forgets_its_oldest_sessions():
    provider = AuthenticationProvider()
    request = DelegateAuthenticationCreateRequest.model_validate(
        {
            "merchant_id": "shop",
            "payment_method": {
                "type": "card",
                "number": "4242424242424242",
                "exp_month": "12",
                "exp_year": "2030",
                "name": "A",
            },
            "amount": {"value": 1, "currency": "USD"},
        }
    )
    now = datetime(2026, 11, 11, tzinfo=UTC)
    for _ in range(MAX_SESSIONS + 1):
        provider.create(request, now)
    assert len(provider._sessions) == MAX_SESSIONS
    assert "authn_0000001" not in provider._sessions
    assert "authn_0000002" in provider._sessions
