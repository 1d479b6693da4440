"""Etsy receipts: each placed order as a ShopReceipt, with refunds that never exceed it.

:class:`EtsyReceipts` is an order sink: attach it to Etsy merchants and every completed ACP
checkout becomes a ``paid`` receipt whose amounts are the order's, exactly. A receipt's
``grandtotal`` is ``subtotal + total_shipping_cost + total_tax_cost``, where ``subtotal`` is
``total_price - discount_amt``, as Etsy computes them. Refunds append to ``refunds[]``; a refund
that would take the total refunded past the grand total is refused, and the one that reaches
it turns the receipt ``canceled``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from merchants.etsy.errors import EtsyError, integer_parameter, invalid_parameter, not_found
from merchants.etsy.ids import inventory_product_id_of, listing_id_of, shop_id_of, stable_int
from merchants.etsy.money import EtsyMoney
from merchants.etsy.search import DEFAULT_LIMIT, MAX_LIMIT
from merchants.etsy.timestamps import epoch
from merchants.orders import PlacedOrder

if TYPE_CHECKING:
    from merchants.merchant import Merchant

ReceiptStatus = Literal["paid", "completed", "open", "payment processing", "canceled"]
RECEIPT_STATUSES: tuple[str, ...] = ("paid", "completed", "open", "payment processing", "canceled")
RECEIPT_IDS = (1_000_000_000, 10_000_000_000)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def wire(self) -> dict:
        return self.model_dump(mode="json")


class Transaction(_Model):
    """One order line: ``price`` is the unit price, as on Etsy."""

    transaction_id: int
    receipt_id: int
    listing_id: int
    product_id: int
    sku: str
    title: str
    quantity: int
    price: EtsyMoney
    created_timestamp: int
    paid_timestamp: int
    transaction_type: Literal["listing"] = "listing"


class Refund(_Model):
    amount: EtsyMoney
    created_timestamp: int
    reason: str
    note_from_issuer: str | None = None
    status: Literal["refunded"] = "refunded"


class Receipt(_Model):
    """A ShopReceipt with Open API v3 field names; money in Etsy's shape."""

    receipt_id: int
    receipt_type: int = 0
    shop_id: int
    order_id: str
    buyer_email: str | None
    status: ReceiptStatus
    is_paid: bool
    is_shipped: bool
    create_timestamp: int
    created_timestamp: int
    update_timestamp: int
    updated_timestamp: int
    grandtotal: EtsyMoney
    subtotal: EtsyMoney
    total_price: EtsyMoney
    total_shipping_cost: EtsyMoney
    total_tax_cost: EtsyMoney
    total_vat_cost: EtsyMoney
    discount_amt: EtsyMoney
    gift_wrap_price: EtsyMoney
    transactions: list[Transaction]
    refunds: list[Refund]

    @property
    def refunded(self) -> int:
        """Minor units refunded so far."""
        return sum(r.amount.amount for r in self.refunds)


class ReceiptPage(_Model):
    count: int
    results: list[Receipt]


def receipt_of(order: PlacedOrder, receipt_id: int) -> Receipt:
    """The ``paid`` receipt of a placed order; every amount is the order's own."""
    currency = order.currency

    def money(minor: int) -> EtsyMoney:
        return EtsyMoney.of(minor, currency)

    placed = epoch(order.placed_at)
    transactions = []
    for index, line in enumerate(order.lines):
        listing_id = listing_id_of(order.merchant_id, line.product_id)
        transactions.append(
            Transaction(
                transaction_id=stable_int(
                    "etsy-transaction",
                    order.id,
                    str(index),
                    low=RECEIPT_IDS[0],
                    high=RECEIPT_IDS[1],
                ),
                receipt_id=receipt_id,
                listing_id=listing_id,
                product_id=inventory_product_id_of(listing_id),
                sku=line.product_id,
                title=line.title,
                quantity=line.quantity,
                price=money(line.unit_price),
                created_timestamp=placed,
                paid_timestamp=placed,
            )
        )
    return Receipt(
        receipt_id=receipt_id,
        shop_id=shop_id_of(order.merchant_id),
        order_id=order.id,
        buyer_email=order.buyer_email,
        status="paid",
        is_paid=True,
        is_shipped=False,
        create_timestamp=placed,
        created_timestamp=placed,
        update_timestamp=placed,
        updated_timestamp=placed,
        grandtotal=money(order.total_amount),
        subtotal=money(order.items_amount - order.discount_amount),
        total_price=money(order.items_amount),
        total_shipping_cost=money(order.shipping_amount),
        total_tax_cost=money(order.tax_amount),
        total_vat_cost=money(0),
        discount_amt=money(order.discount_amount),
        gift_wrap_price=money(0),
        transactions=transactions,
        refunds=[],
    )


