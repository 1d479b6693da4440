"""Affiliate attribution over HTTP (2026-04-17): accepted on create and complete, write-only,
and the order credits the last touch without keeping the token."""

from __future__ import annotations

from merchants.affiliates import Attribution

from .support import Shop, create_body, keyed

SESSIONS = "/merchants/shop/checkout_sessions"
FIRST = {
    "provider": "impact.com",
    "token": "atp_01J8Z3WXYZ9ABC",
    "publisher_id": "pub_123",
    "campaign_id": "camp_summer2026",
    "touchpoint": "first",
    "source": {"type": "url", "url": "https://example.com/product-review"},
    "issued_at": "2026-11-11T11:00:00Z",
    "metadata": {"campaign_type": "influencer", "commission_rate": 0.15},
    "a_future_field": "ignored",
}
LAST = {"provider": "impact.com", "publisher_id": "pub_456", "touchpoint": "last"}


def _buy(shop: Shop, first: dict | None, last: dict | None) -> str:
    created = shop.create_2026(**({} if first is None else {"affiliate_attribution": first}))
    assert "affiliate_attribution" not in created  # write-only
    token = shop.token(created)
    extra = {} if last is None else {"affiliate_attribution": last}
    done = shop.complete_2026(created, token, **extra)
    assert done.json()["status"] == "completed", done.text
    assert "affiliate_attribution" not in done.json()
    return done.json()["order"]["id"]


def test_first_touch_kept_then_last_touch_credited(shop: Shop):
    first_only = shop.merchants["shop"].order(_buy(shop, FIRST, None)).order
    assert first_only.affiliate == Attribution(
        provider="impact.com",
        publisher_id="pub_123",
        campaign_id="camp_summer2026",
        touchpoint="first",
        source_url="https://example.com/product-review",
    )
    assert "atp_" not in repr(first_only)  # the token is a secret: never kept
    both = shop.merchants["shop"].order(_buy(shop, FIRST, LAST)).order
    assert both.affiliate == Attribution("impact.com", "pub_456", touchpoint="last")
    assert shop.merchants["shop"].order(_buy(shop, None, None)).order.affiliate is None


def test_a_bad_attribution_is_400_naming_it(shop: Shop):
    product = shop.product().id
    body = create_body(product, affiliate_attribution={"provider": "impact.com"})
    refused = shop.client.post(SESSIONS, json=body, headers=keyed())
    assert refused.status_code == 400
    assert refused.json()["param"] == "$.affiliate_attribution"
    assert "needs a token or a publisher_id" in refused.json()["message"]
    # 2025-09-29 has no such field: its schema refuses it.
    old_body = {"items": [{"id": product, "quantity": 1}], "affiliate_attribution": LAST}
    old = shop.client.post(SESSIONS, json=old_body)
    assert (old.status_code, old.json()["param"]) == (400, "$.affiliate_attribution")
