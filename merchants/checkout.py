"""ACP checkout sessions: create, update, complete, cancel, in the merchant's own time.

Transitions (anything else is refused):

    create            -> not_ready_for_payment | ready_for_payment
    update            not_ready | ready | authentication_required -> not_ready | ready
    complete          ready -> completed         (payment approved, stock taken)
                      ready -> ready              (payment_declined message)
                      ready -> not_ready          (out_of_stock message)
                      ready -> authentication_required   (the card needs 3-D Secure)
    authenticate      authentication_required -> ready   (challenge result recorded; complete
                                                          again with the same token)
    cancel            open -> canceled           (405 from completed, canceled or expired)
    time passes       open -> expired, at expires_at

A session is ``ready_for_payment`` when it has an address, a fulfillment option and no error
message. Open sessions are priced at the catalog's current prices; a line whose price differs
from what the client was quoted (the price when the line was set, or the ``unit_amount`` a
2026-04-17 client sent) carries a ``price_change`` warning. Every method takes ``now``; nothing
here reads a clock. Answers are :class:`CheckoutSession` (2025-09-29); :meth:`snapshot` gives
the version-free state that :mod:`merchants.versions` renders for any supported version.

Promotions (:mod:`merchants.promotions`) take their share off each line before tax: a session
prices its lines, with any ``companions`` held at other stores of the marketplace and the codes
sent, through :func:`merchants.discounts.store_discounts`, and a closed session keeps the
discounts it had. The order it places lists each promotion and who funds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from merchants.acp import (
    MAX_QUANTITY,
    Address,
    Buyer,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    FulfillmentOptionShipping,
    Item,
    Link,
    Order,
    Total,
    timestamp,
)
from merchants.affiliates import Attribution, last_touch
from merchants.catalog import Catalog, OutOfStock
from merchants.discounts import NO_DISCOUNTS, CheckoutDiscounts, presale_price, store_discounts
from merchants.errors import ProtocolError, invalid, not_found
from merchants.ids import IdSource, SerialIds
from merchants.money import apply_bps, format_money
from merchants.orders import OrderDiscount, OrderLine, PlacedOrder
from merchants.payments import Charge, PaymentProcessor
from merchants.presales import DepositForfeited, Presale, PresaleBook, PresaleDeposit
from merchants.promotions import BasketLine, PromotionBook
from merchants.snapshot import LineSnapshot, Note, SessionSnapshot, SessionStatus
from merchants.versions import checkout_session

CANCELED = Note("info", "Checkout session canceled.")
EXPIRED = Note("info", "Checkout session expired.")


@dataclass(frozen=True, slots=True)
class ShippingRate:
    """A fulfillment option the merchant offers: price and delivery window in days."""

    id: str
    title: str
    price: int
    min_days: int
    max_days: int
    carrier: str = "USPS"
    free_over: int | None = None  # items subtotal at or above which shipping is free


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A catalog price the merchant changed, and when: the record open sessions are re-priced by."""

    product_id: str
    old_price: int
    new_price: int
    at: datetime


@dataclass(slots=True)
class _Session:
    id: str
    items: list[Item]
    buyer: Buyer | None
    address: Address | None
    option_id: str | None
    created_at: datetime
    expires_at: datetime
    quotes: dict[str, int]  # unit price per product the client expects
    state: Literal["open", "completed", "canceled", "expired"] = "open"
    notes: list[Note] = field(default_factory=list)
    order: Order | None = None
    pending_token: str | None = None  # a token whose 3-D Secure challenge is outstanding
    prices: dict[str, int] | None = None  # unit prices frozen when the session closed
    codes: tuple[str, ...] = ()  # discount codes submitted
    companions: tuple[BasketLine, ...] = ()  # lines held at other stores of the marketplace
    discounts: CheckoutDiscounts | None = None  # frozen when the session closed
    presale: Presale | None = None  # a deposit checkout of this presale (merchants.presales)
    affiliate: Attribution | None = None  # sent at create (first touch), merchants.affiliates
    annex: dict[str, Any] = field(default_factory=dict)  # see SessionSnapshot.annex


