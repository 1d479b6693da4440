"""Fee pass-through: a merchant raises its prices by a share of the fees it pays.

With pass-through 0 fees change nobody's behaviour; above 0 shoppers meet higher prices and
respond through their price sensitivity. A merchant's fee burden is measured by pricing a probe
order of 100.00 (one unit of its most common category, no shipping or tax) under its fee
models; the markup is ``share × burden``, applied to every price and rounded half-even.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from agent_checkout.fees.model import FeeModel, price_order
from merchants import Merchant
from merchants.money import BPS, apply_bps
from merchants.orders import OrderLine, PlacedOrder

PROBE = 10_000  # 100.00 in minor units


def fee_burden_bps(merchant: Merchant, models: Sequence[FeeModel]) -> int:
    """What the merchant pays in fees on a 100.00 order, in basis points of the order."""
    common = Counter(p.category for p in merchant.catalog).most_common(1)
    category = common[0][0] if common else "other"
    probe = PlacedOrder(
        id="probe",
        checkout_session_id="probe",
        merchant_id=merchant.id,
        platform=merchant.profile.platform,
        currency=merchant.catalog.currency,
        lines=(OrderLine("probe", "probe", category, 1, PROBE, PROBE, 0),),
        items_amount=PROBE,
        discount_amount=0,
        shipping_amount=0,
        tax_amount=0,
        total_amount=PROBE,
        placed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    paid = sum(line.amount for line in price_order(probe, list(models)) if line.payer == "merchant")
    return paid * BPS // PROBE


def pass_through(merchant: Merchant, models: Sequence[FeeModel], share: float) -> int:
    """Raise the merchant's prices by ``share`` of its fee burden; returns the markup in bps."""
    markup = round(share * fee_burden_bps(merchant, models))
    if markup:
        for product in merchant.catalog:
            product.price += apply_bps(product.price, markup)
    return markup
