"""Fixtures for fee tests: orders built from (category, quantity, unit price) lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from merchants.orders import OrderLine, PlacedOrder

AT = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


def build_order(
    lines: list[tuple[str, int, int]],
    *,
    shipping: int = 0,
    tax: int = 0,
    discount: int = 0,
    platform: str = "shopify",
    merchant: str = "m1",
    at: datetime = AT,
    currency: str = "usd",
    order_id: str = "ord_1",
) -> PlacedOrder:
    """A consistent order: ``total = items - discount + shipping + tax``."""
    order_lines = tuple(
        OrderLine(f"p{n}", f"Product {n}", category, qty, price, qty * price, 0)
        for n, (category, qty, price) in enumerate(lines)
    )
    items = sum(line.subtotal for line in order_lines)
    return PlacedOrder(
        id=order_id,
        checkout_session_id=f"cs_{order_id}",
        merchant_id=merchant,
        platform=platform,
        currency=currency,
        lines=order_lines,
        items_amount=items,
        discount_amount=discount,
        shipping_amount=shipping,
        tax_amount=tax,
        total_amount=items - discount + shipping + tax,
        placed_at=at,
        buyer_email="buyer@example.com",
    )


@pytest.fixture
def make_order():
    return build_order
