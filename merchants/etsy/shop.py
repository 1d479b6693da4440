"""An Etsy shop over a mock merchant: the shop, its listings and their inventory, read live.

The view holds no stock of its own: quantity and state are read from the merchant's catalog on
every call, so a sale through ACP checkout shows at once. What never changes (ids, tags,
creation times, favourers) is worked out once from the product ids. The view also listens to
the merchant's placed orders, only to move a sold listing's ``updated_timestamp`` to the sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from merchants.catalog import Product
from merchants.etsy.errors import not_found
from merchants.etsy.ids import (
    inventory_product_id_of,
    listing_id_of,
    offering_id_of,
    shop_id_of,
    unit_draw,
)
from merchants.etsy.listings import (
    InventoryProduct,
    Listing,
    ListingInventory,
    Offering,
    listing_state,
    listing_tags,
    parked_state,
    slug,
)
from merchants.etsy.money import EtsyMoney
from merchants.etsy.search import ListingPage, listing_query
from merchants.etsy.taxonomy import taxonomy_id_of
from merchants.etsy.timestamps import epoch
from merchants.merchant import Merchant
from merchants.orders import PlacedOrder
from merchants.taxonomy import CATEGORIES

#: Listings were created within a year of this moment, and last edited up to 60 days later.
LISTED_SINCE = datetime(2025, 1, 1, tzinfo=UTC)
CREATION_SPREAD = timedelta(days=365)
EDIT_SPREAD = timedelta(days=60)


class Shop(BaseModel):
    """An Etsy Shop with Open API v3 field names; counts are live."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop_id: int
    shop_name: str
    title: str
    url: str
    currency_code: str
    shop_location_country_iso: str
    is_shop_us_based: bool
    is_vacation: bool
    listing_active_count: int
    transaction_sold_count: int
    num_favorers: int
    review_count: int
    review_average: float | None
    created_timestamp: int
    create_date: int
    updated_timestamp: int
    languages: list[str]

    def wire(self) -> dict:
        return self.model_dump(mode="json")


def shop_name_of(name: str) -> str:
    """Etsy shop names are 4-20 letters and digits: ``Juniper & Thread`` -> JuniperAndThread."""
    words = "".join(c if c.isalnum() else " " for c in name.replace("&", " And ")).split()
    joined = "".join(w[:1].upper() + w[1:] for w in words)[:20]
    return joined.ljust(4, "0")


@dataclass(frozen=True, slots=True)
class _Entry:
    """What never changes about one listing; ``product`` is the live catalog object."""

    listing_id: int
    product: Product
    created: int
    modified: int
    parked: str | None
    taxonomy_id: int
    tags: tuple[str, ...]
    favorers: int


