"""Hand-built offers for ranking and policy tests: prices and ratings chosen to be checked."""

from __future__ import annotations

from merchants.feed import FeedProduct


def offer(seller: str, pid: str, price: int, rating: float, availability="in_stock"):
    return FeedProduct(
        id=pid,
        title=f"Skillet {pid}",
        description="",
        price=price,
        currency="usd",
        availability=availability,
        inventory_quantity=5,
        category="kitchen",
        brand="b",
        rating=rating,
        review_count=10,
        seller_id=seller,
        seller_name=seller.title(),
    )


# search order per merchant: northwind then juniper, as the graph merges them
OFFERS = [
    offer("northwind", "nw-1", 4_000, 4.5),
    offer("northwind", "nw-2", 6_000, 4.8),
    offer("juniper", "jp-1", 5_000, 4.6),
    offer("juniper", "jp-2", 9_000, 4.9),
]
