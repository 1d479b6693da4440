"""An Etsy receipt of a discounted order: ``discount_amt`` and ``subtotal`` are the order's."""

from __future__ import annotations

from merchants.etsy.receipts import receipt_of

from ..checkout_fixtures import pay
from ..promotion_fixtures import A_LINES, CODES, NOW, open_session, two_stores


def test_receipt_shows_the_discount():
    orders: list = []
    stores = two_stores(orders)
    session = open_session(stores["tmall-b"], {"b1": 1}, codes=CODES, companions=A_LINES)
    pay(stores["tmall-b"], session.id, session.total(), NOW)
    receipt = receipt_of(orders[0], 1)
    amounts = (receipt.total_price, receipt.discount_amt, receipt.subtotal, receipt.grandtotal)
    assert [m.amount for m in amounts] == [12900, 1858, 11042, 11042]
