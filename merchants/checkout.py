"""ACP checkout sessions: create, update, complete, cancel, in the merchant's own time.

Transitions (anything else is refused):

    create            -> not_ready_for_payment | ready_for_payment
    update            not_ready | ready -> not_ready | ready
    complete          ready -> completed         (payment approved, stock taken)
                      ready -> ready              (payment_declined message)
                      ready -> not_ready          (out_of_stock message)
    cancel            not_ready | ready -> canceled     (405 from completed or canceled)
    time passes       not_ready | ready -> canceled with an ``expired`` message, at expires_at

A session is ``ready_for_payment`` when it has an address, a fulfillment option and no error
message. Every method takes ``now``; nothing here reads a clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from merchants.acp import (
    MAX_QUANTITY, Address, Buyer, CheckoutSession, CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest, CheckoutSessionUpdateRequest, FulfillmentOptionShipping,
    Item, LineItem, Link, MessageError, MessageInfo, Order, PaymentProvider, Status, Total,
    timestamp,
)
from merchants.catalog import Catalog, OutOfStock
from merchants.errors import ProtocolError, invalid, not_found
from merchants.money import apply_bps
from merchants.orders import OrderLine, PlacedOrder
from merchants.payments import PaymentProcessor


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


@dataclass(slots=True)
class _Session:
    id: str
    items: list[Item]
    buyer: Buyer | None
    address: Address | None
    option_id: str | None
    created_at: datetime
    expires_at: datetime
    status: Status = "not_ready_for_payment"
    notes: list[MessageError | MessageInfo] = field(default_factory=list)
    order: Order | None = None


OrderSink = Callable[[PlacedOrder], None]


class CheckoutService:
    """One merchant's ACP checkout. Thread-safe, so an HTTP server may call it concurrently."""

    def __init__(
        self, *, merchant_id: str, platform: str, catalog: Catalog, processor: PaymentProcessor,
        shipping: list[ShippingRate], tax_rate_bps: int = 0, session_ttl: timedelta =
        timedelta(minutes=30), site_url: str = "https://merchant.example",
        order_sink: OrderSink | None = None,
    ) -> None:
        if not shipping:
            raise ValueError("a merchant needs at least one shipping rate")
        self.merchant_id, self.platform, self.catalog = merchant_id, platform, catalog
        self.processor, self.shipping, self.tax_rate_bps = processor, shipping, tax_rate_bps
        self.session_ttl, self.site_url = session_ttl, site_url.rstrip("/")
        self.order_sinks: list[OrderSink] = [order_sink] if order_sink else []
        self._sessions: dict[str, _Session] = {}
        self._orders = 0
        self._lock = threading.RLock()

    # -- the five ACP operations -------------------------------------------------------------

    def create(self, request: CheckoutSessionCreateRequest, now: datetime) -> CheckoutSession:
        with self._lock:
            self._check_items(request.items, "$.items")
            session = _Session(
                id=f"cs_{self.merchant_id}_{len(self._sessions) + 1:07d}",
                items=_merge(request.items), buyer=request.buyer,
                address=request.fulfillment_address, option_id=None,
                created_at=now, expires_at=now + self.session_ttl,
            )
            if session.address is not None:
                session.option_id = self._cheapest_option(session).id
            self._sessions[session.id] = session
            return self._render(session, now)

    def update(
        self, session_id: str, request: CheckoutSessionUpdateRequest, now: datetime
    ) -> CheckoutSession:
        with self._lock:
            session = self._open(session_id, now, "update")
            # Check everything before changing anything, so a refused update leaves no trace.
            items = None
            if request.items is not None:
                if not request.items:
                    raise invalid("items must not be empty", "$.items")
                self._check_items(request.items, "$.items")
                items = _merge(request.items)
            if request.fulfillment_option_id is not None and (
                request.fulfillment_option_id not in {r.id for r in self.shipping}
            ):
                raise invalid(f"unknown fulfillment option {request.fulfillment_option_id!r}",
                              "$.fulfillment_option_id")
            if items is not None:
                session.items = items
            if request.buyer is not None:
                session.buyer = request.buyer
            if request.fulfillment_address is not None:
                session.address = request.fulfillment_address
                session.option_id = session.option_id or self._cheapest_option(session).id
            if request.fulfillment_option_id is not None:
                session.option_id = request.fulfillment_option_id
            session.notes.clear()
            return self._render(session, now)

    def get(self, session_id: str, now: datetime) -> CheckoutSession:
        with self._lock:
            session = self._find(session_id)
            self._expire(session, now)
            return self._render(session, now)

    def complete(
        self, session_id: str, request: CheckoutSessionCompleteRequest, now: datetime
    ) -> CheckoutSession:
        with self._lock:
            session = self._open(session_id, now, "complete")
            if request.buyer is not None:
                session.buyer = request.buyer
            session.notes.clear()
            view = self._render(session, now)
            if any(m.code == "out_of_stock" for m in view.errors()):
                return view  # a business problem: 2xx with the message, not a refusal
            if view.status != "ready_for_payment":
                raise ProtocolError(409, "invalid_request", "not_ready_for_payment",
                                    f"checkout session {session_id} is {view.status}")
            quantities = {item.id: item.quantity for item in session.items}
            charge = self.processor.charge(
                request.payment_data.token, amount=view.total(), currency=self.catalog.currency,
                checkout_session_id=session.id, merchant_id=self.merchant_id, now=now,
            )
            if not charge.approved:
                session.notes.append(MessageError(
                    code="payment_declined", param="$.payment_data",
                    content=f"Payment declined: {charge.decline_reason}."))
                return self._render(session, now)
            try:
                self.catalog.take(quantities)
            except OutOfStock:  # unreachable while the lock is held; kept as the last guard
                return self._render(session, now)
            self._orders += 1
            session.order = Order(
                id=f"ord_{self.merchant_id}_{self._orders:07d}", checkout_session_id=session.id,
                permalink_url=f"{self.site_url}/orders/{self._orders:07d}",
            )
            session.status = "completed"
            completed = self._render(session, now)
            placed = self._placed_order(session, completed, now)
            for sink in self.order_sinks:
                sink(placed)
            return completed

    def cancel(self, session_id: str, now: datetime) -> CheckoutSession:
        with self._lock:
            session = self._find(session_id)
            self._expire(session, now)
            if session.status in ("completed", "canceled"):
                raise ProtocolError(405, "invalid_request", "invalid_state",
                                    f"checkout session {session_id} is {session.status}")
            session.status = "canceled"
            session.notes = [MessageInfo(content="Checkout session canceled.")]
            return self._render(session, now)

    # -- internals ---------------------------------------------------------------------------

    def _find(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise not_found(f"checkout session {session_id}")
        return session

    def _open(self, session_id: str, now: datetime, action: str) -> _Session:
        session = self._find(session_id)
        self._expire(session, now)
        if session.status in ("completed", "canceled"):
            expired = any(getattr(m, "content", "") == "Checkout session expired."
                          for m in session.notes)
            code = "session_expired" if expired else "invalid_state"
            raise ProtocolError(409, "invalid_request", code,
                                f"cannot {action} checkout session {session_id}: "
                                f"{'expired' if expired else session.status}")
        return session

    def _expire(self, session: _Session, now: datetime) -> None:
        if session.status not in ("completed", "canceled") and now >= session.expires_at:
            session.status = "canceled"
            session.notes = [MessageInfo(content="Checkout session expired.")]

    def _check_items(self, items: list[Item], param: str) -> None:
        for index, item in enumerate(items):
            if item.id not in self.catalog:
                raise invalid(f"unknown item {item.id!r}", f"{param}[{index}].id")

    def _cheapest_option(self, session: _Session) -> ShippingRate:
        subtotal = self._items_subtotal(session)
        return min(self.shipping, key=lambda r: (self._shipping_price(r, subtotal), r.id))

    def _items_subtotal(self, session: _Session) -> int:
        return sum(self.catalog.get(i.id).price * i.quantity for i in session.items)

    @staticmethod
    def _shipping_price(rate: ShippingRate, items_subtotal: int) -> int:
        return 0 if rate.free_over is not None and items_subtotal >= rate.free_over else rate.price

    def _render(self, session: _Session, now: datetime) -> CheckoutSession:
        """Price the session as it stands and derive its status: the single source of totals."""
        line_items, messages = [], list(session.notes)
        for index, item in enumerate(session.items):
            product = self.catalog.get(item.id)
            base = product.price * item.quantity
            tax = apply_bps(base, self.tax_rate_bps)
            line_items.append(LineItem(id=f"li_{index + 1}", item=item, base_amount=base,
                                       discount=0, subtotal=base, tax=tax, total=base + tax))
            if session.status not in ("completed", "canceled") and not (
                product.allow_backorder or product.stock >= item.quantity
            ):
                messages.append(MessageError(
                    code="out_of_stock", param=f"$.line_items[{index}]",
                    content=f"{product.title} has {max(product.stock, 0)} in stock."))
        items_subtotal = sum(li.subtotal for li in line_items)
        options = [self._option(rate, items_subtotal, now) for rate in self.shipping]
        chosen = next((o for o in options if o.id == session.option_id), None)
        shipping = chosen.subtotal if chosen else 0
        shipping_tax = chosen.tax if chosen else 0
        tax = sum(li.tax for li in line_items) + shipping_tax
        totals = [
            Total(type="items_base_amount", display_text="Item(s) total",
                  amount=sum(li.base_amount for li in line_items)),
            Total(type="subtotal", display_text="Subtotal", amount=items_subtotal),
        ]
        if chosen is not None:
            totals.append(Total(type="fulfillment", display_text="Shipping", amount=shipping))
        totals += [
            Total(type="tax", display_text="Tax", amount=tax),
            Total(type="total", display_text="Total", amount=items_subtotal + shipping + tax),
        ]
        if session.address is None and session.status not in ("completed", "canceled"):
            messages.append(MessageError(code="missing", param="$.fulfillment_address",
                                         content="A shipping address is required."))
        status = session.status
        if status in ("not_ready_for_payment", "ready_for_payment"):
            ready = chosen is not None and not any(  # a declined card can be replaced
                isinstance(m, MessageError) and m.code != "payment_declined" for m in messages)
            status = "ready_for_payment" if ready else "not_ready_for_payment"
            session.status = status
        return CheckoutSession(
            id=session.id, buyer=session.buyer, payment_provider=PaymentProvider(
                provider=self.processor.provider), status=status,
            currency=self.catalog.currency, line_items=line_items,
            fulfillment_address=session.address, fulfillment_options=options,
            fulfillment_option_id=session.option_id, totals=totals, messages=messages,
            links=[Link(type="terms_of_use", url=f"{self.site_url}/terms"),
                   Link(type="privacy_policy", url=f"{self.site_url}/privacy")],
            order=session.order,
        )

    def _option(self, rate: ShippingRate, items_subtotal: int, now: datetime
                ) -> FulfillmentOptionShipping:
        price = self._shipping_price(rate, items_subtotal)
        tax = apply_bps(price, self.tax_rate_bps)
        return FulfillmentOptionShipping(
            id=rate.id, title=rate.title, subtitle=f"{rate.min_days}-{rate.max_days} business days",
            carrier=rate.carrier,
            earliest_delivery_time=timestamp(now + timedelta(days=rate.min_days)),
            latest_delivery_time=timestamp(now + timedelta(days=rate.max_days)),
            subtotal=price, tax=tax, total=price + tax,
        )

    def _placed_order(self, session: _Session, view: CheckoutSession, now: datetime
                      ) -> PlacedOrder:
        lines = tuple(
            OrderLine(product_id=li.item.id, title=self.catalog.get(li.item.id).title,
                      category=self.catalog.get(li.item.id).category, quantity=li.item.quantity,
                      unit_price=self.catalog.get(li.item.id).price, subtotal=li.subtotal,
                      tax=li.tax)
            for li in view.line_items
        )
        return PlacedOrder(
            id=session.order.id, checkout_session_id=session.id, merchant_id=self.merchant_id,
            platform=self.platform, currency=self.catalog.currency, lines=lines,
            items_amount=view.total("subtotal"), discount_amount=0,
            shipping_amount=view.total("fulfillment"), tax_amount=view.total("tax"),
            total_amount=view.total("total"), placed_at=now,
            buyer_email=session.buyer.email if session.buyer else None,
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
            raise invalid(f"more than {MAX_QUANTITY} units of {item.id!r} in total",
                          f"$.items[{index}].quantity")
    return [Item(id=i, quantity=q) for i, q in merged.items()]
