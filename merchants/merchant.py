"""A mock merchant: catalog, search, product feed, ACP checkout and order life behind one object.

Every operation takes ``now`` so the caller (a simulation's virtual clock, or an HTTP server's
real one) decides what time it is. Given an event sink, the merchant signs and sends ACP order
events: ``order_create`` when a checkout completes, ``order_update`` when the order is shipped,
fulfilled, canceled or refunded (the mock-admin operations below drive that life). Events are
queued in :attr:`Merchant.events` under the checkout lock and sent after it is released
(:mod:`merchants.webhooks`), so a slow receiver never holds up another buyer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from merchants.acp import (
    API_VERSION,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
)
from merchants.affiliates import Attribution
from merchants.catalog import Catalog, CatalogSpec, Product
from merchants.catalog_files import load_catalog
from merchants.checkout import (
    CheckoutService,
    FinalPayment,
    OrderSink,
    PriceChange,
    ShippingRate,
)
from merchants.events import EventSink, OrderEvent, OrderEventEmitter, RefundType
from merchants.feed import FeedProduct
from merchants.ids import IdSource
from merchants.native_orders import event_body
from merchants.order_book import OrderBook, OrderRecord
from merchants.orders import PlacedOrder
from merchants.payments import PaymentProcessor
from merchants.presales import DepositForfeited, PresaleBook, PresaleError
from merchants.profile import MerchantProfile
from merchants.promotions import BasketLine, PromotionBook
from merchants.search import SearchIndex
from merchants.store_files import StoreData, load_store
from merchants.taxonomy import general_mix
from merchants.webhooks import EventOutbox


@dataclass(frozen=True, slots=True)
class MerchantInfo:
    id: str
    platform: str
    name: str


class Merchant:
    """One merchant built from a profile; ``seed`` fixes its catalog.

    ``event_sink`` receives each signed order event (body and headers): in process a callable
    such as :class:`merchants.events.CallableSink`, over HTTP a :class:`merchants.events.UrlSink`;
    ``webhook_secret`` signs them and is required with a sink.
    """

    def __init__(
        self,
        profile: MerchantProfile,
        *,
        seed: int,
        processor: PaymentProcessor,
        order_sink: OrderSink | None = None,
        catalog: Catalog | None = None,
        event_sink: EventSink | None = None,
        webhook_secret: bytes | None = None,
        promotions: PromotionBook | None = None,
    ) -> None:
        self.profile = profile
        #: The store's own files (discount codes, shipping rates, customers, ...), if it has any.
        self.store: StoreData | None = None
        if profile.store is not None:
            self.store = load_store(profile.store, profile.currency)
            catalog = catalog or self.store.catalog
        if catalog is None and profile.catalog.file is not None:
            catalog = load_catalog(profile.catalog.file, profile.currency)
        if catalog is None:
            spec = CatalogSpec(
                size=profile.catalog.size,
                categories=profile.catalog.categories or general_mix(),
                stock_min=profile.catalog.stock_min,
                stock_max=profile.catalog.stock_max,
                backorder_share=profile.catalog.backorder_share,
                id_prefix=profile.id,
                market=profile.catalog.market,
            )
            catalog = Catalog.generate(spec, seed, profile.currency)
        self.catalog = catalog
        self.index = SearchIndex(catalog)
        self._feed: dict[str, tuple[Product, tuple, FeedProduct]] = {}  # see _feed_entry
        self.checkout = CheckoutService(
            merchant_id=profile.id,
            platform=profile.platform,
            catalog=catalog,
            processor=processor,
            shipping=[ShippingRate(**s.model_dump()) for s in profile.shipping],
            tax_rate_bps=profile.tax_rate_bps,
            session_ttl=timedelta(minutes=profile.session_ttl_minutes),
            site_url=profile.site_url,
            order_sink=order_sink,
            promotions=promotions or PromotionBook((profile.id, p) for p in profile.promotions),
            # A presale's deposit must be below every price it covers: PresaleError otherwise.
            presales=PresaleBook(profile.presales, catalog),
        )
        self.checkout.ships_to = frozenset(profile.ships_to) if profile.ships_to else None
        self.orders = OrderBook(catalog, lock=self.checkout.lock)
        self.checkout.order_sinks.append(self._order_placed)
        #: Signed order events on their way to the sink, with every delivery attempt recorded.
        self.events = EventOutbox()
        if event_sink is not None:
            self.set_event_sink(event_sink, webhook_secret)
        elif webhook_secret is not None:
            raise ValueError("webhook_secret without an event_sink signs nothing")

    @property
    def ids(self) -> IdSource:
        """What mints this merchant's session, order and cart ids (see :mod:`merchants.ids`)."""
        return self.checkout.ids

    @ids.setter
    def ids(self, source: IdSource) -> None:
        self.checkout.ids = source

    @property
    def undelivered(self) -> list[tuple[OrderEvent, str]]:
        """Events the sink refused (``WebhookDeliveryError``), kept rather than failing the sale."""
        return self.events.undelivered

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def info(self) -> MerchantInfo:
        return MerchantInfo(self.profile.id, self.profile.platform, self.profile.name)

    def _feed_entry(self, product) -> FeedProduct:
        """The product's feed entry, built once for each price and stock it has: a search
        returns one per hit, and nothing else of an entry changes (entries are frozen)."""
        state = (product.price, product.stock, product.allow_backorder)
        kept = self._feed.get(product.id)
        if kept is not None and kept[0] is product and kept[1] == state:
            return kept[2]
        entry = FeedProduct.of(
            product,
            currency=self.catalog.currency,
            seller_id=self.id,
            seller_name=self.profile.name,
        )
        self._feed[product.id] = (product, state, entry)
        return entry

    def search(
        self, query: str, now: datetime, *, limit: int = 10, max_price: int | None = None
    ) -> list[FeedProduct]:
        hits = self.index.search(query, limit=limit, max_price=max_price)
        return [self._feed_entry(hit.product) for hit in hits]

    def product_feed(self, now: datetime) -> list[FeedProduct]:
        return [self._feed_entry(p) for p in self.catalog]

    def create_checkout(
        self,
        request: CheckoutSessionCreateRequest,
        now: datetime,
        *,
        expected_prices: Mapping[str, int] | None = None,
        codes: Sequence[str] = (),
        companions: Sequence[BasketLine] = (),
        affiliate: Attribution | None = None,
    ) -> CheckoutSession:
        """Open a checkout; ``codes``, ``companions`` and ``affiliate`` (the first touch) as
        :meth:`CheckoutService.create`."""
        return self.checkout.create(
            request,
            now,
            expected_prices=expected_prices,
            codes=codes,
            companions=companions,
            affiliate=affiliate,
        )

    def update_checkout(
        self,
        session_id: str,
        request: CheckoutSessionUpdateRequest,
        now: datetime,
        *,
        expected_prices: Mapping[str, int] | None = None,
        codes: Sequence[str] | None = None,
    ) -> CheckoutSession:
        return self.checkout.update(
            session_id, request, now, expected_prices=expected_prices, codes=codes
        )

    def get_checkout(self, session_id: str, now: datetime) -> CheckoutSession:
        return self.checkout.get(session_id, now)

    def complete_checkout(
        self,
        session_id: str,
        request: CheckoutSessionCompleteRequest,
        now: datetime,
        *,
        authenticated: bool | None = None,
        affiliate: Attribution | None = None,
    ) -> CheckoutSession:
        """Pay and place the order; ``affiliate`` (the last touch) replaces create's."""
        session = self.checkout.complete(
            session_id, request, now, authenticated=authenticated, affiliate=affiliate
        )
        self.deliver_events()
        return session

    def authenticate_checkout(
        self, session_id: str, passed: bool, now: datetime
    ) -> CheckoutSession:
        """Hand in the 3-D Secure challenge result; then complete again with the same token."""
        return self.checkout.authenticate(session_id, passed, now)

    def cancel_checkout(self, session_id: str, now: datetime) -> CheckoutSession:
        return self.checkout.cancel(session_id, now)

    # -- presales (merchants.presales) --------------------------------------------------------

    def quote_final(self, presale_order_id: str, now: datetime) -> int:
        """What a held deposit's final payment comes to at ``now``."""
        return self.checkout.quote_final(presale_order_id, now)

    def pay_final(
        self,
        presale_order_id: str,
        token: str,
        now: datetime,
        *,
        authenticated: bool | None = None,
    ) -> FinalPayment:
        """Charge a held deposit's final payment in its window and place the sale."""
        paid = self.checkout.pay_final(presale_order_id, token, now, authenticated=authenticated)
        self.deliver_events()
        return paid

    def forfeit_deposit(
        self, presale_order_id: str, now: datetime, reason: str
    ) -> DepositForfeited:
        """The final payment will not be made: the merchant keeps the deposit."""
        return self.checkout.forfeit(presale_order_id, now, reason)

    # -- the merchant's own side (mock admin) ------------------------------------------------

    def set_price(self, product_id: str, price: int, now: datetime) -> PriceChange:
        """Change a product's price from ``now``: feeds show it, open sessions are re-priced."""
        return self.checkout.set_price(product_id, price, now)

    def set_event_sink(
        self, sink: EventSink, secret: bytes | None, version: str = API_VERSION
    ) -> None:
        """Send signed order events to ``sink`` from now on, in API ``version``'s shape."""
        if not secret:
            raise ValueError("an event sink needs a non-empty webhook_secret to sign with")
        self.events.connect(OrderEventEmitter(secret, sink, event_body(version)))

    def order(self, order_id: str) -> OrderRecord:
        return self.orders.get(order_id)

    def ship(self, order_id: str, now: datetime) -> OrderRecord:
        """Hand the order to the carrier of the shipping option chosen at checkout."""
        chosen = self.orders.get(order_id).order.fulfillment_option_id
        carrier = next((r.carrier for r in self.checkout.shipping if r.id == chosen), "USPS")
        return self._change(lambda: self.orders.ship(order_id, now, carrier), now)

    def track(
        self, order_id: str, event_type: str, now: datetime, location: str | None = None
    ) -> OrderRecord:
        """Log a carrier event (``in_transit``, ``out_for_delivery``, ...) on the shipment."""
        return self._change(lambda: self.orders.track(order_id, event_type, now, location), now)

    def dispute(self, order_id: str, amount: int, now: datetime, reason: str) -> OrderRecord:
        """Record a chargeback the buyer's bank opened (a pending ``dispute`` adjustment)."""
        return self._change(lambda: self.orders.dispute(order_id, amount, now, reason), now)

    def fulfill(self, order_id: str, now: datetime) -> OrderRecord:
        return self._change(lambda: self.orders.fulfill(order_id, now), now)

    def cancel_order(self, order_id: str, now: datetime) -> OrderRecord:
        """Cancel an unshipped order: stock returns and the unrefunded rest is refunded."""
        return self._change(lambda: self.orders.cancel(order_id, now), now)

    def refund(
        self, order_id: str, amount: int, now: datetime, type: RefundType = "original_payment"
    ) -> OrderRecord:
        """Refund ``amount`` minor units; never more than is left of what was paid."""
        return self._change(lambda: self.orders.refund(order_id, amount, now, type), now)

    def deliver_events(self) -> None:
        """Send queued order events now, unless this thread still holds the checkout lock.

        Operations call it once their lock is released; a caller that held the lock around an
        operation (to read the state it left) calls it after releasing. With a background
        worker running (:meth:`EventOutbox.start`) it does nothing: the worker sends.
        """
        # RLock._is_owned (what threading.Condition uses): "does this thread hold it?"
        if not self.checkout.lock._is_owned():
            self.events.flush()

    def _order_placed(self, order: PlacedOrder) -> None:
        # An order sink: runs inside complete, under the checkout lock; queued, sent after.
        event = self.orders.place(order, self.checkout.order(order.id).permalink_url)
        self.events.put(event, order.placed_at)

    def record_order(self, order: PlacedOrder, permalink_url: str) -> OrderRecord:
        """An order placed over another protocol (UCP): into the same order book, order events
        and order sinks (the ledger) as an ACP order, so a purchase is the same purchase whatever
        carried it. Call it holding ``checkout.lock``, then :meth:`deliver_events`."""
        for sink in self.checkout.order_sinks:
            if sink != self._order_placed:
                sink(order)
        self.events.put(self.orders.place(order, permalink_url), order.placed_at)
        return self.orders.get(order.id)

    def _change(self, change: Callable[[], OrderEvent], now: datetime) -> OrderRecord:
        with self.checkout.lock:
            event = change()
            self.events.put(event, now)
            record = self.orders.get(event.order_id)
        self.deliver_events()
        return record