class EtsyShop:
    """The Etsy face of one merchant whose profile says ``platform: etsy``.

    Build one per merchant and keep it: it registers a listener on the merchant's order sinks.
    Every operation takes ``now``; nothing here reads a clock.
    """

    def __init__(self, merchant: Merchant, *, listed_since: datetime = LISTED_SINCE) -> None:
        if merchant.profile.platform != "etsy":
            raise ValueError(
                f"merchant {merchant.id!r} is on {merchant.profile.platform!r}, not etsy"
            )
        self.merchant = merchant
        self.shop_id = shop_id_of(merchant.id)
        self.shop_name = shop_name_of(merchant.profile.name)
        self.currency = merchant.catalog.currency
        self.site_url = merchant.profile.site_url.rstrip("/")
        self.listed_since = epoch(listed_since)
        self._entries: list[_Entry] = []
        self._by_listing: dict[int, _Entry] = {}
        self._by_product: dict[str, _Entry] = {}
        for product in merchant.catalog:
            entry = self._entry(product)
            clash = self._by_listing.get(entry.listing_id)
            if clash is not None:  # about 1 in 10**10 for a 250-product catalog
                raise ValueError(
                    f"products {clash.product.id!r} and {product.id!r} of "
                    f"{merchant.id!r} hash to the same listing_id"
                )
            self._entries.append(entry)
            self._by_listing[entry.listing_id] = entry
            self._by_product[product.id] = entry
        self._sold_at: dict[str, int] = {}
        merchant.checkout.order_sinks.append(self._on_order)

    # -- public operations -------------------------------------------------------------------

    def listing_id(self, product_id: str) -> int:
        """The listing id of a catalog product (a ``KeyError`` for an unknown one)."""
        return self._by_product[product_id].listing_id

    def shop(self, now: datetime) -> Shop:
        epoch(now)
        products = [e.product for e in self._entries]
        reviews = sum(p.review_count for p in products)
        average = (
            round(sum(p.rating * p.review_count for p in products) / reviews, 2)
            if reviews
            else None
        )
        return Shop(
            shop_id=self.shop_id,
            shop_name=self.shop_name,
            title=self.merchant.profile.name,
            url=f"{self.site_url}/shop/{self.shop_name}",
            currency_code=self.currency.upper(),
            shop_location_country_iso=self.merchant.profile.country,
            is_shop_us_based=self.merchant.profile.country == "US",
            is_vacation=False,
            listing_active_count=sum(self._state(e) == "active" for e in self._entries),
            transaction_sold_count=sum(self.merchant.catalog.sold.values()),
            num_favorers=sum(e.favorers for e in self._entries) // 10,
            review_count=reviews,
            review_average=average,
            created_timestamp=self.listed_since,
            create_date=self.listed_since,
            updated_timestamp=max([self.listed_since, *(self._updated(e) for e in self._entries)]),
            languages=["en-US"],
        )

    def get_listing(self, listing_id: int, now: datetime) -> Listing:
        """Any listing of the shop, whatever its state (404 for an unknown id)."""
        epoch(now)
        return self._listing(self._find(listing_id))

    def get_listing_inventory(self, listing_id: int, now: datetime) -> ListingInventory:
        epoch(now)
        entry = self._find(listing_id)
        product = entry.product
        offering = Offering(
            offering_id=offering_id_of(entry.listing_id),
            price=self._money(product.price),
            quantity=max(product.stock, 0),
            is_enabled=self._state(entry) == "active",
        )
        return ListingInventory(
            products=[
                InventoryProduct(
                    product_id=inventory_product_id_of(entry.listing_id),
                    sku=product.id,
                    offerings=[offering],
                )
            ]
        )

    def find_all_listings_active(
        self,
        *,
        now: datetime,
        keywords: str | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        taxonomy_id: int | None = None,
        sort_on: str = "created",
        sort_order: str = "desc",
        limit: int = 25,
        offset: int = 0,
    ) -> ListingPage:
        """Etsy's ``findAllListingsActive`` over this shop; prices are minor units here.

        Keywords go through the merchant's BM25 index (only matching listings are returned,
        and ``score`` orders by it); ties in any order are broken by ``listing_id`` so pages
        never overlap. Bad parameters raise :class:`EtsyError` (400) naming the parameter.
        """
        epoch(now)
        query = listing_query(
            keywords=keywords,
            min_price=min_price,
            max_price=max_price,
            taxonomy_id=taxonomy_id,
            sort_on=sort_on,
            sort_order=sort_order,
            limit=limit,
            offset=offset,
        )
        if query.keywords:
            hits = self.merchant.index.search(query.keywords, limit=len(self._entries))
            scored = [(self._by_product[h.product.id], h.score) for h in hits]
        else:
            scored = [(entry, 0.0) for entry in self._entries]
        matches = [
            (entry, score)
            for entry, score in scored
            if self._state(entry) == "active"
            and (query.min_price is None or entry.product.price >= query.min_price)
            and (query.max_price is None or entry.product.price <= query.max_price)
            and (query.taxonomy_id is None or entry.taxonomy_id == query.taxonomy_id)
        ]
        if query.sort_on == "score":
            matches.sort(key=lambda m: (-m[1], m[0].listing_id))
        else:
            value = {
                "created": lambda e: e.created,
                "price": lambda e: e.product.price,
                "updated": self._updated,
            }[query.sort_on]
            matches.sort(key=lambda m: (value(m[0]), m[0].listing_id), reverse=query.descending)
        page = matches[query.offset : query.offset + query.limit]
        return ListingPage(count=len(matches), results=[self._listing(e) for e, _ in page])

    # -- internals ---------------------------------------------------------------------------

    def _entry(self, product: Product) -> _Entry:
        created = self.listed_since + int(
            unit_draw("etsy-created", product.id) * CREATION_SPREAD.total_seconds()
        )
        modified = created + int(
            unit_draw("etsy-modified", product.id) * EDIT_SPREAD.total_seconds()
        )
        known = CATEGORIES.get(product.category)
        return _Entry(
            listing_id=listing_id_of(self.merchant.id, product.id),
            product=product,
            created=created,
            modified=modified,
            parked=parked_state(product.id),
            taxonomy_id=taxonomy_id_of(product.category),
            tags=tuple(listing_tags(product, known.name if known else product.category)),
            favorers=product.review_count * 3 + int(unit_draw("etsy-favorers", product.id) * 20),
        )

    def _find(self, listing_id: int) -> _Entry:
        entry = self._by_listing.get(listing_id)
        if entry is None:
            raise not_found(f"listing {listing_id} of shop {self.shop_id}")
        return entry

    def _state(self, entry: _Entry) -> str:
        return listing_state(entry.product, entry.parked)

    def _updated(self, entry: _Entry) -> int:
        return max(entry.modified, self._sold_at.get(entry.product.id, entry.modified))

    def _money(self, minor: int) -> EtsyMoney:
        return EtsyMoney.of(minor, self.currency)

    def _listing(self, entry: _Entry) -> Listing:
        product, updated = entry.product, self._updated(entry)
        return Listing(
            listing_id=entry.listing_id,
            shop_id=self.shop_id,
            title=product.title,
            description=product.description,
            state=self._state(entry),
            quantity=max(product.stock, 0),
            price=self._money(product.price),
            taxonomy_id=entry.taxonomy_id,
            tags=list(entry.tags),
            skus=[product.id],
            url=f"{self.site_url}/listing/{entry.listing_id}/{slug(product.title)}",
            num_favorers=entry.favorers,
            creation_timestamp=entry.created,
            created_timestamp=entry.created,
            last_modified_timestamp=updated,
            updated_timestamp=updated,
        )

    def _on_order(self, order: PlacedOrder) -> None:
        """A placed order moves its listings' ``updated_timestamp`` to the time of the sale."""
        if order.merchant_id != self.merchant.id:
            return
        placed = epoch(order.placed_at)
        for line in order.lines:
            self._sold_at[line.product_id] = max(placed, self._sold_at.get(line.product_id, 0))
