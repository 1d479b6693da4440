"""Affiliate attribution (ACP 2025-12-12) from the checkout request to the ledger: the last
touch is credited, the token never stored, and fee lines can be grouped by publisher."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, verify_ledger
from merchants.acp import (
    Allowance,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
    PaymentMethodCard,
)
from merchants.affiliates import Attribution
from merchants.merchant import Merchant
from merchants.payments import PaymentProcessor
from tests.merchants.checkout_fixtures import ADDRESS, NOW, tiny_catalog
from tests.merchants.test_order_events import PROFILE

AFFILIATE = load_fee_model("affiliate-network")
FIRST = Attribution("impact.com", "pub_a", "camp_spring", touchpoint="first")
LAST = Attribution("impact.com", "pub_b", None, touchpoint="last")


def _orders():
    """Four sales at one merchant: credited to pub_a, pub_b (last touch over pub_a's first),
    pub_b again, and none."""
    merchant = Merchant(PROFILE, seed=1, processor=PaymentProcessor(), catalog=tiny_catalog())
    placed = []
    merchant.checkout.order_sinks.append(placed.append)
    sales = [("mug", 2, FIRST, None), ("mug", 1, FIRST, LAST), ("lamp", 1, None, LAST)]
    sales.append(("mug", 1, None, None))
    for product, quantity, first, last in sales:
        request = CheckoutSessionCreateRequest(
            items=[Item(id=product, quantity=quantity)], fulfillment_address=ADDRESS
        )
        created = merchant.create_checkout(request, NOW, affiliate=first)
        token = merchant.checkout.processor.delegate_payment(
            DelegatePaymentRequest(
                payment_method=PaymentMethodCard(number="4242424242424242"),
                allowance=Allowance(
                    max_amount=created.total(),
                    currency="usd",
                    checkout_session_id=created.id,
                    merchant_id=merchant.id,
                    expires_at=NOW + timedelta(minutes=15),
                ),
            ),
            NOW,
        ).id
        complete = CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token))
        merchant.complete_checkout(created.id, complete, NOW, affiliate=last)
    return placed


def test_the_last_touch_is_credited_on_the_order():
    orders = _orders()
    assert [o.affiliate for o in orders] == [FIRST, LAST, LAST, None]


def test_fee_lines_group_by_affiliate_in_the_ledger(tmp_path):
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="aff", seed=1, currency="usd", fee_models=[AFFILIATE.name])
        for order in _orders():
            ledger.record(order, price_order(order, [AFFILIATE]), channel="affiliate")
    assert verify_ledger(path).ok
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "SELECT o.affiliate_provider, o.affiliate_publisher_id, o.affiliate_campaign_id, "
        "COUNT(DISTINCT o.order_id), SUM(f.base_amount), SUM(f.amount) "
        "FROM orders o JOIN fee_lines f USING (order_id) "
        "GROUP BY ALL ORDER BY 2 NULLS LAST"
    ).fetchall()
    con.close()
    # Items only: mugs are kitchen (4.5%), the lamp home_decor (3%); one rounding per line.
    assert rows == [
        ("impact.com", "pub_a", "camp_spring", 1, 4998, 225),  # 224.91
        ("impact.com", "pub_b", None, 2, 2499 + 8900, 112 + 267),  # 112.455, 267
        (None, None, None, 1, 2499, 112),
    ]


def test_an_older_ledger_reads_without_the_columns(tmp_path):
    path = tmp_path / "old.duckdb"
    order = _orders()[0]
    with Ledger(path) as ledger:
        ledger.start_run(scenario="old", seed=1, currency="usd", fee_models=[AFFILIATE.name])
        ledger.record(order, price_order(order, [AFFILIATE]))
    con = duckdb.connect(str(path))
    for column in ("affiliate_provider", "affiliate_publisher_id", "affiliate_campaign_id"):
        con.execute(f"ALTER TABLE orders DROP COLUMN {column}")
    con.close()
    assert verify_ledger(path).ok  # read-only, through stand-ins
    with Ledger(path) as ledger:  # writing upgrades the file; old rows stay unattributed
        ledger.record(_orders()[1], [])
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute(
        "SELECT order_id, affiliate_publisher_id FROM orders ORDER BY 1"
    ).fetchall() == [("ord_tiny_0000001", None), ("ord_tiny_0000002", "pub_b")]
    con.close()


@pytest.mark.parametrize("missing", ["token", "publisher_id"])
def test_the_request_needs_a_provider_and_a_token_or_publisher(missing):
    from pydantic import ValidationError

    from merchants.affiliates import AffiliateAttribution

    body = {"provider": "impact.com", "token": "atp_secret", "publisher_id": "pub_1"}
    kept = AffiliateAttribution.model_validate({k: v for k, v in body.items() if k != missing})
    assert "atp_secret" not in repr(kept.attribution())
    with pytest.raises(ValidationError, match="needs a token or a publisher_id"):
        AffiliateAttribution.model_validate({"provider": "impact.com"})
