"""A Shopify-like merchant with declared promotions prices its carts with the checkout's engine:
the cart's totals are the ACP session's, to the fen, and a refused code is a cart warning."""

from __future__ import annotations

from merchants.shopify import ShopifyStorefront
from merchants.shopify.cart_shapes import CartLineInput

from ..promotion_fixtures import NOW, open_session, two_stores


def test_cart_and_checkout_agree_on_the_discounts():
    stores = two_stores()
    storefront = ShopifyStorefront(stores["tmall-b"])
    payload = storefront.cart_create(
        [CartLineInput(merchandise_id="b1", quantity=1)], None, ["AI5", "NOPE"], NOW
    )
    cart = payload.cart
    # 12900 - 500 (AI5, the AI platform's) - 1000 (credit; no threshold without tmall-a lines)
    assert cart.cost.total_amount.amount == "114.00"
    assert [(a.code, a.discounted_amount.amount) for a in cart.discount_allocations] == [
        ("AI5", "5.00"),
        ("red-packet", "10.00"),
    ]
    assert [(c.code, c.applicable) for c in cart.discount_codes] == [
        ("AI5", True),
        ("NOPE", False),
    ]
    assert [(w.code, w.target) for w in payload.warnings] == [("DISCOUNT_NOT_FOUND", "NOPE")]
    session = open_session(stores["tmall-b"], {"b1": 1}, codes=["AI5", "NOPE"])
    assert session.total() == 11400
