"""Refunds and clicks in the ledger: balanced journals, exact postings, and verify naming the
first bad order (or click) when a row is tampered with."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from agent_checkout.fees import Click, FeeModel, load_fee_model, price_click, price_order
from agent_checkout.fees import refund_lines as reverse
from agent_checkout.ledger import Ledger, refund_journal, refund_tax, verify_ledger
from tests.ledger.test_order_pricing import AT, ETSY_ORDER, SHOPIFY_ORDER

SHOPIFY_MODELS = [load_fee_model(n) for n in ("openai-instant-checkout", "shopify-basic")]
ETSY_MODELS = [load_fee_model(n) for n in ("openai-instant-checkout", "etsy-standard")]
CPC = [load_fee_model("sponsored-cpc")]
MEMO = "sponsored-cpc/sponsored_click click"
CLICK = Click("juniper", "etsy", "usd", "jewelry", AT - timedelta(minutes=5))


def refund(ledger: Ledger, order, lines, models, amount: int, reason: str = "return") -> str:
    before = ledger.refunded(order.id)
    reversal = reverse(order, lines, amount, models, refunded_before=before)
    return ledger.record_refund(order, amount, reversal, AT + timedelta(days=3), reason)


@pytest.fixture
def ledger_path(tmp_path):
    """Two orders; the Etsy one refunded in two parts (10.00, then the rest); one click."""
    path = tmp_path / "ledger.duckdb"
    shopify_lines = price_order(SHOPIFY_ORDER, SHOPIFY_MODELS)
    etsy_lines = price_order(ETSY_ORDER, ETSY_MODELS)
    with Ledger(path) as ledger:
        ledger.start_run(scenario="hand", seed=1, currency="usd", fee_models=["x"])
        assert ledger.record_click(CLICK, price_click(CLICK, CPC), "s1") == "click-00000001"
        ledger.record(SHOPIFY_ORDER, shopify_lines, session_id="s0")
        ledger.record(ETSY_ORDER, etsy_lines, session_id="s1")
        assert refund(ledger, ETSY_ORDER, etsy_lines, ETSY_MODELS, 1000) == "ord_j_1-r1"
        assert ledger.refunded("ord_j_1") == 1000
        assert refund(ledger, SHOPIFY_ORDER, shopify_lines, SHOPIFY_MODELS, 2000) == "ord_n_1-r1"
    with Ledger(path) as ledger:  # reopened: appends, and knows what was refunded
        assert ledger.refunded("ord_j_1") == 1000
        rest = ETSY_ORDER.total_amount - 1000
        assert refund(ledger, ETSY_ORDER, etsy_lines, ETSY_MODELS, rest) == "ord_j_1-r2"
        with pytest.raises(ValueError, match="order ord_j_1: refund of 1 exceeds what is left"):
            ledger.record_refund(ETSY_ORDER, 1, [], AT, "too much")
    return path


def test_orders_refunds_and_a_click_balance(ledger_path):
    verdict = verify_ledger(ledger_path)
    assert verdict.ok, verdict
    assert str(verdict) == "ledger balances: 2 orders, 3 refunds, 1 clicks, 43 postings"
    con = duckdb.connect(str(ledger_path), read_only=True)
    # Etsy, refunded in full: tax 3.09 all back; the merchant returns 45.59 - 3.09 = 42.50 and
    # gets back 1.70 (4%), 2.76 (transaction), 1.37 (processing less its 25¢): it keeps -0.65
    assert con.execute(
        "SELECT refund_id, amount, tax_amount, fee_reversals, buyer_received FROM refunds "
        "ORDER BY refund_id"
    ).fetchall() == [
        ("ord_j_1-r1", 1000, 68, -128, 1000),  # tax 3.09 x 10/45.59 = 0.6778 -> 0.68
        ("ord_j_1-r2", 3559, 241, -455, 3559),
        ("ord_n_1-r1", 2000, 135, -75, 2000),  # tax 4.71 x 20/69.68 = 1.3519 -> 1.35
    ]
    assert con.execute(
        "SELECT account, SUM(amount) FROM postings WHERE order_id = 'ord_j_1' GROUP BY 1 ORDER BY 1"
    ).fetchall() == [
        ("ai_platform", 0),
        ("buyer", 0),
        ("marketplace", 40),  # the renewal is kept
        ("merchant", -65),  # 36.02 net of the sale, then -42.50 + 1.70 + 2.76 + 1.37
        ("payment_processor", 25),
        ("tax_authority", 0),
    ]
    assert con.execute(
        "SELECT order_id, journal, kind, account, party, amount, memo FROM postings "
        "WHERE kind = 'click' ORDER BY seq"
    ).fetchall() == [
        (None, "click-00000001", "click", "merchant", "juniper", -45, MEMO),
        (None, "click-00000001", "click", "ai_platform", "sponsored-cpc", 45, MEMO),
    ]
    assert con.execute("SELECT SUM(amount) FROM postings").fetchone() == (0,)
    con.close()


def test_refund_journal_splits_tax_once_and_balances():
    lines = price_order(SHOPIFY_ORDER, SHOPIFY_MODELS)
    reversal = reverse(SHOPIFY_ORDER, lines, 3484, SHOPIFY_MODELS)
    tax = refund_tax(SHOPIFY_ORDER, 3484)
    assert tax == 236  # 4.71 / 2 = 2.355 -> 2.36 (half to even)
    postings = refund_journal(SHOPIFY_ORDER, 3484, tax, reversal)
    assert [(p[0], p[2]) for p in postings] == [
        ("buyer", 3484),
        ("merchant", -3248),
        ("tax_authority", -236),
        ("merchant", 130),
        ("ai_platform", -130),
    ]
    assert sum(p[2] for p in postings) == 0
    assert refund_tax(SHOPIFY_ORDER, 3484, refunded_before=3484) == 471 - 236


def _tamper(path, sql: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            "UPDATE refunds SET amount = amount + 100 WHERE refund_id = 'ord_j_1-r2'",
            "refund row != its postings and lines by -100",
        ),
        (
            "UPDATE refund_lines SET amount = amount - 1 WHERE refund_id = 'ord_j_1-r1' "
            "AND component = 'transaction'",
            "refund row != its postings and lines by 1",
        ),
        (
            "UPDATE postings SET amount = amount + 1 WHERE journal = 'ord_j_1-r1' AND seq = 1",
            "refund postings do not sum to zero by 1",
        ),
        (
            "UPDATE refunds SET amount = amount + 5000, buyer_received = buyer_received + 5000 "
            "WHERE refund_id = 'ord_j_1-r2'",
            "refund row != its postings and lines by -5000",
        ),
    ],
)
def test_a_tampered_refund_fails_verify_naming_the_order(ledger_path, sql, problem):
    _tamper(ledger_path, sql)
    verdict = verify_ledger(ledger_path)
    assert not verdict.ok and verdict.order_id == "ord_j_1", verdict
    assert problem in str(verdict) and str(verdict).endswith("(order ord_j_1)")


def test_refunds_beyond_the_order_fail_verify(ledger_path):
    # consistent rows and postings, but the refunds now return more than the buyer paid
    _tamper(
        ledger_path,
        "INSERT INTO refunds SELECT 'ord_n_1-r9', order_id, 9, 6000, 0, 0, 6000, currency, "
        "refunded_at, 'forged' FROM refunds WHERE refund_id = 'ord_n_1-r1';"
        "INSERT INTO postings VALUES ('ord_n_1', 1, 'buyer', '', 6000, 'usd', 'refund', "
        "'ord_n_1-r9', 'refund'), ('ord_n_1', 2, 'merchant', 'northwind', -6000, 'usd', "
        "'refund', 'ord_n_1-r9', 'refund'), ('ord_n_1', 3, 'tax_authority', '', 0, 'usd', "
        "'refund', 'ord_n_1-r9', 'refund')",
    )
    verdict = verify_ledger(ledger_path)
    assert not verdict.ok and verdict.order_id == "ord_n_1"
    assert "refunds exceed what was paid by 1032" in str(verdict)


def test_a_tampered_click_fails_verify_naming_the_click(ledger_path):
    _tamper(ledger_path, "UPDATE click_lines SET amount = 40")
    verdict = verify_ledger(ledger_path)
    assert not verdict.ok and verdict.click_id == "click-00000001" and verdict.order_id is None
    assert str(verdict) == (
        "ledger does not balance: click row != its postings and lines by 5 (click click-00000001)"
    )


def test_record_refund_refuses_bad_lines(tmp_path):
    lines = price_order(SHOPIFY_ORDER, SHOPIFY_MODELS)
    with Ledger(tmp_path / "l.duckdb") as ledger:
        ledger.record(SHOPIFY_ORDER, lines)
        with pytest.raises(ValueError, match="must be a non-positive amount in usd"):
            ledger.record_refund(SHOPIFY_ORDER, 100, lines, AT)
        with pytest.raises(ValueError, match="must be positive"):
            ledger.record_refund(SHOPIFY_ORDER, -5, [], AT)
        assert ledger.refunded(SHOPIFY_ORDER.id) == 0


def test_an_older_ledger_is_read_and_upgraded(tmp_path):
    """A file written before refunds, clicks and the journal column existed."""
    path = tmp_path / "old.duckdb"
    component = {"name": "c", "payee": "ai_platform", "rate_bps": 100}
    model = FeeModel.model_validate(
        {"name": "m", "title": "t", "source": "s", "components": [component]}
    )
    lines = price_order(SHOPIFY_ORDER, [model])
    with Ledger(path) as ledger:
        ledger.start_run(scenario="old", seed=1, currency="usd", fee_models=["m"])
        ledger.record(SHOPIFY_ORDER, lines)
    con = duckdb.connect(str(path))
    con.execute(
        "DROP TABLE refunds; DROP TABLE refund_lines; DROP TABLE clicks; DROP TABLE click_lines;"
        "ALTER TABLE postings DROP COLUMN journal; ALTER TABLE postings DROP COLUMN kind;"
        "ALTER TABLE runs DROP COLUMN pass_through; ALTER TABLE runs DROP COLUMN ranking"
    )
    con.close()
    assert verify_ledger(path).ok  # read-only, through stand-ins
    with Ledger(path) as ledger:  # writing upgrades the file
        ledger.record_refund(SHOPIFY_ORDER, 6968, reverse(SHOPIFY_ORDER, lines, 6968, [model]), AT)
    assert verify_ledger(path).ok
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT DISTINCT journal, kind FROM postings ORDER BY 1").fetchall() == [
        ("ord_n_1", "order"),
        ("ord_n_1-r1", "refund"),
    ]
    assert con.execute("SELECT pass_through, ranking FROM runs").fetchall() == [(None, None)]
    con.close()
