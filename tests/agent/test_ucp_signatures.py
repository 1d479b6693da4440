"""The platform verifies what a UCP business signs: webhooks by ``Request-Signature``, AP2
checkouts by ``ap2.merchant_authorization``; a bad signature ends the session with that merchant."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent_checkout.agent.connectors import InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.http_connector import HttpPayments
from agent_checkout.agent.protocols import in_process_connector
from agent_checkout.agent.protocols.ucp_wire import HttpUcpMerchant
from agent_checkout.agent.ucp_signatures import BusinessSignatures, UcpSignatureInvalid
from merchants import Merchant, PaymentProcessor
from merchants.http import create_app
from merchants.ucp.signing import SigningKey, b64url_decode
from merchants.ucp.webhooks import PlatformWebhooks

from .scripted import NOW, PROFILE, Picky, lamps

GRAPH = build_checkout_graph()
KEY = SigningKey.generate("shop-2026")
PROFILE_JSON = {"signing_keys": [KEY.public_jwk()]}
BODY = b'{"event_type":"order_placed","order":{"totals":[{"type":"total","amount":2599}]}}'
BAD_TOTAL = (
    "merchant shop: ap2.merchant_authorization invalid: signature by kid 'shop-2026' "
    "does not match the content"
)


def ap2_platform(url: str) -> dict[str, Any]:
    """Every platform profile the merchant fetches lists checkout and AP2 mandates."""
    names = ("dev.ucp.shopping.checkout", "dev.ucp.shopping.ap2_mandate")
    return {"ucp": {"capabilities": [{"name": n, "version": "2026-01-11"} for n in names]}}


def test_a_webhook_verifies_by_kid_and_one_cent_or_an_unknown_kid_fails():
    business = BusinessSignatures.from_profile("shop", PROFILE_JSON)
    signature = KEY.sign_webhook(BODY)
    assert business.verify_webhook(BODY, {"request-signature": signature})["kid"] == "shop-2026"
    with pytest.raises(UcpSignatureInvalid, match="^merchant shop: webhook Request-Signature"):
        business.verify_webhook(BODY.replace(b"2599", b"2598"), {"Request-Signature": signature})
    stranger = SigningKey.generate("other-2026").sign_webhook(BODY)
    with pytest.raises(UcpSignatureInvalid, match="kid 'other-2026' is not among"):
        business.verify_webhook(BODY, {"Request-Signature": stranger})
    with pytest.raises(UcpSignatureInvalid, match="has no Request-Signature header"):
        business.verify_webhook(BODY, {})
    empty = BusinessSignatures.from_profile("shop", {"ucp": {}})
    with pytest.raises(UcpSignatureInvalid, match="kid 'shop-2026' is not among"):
        empty.verify_webhook(BODY, {"Request-Signature": signature})


def test_a_checkout_verifies_and_a_tampered_total_names_the_merchant():
    checkout = {"id": "cs_1", "totals": [{"type": "total", "amount": 2599}]}
    signed = checkout | {"ap2": {"merchant_authorization": KEY.sign_checkout(checkout)}}
    business = BusinessSignatures.from_profile("shop", PROFILE_JSON)
    assert business.verify_checkout(signed) == {"alg": "ES256", "kid": "shop-2026"}
    tampered = signed | {"totals": [{"type": "total", "amount": 2598}]}
    with pytest.raises(UcpSignatureInvalid, match=f"^{BAD_TOTAL}$"):
        business.verify_checkout(tampered)


class TamperedTotal(HttpUcpMerchant):
    """A man in the middle who takes a cent off every updated checkout's total."""

    def _send_update(self, session_id: str, body: dict, now) -> dict:
        view = super()._send_update(session_id, body, now)
        view["totals"][-1]["amount"] -= 1
        return view


