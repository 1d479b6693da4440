"""Shopify products with variants and options, as a view over a merchant's flat catalog.

Grouping rule (deterministic): catalog products with the same title, brand and category form
one Shopify product, and each catalog :class:`~merchants.catalog.Product` is one of its
variants, in catalog order. A variant's options are its attributes (``color`` -> option
``Color``); a product's option names are the sorted union of its variants' attribute names, a
variant lacking one shows ``Default``, and a product without attributes has Shopify's single
``Title`` option with value ``Default Title``. Shopify forbids two variants with the same option
values, so a product whose options repeat an existing variant's starts a new product instead.
Handles are the slugged title, with ``-2``, ``-3`` for later products of the same title.

Field mapping (Storefront API name <- catalog):

    ProductVariant.id                  Product.id (so ACP items and cart lines name the same thing)
    .sku                               Product.id upper-cased, ``_`` -> ``-``
    .price                             Product.price as MoneyV2
    .compareAtPrice                    see :class:`SalePolicy`; null when not on sale
    .availableForSale                  stock > 0 or backorder allowed
    .quantityAvailable                 Product.stock (below 0 once backorders oversell, as Shopify)
    .currentlyNotInStock               stock <= 0 and backorder allowed
    .inventoryPolicy                   CONTINUE if Product.allow_backorder else DENY (Admin API's
                                       enum; the REST Admin API writes it lowercase)
    .selectedOptions                   Product.attributes
    Product.vendor / .productType      Product.brand / Product.category
    Product.variants                   a plain list (the GraphQL API wraps it in a connection)

Stock is read live at every call, so a view is never stale; only the grouping is fixed at build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from merchants.catalog import Catalog
from merchants.catalog import Product as CatalogProduct
from merchants.money import apply_bps
from merchants.shopify.moneyv2 import MoneyV2, StorefrontShape

InventoryPolicy = Literal["DENY", "CONTINUE"]

DEFAULT_TITLE = "Default Title"
MISSING_VALUE = "Default"


class SelectedOption(StorefrontShape):
    name: str
    value: str


class ProductOptionValue(StorefrontShape):
    name: str


class ProductOption(StorefrontShape):
    name: str
    option_values: list[ProductOptionValue]


class ProductRef(StorefrontShape):
    """The product a variant belongs to, as a cart line's merchandise shows it."""

    id: str
    handle: str
    title: str


class ProductVariant(StorefrontShape):
    id: str
    title: str
    sku: str
    price: MoneyV2
    compare_at_price: MoneyV2 | None
    available_for_sale: bool
    quantity_available: int
    currently_not_in_stock: bool
    inventory_policy: InventoryPolicy
    selected_options: list[SelectedOption]
    product: ProductRef


class ProductPriceRange(StorefrontShape):
    min_variant_price: MoneyV2
    max_variant_price: MoneyV2


class Product(StorefrontShape):
    id: str
    handle: str
    title: str
    description: str
    vendor: str
    product_type: str
    online_store_url: str
    available_for_sale: bool
    total_inventory: int
    options: list[ProductOption]
    price_range: ProductPriceRange
    variants: list[ProductVariant]


