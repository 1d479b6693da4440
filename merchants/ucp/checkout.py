"""UCP checkout sessions and orders at one merchant, over the merchant's own catalog and books.

Transitions (anything else is a 409):

    create     -> incomplete | ready_for_complete
    update     incomplete | ready_for_complete -> incomplete | ready_for_complete
    complete   ready_for_complete -> completed     (payment approved, stock taken, order placed)
    cancel     incomplete | ready_for_complete -> canceled
    time       open -> canceled, six hours after creation (UCP's default TTL)

A session is ``ready_for_complete`` when its shipping method has a selected destination and a
selected option. Prices, stock and the order come from the same :class:`merchants.merchant.Merchant`
an ACP checkout uses (catalog, order book, order sinks, one lock), so a UCP purchase is the same
purchase as an ACP one; the store's files (:mod:`merchants.store_files`) add discount codes,
shipping rates by country, free-shipping promotions, saved addresses and payment instruments.

Discount codes apply in the order sent, each to what the earlier ones left (10% then 20% off
$35.00 is $25.20), each rounding once, half-even; each code's amount is split over the lines by
largest remainder (:func:`merchants.money.allocate`). An unknown code is ignored with a warning
message. Tax is the profile's rate on the discounted items, rounded once, plus the same rate on
shipping, rounded once (as the ACP checkout taxes shipping). A payment credential the merchant's
payment processor vaulted (an agent's delegated token) is charged through that processor, as an
ACP complete charges it: its declines and 3-D Secure challenges are the processor's. Every
method takes ``now``; nothing here reads a clock.

AP2 mandates (ap2-mandates.md) are active for a session when the platform's profile, fetched
at create, lists both ``dev.ucp.shopping.checkout`` and ``dev.ucp.shopping.ap2_mandate`` (UCP's
capability intersection); the session stays locked to AP2 from then on. Every response of such
a session carries ``ap2.merchant_authorization``, the merchant's ES256 signature over the JCS
form of the checkout without ``ap2`` (:mod:`merchants.ucp.signing`), and complete refuses a
request without ``ap2.checkout_mandate`` (``mandate_required``). The mandate is kept on the
order as sent; this mock does not verify the platform's SD-JWT. The signing key is the store's
(generated with it, ``kid`` ``<merchant id>-2026``, or given), published in ``signing_keys``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from merchants.acp import timestamp
from merchants.catalog import OutOfStock, Product
from merchants.errors import ProtocolError
from merchants.merchant import Merchant
from merchants.money import allocate, apply_bps
from merchants.orders import OrderDiscount, OrderLine, PlacedOrder
from merchants.store_files import DiscountCode, StoreData
from merchants.ucp.discovery import AP2_CAPABILITY, HANDLER_IDS, checkout_meta, payment_handlers
from merchants.ucp.errors import UcpError, conflict, not_found, refused
from merchants.ucp.orders import UcpOrder, webhook_body
from merchants.ucp.platforms import PlatformProfiles, capability_names
from merchants.ucp.requests import (
    UcpBuyerIn,
    UcpCheckoutComplete,
    UcpCheckoutCreate,
    UcpCheckoutUpdate,
    UcpFulfillmentIn,
    UcpLineItemIn,
    UcpOrderUpdate,
)
from merchants.ucp.shipping import ShippingOption, options_for, store_rates
from merchants.ucp.signing import SigningKey, merchant_kid
from merchants.ucp.webhooks import PlatformWebhooks

TTL = timedelta(hours=6)  # UCP's default (checkout.json, expires_at: "6 hours from creation")
ADDRESS_FIELDS = (
    "street_address",
    "extended_address",
    "address_locality",
    "address_region",
    "postal_code",
    "address_country",
    "first_name",
    "last_name",
    "full_name",
    "phone_number",
)
_MATCHED = (
    "street_address",
    "address_locality",
    "address_region",
    "postal_code",
    "address_country",
)


@dataclass(slots=True)
class _Line:
    id: str
    product_id: str
    quantity: int


@dataclass(slots=True)
class _Method:
    id: str
    type: str
    destinations: list[dict[str, str]] = field(default_factory=list)
    selected_destination_id: str | None = None
    selected_option_id: str | None = None


@dataclass(slots=True)
class _Session:
    id: str
    lines: list[_Line]
    created_at: datetime
    buyer: dict[str, Any] | None = None
    method: _Method | None = None
    codes: list[str] = field(default_factory=list)
    payment: dict[str, Any] = field(default_factory=dict)
    state: str = "open"  # open | completed | canceled
    profile: str | None = None  # the platform's profile URL, from its latest request
    order_id: str | None = None
    final: dict[str, Any] | None = None  # the view frozen when the session closed
    serials: dict[str, int] = field(default_factory=dict)  # ids minted here, per prefix
    notes: list[dict[str, Any]] = field(default_factory=list)
    ap2: bool = False  # AP2 negotiated at create: every response signed, complete needs a mandate

    def mint(self, prefix: str) -> str:
        self.serials[prefix] = self.serials.get(prefix, 0) + 1
        return f"{prefix}{self.serials[prefix]}"


@dataclass(frozen=True, slots=True)
class _Priced:
    """A session's prices: per line, the discounts, the shipping options, tax and total."""

    products: list[Product]
    line_subtotals: list[int]
    line_discounts: list[int]
    applied: list[tuple[DiscountCode, str, int, list[int]]]
    rejected: list[str]
    options: list[ShippingOption]
    option: ShippingOption | None
    destination: dict[str, str] | None
    items_tax: int
    shipping_tax: int

    @property
    def tax(self) -> int:
        return self.items_tax + self.shipping_tax

    @property
    def subtotal(self) -> int:
        return sum(self.line_subtotals)

    @property
    def discount(self) -> int:
        return sum(self.line_discounts)

    @property
    def shipping(self) -> int:
        return self.option.price if self.option is not None else 0

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping + self.tax

    def totals(self) -> list[dict[str, Any]]:
        found = [{"type": "subtotal", "amount": self.subtotal}]
        if self.discount:
            found.append({"type": "discount", "amount": self.discount})
        if self.option is not None:
            found.append({"type": "fulfillment", "amount": self.shipping})
        if self.tax:
            found.append({"type": "tax", "amount": self.tax})
        return [*found, {"type": "total", "amount": self.total}]


