"""Store files: the flower shop loads exactly, and each kind of bad row is one line naming the
file, the row and the field."""

from __future__ import annotations

import shutil

import pytest

from merchants.catalog_files import CatalogFileError
from merchants.profile import PROFILE_DIR, load_profile
from merchants.store_files import (
    Customer,
    DiscountCode,
    PaymentInstrument,
    SavedAddress,
    ShippingPromotion,
    StoreShippingRate,
    load_store,
)

FLOWERS = PROFILE_DIR / "flower-shop"


def test_the_flower_shop_loads_every_file():
    store = load_store(FLOWERS)
    roses = store.catalog.get("bouquet_roses")
    assert (roses.price, roses.stock, roses.attributes) == (
        3500,
        1000,
        {"image_url": "https://example.com/roses.jpg"},
    )
    assert store.catalog.get("gardenias").stock == 0
    assert store.discounts == [
        DiscountCode("10OFF", "percentage", percent_bps=1000, title="10% Off"),
        DiscountCode("WELCOME20", "percentage", percent_bps=2000, title="20% Off"),
        DiscountCode("FIXED500", "fixed_amount", amount=500, title="$5.00 Off"),
    ]
    assert store.promotions == [
        ShippingPromotion(
            "promo_1", "free_shipping", 10000, (), "Free Shipping on orders over $100"
        ),
        ShippingPromotion(
            "promo_2", "free_shipping", None, ("bouquet_roses",), "Free Shipping on Rose Bouquets"
        ),
    ]
    assert store.shipping_rates[1] == StoreShippingRate(
        "exp-ship-us", "US", "express", 1500, "Express Shipping (US)", 1, 2
    )
    assert store.customers[2] == Customer("cust_3", "Jane Doe", "jane.doe@example.com")
    assert store.addresses[1] == SavedAddress(
        "addr_2", "cust_1", "456 Oak Ave", "Metropolis", "NY", "10012", "US"
    )
    assert store.instruments[2] == PaymentInstrument(
        "instr_fail", "card", "Visa", "0000", "fail_token", "mock_payment_handler", "decline"
    )
    assert load_profile("flower-shop").store == str(FLOWERS)


