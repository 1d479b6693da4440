"""Etsy listings: the Open API v3 shape of a catalog product, and the rules for its state.

A listing's ``state`` is worked out, not stored: a small, fixed share of listings are parked by
their seller (inactive, draft or expired, drawn from the product id so every run agrees), and
the rest are ``sold_out`` while stock is 0 without backorder and ``active`` otherwise, so a sale
that takes the last unit turns its listing ``sold_out`` at once.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from merchants.catalog import Product
from merchants.etsy.ids import unit_draw
from merchants.etsy.money import EtsyMoney

ListingState = Literal["active", "inactive", "sold_out", "draft", "expired"]
LISTING_STATES: tuple[str, ...] = ("active", "inactive", "sold_out", "draft", "expired")

#: Shares of listings a seller has parked, drawn once per product id: 2% each, 6% in all.
PARKED_SHARES: tuple[tuple[str, float], ...] = (
    ("inactive", 0.02),
    ("draft", 0.02),
    ("expired", 0.02),
)

#: Etsy allows at most 13 tags of at most 20 characters each.
MAX_TAGS, MAX_TAG_LENGTH = 13, 20

_WORD = re.compile(r"[a-z0-9]+")


def parked_state(product_id: str) -> str | None:
    """``inactive``, ``draft`` or ``expired`` for the few listings a seller parked, else None."""
    draw, edge = unit_draw("etsy-state", product_id), 0.0
    for state, share in PARKED_SHARES:
        edge += share
        if draw < edge:
            return state
    return None


def listing_state(product: Product, parked: str | None) -> str:
    """A parked state wins (a draft stays a draft when it sells out); then stock decides."""
    if parked is not None:
        return parked
    if product.stock <= 0 and not product.allow_backorder:
        return "sold_out"
    return "active"


def listing_tags(product: Product, category_name: str) -> list[str]:
    """Up to 13 lowercase tags from the title, category and attributes, in that order."""
    candidates = [
        *_WORD.findall(product.title.lower()),
        category_name.lower(),
        *(value.lower() for value in product.attributes.values()),
    ]
    tags: list[str] = []
    for tag in candidates:
        tag = tag[:MAX_TAG_LENGTH].strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def slug(title: str) -> str:
    """The URL slug Etsy puts after a listing id: lowercase words joined by hyphens."""
    return "-".join(_WORD.findall(title.lower())) or "listing"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def wire(self) -> dict:
        """The JSON body, exactly as the HTTP face sends it."""
        return self.model_dump(mode="json")


class Listing(_Model):
    """A ShopListing with Etsy Open API v3 field names; timestamps are Unix seconds."""

    listing_id: int
    shop_id: int
    title: str
    description: str
    state: ListingState
    quantity: int
    price: EtsyMoney
    taxonomy_id: int
    tags: list[str]
    skus: list[str]
    url: str
    num_favorers: int
    creation_timestamp: int
    created_timestamp: int
    last_modified_timestamp: int
    updated_timestamp: int
    listing_type: Literal["physical"] = "physical"
    is_taxable: bool = True
    has_variations: bool = False
    should_auto_renew: bool = True
    who_made: Literal["i_did"] = "i_did"
    when_made: Literal["made_to_order"] = "made_to_order"
    language: str = "en-US"


class Offering(_Model):
    offering_id: int
    price: EtsyMoney
    quantity: int
    is_enabled: bool
    is_deleted: bool = False


class InventoryProduct(_Model):
    product_id: int
    sku: str
    offerings: list[Offering]
    property_values: list[dict] = []
    is_deleted: bool = False


class ListingInventory(_Model):
    """A listing's inventory: one product with one offering, since ours have no variations."""

    products: list[InventoryProduct]
    price_on_property: list[int] = []
    quantity_on_property: list[int] = []
    sku_on_property: list[int] = []
