"""Properties: random orders, fee models and partial refunds keep every journal at zero, never
return more than was paid, and a refund in pieces returns exactly what a full one does."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_checkout.fees import FeeModel, load_fee_model, price_order, refund_lines
from agent_checkout.fees.refund import refundable
from agent_checkout.ledger import Ledger, journal, refund_journal, refund_tax, verify_ledger
from tests.fees.test_properties import ORDER_MODELS, fee_models, orders

RULES = ["refund", "keep", "refund_percentage_keep_fixed"]


@st.composite
def models_with_rules(draw) -> list[FeeModel]:
    """A random model whose components each get a random refund rule, plus some built-ins."""
    model = draw(fee_models())
    components = [
        {**c.model_dump(exclude_none=True), "on_refund": draw(st.sampled_from(RULES))}
        for c in model.components
    ]
    mine = FeeModel.model_validate({**model.model_dump(), "components": components})
    names = draw(st.lists(st.sampled_from(ORDER_MODELS), max_size=3, unique=True))
    return [mine, *(load_fee_model(n) for n in names)]


@st.composite
def refunds(draw, total: int) -> list[int]:
    """Up to four partial refunds that together return at most the total (maybe all of it)."""
    amounts, left = [], total
    for _ in range(draw(st.integers(0, 4))):
        if left <= 0:
            break
        amount = left if draw(st.booleans()) else draw(st.integers(1, left))
        amounts.append(amount)
        left -= amount
    return amounts


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_refund_journals_balance_and_stay_bounded(data):
    models = data.draw(models_with_rules())
    order = data.draw(orders(0))
    lines = price_order(order, models)
    components = {(m.name, c.name): c for m in models for c in m.components}
    returned = [0] * len(lines)
    before = tax_back = 0
    for amount in data.draw(refunds(order.total_amount)):
        reversal = refund_lines(order, lines, amount, models, refunded_before=before)
        tax = refund_tax(order, amount, before)
        postings = refund_journal(order, amount, tax, reversal)
        assert sum(p[2] for p in postings) == 0
        assert all(type(f.amount) is int and f.amount < 0 for f in reversal)
        for line in reversal:
            index = next(
                i
                for i, f in enumerate(lines)
                if (f.model, f.component) == (line.model, line.component)
            )
            returned[index] -= line.amount
        before += amount
        tax_back += tax
    for line, back in zip(lines, returned, strict=True):
        limit = refundable(line, components[(line.model, line.component)])
        assert 0 <= back <= limit <= line.amount
        if 0 < before == order.total_amount:  # refunded in full, in pieces: the whole
            assert back == limit
    assert 0 <= tax_back <= order.tax_amount
    assert before < order.total_amount or tax_back == order.tax_amount
    assert sum(p[2] for p in journal(order, lines)) == 0


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_a_ledger_of_random_refunds_verifies(data):
    models = data.draw(models_with_rules())
    placed = [data.draw(orders(n)) for n in range(data.draw(st.integers(1, 3)))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.duckdb"
        with Ledger(path) as ledger:
            for order in placed:
                lines = price_order(order, models)
                ledger.record(order, lines)
                for amount in data.draw(refunds(order.total_amount)):
                    before = ledger.refunded(order.id)
                    reversal = refund_lines(order, lines, amount, models, refunded_before=before)
                    ledger.record_refund(order, amount, reversal, order.placed_at, "random")
        verdict = verify_ledger(path)
        assert verdict.ok, verdict