OrderSink = Callable[[PlacedOrder], None]
DepositSink = Callable[[PresaleDeposit], None]
ForfeitSink = Callable[[DepositForfeited], None]


@dataclass(frozen=True, slots=True)
class FinalPayment:
    """The answer to a final payment: the sale's order if the charge went through."""

    charge: Charge
    order: PlacedOrder | None


class CheckoutService:
    """One merchant's ACP checkout. Thread-safe, so an HTTP server may call it concurrently.

    ``lock`` is the one lock every operation holds; a caller that must read a session's
    snapshot right after an operation, with nothing in between, holds it around both.
    """

    def __init__(
        self,
        *,
        merchant_id: str,
        platform: str,
        catalog: Catalog,
        processor: PaymentProcessor,
        shipping: list[ShippingRate],
        tax_rate_bps: int = 0,
        session_ttl: timedelta = timedelta(minutes=30),
        site_url: str = "https://merchant.example",
        order_sink: OrderSink | None = None,
        session_retention: timedelta = timedelta(hours=1),
        promotions: PromotionBook | None = None,
        presales: PresaleBook | None = None,
    ) -> None:
        if not shipping:
            raise ValueError("a merchant needs at least one shipping rate")
        self.merchant_id, self.platform, self.catalog = merchant_id, platform, catalog
        self.processor, self.shipping, self.tax_rate_bps = processor, shipping, tax_rate_bps
        self.session_ttl, self.site_url = session_ttl, site_url.rstrip("/")
        self.order_sinks: list[OrderSink] = [order_sink] if order_sink else []
        self.price_changes: list[PriceChange] = []
        #: This store's promotions and its marketplace's (:mod:`merchants.promotions`).
        self.promotions = promotions or PromotionBook()
        #: This store's presales; deposits taken and not yet settled, by presale order id.
        self.presales = presales or PresaleBook()
        self.held: dict[str, PresaleDeposit] = {}
        self.deposit_sinks: list[DepositSink] = []
        self.forfeit_sinks: list[ForfeitSink] = []
        self._deposits = 0
        self._sessions: dict[str, _Session] = {}
        self._orders: dict[str, Order] = {}
        # Memory stays bounded over long runs: a session is forgotten ``session_retention``
        # after it expires (a later GET is a 404), and with ``order_limit`` set only the
        # newest orders are kept for look-ups (the simulation sets it; a server keeps all).
        self.session_retention = session_retention
        self.order_limit: int | None = None
        self.ships_to: frozenset[str] | None = None  # countries it delivers to; None: anywhere
        self._created = 0
        self._placed = 0
        #: Mints session and order ids: serial in process, secret over HTTP (merchants.ids).
        self.ids: IdSource = SerialIds()
        self.lock = threading.RLock()
        self._lock = self.lock

    # -- the ACP operations ------------------------------------------------------------------

    def create(
        self,
        request: CheckoutSessionCreateRequest,
        now: datetime,
        *,
        expected_prices: Mapping[str, int] | None = None,
        codes: Sequence[str] = (),
        companions: Sequence[BasketLine] = (),
        affiliate: Attribution | None = None,
    ) -> CheckoutSession:
        """Open a session. ``expected_prices`` (unit price by item id) is what the client was
        shown, when its API version can say so; otherwise the current price is the quote.
        ``codes`` are discount codes submitted; ``companions`` the lines the same buyer holds at
        other stores of the marketplace, which cross-store promotions count. Open each store's
        session of one basket with the same codes, so that all price the same basket."""
        with self._lock:
            self._check_items(request.items, "$.items")
            items = _merge(request.items)
            self._created += 1
            if self._created % 1024 == 0:
                self._forget_expired(now)
            session = _Session(
                id=self.ids.mint(f"cs_{self.merchant_id}_", self._created),
                items=items,
                buyer=request.buyer,
                address=request.fulfillment_address,
                option_id=None,
                created_at=now,
                expires_at=now + self.session_ttl,
                quotes=self._quotes(items, expected_prices),
                codes=tuple(codes),
                companions=tuple(companions),
                presale=self._presale_of(items, now, "$.items"),
                affiliate=affiliate,
            )
            if session.address is not None:
                session.option_id = self._cheapest_option(session, now).id
            self._sessions[session.id] = session
            return self._view(session, now)

    def update(
        self,
        session_id: str,
        request: CheckoutSessionUpdateRequest,
        now: datetime,
        *,
        expected_prices: Mapping[str, int] | None = None,
        codes: Sequence[str] | None = None,
    ) -> CheckoutSession:
        """Change a session; new items are quoted afresh, which acknowledges a price change.
        ``codes`` replace the codes submitted before (an empty list clears them)."""
        with self._lock:
            session = self._open(session_id, now, "update")
            # Check everything before changing anything, so a refused update leaves no trace.
            items = None
            if request.items is not None:
                if not request.items:
                    raise invalid("items must not be empty", "$.items")
                self._check_items(request.items, "$.items")
                items = _merge(request.items)
                presale = self._presale_of(items, now, "$.items")
            if request.fulfillment_option_id is not None and (
                request.fulfillment_option_id not in {r.id for r in self.shipping}
            ):
                raise invalid(
                    f"unknown fulfillment option {request.fulfillment_option_id!r}",
                    "$.fulfillment_option_id",
                )
            if items is not None:
                session.items, session.presale = items, presale
                session.quotes = self._quotes(items, expected_prices)
            if codes is not None:
                session.codes = tuple(codes)
            if request.buyer is not None:
                session.buyer = request.buyer
                session.annex.pop("buyer", None)  # what a later version sent is stale now
            if request.fulfillment_address is not None:
                session.address = request.fulfillment_address
                session.annex.pop("fulfillment_details", None)
                session.option_id = session.option_id or self._cheapest_option(session, now).id
            if request.fulfillment_option_id is not None:
                session.option_id = request.fulfillment_option_id
            session.notes.clear()
            session.pending_token = None  # the amount may have changed: a new challenge
            return self._view(session, now)

    def annotate(self, session_id: str, now: datetime, **fields: Any) -> None:
        """Keep protocol fields on a session for its renderer to echo (see
        :attr:`SessionSnapshot.annex`); a ``None`` value removes the field."""
        with self._lock:
            annex = self._find(session_id).annex
            for name, value in fields.items():
                if value is None:
                    annex.pop(name, None)
                else:
                    annex[name] = value

    def quote(self, items: Sequence[Item], now: datetime, *, param: str) -> SessionSnapshot:
        """Price ``items`` as a session would be priced now, without opening one: the totals
        of a cart (an estimate: no address, so no shipping, and no discount codes)."""
        with self._lock:
            self._check_items(list(items), param)
            merged = _merge(list(items))
            draft = _Session(
                id="",
                items=merged,
                buyer=None,
                address=None,
                option_id=None,
                created_at=now,
                expires_at=now + self.session_ttl,
                quotes=self._quotes(merged, None),
            )
            return self._snapshot(draft, now)

    def get(self, session_id: str, now: datetime) -> CheckoutSession:
        return checkout_session(self.snapshot(session_id, now))

    def complete(
        self,
        session_id: str,
        request: CheckoutSessionCompleteRequest,
        now: datetime,
        *,
        authenticated: bool | None = None,
        affiliate: Attribution | None = None,
    ) -> CheckoutSession:
        """Charge the token and place the order.

        A card that needs 3-D Secure leaves the session ``authentication_required`` (2025-09-29:
        ``ready_for_payment`` with a ``requires_3ds`` error) and charges nothing.
        ``authenticated`` carries a challenge result sent with this very request (2026-04-17's
        ``authentication_result``); without it, :meth:`authenticate` records one.
        """
        with self._lock:
            session = self._open(session_id, now, "complete")
            if request.buyer is not None:
                session.buyer = request.buyer
                session.annex.pop("buyer", None)
            session.affiliate = last_touch(session.affiliate, affiliate)
            session.notes.clear()
            token = request.payment_data.token
            if authenticated is not None:
                self.processor.authenticate(token, authenticated, now)
            view = self._snapshot(session, now)
            if any(n.code == "out_of_stock" for n in view.notes):
                return checkout_session(view)  # a business problem: 2xx with the message
            if view.status not in ("ready_for_payment", "authentication_required"):
                raise ProtocolError(
                    409,
                    "invalid_request",
                    "not_ready_for_payment",
                    f"checkout session {session_id} is {view.status}",
                )
            quantities = {item.id: item.quantity for item in session.items}
            charge = self.processor.charge(
                token,
                amount=view.total(),
                currency=self.catalog.currency,
                checkout_session_id=session.id,
                merchant_id=self.merchant_id,
                now=now,
            )
            if charge.requires_authentication:
                session.pending_token = token
                return self._view(session, now)
            session.pending_token = None
            if not charge.approved:
                session.notes.append(
                    Note(
                        "error",
                        f"Payment declined: {charge.decline_reason}.",
                        code="payment_declined",
                        param="$.payment_data",
                    )
                )
                return self._view(session, now)
            try:
                self.catalog.take(quantities)
            except OutOfStock:  # unreachable while the lock is held; kept as the last guard
                return self._view(session, now)
            if session.presale is not None:
                return self._deposit_taken(session, now)
            self._placed += 1
            prefix = f"ord_{self.merchant_id}_"
            order_id = self.ids.mint(prefix, self._placed)
            session.order = Order(
                id=order_id,
                checkout_session_id=session.id,
                permalink_url=f"{self.site_url}/orders/{order_id.removeprefix(prefix)}",
            )
            self._orders[session.order.id] = session.order
            if self.order_limit is not None and len(self._orders) > self.order_limit:
                del self._orders[next(iter(self._orders))]  # the oldest
            self._close(session, "completed", now)
            completed = self._snapshot(session, now)
            placed = self._placed_order(session, completed, now)
            for sink in self.order_sinks:
                sink(placed)
            return checkout_session(completed)

    def authenticate(self, session_id: str, passed: bool, now: datetime) -> CheckoutSession:
        """Record the 3-D Secure challenge result of the session's pending token.

        The session is ready again; completing it with the same token then charges (passed) or
        answers ``payment_declined`` with ``authentication_failed`` (failed). 409 when no
        challenge is pending.
        """
        with self._lock:
            session = self._open(session_id, now, "authenticate")
            if session.pending_token is None:
                raise ProtocolError(
                    409,
                    "invalid_request",
                    "invalid_state",
                    f"checkout session {session_id} has no 3-D Secure challenge pending",
                )
            self.processor.authenticate(session.pending_token, passed, now)
            session.pending_token = None
            session.notes.clear()
            return self._view(session, now)

    def cancel(self, session_id: str, now: datetime) -> CheckoutSession:
        with self._lock:
            session = self._find(session_id)
            self._expire(session, now)
            if session.state != "open":
                status = "canceled" if session.state == "expired" else session.state
                raise ProtocolError(
                    405,
                    "invalid_request",
                    "invalid_state",
                    f"checkout session {session_id} is {status}",
                )
            self._close(session, "canceled", now)
            session.notes = [CANCELED]
            return self._view(session, now)

    # -- presales (merchants.presales) -------------------------------------------------------

    def quote_final(self, presale_order_id: str, now: datetime) -> int:
        """What the final payment of a held deposit comes to at ``now``."""
        with self._lock:
            deposit = self._held(presale_order_id)
            return self._final_sale(deposit, now, "").total_amount - deposit.amount

    def pay_final(
        self,
        presale_order_id: str,
        token: str,
        now: datetime,
        *,
        authenticated: bool | None = None,
    ) -> FinalPayment:
        """Charge the final payment of a held deposit in its window and place the sale.

        The sale's order lists the deposit's inflation as a discount funded by the presale's
        funder and carries ``deposit``, what was paid before; a declined charge leaves the
        deposit held. 409 outside the window, 404 for no such held deposit.
        """
        with self._lock:
            deposit = self._held(presale_order_id)
            presale = deposit.presale
            if not presale.in_window(now):
                raise ProtocolError(
                    409,
                    "invalid_request",
                    "invalid_state",
                    f"presale order {presale_order_id}: the final payment window is "
                    f"{presale.final_payment_starts_at.isoformat()} to "
                    f"{presale.final_payment_ends_at.isoformat()}",
                )
            if authenticated is not None:
                self.processor.authenticate(token, authenticated, now)
            sale = self._final_sale(deposit, now, "")
            charge = self.processor.charge(
                token,
                amount=sale.total_amount - deposit.amount,
                currency=self.catalog.currency,
                checkout_session_id=deposit.checkout_session_id,
                merchant_id=self.merchant_id,
                now=now,
            )
            if not charge.approved:
                return FinalPayment(charge, None)
            self._placed += 1
            prefix = f"ord_{self.merchant_id}_"
            order_id = self.ids.mint(prefix, self._placed)
            self._orders[order_id] = Order(
                id=order_id,
                checkout_session_id=deposit.checkout_session_id,
                permalink_url=f"{self.site_url}/orders/{order_id.removeprefix(prefix)}",
            )
            del self.held[presale_order_id]
            placed = self._final_sale(deposit, now, order_id)
            for sink in self.order_sinks:
                sink(placed)
            return FinalPayment(charge, placed)

    def forfeit(self, presale_order_id: str, now: datetime, reason: str) -> DepositForfeited:
        """The final payment will not be made: the merchant keeps the deposit, the units go
        back on the shelf."""
        with self._lock:
            deposit = self._held(presale_order_id)
            del self.held[presale_order_id]
            self.catalog.put_back({deposit.product_id: deposit.quantity})
            event = DepositForfeited(deposit, now, reason)
            for sink in self.forfeit_sinks:
                sink(event)
            return event

    def _held(self, presale_order_id: str) -> PresaleDeposit:
        deposit = self.held.get(presale_order_id)
        if deposit is None:
            raise not_found(f"held presale deposit {presale_order_id!r}")
        return deposit

    def _presale_of(self, items: list[Item], now: datetime, param: str) -> Presale | None:
        """The presale taking deposits for the items at ``now``; it must be their only line."""
        if not self.presales:
            return None
        for index, item in enumerate(items):
            presale = self.presales.open_for(self.catalog.get(item.id), now)
            if presale is not None and len(items) > 1:
                raise invalid(
                    f"{item.id!r} is on presale: check it out on its own", f"{param}[{index}].id"
                )
            if presale is not None:
                return presale
        return None

    def _deposit_taken(self, session: _Session, now: datetime) -> CheckoutSession:
        """A deposit checkout completed: its units are kept, the deposit is held."""
        self._deposits += 1
        prefix = f"pre_{self.merchant_id}_"
        presale_order_id = self.ids.mint(prefix, self._deposits)
        session.order = Order(
            id=presale_order_id,
            checkout_session_id=session.id,
            permalink_url=f"{self.site_url}/presales/{presale_order_id.removeprefix(prefix)}",
        )
        self._close(session, "completed", now)
        item = session.items[0]
        deposit = PresaleDeposit(
            id=presale_order_id,
            presale=session.presale,
            merchant_id=self.merchant_id,
            checkout_session_id=session.id,
            product_id=item.id,
            quantity=item.quantity,
            unit_price=session.prices[item.id],
            currency=self.catalog.currency,
            option_id=session.option_id,
            paid_at=now,
            buyer_email=session.buyer.email if session.buyer else None,
        )
        self.held[deposit.id] = deposit
        for sink in self.deposit_sinks:
            sink(deposit)
        return self._view(session, now)

    def _final_sale(self, deposit: PresaleDeposit, now: datetime, order_id: str) -> PlacedOrder:
        """The whole sale as it stands at ``now``: the price less the deposit's value and the
        promotions on what it leaves (:func:`merchants.discounts.presale_price`, which the
        agent's unit prices use too), plus shipping and tax."""
        product = self.catalog.get(deposit.product_id)
        base = deposit.unit_price * deposit.quantity
        line = BasketLine(self.merchant_id, product.id, deposit.quantity, deposit.unit_price)
        sale = presale_price(self.promotions, deposit.presale, line, now)
        discounts, subtotal = sale.discounts, sale.line_amount
        line_tax = apply_bps(subtotal, self.tax_rate_bps)
        rate = next(r for r in self.shipping if r.id == deposit.option_id)
        shipping = self._shipping_price(rate, subtotal)
        tax = line_tax + apply_bps(shipping, self.tax_rate_bps)
        return PlacedOrder(
            id=order_id,
            checkout_session_id=deposit.checkout_session_id,
            merchant_id=self.merchant_id,
            platform=self.platform,
            currency=deposit.currency,
            lines=(
                OrderLine(
                    product_id=product.id,
                    title=product.title,
                    category=product.category,
                    quantity=deposit.quantity,
                    unit_price=deposit.unit_price,
                    subtotal=base,
                    tax=line_tax,
                ),
            ),
            items_amount=base,
            discount_amount=base - subtotal,
            shipping_amount=shipping,
            tax_amount=tax,
            total_amount=subtotal + shipping + tax,
            placed_at=now,
            buyer_email=deposit.buyer_email,
            discounts=discounts,
            presale_id=deposit.id,
            deposit=deposit.amount,
        )

    # -- the merchant's side -----------------------------------------------------------------

    def snapshot(self, session_id: str, now: datetime) -> SessionSnapshot:
        """The session as it stands at ``now``, for :func:`merchants.versions.render`."""
        with self._lock:
            session = self._find(session_id)
            self._expire(session, now)
            return self._snapshot(session, now)

    def set_price(self, product_id: str, price: int, now: datetime) -> PriceChange:
        """Change a product's price from ``now`` on; open sessions are re-priced at it."""
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise invalid(
                f"price must be a non-negative int of minor units, got {price!r}", "$.price"
            )
        with self._lock:
            product = self.catalog.get(product_id)
            if product is None:
                raise not_found(f"product {product_id!r}")
            change = PriceChange(product_id, product.price, price, now)
            product.price = price
            self.price_changes.append(change)
            return change

    def order(self, order_id: str) -> Order:
        """A placed order's id, session and permalink; 404 when there is no such order."""
        with self._lock:
            found = self._orders.get(order_id)
            if found is None:
                raise not_found(f"order {order_id!r}")
            return found

    # -- internals ---------------------------------------------------------------------------

    def _forget_expired(self, now: datetime) -> None:
        cutoff = now - self.session_retention
        stale = [sid for sid, s in self._sessions.items() if s.expires_at <= cutoff]
        for sid in stale:
            del self._sessions[sid]

    def _view(self, session: _Session, now: datetime) -> CheckoutSession:
        return checkout_session(self._snapshot(session, now))

    def _find(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise not_found(f"checkout session {session_id}")
        return session

    def _open(self, session_id: str, now: datetime, action: str) -> _Session:
        session = self._find(session_id)
        self._expire(session, now)
        if session.state != "open":
            expired = session.state == "expired"
            code = "session_expired" if expired else "invalid_state"
            raise ProtocolError(
                409,
                "invalid_request",
                code,
                f"cannot {action} checkout session {session_id}: {session.state}",
            )
        return session

    def _expire(self, session: _Session, now: datetime) -> None:
        if session.state == "open" and now >= session.expires_at:
            self._close(session, "expired", now)
            session.notes = [EXPIRED]

    def _close(
        self, session: _Session, state: Literal["completed", "canceled", "expired"], now: datetime
    ) -> None:
        """End a session, freezing its prices and discounts so later price changes and
        promotions that end leave it as it was."""
        session.discounts = self._discounts(session, now)
        session.state = state
        session.pending_token = None
        session.prices = {i.id: self.catalog.get(i.id).price for i in session.items}

    def _discounts(self, session: _Session, now: datetime) -> CheckoutDiscounts:
        """The session's share of its basket's promotions (frozen once it closed)."""
        if session.discounts is not None:
            return session.discounts
        if not self.promotions or session.presale is not None:  # at the final payment
            return NO_DISCOUNTS
        lines = [
            BasketLine(self.merchant_id, i.id, i.quantity, self._unit_price(session, i.id))
            for i in session.items
        ]
        return store_discounts(
            self.promotions,
            self.merchant_id,
            lines,
            now,
            codes=session.codes,
            companions=session.companions,
        )

    def _check_items(self, items: list[Item], param: str) -> None:
        for index, item in enumerate(items):
            if item.id not in self.catalog:
                raise invalid(f"unknown item {item.id!r}", f"{param}[{index}].id")

    def _quotes(self, items: list[Item], expected: Mapping[str, int] | None) -> dict[str, int]:
        expected = expected or {}
        return {i.id: expected.get(i.id, self.catalog.get(i.id).price) for i in items}

    def _unit_price(self, session: _Session, product_id: str) -> int:
        if session.prices is not None:
            return session.prices[product_id]
        return self.catalog.get(product_id).price

    def _cheapest_option(self, session: _Session, now: datetime) -> ShippingRate:
        subtotal = sum(self._unit_price(session, i.id) * i.quantity for i in session.items)
        subtotal -= self._discounts(session, now).total
        return min(self.shipping, key=lambda r: (self._shipping_price(r, subtotal), r.id))

    @staticmethod
    def _shipping_price(rate: ShippingRate, items_subtotal: int) -> int:
        return 0 if rate.free_over is not None and items_subtotal >= rate.free_over else rate.price

    def _snapshot(self, session: _Session, now: datetime) -> SessionSnapshot:
        """Price the session as it stands and derive its status: the single source of totals."""
        is_open = session.state == "open"
        lines, notes = [], list(session.notes)
        discounts = self._discounts(session, now)
        for index, item in enumerate(session.items):
            product = self.catalog.get(item.id)
            unit = self._unit_price(session, item.id)
            quoted = session.quotes.get(item.id, unit)
            base = unit * item.quantity
            discount = discounts.line_discounts[index] if discounts.line_discounts else 0
            subtotal = base - discount
            if session.presale is not None:  # only the deposit now; tax with the sale
                subtotal = session.presale.deposit * item.quantity
            tax = 0 if session.presale is not None else apply_bps(subtotal, self.tax_rate_bps)
            lines.append(
                LineSnapshot(
                    id=f"li_{index + 1}",
                    product_id=item.id,
                    name=product.title,
                    quantity=item.quantity,
                    unit_amount=unit,
                    quoted=quoted,
                    base_amount=base,
                    discount=discount,
                    subtotal=subtotal,
                    tax=tax,
                    total=subtotal + tax,
                )
            )
            if not is_open:
                continue
            if unit != quoted:
                currency = self.catalog.currency
                notes.append(
                    Note(
                        "warning",
                        f"Price of {product.title} changed from "
                        f"{format_money(quoted, currency)} to {format_money(unit, currency)}.",
                        code="price_change",
                        param=f"$.line_items[{index}]",
                    )
                )
            if not (product.allow_backorder or product.stock >= item.quantity):
                notes.append(
                    Note(
                        "error",
                        f"{product.title} has {max(product.stock, 0)} in stock.",
                        code="out_of_stock",
                        param=f"$.line_items[{index}]",
                    )
                )
        if is_open:
            notes += [
                Note("warning", r.message, code=r.reason, param="$.discounts.codes")
                for r in discounts.rejected
            ]
        items_subtotal = sum(line.subtotal for line in lines)
        options = tuple(self._option(rate, items_subtotal, now) for rate in self.shipping)
        chosen = next((o for o in options if o.id == session.option_id), None)
        later = session.presale is not None  # shipping is charged with the final payment
        shipping = chosen.subtotal if chosen and not later else 0
        shipping_tax = chosen.tax if chosen and not later else 0
        if later:
            notes.append(Note("info", session.presale.terms(self.catalog.currency)))
        tax = sum(line.tax for line in lines) + shipping_tax
        totals = [
            Total(
                type="items_base_amount",
                display_text="Item(s) total",
                amount=sum(line.base_amount for line in lines),
            ),
        ]
        if discounts.total:
            totals.append(Total(type="discount", display_text="Discounts", amount=discounts.total))
        totals += [
            Total(
                type="subtotal",
                display_text="Presale deposit" if later else "Subtotal",
                amount=items_subtotal,
            )
        ]
        if chosen is not None:
            shown = "Shipping (with the final payment)" if later else "Shipping"
            totals.append(Total(type="fulfillment", display_text=shown, amount=shipping))
        totals += [
            Total(type="tax", display_text="Tax", amount=tax),
            Total(type="total", display_text="Total", amount=items_subtotal + shipping + tax),
        ]
        if session.address is None and is_open:
            notes.append(
                Note(
                    "error",
                    "A shipping address is required.",
                    code="missing",
                    param="$.fulfillment_address",
                )
            )
        elif (
            is_open
            and self.ships_to is not None
            and session.address.country.upper() not in self.ships_to
        ):
            notes.append(
                Note(
                    "error",
                    f"We do not ship to {session.address.country}.",
                    code="invalid",
                    param="$.fulfillment_address.country",
                )
            )
        status: SessionStatus
        if is_open:
            ready = chosen is not None and not any(  # a declined card can be replaced
                n.kind == "error" and n.code != "payment_declined" for n in notes
            )
            status = "not_ready_for_payment"
            if ready:
                status = (
                    "authentication_required" if session.pending_token else ("ready_for_payment")
                )
        else:
            status = session.state
        return SessionSnapshot(
            id=session.id,
            merchant_id=self.merchant_id,
            status=status,
            currency=self.catalog.currency,
            buyer=session.buyer,
            address=session.address,
            lines=tuple(lines),
            options=options,
            option_id=session.option_id,
            totals=tuple(totals),
            notes=tuple(notes),
            links=(
                Link(type="terms_of_use", url=f"{self.site_url}/terms"),
                Link(type="privacy_policy", url=f"{self.site_url}/privacy"),
            ),
            payment_provider=self.processor.provider,
            created_at=session.created_at,
            expires_at=session.expires_at,
            order=session.order,
            discounts=discounts,
            annex=dict(session.annex),  # a copy: later changes leave this moment as it was
        )

    def _option(
        self, rate: ShippingRate, items_subtotal: int, now: datetime
    ) -> FulfillmentOptionShipping:
        price = self._shipping_price(rate, items_subtotal)
        tax = apply_bps(price, self.tax_rate_bps)
        return FulfillmentOptionShipping(
            id=rate.id,
            title=rate.title,
            subtitle=f"{rate.min_days}-{rate.max_days} business days",
            carrier=rate.carrier,
            earliest_delivery_time=timestamp(now + timedelta(days=rate.min_days)),
            latest_delivery_time=timestamp(now + timedelta(days=rate.max_days)),
            subtotal=price,
            tax=tax,
            total=price + tax,
        )

    def _placed_order(self, session: _Session, view: SessionSnapshot, now: datetime) -> PlacedOrder:
        lines = tuple(
            OrderLine(
                product_id=line.product_id,
                title=line.name,
                category=self.catalog.get(line.product_id).category,
                quantity=line.quantity,
                unit_price=line.unit_amount,
                subtotal=line.base_amount,  # before discounts, as items_amount is
                tax=line.tax,
            )
            for line in view.lines
        )
        return PlacedOrder(
            id=session.order.id,
            checkout_session_id=session.id,
            merchant_id=self.merchant_id,
            platform=self.platform,
            currency=self.catalog.currency,
            lines=lines,
            items_amount=view.total("items_base_amount"),
            discount_amount=view.total("discount"),
            shipping_amount=view.total("fulfillment"),
            tax_amount=view.total("tax"),
            total_amount=view.total("total"),
            placed_at=now,
            buyer_email=session.buyer.email if session.buyer else None,
            fulfillment_option_id=session.option_id,
            affiliate=session.affiliate,
            discounts=tuple(
                OrderDiscount(d.promotion_id, d.kind, d.code, d.funder, d.amount)
                for d in view.discounts.applied
            ),
        )


def _merge(items: list[Item]) -> list[Item]:
    """Collapse repeated ids into one line each, keeping first-seen order.

    Repeats may add up past :data:`MAX_QUANTITY`, which one line may not hold: that is the
    client's error (a 400 naming the line), not the server's.
    """
    merged: dict[str, int] = {}
    for index, item in enumerate(items):
        merged[item.id] = merged.get(item.id, 0) + item.quantity
        if merged[item.id] > MAX_QUANTITY:
            raise invalid(
                f"more than {MAX_QUANTITY} units of {item.id!r} in total",
                f"$.items[{index}].quantity",
            )
    return [Item(id=i, quantity=q) for i, q in merged.items()]