class UcpStore:
    """One merchant's UCP checkout and orders. Thread-safe: every operation holds the
    merchant's checkout lock, the one its ACP checkout and order book hold."""

    def __init__(
        self,
        merchant: Merchant,
        webhooks: PlatformWebhooks | None = None,
        *,
        signing_key: SigningKey | None = None,
        platforms: PlatformProfiles | None = None,
    ) -> None:
        self.merchant = merchant
        #: The key the profile publishes in ``signing_keys``; signs webhooks and AP2 checkouts.
        self.signing_key = signing_key or SigningKey.generate(merchant_kid(merchant.id))
        store = merchant.store or StoreData()
        profile = merchant.profile
        self.discounts = {d.code.upper(): d for d in store.discounts}
        self.promotions = list(store.promotions)
        self.rates = list(store.shipping_rates) or store_rates(profile.shipping)
        self.free_over = (
            {}
            if store.shipping_rates
            else {r.id: r.free_over for r in profile.shipping if r.free_over is not None}
        )
        self.instruments = {i.token: i for i in store.instruments}
        emails = {c.id: c.email.lower() for c in store.customers}
        #: Saved addresses by buyer email: the store's, and each new one a buyer ships to.
        self.saved: dict[str, list[dict[str, str]]] = {email: [] for email in emails.values()}
        for address in store.addresses:
            self.saved[emails[address.customer_id]].append(
                {
                    "id": address.id,
                    "street_address": address.street_address,
                    "address_locality": address.city,
                    "address_region": address.region,
                    "postal_code": address.postal_code,
                    "address_country": address.country,
                }
            )
        self.webhooks = webhooks if webhooks is not None else PlatformWebhooks()
        #: Where the platform profiles come from (AP2 negotiation); the webhooks' cache.
        self.platforms = platforms if platforms is not None else self.webhooks.profiles
        self.lock = merchant.checkout.lock
        self._sessions: dict[str, _Session] = {}
        self._orders: dict[str, UcpOrder] = {}
        self._created = self._placed = self._addresses = self._events = 0
        self._base = ""  # the server's URL as the latest request reached it

    # -- checkout ----------------------------------------------------------------------------

    def create(
        self, body: UcpCheckoutCreate, now: datetime, base: str, profile: str | None
    ) -> dict:
        ap2 = self.negotiates_ap2(profile)  # may fetch the profile: before taking the lock
        with self.lock:
            self._currency(body.currency)
            self._created += 1
            session_id = self.merchant.ids.mint(f"ucp_cs_{self.merchant.id}_", self._created)
            session = _Session(session_id, [], now, profile=profile, ap2=ap2)
            self._apply(session, body)
            self._sessions[session_id] = session
            return self._view(session, now, base)

    def negotiates_ap2(self, profile: str | None) -> bool:
        """Whether AP2 is in the capability intersection with the platform at ``profile``."""
        names = capability_names(self.platforms.get(profile))
        return {"dev.ucp.shopping.checkout", AP2_CAPABILITY} <= names

    def get(self, session_id: str, now: datetime, base: str) -> dict:
        with self.lock:
            return self._view(self._find(session_id, now), now, base)

    def update(
        self,
        session_id: str,
        body: UcpCheckoutUpdate,
        now: datetime,
        base: str,
        profile: str | None,
    ) -> dict:
        if body.id is not None and body.id != session_id:
            raise refused(
                f"the body's id {body.id!r} is not checkout session {session_id}",
                "id_mismatch",
                "$.id",
            )
        with self.lock:
            session = self._open(session_id, now, "update")
            if body.currency is not None:
                self._currency(body.currency)
            session.profile = profile or session.profile
            self._apply(session, body)
            return self._view(session, now, base)

    def cancel(self, session_id: str, now: datetime, base: str) -> dict:
        with self.lock:
            session = self._open(session_id, now, "cancel")
            return self._close(session, "canceled", now, base)

    def complete(
        self,
        session_id: str,
        body: UcpCheckoutComplete,
        now: datetime,
        base: str,
        profile: str | None,
    ) -> dict:
        """Charge the instrument through its handler, take the stock and place the order."""
        with self.lock:
            session = self._open(session_id, now, "complete")
            if session.ap2 and body.ap2 is None:
                raise refused(
                    "AP2 mandates were negotiated: complete needs ap2.checkout_mandate",
                    "mandate_required",
                    "$.ap2.checkout_mandate",
                )
            session.profile = profile or session.profile
            priced = self._price(session)
            if priced.option is None or priced.destination is None:
                raise refused(
                    "Fulfillment address and option must be selected before completing checkout.",
                    "fulfillment_required",
                    "$.fulfillment",
                )
            payment = body.payment_data
            if payment.handler_id not in HANDLER_IDS:
                raise refused(
                    f"payment handler {payment.handler_id!r} is not offered "
                    f"(offered: {', '.join(sorted(HANDLER_IDS))})",
                    "payment_handler_unsupported",
                    "$.payment_data.handler_id",
                )
            quantities: dict[str, int] = {}  # by product: two lines may name the same one
            for line in session.lines:
                quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
            token = payment.credential.token if payment.credential is not None else None
            processor = self.merchant.checkout.processor
            if token and processor.issued(token):
                self._charge(session, priced, token, quantities, now)
            instrument = self.instruments.get(token) if token else None
            if instrument is not None and instrument.outcome == "decline":
                raise UcpError(
                    402,
                    "payment_declined",
                    "Payment declined by the payment handler.",
                    path="$.payment_data",
                    severity="requires_buyer_input",
                )
            try:
                self.merchant.catalog.take(quantities)
            except OutOfStock as problem:
                raise conflict(f"Insufficient stock: {problem}", "out_of_stock") from None
            order = self._place(session, priced, body, now)
            session.payment = {
                "selected_instrument_id": payment.id,
                "instruments": [payment.model_dump(exclude={"credential"}, exclude_none=True)],
            }
            view = self._close(session, "completed", now, base)
            self._notify(order, "order_placed", now)
        self.merchant.deliver_events()
        return view

    def _charge(
        self,
        session: _Session,
        priced: _Priced,
        token: str,
        quantities: dict[str, int],
        now: datetime,
    ) -> None:
        """Charge a processor's token for the total, after the stock check an ACP complete
        makes first (a sold-out item charges nothing); a refusal leaves the session open."""
        short = self.merchant.catalog.shortage(quantities)
        if short is not None:
            raise conflict(f"Insufficient stock: {short}", "out_of_stock")
        charge = self.merchant.checkout.processor.charge(
            token,
            amount=priced.total,
            currency=self.merchant.catalog.currency,
            checkout_session_id=session.id,
            merchant_id=self.merchant.id,
            now=now,
        )
        if charge.requires_authentication:
            raise UcpError(
                402,
                "requires_3ds",
                "The card issuer requires 3-D Secure: authenticate with the payment handler, "
                "then complete again with the same credential.",
                path="$.payment_data",
                severity="requires_buyer_input",
            )
        if not charge.approved:
            raise UcpError(
                402,
                "payment_declined",
                f"Payment declined: {charge.decline_reason}.",
                path="$.payment_data",
                severity="requires_buyer_input",
            )

    # -- orders ------------------------------------------------------------------------------

    def order(self, order_id: str) -> dict:
        with self.lock:
            return self._order(order_id).wire()

    def update_order(self, order_id: str, body: UcpOrderUpdate, now: datetime) -> dict:
        """Append the fulfillment events and adjustments whose ids are new; a completed refund
        is also a refund in the merchant's order book (and so in its order events)."""
        with self.lock:
            order = self._order(order_id)
            known_lines = order.line_ids()
            events = body.fulfillment.events if body.fulfillment and body.fulfillment.events else []
            adjustments = body.adjustments or []
            for kind, entries in (("fulfillment.events", events), ("adjustments", adjustments)):
                for index, entry in enumerate(entries):
                    for line in entry.line_items or []:
                        if line.id not in known_lines:
                            raise refused(
                                f"order {order_id} has no line item {line.id!r}",
                                "invalid_line_item",
                                f"$.{kind}[{index}].line_items",
                            )
            seen = {e["id"] for e in order.events}
            added_events = [e for e in events if e.id not in seen]
            seen = {a["id"] for a in order.adjustments}
            added_adjustments = [a for a in adjustments if a.id not in seen]
            for adjustment in added_adjustments:
                refund = adjustment.type == "refund" and adjustment.status == "completed"
                if refund and adjustment.amount and adjustment.amount > 0:
                    try:
                        event = self.merchant.orders.refund(order_id, adjustment.amount, now)
                    except ProtocolError as problem:
                        raise refused(problem.message, problem.code, "$.adjustments") from None
                    self.merchant.events.put(event, now)
            for event in added_events:
                order.events.append(event.model_dump(mode="json", exclude_none=True))
                if event.type in ("delivered", "fulfilled"):
                    order.mark_fulfilled({line.id: line.quantity for line in event.line_items})
            order.adjustments += [
                a.model_dump(mode="json", exclude_none=True) for a in added_adjustments
            ]
            if added_events or added_adjustments:
                self._notify(order, "order_updated", now)
            wire = order.wire()
        self.merchant.deliver_events()
        return wire

    def simulate_shipping(self, order_id: str, now: datetime) -> dict:
        """The test hook: the whole order ships now (a ``shipped`` event, webhook
        ``order_shipped``) and the merchant's order book marks it shipped."""
        with self.lock:
            order = self._order(order_id)
            if any(e.get("type") == "shipped" for e in order.events):
                raise conflict(f"order {order_id} has already shipped", "already_shipped")
            try:
                self.merchant.events.put(self.merchant.orders.ship(order_id, now), now)
            except ProtocolError as problem:
                raise conflict(problem.message, problem.code) from None
            self._events += 1
            order.events.append(
                {
                    "id": f"evt_{order_id}_{self._events}",
                    "occurred_at": timestamp(now),
                    "type": "shipped",
                    "line_items": [
                        {"id": line["id"], "quantity": line["quantity"]["total"]}
                        for line in order.line_items
                    ],
                    "tracking_number": f"SIM{self._events:08d}",
                    "carrier": "Simulated Carrier",
                    "description": "Shipped (simulated).",
                }
            )
            order.mark_fulfilled(
                {line["id"]: line["quantity"]["total"] for line in order.line_items}
            )
            self._notify(order, "order_shipped", now)
            wire = order.wire()
        self.merchant.deliver_events()
        return wire

    # -- internals ---------------------------------------------------------------------------

    def _currency(self, currency: str) -> None:
        if currency.lower() != self.merchant.catalog.currency:
            raise refused(
                f"currency {currency} is not offered (this store sells in "
                f"{self.merchant.catalog.currency.upper()})",
                "currency_unsupported",
                "$.currency",
            )

    def _find(self, session_id: str, now: datetime) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise not_found(f"checkout session {session_id!r}")
        if session.state == "open" and now >= session.created_at + TTL:
            session.notes = [
                {"type": "info", "code": "checkout_expired", "content": "Checkout session expired."}
            ]
            self._close(session, "canceled", now, self._base)
        return session

    def _open(self, session_id: str, now: datetime, action: str) -> _Session:
        session = self._find(session_id, now)
        if session.state != "open":
            raise conflict(
                f"cannot {action} checkout session {session_id}: it is {session.state}",
                "checkout_not_modifiable",
            )
        return session

    def _order(self, order_id: str) -> UcpOrder:
        order = self._orders.get(order_id)
        if order is None:
            raise not_found(f"order {order_id!r}")
        return order

    def _apply(self, session: _Session, body: UcpCheckoutCreate | UcpCheckoutUpdate) -> None:
        """Apply a create or update body (a refused line item leaves the session as it was)."""
        session.notes = []
        lines = self._lines(session, body.line_items) if body.line_items is not None else None
        if lines is not None:
            session.lines = lines
        if body.buyer is not None:
            session.buyer = self._buyer(body.buyer, session.buyer)
        if body.discounts is not None:
            session.codes = list(
                dict.fromkeys(c.strip() for c in body.discounts.codes if c.strip())
            )
        if body.payment is not None:
            session.payment = body.payment.model_dump(
                include={"selected_instrument_id", "instruments"}, exclude_none=True
            )
        if body.fulfillment is not None:
            self._fulfillment(session, body.fulfillment)
        self._keep_valid_option(session)

    def _lines(self, session: _Session, items: list[UcpLineItemIn]) -> list[_Line]:
        lines, by_id = [], {line.id: line for line in session.lines}
        for index, item in enumerate(items):
            product = self.merchant.catalog.get(item.item.id)
            if product is None:
                raise refused(
                    f"Product {item.item.id!r} not found",
                    "product_not_found",
                    f"$.line_items[{index}].item.id",
                )
            if product.stock < item.quantity and not product.allow_backorder:
                raise refused(
                    f"Insufficient stock for {product.id}: {item.quantity} asked, "
                    f"{product.stock} in stock",
                    "out_of_stock",
                    f"$.line_items[{index}].quantity",
                )
            line_id = item.id if item.id in by_id else session.mint("li_")
            lines.append(_Line(line_id, product.id, item.quantity))
        return lines

    @staticmethod
    def _buyer(buyer: UcpBuyerIn, before: dict[str, Any] | None) -> dict[str, Any]:
        data = buyer.model_dump(exclude_none=True)
        if "consent" not in data and before and "consent" in before:
            data["consent"] = before["consent"]  # consent stands until the buyer changes it
        return data

    def _email(self, session: _Session) -> str | None:
        email = (session.buyer or {}).get("email")
        return email.strip().lower() if isinstance(email, str) and email.strip() else None

    def _fulfillment(self, session: _Session, fulfillment: UcpFulfillmentIn) -> None:
        if not fulfillment.methods:
            session.method = None
            return
        if len(fulfillment.methods) > 1:
            raise refused(
                "one fulfillment method per checkout is supported",
                "invalid_fulfillment",
                "$.fulfillment.methods",
            )
        wanted = fulfillment.methods[0]
        if wanted.type == "pickup":
            raise refused(
                "this store does not offer pickup",
                "fulfillment_unsupported",
                "$.fulfillment.methods[0].type",
            )
        method = session.method or _Method(session.mint("method_"), "shipping")
        sent = wanted.model_fields_set
        if wanted.destinations:
            destinations = [
                self._destination(session, raw, f"$.fulfillment.methods[0].destinations[{i}]")
                for i, raw in enumerate(wanted.destinations)
            ]
            ids = [d["id"] for d in destinations]
            if len(set(ids)) != len(ids):
                raise refused(
                    "two destinations share an id",
                    "invalid_fulfillment",
                    "$.fulfillment.methods[0].destinations",
                )
            method.destinations = destinations
            if method.selected_destination_id not in ids:
                method.selected_destination_id = None
        elif not method.destinations and (email := self._email(session)) is not None:
            method.destinations = [dict(a) for a in self.saved.get(email, [])]
        if "selected_destination_id" in sent:
            chosen = wanted.selected_destination_id
            if chosen is not None and chosen not in {d["id"] for d in method.destinations}:
                raise refused(
                    f"no destination {chosen!r} in this fulfillment method",
                    "invalid_fulfillment",
                    "$.fulfillment.methods[0].selected_destination_id",
                )
            method.selected_destination_id = chosen
        if wanted.groups:
            method.selected_option_id = wanted.groups[0].selected_option_id
        session.method = method

    def _destination(self, session: _Session, raw: dict[str, Any], path: str) -> dict[str, str]:
        """A destination as sent; one without an id reuses the buyer's saved address with the
        same content, or is saved for the buyer under a new id."""
        for name, value in raw.items():
            if name in ADDRESS_FIELDS + ("id",) and not isinstance(value, str):
                raise UcpError(
                    422,
                    "invalid_request",
                    f"{path}.{name}: must be a string",
                    path=f"{path}.{name}",
                )
        destination = {k: raw[k] for k in ("id", *ADDRESS_FIELDS) if k in raw}
        if destination.get("id"):
            return destination
        email = self._email(session)
        saved = self.saved.get(email, []) if email else []
        key = tuple(str(destination.get(k, "")).strip().lower() for k in _MATCHED)
        for address in saved:
            if tuple(str(address.get(k, "")).strip().lower() for k in _MATCHED) == key:
                return {**destination, "id": address["id"]}
        self._addresses += 1
        destination["id"] = self.merchant.ids.mint("addr_", self._addresses)
        if email is not None:
            self.saved.setdefault(email, []).append(dict(destination))
        return destination

    def _keep_valid_option(self, session: _Session) -> None:
        """A selected option the destination no longer gets is dropped, with a warning."""
        method = session.method
        if method is None or method.selected_option_id is None:
            return
        priced = self._price(session)
        offered = {o.id for o in priced.options}
        if method.selected_option_id not in offered and priced.destination is not None:
            session.notes.append(
                {
                    "type": "warning",
                    "code": "fulfillment_option_unavailable",
                    "content": f"Shipping option {method.selected_option_id} is not available "
                    "for the selected destination.",
                    "path": "$.fulfillment.methods[0].groups[0].selected_option_id",
                }
            )
            method.selected_option_id = None

    def _price(self, session: _Session) -> _Priced:
        products = [self.merchant.catalog.get(line.product_id) for line in session.lines]
        subtotals = [
            p.price * line.quantity for p, line in zip(products, session.lines, strict=True)
        ]
        left = list(subtotals)
        applied, rejected = [], []
        for code in session.codes:
            found = self.discounts.get(code.upper())
            if found is None or any(a[0] is found for a in applied):
                rejected.append(code)
                continue
            amount = found.saving(sum(left))
            shares = allocate(amount, left) if amount else [0] * len(left)
            left = [have - share for have, share in zip(left, shares, strict=True)]
            applied.append((found, code, amount, shares))
        line_discounts = [s - remaining for s, remaining in zip(subtotals, left, strict=True)]
        destination = option = None
        options: list[ShippingOption] = []
        method = session.method
        if method is not None and method.selected_destination_id is not None:
            destination = next(
                (d for d in method.destinations if d["id"] == method.selected_destination_id), None
            )
        if destination is not None and destination.get("address_country"):
            options = options_for(
                destination["address_country"],
                self.rates,
                self.promotions,
                sum(subtotals),
                {line.product_id for line in session.lines},
                self.free_over,
            )
            option = next((o for o in options if o.id == method.selected_option_id), None)
        rate = self.merchant.profile.tax_rate_bps
        shipping_tax = apply_bps(option.price, rate) if option is not None else 0
        return _Priced(
            products,
            subtotals,
            line_discounts,
            applied,
            rejected,
            options,
            option,
            destination,
            apply_bps(sum(left), rate),
            shipping_tax,
        )

    def _view(
        self, session: _Session, now: datetime, base: str, *, signed: bool = True
    ) -> dict[str, Any]:
        """The checkout as UCP shows it; signed (``ap2.merchant_authorization``) under AP2."""
        if session.final is not None:
            return session.final
        self._base = base or self._base
        priced = self._price(session)
        ready = priced.option is not None and priced.destination is not None and session.lines
        status = {"completed": "completed", "canceled": "canceled"}.get(
            session.state, "ready_for_complete" if ready else "incomplete"
        )
        line_items = []
        for line, product, subtotal, discount in zip(
            session.lines,
            priced.products,
            priced.line_subtotals,
            priced.line_discounts,
            strict=True,
        ):
            item = {"id": product.id, "title": product.title, "price": product.price}
            if product.attributes.get("image_url"):
                item["image_url"] = product.attributes["image_url"]
            totals = [{"type": "subtotal", "amount": subtotal}]
            if discount:
                totals.append({"type": "discount", "amount": discount})
            line_items.append(
                {
                    "id": line.id,
                    "item": item,
                    "quantity": line.quantity,
                    "totals": [*totals, {"type": "total", "amount": subtotal - discount}],
                }
            )
        site = self.merchant.profile.site_url.rstrip("/")
        body: dict[str, Any] = {
            "ucp": checkout_meta(ap2=session.ap2),
            "id": session.id,
            "line_items": line_items,
        }
        if session.buyer is not None:
            body["buyer"] = session.buyer
        body |= {
            "status": status,
            "currency": self.merchant.catalog.currency.upper(),
            "totals": priced.totals(),
        }
        messages = list(session.notes)
        messages += [
            {
                "type": "warning",
                "code": "discount_code_invalid",
                "content": f"Discount code {code} is not valid here.",
                "path": "$.discounts.codes",
            }
            for code in priced.rejected
        ]
        if messages:
            body["messages"] = messages
        body |= {
            "links": [
                {"type": "terms_of_service", "url": f"{site}/policies/terms-of-service"},
                {"type": "privacy_policy", "url": f"{site}/policies/privacy-policy"},
            ],
            "expires_at": timestamp(session.created_at + TTL),
            "continue_url": f"{site}/checkouts/{session.id}",
            "payment": {
                "handlers": payment_handlers(base, self.merchant.id, self.merchant.profile.name),
                **session.payment,
            },
        }
        if session.method is not None:
            body["fulfillment"] = {"methods": [self._method_view(session, priced)]}
        if session.codes:
            body["discounts"] = {
                "codes": list(session.codes),
                "applied": [
                    {
                        "code": code,
                        "title": found.title or code,
                        "amount": amount,
                        "automatic": False,
                        "allocations": [
                            {"path": f"$.line_items[{i}]", "amount": share}
                            for i, share in enumerate(shares)
                            if share
                        ],
                    }
                    for found, code, amount, shares in priced.applied
                ],
            }
        if session.order_id is not None:
            order = self._orders[session.order_id]
            body["order"] = {"id": order.id, "permalink_url": order.permalink_url}
        if session.ap2 and signed:
            body["ap2"] = {"merchant_authorization": self.signing_key.sign_checkout(body)}
        return body

    def _method_view(self, session: _Session, priced: _Priced) -> dict[str, Any]:
        method = session.method
        line_ids = [line.id for line in session.lines]
        view: dict[str, Any] = {"id": method.id, "type": method.type, "line_item_ids": line_ids}
        if method.destinations:
            view["destinations"] = [dict(d) for d in method.destinations]
        view["selected_destination_id"] = method.selected_destination_id
        group: dict[str, Any] = {"id": f"{method.id}_group_1", "line_item_ids": line_ids}
        if priced.options:
            group["options"] = [o.wire() for o in priced.options]
        group["selected_option_id"] = method.selected_option_id
        view["groups"] = [group]
        return view

    def _close(self, session: _Session, state: str, now: datetime, base: str) -> dict[str, Any]:
        session.state = state
        session.final = self._view(session, now, base)
        return session.final

    def _place(
        self, session: _Session, priced: _Priced, body: UcpCheckoutComplete, now: datetime
    ) -> UcpOrder:
        """The internal order (order book, order events, ledger sinks) and UCP's view of it."""
        self._placed += 1
        order_id = self.merchant.ids.mint(f"ucp_ord_{self.merchant.id}_", self._placed)
        permalink = f"{self.merchant.profile.site_url.rstrip('/')}/orders/{order_id}"
        nets = [s - d for s, d in zip(priced.line_subtotals, priced.line_discounts, strict=True)]
        taxes = allocate(priced.items_tax, nets) if priced.items_tax else [0] * len(nets)
        lines = tuple(
            OrderLine(
                product.id,
                product.title,
                product.category,
                line.quantity,
                product.price,
                subtotal,
                tax,
            )
            for line, product, subtotal, tax in zip(
                session.lines, priced.products, priced.line_subtotals, taxes, strict=True
            )
        )
        placed = PlacedOrder(
            id=order_id,
            checkout_session_id=session.id,
            merchant_id=self.merchant.id,
            platform=self.merchant.profile.platform,
            currency=self.merchant.catalog.currency,
            lines=lines,
            items_amount=priced.subtotal,
            discount_amount=priced.discount,
            shipping_amount=priced.shipping,
            tax_amount=priced.tax,
            total_amount=priced.total,
            placed_at=now,
            buyer_email=self._email(session),
            fulfillment_option_id=priced.option.id,
            discounts=tuple(
                OrderDiscount(found.code, found.kind, found.code, "merchant", amount)
                for found, _, amount, _ in priced.applied
                if amount
            ),
        )
        self.merchant.record_order(placed, permalink)
        view_lines = self._view(session, now, "", signed=False)["line_items"]
        destination = {k: v for k, v in priced.destination.items() if k != "id"}
        order = UcpOrder(
            id=order_id,
            checkout_id=session.id,
            permalink_url=permalink,
            line_items=[
                {
                    "id": line["id"],
                    "item": line["item"],
                    "quantity": {"total": line["quantity"], "fulfilled": 0},
                    "totals": line["totals"],
                    "status": "processing",
                }
                for line in view_lines
            ],
            expectations=[
                {
                    "id": f"{order_id}_exp_1",
                    "line_items": [
                        {"id": line.id, "quantity": line.quantity} for line in session.lines
                    ],
                    "method_type": "shipping",
                    "destination": destination,
                    "description": priced.option.title,
                }
            ],
            totals=priced.totals(),
            platform_profile=session.profile,
            mandate=body.ap2.checkout_mandate if body.ap2 is not None else None,
        )
        self._orders[order_id] = order
        session.order_id = order_id
        return order

    def _notify(self, order: UcpOrder, event_type: str, now: datetime) -> None:
        self._events += 1
        event_id = f"evt_{order.id}_{self._events}"
        self.webhooks.send(
            order.platform_profile,
            webhook_body(order, event_type, event_id, timestamp(now)),
            self.signing_key,
        )
