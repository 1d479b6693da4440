"""A mock merchant: catalog, search, product feed and ACP checkout behind one object.

Every operation takes ``now`` so the caller (a simulation's virtual clock, or an HTTP server's
real one) decides what time it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from merchants.acp import (
    CheckoutSession, CheckoutSessionCompleteRequest, CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
)
from merchants.catalog import Catalog, CatalogSpec
from merchants.checkout import CheckoutService, OrderSink, ShippingRate
from merchants.feed import FeedProduct
from merchants.payments import PaymentProcessor
from merchants.profile import MerchantProfile
from merchants.search import SearchIndex
from merchants.taxonomy import CATEGORIES


@dataclass(frozen=True, slots=True)
class MerchantInfo:
    id: str
    platform: str
    name: str


class Merchant:
    """One merchant built from a profile; ``seed`` fixes its catalog."""

    def __init__(
        self, profile: MerchantProfile, *, seed: int, processor: PaymentProcessor,
        order_sink: OrderSink | None = None, catalog: Catalog | None = None,
    ) -> None:
        self.profile = profile
        if catalog is None:
            spec = CatalogSpec(
                size=profile.catalog.size,
                categories=profile.catalog.categories or {c: 1.0 for c in CATEGORIES},
                stock_min=profile.catalog.stock_min, stock_max=profile.catalog.stock_max,
                backorder_share=profile.catalog.backorder_share, id_prefix=profile.id,
            )
            catalog = Catalog.generate(spec, seed, profile.currency)
        self.catalog = catalog
        self.index = SearchIndex(catalog)
        self.checkout = CheckoutService(
            merchant_id=profile.id, platform=profile.platform, catalog=catalog,
            processor=processor,
            shipping=[ShippingRate(**s.model_dump()) for s in profile.shipping],
            tax_rate_bps=profile.tax_rate_bps,
            session_ttl=timedelta(minutes=profile.session_ttl_minutes),
            site_url=profile.site_url, order_sink=order_sink,
        )

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def info(self) -> MerchantInfo:
        return MerchantInfo(self.profile.id, self.profile.platform, self.profile.name)

    def _feed_entry(self, product) -> FeedProduct:
        return FeedProduct.of(product, currency=self.catalog.currency, seller_id=self.id,
                              seller_name=self.profile.name)

    def search(self, query: str, now: datetime, *, limit: int = 10,
               max_price: int | None = None) -> list[FeedProduct]:
        hits = self.index.search(query, limit=limit, max_price=max_price)
        return [self._feed_entry(hit.product) for hit in hits]

    def product_feed(self, now: datetime) -> list[FeedProduct]:
        return [self._feed_entry(p) for p in self.catalog]

    def create_checkout(self, request: CheckoutSessionCreateRequest, now: datetime
                        ) -> CheckoutSession:
        return self.checkout.create(request, now)

    def update_checkout(self, session_id: str, request: CheckoutSessionUpdateRequest,
                        now: datetime) -> CheckoutSession:
        return self.checkout.update(session_id, request, now)

    def get_checkout(self, session_id: str, now: datetime) -> CheckoutSession:
        return self.checkout.get(session_id, now)

    def complete_checkout(self, session_id: str, request: CheckoutSessionCompleteRequest,
                          now: datetime) -> CheckoutSession:
        return self.checkout.complete(session_id, request, now)

    def cancel_checkout(self, session_id: str, now: datetime) -> CheckoutSession:
        return self.checkout.cancel(session_id, now)


def build_merchants(
    profiles: list[MerchantProfile], *, seed: int, processor: PaymentProcessor,
    order_sink: OrderSink | None = None,
) -> Mapping[str, Merchant]:
    """Merchants by id; each catalog's seed is derived from ``seed`` and the merchant's index."""
    merchants: dict[str, Merchant] = {}
    for index, profile in enumerate(profiles):
        if profile.id in merchants:
            raise ValueError(f"two merchants share the id {profile.id!r}")
        merchants[profile.id] = Merchant(
            profile, seed=seed * 1_000 + index, processor=processor, order_sink=order_sink)
    return merchants
