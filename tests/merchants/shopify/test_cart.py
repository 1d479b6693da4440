"""The Storefront cart in process: lines, userErrors with Shopify's codes, no stock taken."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchants.acp import CheckoutSessionCreateRequest, Item
from merchants.shopify import (
    CartBuyerIdentityInput,
    CartLineInput,
    CartLineUpdateInput,
    UnknownCart,
)

from .support import NOW, tiny_storefront


def line(variant: str, quantity: int = 1) -> CartLineInput:
    return CartLineInput(merchandise_id=variant, quantity=quantity)


def errors(payload) -> list[tuple[str, list[str]]]:
    return [(e.code, e.field) for e in payload.user_errors]


def test_create_returns_lines_cost_and_checkout_url(store):
    payload = store.cart_create([line("tee_navy_m", 2), line("print", 3)], None, [], NOW)
    cart = payload.cart
    assert payload.user_errors == [] and payload.warnings == []
    assert cart.id == "cart_tiny_0000001"
    assert cart.checkout_url == "https://tiny.example/cart/c/cart_tiny_0000001"
    assert cart.total_quantity == 5
    assert [(li.id, li.merchandise.id, li.quantity) for li in cart.lines] == [
        ("line_1", "tee_navy_m", 2),
        ("line_2", "print", 3),
    ]
    assert cart.lines[0].wire()["cost"] == {
        "amountPerQuantity": {"amount": "20.00", "currencyCode": "USD"},
        "compareAtAmountPerQuantity": None,
        "subtotalAmount": {"amount": "40.00", "currencyCode": "USD"},
        "totalAmount": {"amount": "40.00", "currencyCode": "USD"},
    }
    # 4000 + 4500 = 8500; tax 290 + 326.25 -> 326 = 616
    assert cart.wire()["cost"] == {
        "subtotalAmount": {"amount": "85.00", "currencyCode": "USD"},
        "totalTaxAmount": {"amount": "6.16", "currencyCode": "USD"},
        "totalAmount": {"amount": "91.16", "currencyCode": "USD"},
    }
    assert store.cart(cart.id, NOW) == cart


def test_adding_a_variant_again_merges_into_its_line(store):
    cart_id = store.cart_create([line("mug")], None, [], NOW).cart.id
    cart = store.cart_lines_add(cart_id, [line("mug", 2), line("tee_red_m")], NOW).cart
    assert [(li.id, li.merchandise.id, li.quantity) for li in cart.lines] == [
        ("line_1", "mug", 3),
        ("line_2", "tee_red_m", 1),
    ]


def test_unknown_variant_is_an_invalid_merchandise_line_and_no_cart_is_made(store):
    payload = store.cart_create([line("mug"), line("ghost")], None, [], NOW)
    assert payload.cart is None
    assert errors(payload) == [("INVALID_MERCHANDISE_LINE", ["lines", "1", "merchandiseId"])]
    assert store.cart_create([line("mug")], None, [], NOW).cart.id == "cart_tiny_0000001"


def test_out_of_stock_under_deny_is_not_applicable(store):
    cart_id = store.cart_create([], None, [], NOW).cart.id
    payload = store.cart_lines_add(cart_id, [line("mug"), line("tee_navy_l")], NOW)
    assert errors(payload) == [("MERCHANDISE_NOT_APPLICABLE", ["lines", "1", "merchandiseId"])]
    assert payload.cart.lines == []  # all or nothing: the mug was not added either


def test_more_than_available_under_deny_exceeds_the_maximum(store):
    payload = store.cart_create([line("tee_navy_m", 6)], None, [], NOW)
    assert errors(payload) == [("MAXIMUM_EXCEEDED", ["lines", "0", "quantity"])]
    assert "Only 5" in payload.user_errors[0].message
    cart_id = store.cart_create([line("tee_navy_m", 3)], None, [], NOW).cart.id
    payload = store.cart_lines_add(cart_id, [line("tee_navy_m", 3)], NOW)  # 6 in the line
    assert errors(payload) == [("MAXIMUM_EXCEEDED", ["lines", "0", "quantity"])]
    assert payload.cart.lines[0].quantity == 3


def test_backorder_sells_past_stock_up_to_the_line_maximum():
    store = tiny_storefront(max_line_quantity=100)
    assert store.cart_create([line("print", 100)], None, [], NOW).user_errors == []
    payload = store.cart_create([line("print", 101)], None, [], NOW)
    assert errors(payload) == [("MAXIMUM_EXCEEDED", ["lines", "0", "quantity"])]


def test_bad_quantities_are_invalid(store):
    assert errors(store.cart_create([line("mug", 0)], None, [], NOW)) == [
        ("INVALID", ["lines", "0", "quantity"])
    ]
    cart = store.cart_create([line("mug", 2)], None, [], NOW).cart
    payload = store.cart_lines_update(cart.id, [CartLineUpdateInput(id="line_1", quantity=-1)], NOW)
    assert errors(payload) == [("INVALID", ["lines", "0", "quantity"])]
    assert payload.cart.lines[0].quantity == 2


def test_update_sets_quantities_and_zero_removes(store):
    cart_id = store.cart_create([line("mug", 2), line("tee_red_m")], None, [], NOW).cart.id
    cart = store.cart_lines_update(
        cart_id,
        [
            CartLineUpdateInput(id="line_2", quantity=3),
            CartLineUpdateInput(id="line_1", quantity=0),
        ],
        NOW,
    ).cart
    assert [(li.id, li.quantity) for li in cart.lines] == [("line_2", 3)]
    payload = store.cart_lines_update(cart_id, [CartLineUpdateInput(id="line_2", quantity=4)], NOW)
    assert errors(payload) == [("MAXIMUM_EXCEEDED", ["lines", "0", "quantity"])]


def test_unknown_line_ids_are_invalid_merchandise_lines(store):
    cart_id = store.cart_create([line("mug")], None, [], NOW).cart.id
    payload = store.cart_lines_update(cart_id, [CartLineUpdateInput(id="line_9", quantity=1)], NOW)
    assert errors(payload) == [("INVALID_MERCHANDISE_LINE", ["lines", "0", "id"])]
    payload = store.cart_lines_remove(cart_id, ["line_1", "line_9"], NOW)
    assert errors(payload) == [("INVALID_MERCHANDISE_LINE", ["lineIds", "1"])]
    assert len(payload.cart.lines) == 1
    assert store.cart_lines_remove(cart_id, ["line_1"], NOW).cart.lines == []


def test_a_blank_discount_code_is_missing(store):
    cart_id = store.cart_create([line("mug")], None, ["PCT15"], NOW).cart.id
    payload = store.cart_discount_codes_update(cart_id, ["SAVE5", "  "], NOW)
    assert errors(payload) == [("MISSING_DISCOUNT_CODE", ["discountCodes", "1"])]
    assert [c.code for c in payload.cart.discount_codes] == ["PCT15"]
    assert store.cart_discount_codes_update(cart_id, [], NOW).cart.discount_codes == []


def test_buyer_identity_is_checked_and_merged(store):
    good = CartBuyerIdentityInput(email="ada@example.com", country_code="US")
    cart_id = store.cart_create([], good, [], NOW).cart.id
    payload = store.cart_buyer_identity_update(
        cart_id, CartBuyerIdentityInput(email="nope", phone="555"), NOW
    )
    assert errors(payload) == [
        ("INVALID", ["buyerIdentity", "email"]),
        ("INVALID", ["buyerIdentity", "phone"]),
    ]
    cart = store.cart_buyer_identity_update(
        cart_id, CartBuyerIdentityInput(phone="+14155550100"), NOW
    ).cart
    assert cart.buyer_identity.wire() == {
        "email": "ada@example.com",
        "phone": "+14155550100",
        "countryCode": "US",
    }


def test_a_cart_never_takes_stock(store):
    before = {p.id: p.stock for p in store.catalog}
    cart_id = store.cart_create([line("tee_navy_m", 5), line("mug", 10)], None, [], NOW).cart.id
    store.cart_create([line("tee_navy_m", 5)], None, [], NOW)  # a second cart, same units
    store.cart_lines_update(cart_id, [CartLineUpdateInput(id="line_1", quantity=4)], NOW)
    store.cart_lines_remove(cart_id, ["line_2"], NOW)
    store.cart_discount_codes_update(cart_id, ["PCT15"], NOW)
    assert {p.id: p.stock for p in store.catalog} == before
    assert store.catalog.sold == {}
    # Only ACP complete takes stock; the cart then warns that its line is short.
    session = store.merchant.create_checkout(
        CheckoutSessionCreateRequest(items=[Item(id="tee_navy_m", quantity=2)]), NOW
    )
    assert session.line_items[0].item.id == "tee_navy_m"  # the variant id is the ACP item id
    store.catalog.take({"tee_navy_m": 2})
    payload = store.cart_lines_add(cart_id, [], NOW)
    assert [(w.code, w.target) for w in payload.warnings] == [
        ("MERCHANDISE_NOT_ENOUGH_STOCK", "line_1")
    ]
    store.catalog.take({"tee_navy_m": 3})
    assert [w.code for w in store.cart_lines_add(cart_id, [], NOW).warnings] == [
        "MERCHANDISE_OUT_OF_STOCK"
    ]


def test_carts_expire_ten_days_after_their_last_change(store):
    cart_id = store.cart_create([line("mug")], None, [], NOW).cart.id
    later = NOW + timedelta(days=6)
    store.cart_lines_add(cart_id, [line("mug")], later)
    assert store.cart(cart_id, later + timedelta(days=10) - timedelta(microseconds=1))
    assert store.cart(cart_id, later + timedelta(days=10)) is None
    with pytest.raises(UnknownCart, match="cart_tiny_0000001"):
        store.cart_lines_add(cart_id, [line("mug")], later + timedelta(days=10))


def test_unknown_carts_are_none_or_raise(store):
    assert store.cart("cart_nope", NOW) is None
    with pytest.raises(UnknownCart):
        store.cart_discount_codes_update("cart_nope", [], NOW)
