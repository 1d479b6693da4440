"""Presales by hand: a deposit checkout, the final payment to the minor unit, a forfeit.

The tiny merchant's lamp (8900, tax 7.25%) is on presale: pay 1000 now, worth 2000 off; the AI
platform funds the 1000 of inflation; a 5% store discount applies at the final payment, on what
the deposit value leaves (6900): 345. The sale: 8900 - 345 - 1000 = 7555 before tax, tax 548
(7.25% of 7555 = 547.74), free shipping (over 7500): total 8103, of which the final payment is
8103 - 1000 = 7103 = 8900 - 2000 - 345 + 548.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, verify_ledger
from merchants import Merchant
from merchants.acp import Allowance, DelegatePaymentRequest, PaymentMethodCard
from merchants.errors import ProtocolError
from merchants.payments import PaymentProcessor
from merchants.presales import PresaleError
from merchants.profile import MerchantProfile
from tests.merchants.checkout_fixtures import NOW, buy_in_process, tiny_catalog

OPENS = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 12, 0, 0, tzinfo=UTC)
PRESALE = {
    "id": "lamp-presale",
    "product": "lamp",
    "deposit": 1000,
    "deposit_value": 2000,
    "funder": "ai_platform",
    "final_payment_starts_at": OPENS,
    "final_payment_ends_at": CLOSES,
}


def _merchant(**presale) -> Merchant:
    profile = MerchantProfile(
        id="tiny",
        name="Tiny",
        platform="shopify",
        tax_rate_bps=725,
        shipping=[
            {
                "id": "standard",
                "title": "Standard",
                "price": 599,
                "min_days": 3,
                "max_days": 7,
                "free_over": 7500,
            },
        ],
        promotions=[{"id": "five-off", "kind": "percentage", "percent_bps": 500}],
        presales=[{**PRESALE, **presale}],
    )
    return Merchant(profile, seed=0, processor=PaymentProcessor(), catalog=tiny_catalog())


def _deposit(merchant: Merchant, deposits: list) -> str:
    merchant.checkout.deposit_sinks.append(deposits.append)
    created, _, done = buy_in_process(merchant, "lamp", NOW)
    assert (created.total(), created.total("items_base_amount"), created.total("tax")) == (
        1000,
        8900,
        0,
    )
    assert any("Presale: pay a $10.00 deposit" in m.content for m in created.messages)
    assert done.status == "completed" and done.order.id == "pre_tiny_0000001"
    assert merchant.catalog.get("lamp").stock == 0  # kept for the buyer
    return done.order.id


def _final_token(merchant: Merchant, deposit, amount: int) -> str:
    return merchant.checkout.processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=amount,
                currency="usd",
                checkout_session_id=deposit.checkout_session_id,
                merchant_id="tiny",
                expires_at=CLOSES,
            ),
        ),
        OPENS,
    ).id


def test_an_inflated_deposit_then_the_final_payment_to_the_minor_unit(tmp_path):
    merchant, deposits, orders = _merchant(), [], []
    merchant.checkout.order_sinks.append(orders.append)
    presale_id = _deposit(merchant, deposits)
    with pytest.raises(ProtocolError) as early:  # the window is not open yet
        merchant.pay_final(presale_id, "vt_none", NOW)
    assert early.value.status == 409
    assert merchant.quote_final(presale_id, OPENS) == 7103
    token = _final_token(merchant, deposits[0], 7103)
    paid = merchant.pay_final(presale_id, token, OPENS)
    assert paid.charge.approved and paid.charge.amount == 7103
    sale = paid.order
    assert (sale.items_amount, sale.discount_amount, sale.shipping_amount, sale.tax_amount) == (
        8900,
        1345,
        0,
        548,
    )
    assert (sale.total_amount, sale.deposit, sale.presale_id) == (8103, 1000, presale_id)
    assert [(d.promotion_id, d.kind, d.funder, d.amount) for d in sale.discounts] == [
        ("five-off", "percentage", "merchant", 345),
        ("lamp-presale", "presale_inflation", "ai_platform", 1000),
    ]
    assert orders == [sale] and merchant.checkout.held == {}

    lines = price_order(sale, [load_fee_model("openai-instant-checkout")])
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.record_deposit(deposits[0], session_id="s0000000")
        ledger.record(sale, lines, session_id="s0000000")
    verdict = verify_ledger(path)
    assert str(verdict) == "ledger balances: 1 orders, 0 refunds, 0 clicks, 1 presales, 11 postings"
    con = duckdb.connect(str(path), read_only=True)
    postings = con.execute(
        "SELECT journal, account, party, amount FROM postings ORDER BY kind, journal, seq"
    ).fetchall()
    events = con.execute(
        "SELECT event, deposit, deposit_value, funder, amount, order_id FROM presales ORDER BY 1"
    ).fetchall()
    con.close()
    order_id = sale.id
    assert postings == [
        (f"{order_id}-d", "ai_platform", "lamp-presale", -1000),
        (f"{order_id}-d", "merchant", "tiny", 1000),
        (order_id, "buyer", "", -8103),
        (order_id, "merchant", "tiny", 7555),
        (order_id, "tax_authority", "", 548),
        (order_id, "merchant", "tiny", -302),  # 4% of 7555 = 302.2
        (order_id, "ai_platform", "openai-instant-checkout", 302),
        (f"{presale_id}-applied", "customer_deposits", "tiny", -1000),
        (f"{presale_id}-applied", "buyer", "", 1000),
        (f"{presale_id}-deposit", "buyer", "", -1000),
        (f"{presale_id}-deposit", "customer_deposits", "tiny", 1000),
    ]
    assert events == [
        ("completed", 1000, 2000, "ai_platform", 7103, order_id),
        ("deposit", 1000, 2000, "ai_platform", 1000, None),
    ]


def test_a_forfeited_deposit_is_the_merchants_and_its_units_return(tmp_path):
    merchant, deposits, forfeits = _merchant(), [], []
    merchant.checkout.forfeit_sinks.append(forfeits.append)
    presale_id = _deposit(merchant, deposits)
    merchant.forfeit_deposit(presale_id, CLOSES, "declined")
    assert merchant.catalog.get("lamp").stock == 1 and merchant.checkout.held == {}
    with pytest.raises(ProtocolError):  # nothing left to pay
        merchant.pay_final(presale_id, "vt_none", OPENS)
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.record_deposit(deposits[0])
        ledger.record_forfeit(forfeits[0])
    assert verify_ledger(path).ok
    con = duckdb.connect(str(path), read_only=True)
    journal = con.execute(
        "SELECT account, party, amount, memo FROM postings WHERE journal LIKE '%-forfeit' "
        "ORDER BY seq"
    ).fetchall()
    held = con.execute(
        "SELECT SUM(amount) FROM postings WHERE account = 'customer_deposits'"
    ).fetchone()[0]
    con.close()
    memo = "presale/lamp-presale forfeited (declined)"
    assert journal == [("customer_deposits", "tiny", -1000, memo), ("merchant", "tiny", 1000, memo)]
    assert held == 0


def test_verify_names_a_deposit_held_without_its_row(tmp_path):
    merchant, deposits = _merchant(), []
    _deposit(merchant, deposits)
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.record_deposit(deposits[0])
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM presales")
    con.close()
    assert str(verify_ledger(path)) == (
        "ledger does not balance: presale deposits held != its deposit and settlement rows "
        "by 1000 (presale pre_tiny_0000001)"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"deposit": 8900, "deposit_value": 9000},
            "presales.0.deposit: $89.00 is not below the price of lamp ($89.00)",
        ),
        (
            {"deposit_value": 9000},
            "presales.0.deposit_value: $90.00 is not below the price of lamp ($89.00)",
        ),
        ({"product": "sofa"}, "presales.0.product: no product 'sofa' in the catalog"),
    ],
)
def test_a_presale_must_cost_less_than_its_product(change, message):
    with pytest.raises(PresaleError) as problem:
        _merchant(**change)
    assert str(problem.value) == message