class EtsyReceipts:
    """Receipts of Etsy orders, by id and by shop. Thread-safe: sinks run in checkout threads.

    Recording is idempotent per order id, and orders of other platforms are ignored, so one
    instance may listen to every merchant of a run.
    """

    def __init__(self) -> None:
        self._receipts: dict[int, Receipt] = {}
        self._by_order: dict[str, int] = {}
        self._by_shop: dict[int, list[int]] = {}
        self._lock = threading.Lock()

    def attach(self, merchants: Iterable[Merchant]) -> None:
        """Listen to the placed orders of every Etsy merchant in ``merchants`` (once each)."""
        for merchant in merchants:
            if merchant.profile.platform != "etsy":
                continue
            sinks = merchant.checkout.order_sinks
            if self.record not in sinks:
                sinks.append(self.record)

    def record(self, order: PlacedOrder) -> None:
        """The order sink: a ``paid`` receipt for each new Etsy order."""
        if order.platform != "etsy":
            return
        with self._lock:
            if order.id in self._by_order:
                return
            receipt_id, attempt = self._receipt_id(order.id, 0), 0
            while receipt_id in self._receipts:  # a hash clash: probe, deterministically
                attempt += 1
                receipt_id = self._receipt_id(order.id, attempt)
            receipt = receipt_of(order, receipt_id)
            self._receipts[receipt_id] = receipt
            self._by_order[order.id] = receipt_id
            self._by_shop.setdefault(receipt.shop_id, []).append(receipt_id)

    def receipt_id(self, order_id: str) -> int:
        """The receipt id of a recorded order (404 if it was never recorded)."""
        with self._lock:
            found = self._by_order.get(order_id)
        if found is None:
            raise not_found(f"receipt of order {order_id!r}")
        return found

    def get(self, receipt_id: int, now: datetime) -> Receipt:
        epoch(now)
        with self._lock:
            return self._find(receipt_id)

    def find_by_shop(
        self, shop_id: int, *, now: datetime, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> ReceiptPage:
        """A shop's receipts, newest first (``getShopReceipts``'s default order)."""
        epoch(now)
        integer_parameter("limit", limit, 1, MAX_LIMIT)
        integer_parameter("offset", offset, 0)
        with self._lock:
            ids = self._by_shop.get(shop_id, [])
            newest = [self._receipts[r] for r in reversed(ids)]
        newest.sort(key=lambda r: r.created_timestamp, reverse=True)  # stable: ties keep newest
        return ReceiptPage(count=len(newest), results=newest[offset : offset + limit])

    def refund(self, receipt_id: int, amount: int, reason: str, now: datetime) -> Receipt:
        """Refund ``amount`` minor units; refused (400) past what is left of the grand total."""
        moment = epoch(now)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise invalid_parameter(
                "amount", f"expected a positive integer of minor units, got {amount!r}"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise invalid_parameter("reason", "must be non-empty text")
        with self._lock:
            receipt = self._find(receipt_id)
            left = receipt.grandtotal.amount - receipt.refunded
            if amount > left:
                raise invalid_parameter(
                    "amount",
                    f"{amount} exceeds the {left} left to refund on receipt "
                    f"{receipt_id} (grandtotal {receipt.grandtotal.amount})",
                )
            refund = Refund(
                amount=EtsyMoney.of(amount, receipt.grandtotal.currency_code.lower()),
                created_timestamp=moment,
                reason=reason.strip(),
            )
            updated = receipt.model_copy(
                update={
                    "refunds": [*receipt.refunds, refund],
                    "status": "canceled" if amount == left else receipt.status,
                    "update_timestamp": moment,
                    "updated_timestamp": moment,
                }
            )
            self._receipts[receipt_id] = updated
            return updated

    def complete(self, receipt_id: int, now: datetime) -> Receipt:
        """Mark a ``paid`` receipt shipped: ``completed``, as Etsy shows a fulfilled order."""
        moment = epoch(now)
        with self._lock:
            receipt = self._find(receipt_id)
            if receipt.status != "paid":
                raise EtsyError(409, f"receipt {receipt_id} is {receipt.status}, not paid")
            updated = receipt.model_copy(
                update={
                    "status": "completed",
                    "is_shipped": True,
                    "update_timestamp": moment,
                    "updated_timestamp": moment,
                }
            )
            self._receipts[receipt_id] = updated
            return updated

    def _find(self, receipt_id: int) -> Receipt:
        receipt = self._receipts.get(receipt_id)
        if receipt is None:
            raise not_found(f"receipt {receipt_id}")
        return receipt

    @staticmethod
    def _receipt_id(order_id: str, attempt: int) -> int:
        parts = ("etsy-receipt", order_id) + ((str(attempt),) if attempt else ())
        return stable_int(*parts, low=RECEIPT_IDS[0], high=RECEIPT_IDS[1])
