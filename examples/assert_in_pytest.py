"""Assert on a scenario in pytest: run it small with agent_checkout.run and check exact
figures and the ledger's invariants.

python -m pytest -q examples/assert_in_pytest.py

Fix the seed and the session count and a run is deterministic, so exact expectations are safe;
the ledger's tables come as Arrow, so a check can total them without pandas.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import agent_checkout as ac


@pytest.fixture(scope="module")
def quickstart() -> ac.Run:
    return ac.run("quickstart", seed=7, sessions=300)


def test_every_order_is_in_the_ledger(quickstart):
    assert quickstart.orders.num_rows == quickstart.summary.orders


def test_fees_in_the_ledger_add_up_to_the_summary(quickstart):
    assert sum(quickstart.fee_lines.column("amount").to_pylist()) == quickstart.summary.fees_total


def test_nothing_went_wrong(quickstart):
    assert quickstart.summary.unhandled_errors == 0
    assert quickstart.summary.oversells == 0


def test_the_ai_platform_takes_four_percent_of_each_sale(quickstart):
    sales = quickstart.sql("SELECT items_amount + shipping_amount AS sale FROM orders")
    # 4% of items + shipping, rounded half-even to the cent once per order (Fraction rounds so)
    expected = sum(round(Fraction(sale * 4, 100)) for sale in sales.column("sale").to_pylist())
    assert quickstart.summary.fees.ai_platform == expected
