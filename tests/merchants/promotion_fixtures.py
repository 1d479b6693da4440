"""Two stores of one marketplace on Nov 11, with promotions whose every amount is checked by hand.

Store ``tmall-a`` sells a ¥199.00 kettle and a ¥59.90 mug, store ``tmall-b`` a ¥129.00 lamp (CNY,
tax included in prices, free shipping). The marketplace runs "every ¥300 off ¥50" across stores;
``tmall-a`` has a ¥20 store coupon from ¥200; the AI platform gives ¥10 of shopping credit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from merchants import Merchant
from merchants.acp import Address, CheckoutSessionCreateRequest, Item
from merchants.catalog import Catalog, Product
from merchants.merchant import marketplace_books
from merchants.payments import PaymentProcessor
from merchants.profile import MerchantProfile
from merchants.promotions import BasketLine

NOW = datetime(2026, 11, 11, 0, 5, tzinfo=UTC)
ADDRESS = Address(
    name="Li Lei",
    line_one="1 Wangjing Street",
    city="Beijing",
    state="BJ",
    country="CN",
    postal_code="100102",
)
SHIPPING = [{"id": "free", "title": "Free delivery", "price": 0, "min_days": 1, "max_days": 3}]
PROMOTIONS_A = [
    {"id": "a-coupon", "kind": "store_coupon", "amount": 2000, "min_spend": 20000},
    {"id": "every-300-off-50", "kind": "threshold", "every": 30000, "amount": 5000},
    {"id": "red-packet", "kind": "credit", "amount": 1000},
]
PROMOTIONS_B = [
    {"id": "B10", "kind": "percentage", "percent_bps": 1000, "code": "B10", "min_spend": 50000},
    {"id": "AI5", "kind": "platform_coupon", "amount": 500, "code": "AI5", "min_spend": 10000},
]

#: The basket's lines at each store, and the codes sent to both stores' sessions.
A_LINES = [BasketLine("tmall-a", "a1", 2, 19900), BasketLine("tmall-a", "a2", 1, 5990)]
B_LINES = [BasketLine("tmall-b", "b1", 1, 12900)]
CODES = ["B10", "nope", "AI5"]


def _product(pid: str, title: str, price: int) -> Product:
    return Product(pid, title, f"A {title.lower()}.", "home_decor", "Acme", price, 10, 4.5, 50)


CATALOGS = {
    "tmall-a": [_product("a1", "Kettle", 19900), _product("a2", "Mug", 5990)],
    "tmall-b": [_product("b1", "Lamp", 12900)],
}


def profile(store: str, promotions: list[dict]) -> MerchantProfile:
    return MerchantProfile.model_validate(
        {
            "id": store,
            "name": store.title(),
            "platform": "shopify",
            "currency": "cny",
            "country": "CN",
            "shipping": SHIPPING,
            "marketplace": "tmall",
            "promotions": promotions,
        }
    )


def two_stores(orders: list | None = None) -> dict[str, Merchant]:
    """Both stores, sharing the marketplace's promotion book and one processor."""
    profiles = [profile("tmall-a", PROMOTIONS_A), profile("tmall-b", PROMOTIONS_B)]
    book = marketplace_books(profiles)["tmall"]
    processor = PaymentProcessor()
    return {
        p.id: Merchant(
            p,
            seed=1,
            processor=processor,
            catalog=Catalog(CATALOGS[p.id], "cny"),
            promotions=book,
            order_sink=orders.append if orders is not None else None,
        )
        for p in profiles
    }


def open_session(merchant: Merchant, items: dict[str, int], **kwargs):
    request = CheckoutSessionCreateRequest(
        items=[Item(id=i, quantity=q) for i, q in items.items()], fulfillment_address=ADDRESS
    )
    return merchant.create_checkout(request, NOW, **kwargs)
