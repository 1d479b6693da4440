"""Discounts on the wire: a discounted session validates as 2025-09-29 (``discount`` totals, line
discounts) and as 2026-04-17 (the discount extension: codes, applied with allocations, rejected),
in process and over HTTP, where a 2026-04-17 client sends ``discounts.codes``."""

from __future__ import annotations

from merchants.http import create_app
from merchants.versions import render

from ..promotion_fixtures import A_LINES, CODES, NOW, open_session, two_stores
from .support import FakeClock, keyed

SESSIONS = "/merchants/tmall-b/checkout_sessions"


def test_a_discounted_session_validates_in_both_versions(schemas):
    stores = two_stores()
    session = open_session(stores["tmall-b"], {"b1": 1}, codes=CODES, companions=A_LINES)
    snapshot = stores["tmall-b"].checkout.snapshot(session.id, NOW)
    old = render(snapshot, "2025-09-29")
    schemas.check("CheckoutSession", old)
    assert [(t["type"], t["amount"]) for t in old["totals"]][:3] == [
        ("items_base_amount", 12900),
        ("discount", 1858),
        ("subtotal", 11042),
    ]
    new = render(snapshot, "2026-04-17")
    schemas.check("CheckoutSession", new, bundle="2026-04-17")
    assert new["capabilities"]["extensions"] == [
        {"name": "discount", "extends": ["$.CheckoutSession.discounts"]}
    ]
    assert new["discounts"]["codes"] == CODES
    assert [
        (d["coupon"]["id"], d.get("code"), d["amount"], d["priority"], d["allocations"])
        for d in new["discounts"]["applied"]
    ] == [
        ("every-300-off-50", None, 1138, 3, [{"path": "$.line_items[0]", "amount": 1138}]),
        ("AI5", "AI5", 500, 4, [{"path": "$.line_items[0]", "amount": 500}]),
        ("red-packet", None, 220, 5, [{"path": "$.line_items[0]", "amount": 220}]),
    ]
    assert [(r["code"], r["reason"]) for r in new["discounts"]["rejected"]] == [
        ("nope", "discount_code_invalid"),
        ("B10", "discount_code_minimum_not_met"),
    ]
    assert [(m["type"], m["code"]) for m in new["messages"]] == [
        ("warning", "discount_code_invalid"),
        ("warning", "discount_code_minimum_not_met"),
    ]


def test_a_2026_client_sends_codes_and_replaces_them(make_client):
    stores = two_stores()
    client = make_client(
        create_app(stores, stores["tmall-a"].checkout.processor, clock=FakeClock(NOW))
    )
    body = {
        "line_items": [{"id": "b1"}],
        "currency": stores["tmall-b"].checkout.catalog.currency,
        "capabilities": {},
        "discounts": {"codes": ["ai5", "NOPE"]},
    }
    created = client.post(SESSIONS, json=body, headers=keyed())  # the hook validates the body
    assert created.status_code == 201, created.text
    session = created.json()
    assert [(d["coupon"]["id"], d["amount"]) for d in session["discounts"]["applied"]] == [
        ("AI5", 500),  # no tmall-a lines here: no threshold; credit on what is left
        ("red-packet", 1000),
    ]
    assert [r["code"] for r in session["discounts"]["rejected"]] == ["NOPE"]
    assert next(t["amount"] for t in session["totals"] if t["type"] == "total") == 11400
    cleared = client.post(
        f"{SESSIONS}/{session['id']}", json={"discounts": {"codes": []}}, headers=keyed()
    ).json()
    assert [d["coupon"]["id"] for d in cleared["discounts"]["applied"]] == ["red-packet"]
    assert next(t["amount"] for t in cleared["totals"] if t["type"] == "total") == 11900
    refused = client.post(SESSIONS, json=body)  # 2025-09-29 has no discounts field
    assert refused.status_code == 400
