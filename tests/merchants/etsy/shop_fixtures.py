"""A tiny hand-made Etsy merchant whose every listing, state and amount can be checked by hand.

Product ids were picked for their seeded states: ``p18`` is inactive, ``p22`` expired and
``p318`` a draft; every ``p0``-``p5`` is left to its stock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from merchants import Catalog, Merchant, PaymentProcessor, Product
from merchants.acp import (
    Address,
    Allowance,
    Buyer,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
    PaymentMethodCard,
)
from merchants.orders import OrderLine, PlacedOrder
from merchants.profile import MerchantProfile, ShippingProfile

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)

PROFILE = MerchantProfile(
    id="crafts",
    name="Juniper & Thread",
    platform="etsy",
    tax_rate_bps=725,
    site_url="https://crafts.example",
    shipping=[
        ShippingProfile(
            id="standard", title="Standard", price=450, min_days=4, max_days=9, free_over=3500
        )
    ],
)
SHOPIFY = PROFILE.model_copy(update={"id": "north", "name": "Northwind", "platform": "shopify"})


def products() -> list[Product]:
    return [
        Product(
            "p0", "Stoneware Mug", "A mug.", "kitchen", "Acme", 2499, 5, 4.6, 120, {"color": "blue"}
        ),
        Product("p1", "Brass Lamp", "A lamp.", "home_decor", "Acme", 8900, 1, 4.2, 30),
        Product("p2", "Silver Ring", "A ring.", "jewelry", "Acme", 3800, 0, 4.8, 12),
        Product(
            "p3",
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
        Product("p4", "Walnut Cutting Board", "A board.", "kitchen", "Acme", 4500, 3, 4.5, 40),
        Product("p5", "Cotton Beanie", "A beanie.", "apparel", "Acme", 1999, 10, 4.0, 8),
        Product("p18", "Enamel Mug", "Another mug.", "kitchen", "Acme", 1200, 4, 4.1, 9),
        Product("p22", "Glass Vase", "A vase.", "home_decor", "Acme", 3000, 2, 4.3, 5),
        Product("p318", "Felt Puzzle", "A puzzle.", "toys", "Acme", 2200, 0, 4.7, 2),
    ]


def crafts(processor: PaymentProcessor | None = None) -> Merchant:
    return Merchant(
        PROFILE, seed=0, processor=processor or PaymentProcessor(), catalog=Catalog(products())
    )


def northwind() -> Merchant:
    return Merchant(SHOPIFY, seed=0, processor=PaymentProcessor(), catalog=Catalog(products()))


def placed_order(
    order_id: str = "ord_crafts_0000001", merchant_id: str = "crafts", platform: str = "etsy"
) -> PlacedOrder:
    """2 mugs at 24.99 and 1 lamp at 89.00, 5.00 off, 4.50 shipping, 7.25% tax."""
    lines = (
        OrderLine("p0", "Stoneware Mug", "kitchen", 2, 2499, 4998, 362),
        OrderLine("p1", "Brass Lamp", "home_decor", 1, 8900, 8900, 645),
    )
    return PlacedOrder(
        id=order_id,
        checkout_session_id="cs_crafts_0000001",
        merchant_id=merchant_id,
        platform=platform,
        currency="usd",
        lines=lines,
        items_amount=13898,
        discount_amount=500,
        shipping_amount=450,
        tax_amount=1007,
        total_amount=14855,
        placed_at=NOW,
        buyer_email="ada@example.com",
    )


def buy(merchant: Merchant, product_id: str, quantity: int, now: datetime = NOW) -> CheckoutSession:
    """A real ACP checkout of one line, paid with a test card: returns the completed session."""
    session = merchant.create_checkout(
        CheckoutSessionCreateRequest(
            items=[Item(id=product_id, quantity=quantity)],
            buyer=Buyer(first_name="Ada", last_name="Lovelace", email="ada@example.com"),
            fulfillment_address=Address(
                name="Ada Lovelace",
                line_one="1234 Chat Road",
                city="San Francisco",
                state="CA",
                country="US",
                postal_code="94131",
            ),
        ),
        now,
    )
    token = merchant.checkout.processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=session.total(),
                currency="usd",
                checkout_session_id=session.id,
                merchant_id=merchant.id,
                expires_at=now + timedelta(minutes=15),
            ),
        ),
        now,
    ).id
    return merchant.complete_checkout(
        session.id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)), now
    )
