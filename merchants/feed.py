"""ACP-style product feed entries: what a merchant publishes and what search returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from merchants.catalog import Product


class FeedProduct(BaseModel):
    """One product as an agent sees it in a feed or a search result."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    description: str
    price: int
    currency: str
    availability: Literal["in_stock", "out_of_stock", "preorder"]
    inventory_quantity: int
    category: str
    brand: str
    rating: float
    review_count: int
    seller_id: str
    seller_name: str
    attributes: dict[str, str] = {}

    @classmethod
    def of(
        cls, product: Product, *, currency: str, seller_id: str, seller_name: str
    ) -> FeedProduct:
        availability = (
            "in_stock"
            if product.stock > 0
            else "preorder"
            if product.allow_backorder
            else "out_of_stock"
        )
        return cls(
            id=product.id,
            title=product.title,
            description=product.description,
            price=product.price,
            currency=currency,
            availability=availability,
            inventory_quantity=max(product.stock, 0),
            category=product.category,
            brand=product.brand,
            rating=product.rating,
            review_count=product.review_count,
            seller_id=seller_id,
            seller_name=seller_name,
            attributes=dict(product.attributes),
        )
