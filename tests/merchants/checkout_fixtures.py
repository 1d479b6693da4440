"""A tiny hand-made merchant whose every amount can be checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from merchants.acp import Address, Buyer
from merchants.catalog import Catalog, Product
from merchants.checkout import CheckoutService, ShippingRate
from merchants.payments import PaymentProcessor

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
ADDRESS = Address(
    name="Ada Lovelace",
    line_one="1234 Chat Road",
    city="San Francisco",
    state="CA",
    country="US",
    postal_code="94131",
)
BUYER = Buyer(first_name="Ada", last_name="Lovelace", email="ada@example.com")


def tiny_catalog() -> Catalog:
    return Catalog(
        [
            Product("mug", "Stoneware Mug", "A mug.", "kitchen", "Acme", 2499, 5, 4.6, 120),
            Product("lamp", "Brass Lamp", "A lamp.", "home_decor", "Acme", 8900, 1, 4.2, 30),
            Product(
                "pre",
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


def tiny_service(orders: list | None = None, **kwargs) -> CheckoutService:
    return CheckoutService(
        merchant_id="tiny",
        platform="shopify",
        catalog=tiny_catalog(),
        processor=kwargs.pop("processor", PaymentProcessor()),
        shipping=[
            ShippingRate("standard", "Standard", 599, 3, 7, free_over=7500),
            ShippingRate("express", "Express", 1499, 1, 2),
        ],
        tax_rate_bps=725,
        order_sink=orders.append if orders is not None else None,
        **kwargs,
    )
