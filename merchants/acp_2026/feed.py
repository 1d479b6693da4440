"""The ACP 2026-04-17 product feed: ``Product`` records and ``FeedMetadata``, as
``schema.feed.json`` defines them, and a merchant's catalog exported in that shape.

The Feed API is a push model: the agent hosts ``/feeds``, the merchant creates a feed there and
upserts its products (or hands over ``metadata.json`` and ``products.jsonl`` for file ingestion,
which replaces the whole product set). Each mock product is one ``Product`` with one
``Variant`` (the catalog has no variants): price, availability, category, attributes as
variant options, and the seller.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from merchants.acp import timestamp
from merchants.catalog import Product as CatalogProduct

Uri = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def wire(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)


class Price(_Strict):
    amount: Annotated[int, Field(ge=0)]
    currency: Currency


class Availability(_Strict):
    available: bool | None = None
    status: str | None = None


class Barcode(_Strict):
    type: str
    value: str


class Media(_Strict):
    type: str
    url: Uri
    alt_text: str | None = None
    width: int | None = None
    height: int | None = None


class VariantOption(_Strict):
    name: str
    value: str


class Category(_Strict):
    value: str
    taxonomy: str | None = None


class FeedLink(_Strict):
    """The feed schema's ``Link`` (renamed: the checkout has its own ``Link``)."""

    type: str
    title: str | None = None
    url: Uri


class Seller(_Strict):
    name: str | None = None
    links: list[FeedLink] | None = None


class Measure(_Strict):
    value: float
    unit: str


class ReferenceMeasure(_Strict):
    value: int
    unit: str


class UnitPrice(_Strict):
    amount: Annotated[int, Field(ge=0)]
    currency: Currency
    measure: Measure
    reference: ReferenceMeasure


class Variant(_Strict):
    id: str
    title: str
    url: Uri | None = None
    barcodes: list[Barcode] | None = None
    price: Price | None = None
    list_price: Price | None = None
    unit_price: UnitPrice | None = None
    availability: Availability | None = None
    categories: list[Category] | None = None
    condition: list[str] | None = None
    variant_options: list[VariantOption] | None = None
    media: list[Media] | None = None
    seller: Seller | None = None
    marketplace: Seller | None = None


class Product(_Strict):
    id: Annotated[str, Field(min_length=1)]
    title: str | None = None
    url: Uri | None = None
    media: list[Media] | None = None
    variants: list[Variant]


class FeedMetadata(_Strict):
    id: str
    target_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    updated_at: str | None = None


class CreateFeedRequest(_Strict):
    target_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None


class UpsertProductsRequest(_Strict):
    products: Annotated[list[Product], Field(max_length=1_000)]


def feed_product(
    product: CatalogProduct, *, currency: str, seller_name: str, site_url: str
) -> Product:
    """One catalog product as a feed ``Product`` with its single variant."""
    url = f"{site_url.rstrip('/')}/products/{product.id}"
    status = (
        "in_stock"
        if product.stock > 0
        else "backorder"
        if product.allow_backorder
        else ("out_of_stock")
    )
    return Product(
        id=product.id,
        title=product.title,
        url=url,
        variants=[
            Variant(
                id=product.id,
                title=product.title,
                url=url,
                price=Price(amount=product.price, currency=currency.upper()),
                availability=Availability(available=status != "out_of_stock", status=status),
                categories=[Category(value=product.category)],
                condition=["new"],
                variant_options=[
                    VariantOption(name=name, value=value)
                    for name, value in sorted(product.attributes.items())
                ]
                or None,
                seller=Seller(
                    name=seller_name, links=[FeedLink(type="website", url=site_url.rstrip("/"))]
                ),
            )
        ],
    )


def products_jsonl(products: Iterable[Product]) -> str:
    """``products.jsonl``: one ``Product`` per line, keys in schema order, no spaces."""
    return "".join(json.dumps(p.wire(), separators=(",", ":")) + "\n" for p in products)


def feed_metadata(feed_id: str, now: datetime, target_country: str | None = None) -> FeedMetadata:
    """``metadata.json`` of a feed refreshed at ``now``."""
    return FeedMetadata(id=feed_id, target_country=target_country, updated_at=timestamp(now))
