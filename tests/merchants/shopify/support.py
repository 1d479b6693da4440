"""A tiny hand-built Shopify merchant whose every variant and amount can be checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from merchants import Catalog, Merchant, MerchantProfile, PaymentProcessor, Product
from merchants.profile import ShippingProfile
from merchants.shopify import DiscountCode, SalePolicy, ShopifyStorefront

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TEE = "Relaxed Cotton T-Shirt"


def tiny_catalog() -> Catalog:
    def tee(pid: str, color: str, size: str, price: int, stock: int, brand: str = "Acme"):
        return Product(
            pid,
            TEE,
            "A tee.",
            "apparel",
            brand,
            price,
            stock,
            4.5,
            10,
            {"color": color, "size": size},
        )

    return Catalog(
        [
            tee("tee_navy_m", "navy", "m", 2000, 5),
            Product("mug", "Stoneware Mug", "A mug.", "kitchen", "Acme", 1250, 10, 4.6, 120),
            tee("tee_navy_l", "navy", "l", 2200, 0),
            tee("tee_red_m", "red", "m", 2000, 3),
            tee("tee_navy_m_again", "navy", "m", 2100, 2),  # repeats navy/m: a second product
            tee("tee_zed", "navy", "m", 1900, 4, brand="Zed"),  # another vendor: its own product
            Product(
                "print",
                "Preorder Print",
                "A print.",
                "home_decor",
                "Acme",
                1500,
                0,
                4.9,
                3,
                allow_backorder=True,
            ),
        ]
    )


def tiny_merchant(platform: str = "shopify", plan: str = "basic", mid: str = "tiny") -> Merchant:
    profile = MerchantProfile(
        id=mid,
        name="Tiny Goods",
        platform=platform,
        plan=plan,
        tax_rate_bps=725,
        site_url="https://tiny.example",
        shipping=[
            ShippingProfile(id="standard", title="Standard", price=599, min_days=3, max_days=7)
        ],
    )
    return Merchant(profile, seed=0, processor=PaymentProcessor(), catalog=tiny_catalog())


CODES = [
    DiscountCode("PCT15", "percentage", 1_500),
    DiscountCode("SAVE5", "fixed_amount", 500, minimum_subtotal=2_500),
    DiscountCode("ALLOFF", "fixed_amount", 1_000_000),
    DiscountCode(
        "WEEKEND",
        "percentage",
        2_000,
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(hours=1),
    ),
    DiscountCode("ONCE", "percentage", 5_000, usage_limit=1),
]


def tiny_storefront(merchant: Merchant | None = None, **kwargs) -> ShopifyStorefront:
    kwargs.setdefault("discount_codes", CODES)
    kwargs.setdefault("sale", SalePolicy(share_bps=0))
    return ShopifyStorefront(merchant or tiny_merchant(), **kwargs)


class FakeClock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
