"""A tiny hand-made merchant whose every amount can be checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from merchants import Merchant
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


def buy_in_process(
    merchant: Merchant,
    product_id: str,
    at: datetime,
    *,
    quantity: int = 1,
    address: Address | dict = ADDRESS,
) -> tuple[CheckoutSession, str, CheckoutSession]:
    """Create a checkout, delegate a good card for its total and complete it, all at ``at``;
    the created session, the payment token and the completed session."""
    created = merchant.create_checkout(
        CheckoutSessionCreateRequest(
            items=[Item(id=product_id, quantity=quantity)], fulfillment_address=address
        ),
        at,
    )
    return created, *pay(merchant, created.id, created.total(), at)


def pay(
    merchant: Merchant, session_id: str, amount: int, at: datetime
) -> tuple[str, CheckoutSession]:
    """Delegate a good card for ``amount`` of the merchant's currency and complete the session
    with it at ``at``: the payment token and the completed session."""
    token = merchant.checkout.processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=amount,
                currency=merchant.catalog.currency,
                checkout_session_id=session_id,
                merchant_id=merchant.id,
                expires_at=at + timedelta(minutes=15),
            ),
        ),
        at,
    ).id
    done = merchant.complete_checkout(
        session_id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token)), at
    )
    return token, done