def test_codes_save_what_they_should():
    assert DiscountCode("P", "percentage", percent_bps=1250).saving(1001) == 125  # 125.125
    assert DiscountCode("P", "percentage", percent_bps=1000).saving(25) == 2  # 2.5 half-even
    assert DiscountCode("F", "fixed_amount", amount=500).saving(300) == 300  # capped


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "store"
    shutil.copytree(FLOWERS, folder)
    return folder


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "discounts.csv",
            "code,kind,percent,amount,title\nX,percentage,ten,,\n",
            "discounts.csv: row 2, field percent: 'ten' is not a number of percent",
        ),
        (
            "discounts.csv",
            "code,kind,percent,amount,title\nX,percentage,150,,\n",
            "discounts.csv: row 2, field percent: '150' must be above 0 and at most 100, to 0.01",
        ),
        (
            "discounts.csv",
            "code,kind,percent,amount,title\nX,fixed_amount,,5,\n",
            "discounts.csv: row 2, field amount: '5' must show its decimals (5.00 for 5 USD)",
        ),
        (
            "discounts.csv",
            "code,kind,percent,amount,title\nX,bogof,,,\n",
            "discounts.csv: row 2, field kind: 'bogof' is not one of percentage, fixed_amount",
        ),
        (
            "discounts.csv",
            "code,kind,percent,amount,title\nX,percentage,10,,\nx,percentage,5,,\n",
            "discounts.csv: row 3, field code: duplicate code 'x'",
        ),
        (
            "discounts.csv",
            "code,kind,percnt\nX,percentage,10\n",
            "discounts.csv: row 1, field percnt: unknown column "
            "(known: code, kind, percent, amount, title)",
        ),
        (
            "shipping_rates.csv",
            "id,country,service_level,price,title\nr,USA,standard,5.00,Std\n",
            "shipping_rates.csv: row 2, field country: 'USA' is not an ISO 3166 country code "
            "or 'default'",
        ),
        (
            "shipping_rates.csv",
            "id,country,service_level,price,title\nr,US,standard,5.001,Std\n",
            "shipping_rates.csv: row 2, field price: '5.001' is not an amount "
            "(not an exact usd amount: '5.001')",
        ),
        (
            "shipping_rates.csv",
            "id,country,service_level,title\nr,US,standard,Std\n",
            "shipping_rates.csv: row 1, field price: missing column",
        ),
        (
            "shipping_rates.csv",
            "id,country,service_level,price,title,min_days,max_days\nr,US,std,5.00,S,5,2\n",
            "shipping_rates.csv: row 2, field max_days: 2 is below min_days 5",
        ),
        (
            "promotions.csv",
            "id,kind,min_subtotal,product_ids,title\np,free_shipping,,,\n",
            "promotions.csv: row 2, field min_subtotal: give min_subtotal or product_ids (or both)",
        ),
        (
            "promotions.csv",
            "id,kind,min_subtotal,product_ids,title\np,free_shipping,,tulip_pink,\n",
            "promotions.csv: row 2, field product_ids: no product 'tulip_pink' in products.csv",
        ),
        (
            "customers.csv",
            "id,name,email\nc,Ann,\n",
            "customers.csv: row 2, field email: is required",
        ),
        (
            "customers.csv",
            "id,name,email\nc,Ann,ann.example.com\n",
            "customers.csv: row 2, field email: 'ann.example.com' is not an email address",
        ),
        (
            "addresses.csv",
            "id,customer_id,street_address,city,region,postal_code,country\n"
            "a,cust_9,1 Main,X,Y,1,US\n",
            "addresses.csv: row 2, field customer_id: no customer 'cust_9' in customers.csv",
        ),
        (
            "payment_instruments.csv",
            "id,type,brand,last_digits,token,handler_id,outcome\ni,card,V,1,t,h,maybe\n",
            "payment_instruments.csv: row 2, field outcome: 'maybe' is not one of approve, decline",
        ),
        (
            "payment_instruments.csv",
            "id,type,token,handler_id\ni,card,t,h,extra\n",
            "payment_instruments.csv: row 2: more cells than columns",
        ),
    ],
)
def test_a_bad_row_is_one_line_naming_file_row_and_field(store, file, text, message):
    (store / file).write_text(text)
    with pytest.raises(CatalogFileError) as problem:
        load_store(store)
    assert str(problem.value) == f"{store}/{message}"
    assert "\n" not in str(problem.value)


def test_only_products_are_required(store, tmp_path):
    for name in ("discounts", "promotions", "shipping_rates", "customers", "addresses"):
        (store / f"{name}.csv").unlink()
    loaded = load_store(store)
    assert (loaded.discounts, loaded.shipping_rates, loaded.customers) == ([], [], [])
    (store / "products.csv").unlink()
    with pytest.raises(CatalogFileError, match="products.csv: no such file"):
        load_store(store)
    with pytest.raises(CatalogFileError, match="no such store folder"):
        load_store(tmp_path / "nowhere")


def test_a_scenario_naming_a_bad_store_fails_at_load_in_one_line(store, tmp_path):
    from agent_checkout.sim.scenario import ScenarioError, load_scenario

    profile = (
        (PROFILE_DIR / "flower-shop.yaml").read_text().replace("store: flower-shop", "store: store")
    )
    (tmp_path / "shop.yaml").write_text(profile)
    (store / "customers.csv").write_text("id,name,email\nc,Ann,ann.example.com\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nmerchants: [shop.yaml]\n"
        "arrivals: {process: poisson, rate_per_minute: 1, sessions: 1}\n"
    )
    with pytest.raises(ScenarioError) as problem:
        load_scenario(scenario)
    assert str(problem.value) == (
        f"{scenario}:2: merchants.0: {store}/customers.csv: row 2, field email: "
        "'ann.example.com' is not an email address"
    )
