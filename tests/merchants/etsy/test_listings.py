"""Etsy listings over a hand-made catalog: fields, money shape, states, live stock, shop."""

from __future__ import annotations

import pytest

from merchants import PaymentProcessor, build_merchants, load_profile
from merchants.etsy import TAXONOMY_IDS, EtsyError, EtsyShop, listing_id_of, shop_id_of
from merchants.etsy.listings import parked_state
from merchants.etsy.money import EtsyMoney
from merchants.etsy.shop import shop_name_of
from merchants.etsy.taxonomy import taxonomy_id_of
from merchants.taxonomy import CATEGORIES

from .shop_fixtures import NOW, buy, crafts, northwind

MUG = 7963411658062073  # listing_id of ("crafts", "p0"), pinned so an id change is noticed


def test_a_listing_has_etsy_field_names_and_exact_money():
    shop = EtsyShop(crafts())
    assert shop.listing_id("p0") == listing_id_of("crafts", "p0") == MUG
    assert shop.get_listing(MUG, NOW).wire() == {
        "listing_id": MUG,
        "shop_id": 85137434,
        "title": "Stoneware Mug",
        "description": "A mug.",
        "state": "active",
        "quantity": 5,
        "price": {"amount": 2499, "divisor": 100, "currency_code": "USD"},
        "taxonomy_id": 1002,
        "tags": ["stoneware", "mug", "kitchen", "blue"],
        "skus": ["p0"],
        "url": f"https://crafts.example/listing/{MUG}/stoneware-mug",
        "num_favorers": 374,
        "creation_timestamp": 1737866855,
        "created_timestamp": 1737866855,
        "last_modified_timestamp": 1738724061,
        "updated_timestamp": 1738724061,
        "listing_type": "physical",
        "is_taxable": True,
        "has_variations": False,
        "should_auto_renew": True,
        "who_made": "i_did",
        "when_made": "made_to_order",
        "language": "en-US",
    }


def test_states_follow_seeded_parking_then_stock():
    shop = EtsyShop(crafts())
    states = {
        pid: shop.get_listing(shop.listing_id(pid), NOW).state
        for pid in ("p0", "p1", "p2", "p3", "p4", "p5", "p18", "p22", "p318")
    }
    assert states == {
        "p0": "active",
        "p1": "active",
        "p2": "sold_out",
        "p3": "active",  # no stock, but backorder allowed
        "p4": "active",
        "p5": "active",
        "p18": "inactive",
        "p22": "expired",
        "p318": "draft",  # a draft stays a draft without stock
    }
    assert shop.get_listing(shop.listing_id("p3"), NOW).quantity == 0


def test_parked_share_is_small_and_fixed_by_the_product_id():
    ids = [f"item_{n:05d}" for n in range(5_000)]
    parked = [parked_state(i) for i in ids]
    assert parked == [parked_state(i) for i in ids]
    shares = {s: parked.count(s) / len(ids) for s in ("inactive", "draft", "expired")}
    assert all(0.01 < share < 0.03 for share in shares.values()), shares


def test_quantity_and_state_mirror_stock_live_and_a_sale_updates_the_listing():
    merchant = crafts()
    shop = EtsyShop(merchant)
    lamp = shop.listing_id("p1")
    assert (shop.get_listing(lamp, NOW).quantity, shop.get_listing(lamp, NOW).state) == (
        1,
        "active",
    )
    assert buy(merchant, "p1", 1).status == "completed"
    after = shop.get_listing(lamp, NOW)
    assert (after.quantity, after.state) == (0, "sold_out")
    assert after.updated_timestamp == after.last_modified_timestamp == int(NOW.timestamp())
    assert after.created_timestamp == 1759137772  # creation never moves
    inventory = shop.get_listing_inventory(lamp, NOW).products[0].offerings[0]
    assert (inventory.quantity, inventory.is_enabled) == (0, False)
    merchant.catalog.get("p1").stock = 4  # restocked
    assert shop.get_listing(lamp, NOW).state == "active"
    assert shop.get_listing_inventory(lamp, NOW).products[0].offerings[0].quantity == 4


def test_inventory_is_one_product_with_one_offering():
    shop = EtsyShop(crafts())
    body = shop.get_listing_inventory(MUG, NOW).wire()
    product = body["products"][0]
    assert len(body["products"]) == 1 and product["sku"] == "p0"
    assert product["offerings"] == [
        {
            "offering_id": product["offerings"][0]["offering_id"],
            "price": {"amount": 2499, "divisor": 100, "currency_code": "USD"},
            "quantity": 5,
            "is_enabled": True,
            "is_deleted": False,
        }
    ]
    assert isinstance(product["product_id"], int) and product["product_id"] != MUG
    draft = shop.get_listing_inventory(shop.listing_id("p318"), NOW).products[0].offerings[0]
    assert draft.is_enabled is False


def test_unknown_listing_is_404_and_other_platforms_are_refused():
    shop = EtsyShop(crafts())
    with pytest.raises(EtsyError) as missing:
        shop.get_listing(123, NOW)
    assert missing.value.status == 404
    assert missing.value.body() == {"error": "listing 123 of shop 85137434 not found"}
    with pytest.raises(ValueError, match="'north' is on 'shopify', not etsy"):
        EtsyShop(northwind())
    with pytest.raises(ValueError, match="timezone-aware"):
        shop.get_listing(MUG, NOW.replace(tzinfo=None))


def test_shop_fields_and_live_counts():
    merchant = crafts()
    shop = EtsyShop(merchant)
    before = shop.shop(NOW)
    assert before.shop_id == shop_id_of("crafts") == 85137434
    assert (before.shop_name, before.title, before.url, before.currency_code) == (
        "JuniperAndThread",
        "Juniper & Thread",
        "https://crafts.example/shop/JuniperAndThread",
        "USD",
    )
    assert (before.listing_active_count, before.transaction_sold_count) == (5, 0)
    assert before.review_count == 229
    buy(merchant, "p1", 1)
    after = shop.shop(NOW)
    assert (after.listing_active_count, after.transaction_sold_count) == (4, 1)
    assert after.updated_timestamp == int(NOW.timestamp())


def test_money_shape_taxonomy_and_names():
    assert EtsyMoney.of(123456, "usd") == EtsyMoney(amount=123456, divisor=100, currency_code="USD")
    assert EtsyMoney.of(1500, "jpy") == EtsyMoney(amount=1500, divisor=1, currency_code="JPY")
    assert EtsyMoney.of(1234, "kwd").divisor == 1000
    # Etsy's own ids for the categories Etsy-like shops sell; the rest (phones, beauty, snacks:
    # the markets' categories) hash to stable ids of their own.
    assert set(TAXONOMY_IDS) < set(CATEGORIES)
    assert len({taxonomy_id_of(c) for c in CATEGORIES}) == len(CATEGORIES)
    assert taxonomy_id_of("jewelry") == 1179
    assert taxonomy_id_of("candles") == taxonomy_id_of("candles")
    assert 100_000 <= taxonomy_id_of("candles") < 1_000_000
    assert shop_name_of("Juniper & Thread") == "JuniperAndThread"
    assert shop_name_of("A-B") == "AB00"
    assert shop_name_of("the very long name of a small shop") == "TheVeryLongNameOfASm"


def test_a_generated_catalog_gets_unique_listing_ids():
    merchant = build_merchants(
        [load_profile("juniper-handmade")], seed=7, processor=PaymentProcessor()
    )["juniper"]
    shop = EtsyShop(merchant)
    ids = {shop.listing_id(p.id) for p in merchant.catalog}
    assert len(ids) == len(merchant.catalog) == 240