@dataclass(frozen=True, slots=True)
class SalePolicy:
    """Which variants are on sale, and their compare-at price; the same for every run.

    A variant is on sale when a SHA-256 of ``salt`` and its id falls in the first ``share_bps``
    of 10,000 buckets (not Python's ``hash``, which changes between processes). Its compare-at
    price is ``price + apply_bps(price, markup)``, at least one minor unit above ``price``, with
    the markup picked by the same hash from ``markups_bps``.
    """

    share_bps: int = 2_000
    markups_bps: tuple[int, ...] = (1_500, 2_500, 3_500, 5_000)
    salt: str = "compare-at"

    def __post_init__(self) -> None:
        if not 0 <= self.share_bps <= 10_000:
            raise ValueError(f"share_bps must be 0..10000, got {self.share_bps}")
        if not self.markups_bps or min(self.markups_bps) <= 0:
            raise ValueError("markups_bps must be positive basis points")

    def compare_at(self, variant_id: str, price: int) -> int | None:
        digest = hashlib.sha256(f"{self.salt}:{variant_id}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big")
        if draw % 10_000 >= self.share_bps:
            return None
        markup = self.markups_bps[(draw // 10_000) % len(self.markups_bps)]
        return price + max(1, apply_bps(price, markup))


@dataclass(frozen=True, slots=True)
class _Group:
    id: str
    handle: str
    option_names: tuple[str, ...]  # attribute keys, sorted; () for a "Title" product
    variant_ids: tuple[str, ...]


def slug(text: str) -> str:
    """Shopify-style handle: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def _group(products: Iterable[CatalogProduct], id_prefix: str) -> list[_Group]:
    """Apply the module's grouping rule; pure and deterministic."""
    by_key: dict[tuple[str, str, str], list[tuple[list[CatalogProduct], set]]] = {}
    ordered: list[list[CatalogProduct]] = []
    for product in products:
        combo = tuple(sorted(product.attributes.items()))
        candidates = by_key.setdefault((product.title, product.brand, product.category), [])
        home = next((g for g in candidates if combo not in g[1]), None)
        if home is None:
            home = ([], set())
            candidates.append(home)
            ordered.append(home[0])
        home[0].append(product)
        home[1].add(combo)
    groups, seen_handles = [], {}
    for index, members in enumerate(ordered):
        base = slug(members[0].title)
        seen_handles[base] = seen_handles.get(base, 0) + 1
        handle = base if seen_handles[base] == 1 else f"{base}-{seen_handles[base]}"
        names = tuple(sorted({k for p in members for k in p.attributes}))
        groups.append(
            _Group(
                f"{id_prefix}_product_{index + 1:05d}", handle, names, tuple(p.id for p in members)
            )
        )
    return groups


def _option_name(key: str) -> str:
    return key.replace("_", " ").capitalize()


class ProductCatalog:
    """A merchant catalog seen as Shopify products; rendering reads stock at call time."""

    def __init__(
        self, catalog: Catalog, *, id_prefix: str, site_url: str, sale: SalePolicy | None = None
    ) -> None:
        self.catalog = catalog
        self.sale = sale or SalePolicy()
        self.site_url = site_url.rstrip("/")
        self._groups = _group(catalog, id_prefix)
        self._by_handle = {g.handle: g for g in self._groups}
        self._group_of = {vid: g for g in self._groups for vid in g.variant_ids}

    def handles(self) -> list[str]:
        return [g.handle for g in self._groups]

    def products(self) -> list[Product]:
        return [self._product(g) for g in self._groups]

    def product(self, handle: str) -> Product | None:
        group = self._by_handle.get(handle)
        return self._product(group) if group else None

    def variant(self, variant_id: str) -> ProductVariant | None:
        group = self._group_of.get(variant_id)
        return self._variant(group, self.catalog.get(variant_id)) if group else None

    def compare_at(self, variant_id: str) -> int | None:
        """The compare-at price in minor units, or None when the variant is not on sale."""
        product = self.catalog.get(variant_id)
        return self.sale.compare_at(variant_id, product.price) if product else None

    # -- rendering ---------------------------------------------------------------------------

    def _ref(self, group: _Group) -> ProductRef:
        first = self.catalog.get(group.variant_ids[0])
        return ProductRef(id=group.id, handle=group.handle, title=first.title)

    def _options(self, group: _Group, product: CatalogProduct) -> list[SelectedOption]:
        if not group.option_names:
            return [SelectedOption(name="Title", value=DEFAULT_TITLE)]
        return [
            SelectedOption(name=_option_name(k), value=product.attributes.get(k, MISSING_VALUE))
            for k in group.option_names
        ]

    def _variant(self, group: _Group, product: CatalogProduct) -> ProductVariant:
        currency = self.catalog.currency
        compare_at = self.sale.compare_at(product.id, product.price)
        options = self._options(group, product)
        return ProductVariant(
            id=product.id,
            title=DEFAULT_TITLE if not group.option_names else " / ".join(o.value for o in options),
            sku=product.id.upper().replace("_", "-"),
            price=MoneyV2.of(product.price, currency),
            compare_at_price=None if compare_at is None else MoneyV2.of(compare_at, currency),
            available_for_sale=product.available,
            quantity_available=product.stock,
            currently_not_in_stock=product.stock <= 0 and product.allow_backorder,
            inventory_policy="CONTINUE" if product.allow_backorder else "DENY",
            selected_options=options,
            product=self._ref(group),
        )

    def _product(self, group: _Group) -> Product:
        members = [self.catalog.get(vid) for vid in group.variant_ids]
        first, currency = members[0], self.catalog.currency
        variants = [self._variant(group, p) for p in members]
        options = (
            [ProductOption(name="Title", option_values=[ProductOptionValue(name=DEFAULT_TITLE)])]
            if not group.option_names
            else [
                ProductOption(
                    name=_option_name(key),
                    option_values=[
                        ProductOptionValue(name=v)
                        for v in dict.fromkeys(
                            p.attributes.get(key, MISSING_VALUE) for p in members
                        )
                    ],
                )
                for key in group.option_names
            ]
        )
        prices = [p.price for p in members]
        return Product(
            id=group.id,
            handle=group.handle,
            title=first.title,
            description=first.description,
            vendor=first.brand,
            product_type=first.category,
            online_store_url=f"{self.site_url}/products/{group.handle}",
            available_for_sale=any(v.available_for_sale for v in variants),
            total_inventory=sum(p.stock for p in members),
            options=options,
            price_range=ProductPriceRange(
                min_variant_price=MoneyV2.of(min(prices), currency),
                max_variant_price=MoneyV2.of(max(prices), currency),
            ),
            variants=variants,
        )
