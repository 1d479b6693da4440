"""Click-out: the shopper follows the agent's link and may buy on the merchant's own site.

The session ends at the click. A share of clickers convert, after a delay drawn from the
session's own stream, by checking out directly with the merchant (the agent is no longer
involved). The order carries its click time, so fee models with a ``purchase_attributed``
trigger (affiliate commission within an attribution window) price it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from agent_checkout.agent.shopper import Shopper
from merchants import Merchant
from merchants.acp import (
    Allowance,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
)
from merchants.payments import PaymentProcessor


def converts(rng: random.Random, rate: float, mean_delay_minutes: float) -> float | None:
    """Seconds until the shopper buys on the merchant's site, or ``None`` if they never do."""
    if rng.random() >= rate:
        return None
    return rng.expovariate(1.0 / (mean_delay_minutes * 60.0))


def buy_direct(
    merchant: Merchant,
    processor: PaymentProcessor,
    shopper: Shopper,
    product_id: str,
    now: datetime,
    before_complete: Callable[[str], None] | None = None,
) -> str | None:
    """The shopper's own checkout on the merchant's site; the order id, or ``None`` if it
    could not be bought (sold out since, or the card declined)."""
    session = merchant.create_checkout(
        CheckoutSessionCreateRequest(
            items=[Item(id=product_id, quantity=shopper.need.quantity)],
            buyer=shopper.buyer,
            fulfillment_address=shopper.address,
        ),
        now,
    )
    if session.status != "ready_for_payment":
        return None
    token = processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=shopper.cards[0],
            allowance=Allowance(
                max_amount=session.total(),
                currency=session.currency,
                checkout_session_id=session.id,
                merchant_id=merchant.id,
                expires_at=now + timedelta(minutes=15),
            ),
        ),
        now,
    )
    if before_complete is not None:
        before_complete(session.id)
    done = merchant.complete_checkout(
        session.id, CheckoutSessionCompleteRequest(payment_data=PaymentData(token=token.id)), now
    )
    return done.order.id if done.order is not None else None