def shop_over_http(
    connector: type[HttpUcpMerchant] = HttpUcpMerchant,
) -> tuple[Merchant, list, AgentContext, PlatformWebhooks]:
    processor = PaymentProcessor()
    profile = PROFILE.model_copy(update={"protocol": "ucp-2026-01-11"})
    shop = Merchant(profile, seed=1, processor=processor, catalog=lamps())
    orders: list = []
    shop.checkout.order_sinks.append(orders.append)
    posted: list[tuple[str, bytes, dict]] = []
    webhooks = PlatformWebhooks(
        ap2_platform, lambda *sent: posted.append(sent), background=False, backoff=0.0
    )
    client = TestClient(create_app({"shop": shop}, processor, ucp_webhooks=webhooks))
    base = "http://testserver/merchants/shop"
    merchant = connector(
        f"{base}/ucp", "shop", currency="usd", search_url=f"{base}/search", client=client
    )
    context = AgentContext(
        merchants={"shop": merchant},
        payments=HttpPayments("http://testserver/psp", client=client),
        shopper=Picky(),
        sleep=lambda seconds: None,
    )
    return shop, orders, context, webhooks


def test_under_ap2_the_agent_verifies_every_checkout_and_completes_with_a_mandate():
    shop, orders, context, _ = shop_over_http()
    merchant = context.merchants["shop"]
    completes: list[dict] = []

    def keep_complete(request) -> None:
        if request.url.path.endswith("/complete"):
            completes.append(json.loads(request.read()))

    merchant.client.event_hooks["request"].append(keep_complete)
    state = GRAPH.invoke({}, context=context)
    assert state["outcome"] == "purchased"
    assert [order.id for order in orders] == ["ucp_ord_shop_0000001"]
    assert merchant._ap2_views == {}  # the completed session's view is let go
    published = merchant.client.get("http://testserver/merchants/shop/.well-known/ucp").json()
    assert merchant._signatures.signing_keys == published["signing_keys"]
    # The mandate: the platform's compact JWS over the checkout it verified, signature included.
    (complete,) = completes
    _, payload, _ = complete["ap2"]["checkout_mandate"].split(".")
    mandated = json.loads(b64url_decode(payload))
    assert mandated["id"] == orders[0].checkout_session_id
    assert mandated["totals"][-1] == {"type": "total", "amount": orders[0].total_amount}
    business = BusinessSignatures.from_profile("shop", published)
    assert business.verify_checkout(mandated)["kid"] == "shop-2026"


def test_keys_read_before_a_rotation_are_read_again_once():
    shop, orders, context, _ = shop_over_http()
    merchant = context.merchants["shop"]
    fetches: list[str] = []
    merchant.client.event_hooks["request"].append(
        lambda request: (
            fetches.append(request.url.path)
            if request.url.path.endswith("/.well-known/ucp")
            else None
        )
    )
    merchant._signatures = BusinessSignatures(
        "shop", [SigningKey.generate("shop-2026").public_jwk()]
    )
    state = GRAPH.invoke({}, context=context)
    assert state["outcome"] == "purchased"
    assert fetches == ["/merchants/shop/.well-known/ucp"]


def test_a_tampered_total_ends_the_session_with_that_merchant():
    shop, orders, context, _ = shop_over_http(TamperedTotal)
    state = GRAPH.invoke({}, context=context)
    assert (state["outcome"], state["detail"]) == ("merchant_unavailable", BAD_TOTAL)
    assert orders == []


def test_in_process_checkouts_carry_no_ap2_and_are_not_checked():
    shop = Merchant(
        PROFILE.model_copy(update={"protocol": "ucp-2026-01-11"}),
        seed=1,
        processor=PaymentProcessor(),
        catalog=lamps(),
    )
    connector = in_process_connector(shop, lambda: NOW)
    state = GRAPH.invoke(
        {},
        context=AgentContext(
            merchants={"shop": connector},
            payments=InProcessPayments(shop.checkout.processor, lambda: NOW),
            shopper=Picky(),
            clock=lambda: NOW,
            sleep=lambda seconds: None,
        ),
    )
    assert state["outcome"] == "purchased"
    assert connector._signatures is None and connector._ap2_views == {}