def build_merchants(
    profiles: list[MerchantProfile],
    *,
    seed: int,
    processor: PaymentProcessor,
    order_sink: OrderSink | None = None,
    event_sink: EventSink | None = None,
    webhook_secret: bytes | None = None,
) -> Mapping[str, Merchant]:
    """Merchants by id; each catalog's seed is derived from ``seed`` and the merchant's index.

    A presale whose deposit is not below a price it covers raises
    :class:`~merchants.presales.PresaleError` naming ``merchants.<index>.presales.<n>.<field>``.
    Stores of one ``marketplace`` share one promotion book: every store's promotions, so a
    basket spread over them is priced alike at each (see :mod:`merchants.discounts`).
    """
    books = marketplace_books(profiles)
    merchants: dict[str, Merchant] = {}
    for index, profile in enumerate(profiles):
        if profile.id in merchants:
            raise ValueError(f"two merchants share the id {profile.id!r}")
        try:
            merchants[profile.id] = Merchant(
                profile,
                seed=seed * 1_000 + index,
                processor=processor,
                order_sink=order_sink,
                event_sink=event_sink,
                webhook_secret=webhook_secret,
                promotions=books.get(profile.marketplace or ""),
            )
        except PresaleError as problem:  # name the merchant as a scenario lists it
            raise PresaleError(f"merchants.{index}.{problem.field}", problem.message) from None
    return merchants


def marketplace_books(profiles: Sequence[MerchantProfile]) -> dict[str, PromotionBook]:
    """One promotion book per marketplace, holding the promotions of all its stores."""
    entries: dict[str, list] = {}
    for profile in profiles:
        if profile.marketplace:
            entries.setdefault(profile.marketplace, [])
            entries[profile.marketplace] += [(profile.id, p) for p in profile.promotions]
    return {name: PromotionBook(found) for name, found in entries.items()}
