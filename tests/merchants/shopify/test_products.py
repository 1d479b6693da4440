"""Products with variants: grouping, option values and every variant field, on a tiny catalog."""

from __future__ import annotations

import pytest

from merchants import Merchant, PaymentProcessor, load_profile
from merchants.shopify import MoneyV2, SalePolicy, ShopifyStorefront
from merchants.shopify.moneyv2 import decimal_string

from .support import NOW, TEE, tiny_merchant, tiny_storefront


def test_catalog_products_are_grouped_by_title_brand_and_category(store):
    products = store.products(NOW)
    assert [(p.handle, [v.id for v in p.variants]) for p in products] == [
        ("relaxed-cotton-t-shirt", ["tee_navy_m", "tee_navy_l", "tee_red_m"]),
        ("stoneware-mug", ["mug"]),
        ("relaxed-cotton-t-shirt-2", ["tee_navy_m_again"]),  # navy/m again: a new product
        ("relaxed-cotton-t-shirt-3", ["tee_zed"]),  # another vendor
        ("preorder-print", ["print"]),
    ]
    assert [p.id for p in products] == [f"tiny_product_0000{n}" for n in range(1, 6)]


def test_a_product_has_options_price_range_and_inventory(store):
    tee = store.product("relaxed-cotton-t-shirt", NOW).wire()
    assert tee["title"] == TEE and tee["vendor"] == "Acme" and tee["productType"] == "apparel"
    assert tee["onlineStoreUrl"] == "https://tiny.example/products/relaxed-cotton-t-shirt"
    assert tee["options"] == [
        {"name": "Color", "optionValues": [{"name": "navy"}, {"name": "red"}]},
        {"name": "Size", "optionValues": [{"name": "m"}, {"name": "l"}]},
    ]
    assert tee["priceRange"] == {
        "minVariantPrice": {"amount": "20.00", "currencyCode": "USD"},
        "maxVariantPrice": {"amount": "22.00", "currencyCode": "USD"},
    }
    assert tee["availableForSale"] is True and tee["totalInventory"] == 8
    assert store.product("no-such-thing", NOW) is None


def test_variant_fields_use_storefront_names(store):
    navy_l = store.product("relaxed-cotton-t-shirt", NOW).wire()["variants"][1]
    assert navy_l == {
        "id": "tee_navy_l",
        "title": "navy / l",
        "sku": "TEE-NAVY-L",
        "price": {"amount": "22.00", "currencyCode": "USD"},
        "compareAtPrice": None,
        "availableForSale": False,
        "quantityAvailable": 0,
        "currentlyNotInStock": False,
        "inventoryPolicy": "DENY",
        "selectedOptions": [{"name": "Color", "value": "navy"}, {"name": "Size", "value": "l"}],
        "product": {"id": "tiny_product_00001", "handle": "relaxed-cotton-t-shirt", "title": TEE},
    }


def test_a_backorder_variant_continues_selling_when_out_of_stock(store):
    variant = store.variant("print", NOW)
    assert (
        variant.inventory_policy,
        variant.available_for_sale,
        variant.currently_not_in_stock,
        variant.quantity_available,
    ) == ("CONTINUE", True, True, 0)
    assert variant.title == "Default Title"
    assert [(o.name, o.value) for o in variant.selected_options] == [("Title", "Default Title")]
    assert store.variant("nope", NOW) is None


def test_variants_read_stock_live(store):
    store.catalog.take({"print": 3, "tee_red_m": 3})
    assert store.variant("print", NOW).quantity_available == -3  # oversold backorder, as Shopify
    red = store.variant("tee_red_m", NOW)
    assert (red.available_for_sale, red.quantity_available) == (False, 0)


def test_compare_at_price_is_a_deterministic_markup():
    store = tiny_storefront(sale=SalePolicy(share_bps=10_000, markups_bps=(2_500,)))
    # 1250 + apply_bps(1250, 2500) = 1250 + 312.5, rounded half-even to 312
    assert store.variant("mug", NOW).compare_at_price == MoneyV2(
        amount="15.62", currency_code="USD"
    )
    assert store.products_view.compare_at("mug") == 1250 + 312


def test_the_default_sale_share_is_about_a_fifth_and_stable():
    merchant = Merchant(load_profile("northwind-outfitters"), seed=7, processor=PaymentProcessor())
    first = ShopifyStorefront(merchant).products(NOW)
    on_sale = [v for p in first for v in p.variants if v.compare_at_price is not None]
    assert len(on_sale) == 58  # of 320, with share_bps 2000
    assert all(v.compare_at_price.minor > v.price.minor for v in on_sale)
    again = ShopifyStorefront(merchant).products(NOW)
    assert [p.wire() for p in again] == [p.wire() for p in first]


def test_only_shopify_merchants_have_a_storefront():
    with pytest.raises(ValueError, match="tiny.*etsy, not shopify"):
        ShopifyStorefront(tiny_merchant(platform="etsy"))


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1234, "usd", "12.34"),
        (5, "usd", "0.05"),
        (-5, "usd", "-0.05"),
        (0, "usd", "0.00"),
        (1200, "jpy", "1200"),
        (1234, "kwd", "1.234"),
    ],
)
def test_money_strings_are_exact(minor, currency, text):
    assert decimal_string(minor, currency) == text
    money = MoneyV2.of(minor, currency)
    assert money.currency_code == currency.upper() and money.minor == minor
