"""A Shopify merchant's native Storefront cart API, in process: cartCreate, cartLinesAdd, ...

Each mutation is all or nothing: it checks every input first, and if any is wrong the cart is
left as it was and the problems come back in ``userErrors`` (``cartCreate`` then returns no
cart, as Shopify does). A cart is a wish list with prices: it never reserves or takes stock, so
two carts may both hold the last unit and only ACP ``complete`` decides who gets it. When stock
falls below what a line holds, the cart says so in ``warnings`` instead.

Totals (exact integer minor units, see :mod:`merchants.shopify.discounts` for discount rounding):
``subtotal = sum(price x quantity)``; at most one code applies, the first applicable one in the
order given; its amount is spread over the lines. A merchant whose profile declares
``promotions`` prices carts with them instead, through the ACP checkout's own engine
(:func:`merchants.discounts.store_discounts`), so cart and checkout agree to the minor unit:
automatic promotions apply, codes as the engine's rules say, each allocation named by its code
(or, automatic, by its promotion id). Tax is ``apply_bps(line total, tax rate)`` per
line, half-even, as the ACP checkout does; ``total = subtotal - discount + tax``. Shipping is
not a cart's business (it is chosen at checkout).

Carts live until ``cart_ttl`` after their last change (Shopify keeps carts ten days). Every
method takes ``now``; nothing here reads a clock. Thread-safe, so an HTTP server may share it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from merchants.acp import MAX_QUANTITY, timestamp
from merchants.discounts import store_discounts
from merchants.merchant import Merchant
from merchants.money import apply_bps
from merchants.promotions import BasketLine
from merchants.shopify.cart_shapes import (
    Cart,
    CartBuyerIdentity,
    CartBuyerIdentityInput,
    CartCost,
    CartDiscountAllocation,
    CartDiscountCode,
    CartErrorCode,
    CartLine,
    CartLineCost,
    CartLineInput,
    CartLineUpdateInput,
    CartPayload,
    CartUserError,
    CartWarning,
)
from merchants.shopify.discounts import (
    DiscountBook,
    DiscountCode,
    allocate,
    default_discount_codes,
)
from merchants.shopify.moneyv2 import MoneyV2
from merchants.shopify.products import Product, ProductCatalog, ProductVariant, SalePolicy

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9][0-9]{1,14}$")  # E.164, as Shopify requires
_COUNTRY = re.compile(r"^[A-Z]{2}$")


_WHY = {
    "DISCOUNT_NOT_FOUND": "no such code",
    "DISCOUNT_CURRENTLY_INACTIVE": "not active at this time",
    "DISCOUNT_PURCHASE_NOT_IN_RANGE": "the subtotal is under the code's minimum",
    "DISCOUNT_USAGE_LIMIT_REACHED": "its usage limit is reached",
    "DISCOUNT_NO_ENTITLED_LINE_ITEMS": "the cart is empty",
    "DISCOUNT_CODE_NOT_HONOURED": "another code already applies and codes do not combine",
}
#: A promotion engine's refusal (ACP's names), as Shopify's cart warning says it.
_SHOPIFY_REASON = {
    "discount_code_invalid": "DISCOUNT_NOT_FOUND",
    "discount_code_expired": "DISCOUNT_CURRENTLY_INACTIVE",
    "discount_code_minimum_not_met": "DISCOUNT_PURCHASE_NOT_IN_RANGE",
    "discount_code_combination_disallowed": "DISCOUNT_CODE_NOT_HONOURED",
    "discount_code_already_applied": "DISCOUNT_CODE_NOT_HONOURED",
}


@dataclass(slots=True)
class _CartDiscounts:
    """A cart's discounts from either source: each line's share and allocations, the cart's."""

    shares: list[int]
    line_allocations: list[list[CartDiscountAllocation]]
    allocations: list[CartDiscountAllocation]
    codes: list[CartDiscountCode]
    warnings: list[CartWarning]

    @property
    def total(self) -> int:
        return sum(self.shares)


class UnknownCart(LookupError):
    """No such cart (never created, or expired); a 404 over HTTP."""

    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id!r} not found")
        self.cart_id = cart_id


@dataclass(slots=True)
class _Line:
    id: str
    variant_id: str
    quantity: int


@dataclass(slots=True)
class _Cart:
    id: str
    created_at: datetime
    updated_at: datetime
    lines: list[_Line] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    buyer: CartBuyerIdentity = field(default_factory=CartBuyerIdentity)
    line_serial: int = 0

    def put(self, variant_id: str, quantity: int) -> None:
        """Set the quantity of ``variant_id``'s line, adding a line if it has none."""
        line = next((li for li in self.lines if li.variant_id == variant_id), None)
        if line is None:
            self.line_serial += 1
            self.lines.append(_Line(f"line_{self.line_serial}", variant_id, quantity))
        else:
            line.quantity = quantity


def _error(code: CartErrorCode, path: Sequence[object], message: str) -> CartUserError:
    return CartUserError(code=code, field=[str(p) for p in path], message=message)


class ShopifyStorefront:
    """Products with variants, discount codes and carts for one ``platform: shopify`` merchant."""

    def __init__(
        self,
        merchant: Merchant,
        *,
        discount_codes: Iterable[DiscountCode] | None = None,
        sale: SalePolicy | None = None,
        max_line_quantity: int = MAX_QUANTITY,
        cart_ttl: timedelta = timedelta(days=10),
    ) -> None:
        if merchant.profile.platform != "shopify":
            raise ValueError(
                f"merchant {merchant.id!r} is on {merchant.profile.platform}, not shopify"
            )
        self.merchant = merchant
        self.catalog = merchant.catalog
        self.currency = merchant.catalog.currency
        self.tax_rate_bps = merchant.profile.tax_rate_bps
        self.site_url = merchant.profile.site_url.rstrip("/")
        self.products_view = ProductCatalog(
            merchant.catalog, id_prefix=merchant.id, site_url=self.site_url, sale=sale
        )
        self.discounts = DiscountBook(
            default_discount_codes(merchant.id) if discount_codes is None else discount_codes
        )
        self.max_line_quantity, self.cart_ttl = max_line_quantity, cart_ttl
        self._carts: dict[str, _Cart] = {}
        self._serial = 0
        self._lock = threading.RLock()

    # -- products ----------------------------------------------------------------------------

    def products(self, now: datetime) -> list[Product]:
        with self._lock:
            return self.products_view.products()

    def product(self, handle: str, now: datetime) -> Product | None:
        with self._lock:
            return self.products_view.product(handle)

    def variant(self, variant_id: str, now: datetime) -> ProductVariant | None:
        with self._lock:
            return self.products_view.variant(variant_id)

    # -- the cart API ------------------------------------------------------------------------

    def cart(self, cart_id: str, now: datetime) -> Cart | None:
        """The cart, or None if there is none (as the ``cart(id:)`` query answers null)."""
        with self._lock:
            found = self._live(cart_id, now)
            return None if found is None else self._render(found, now)[0]

    def cart_create(
        self,
        lines: Sequence[CartLineInput],
        buyer_identity: CartBuyerIdentityInput | None,
        discount_codes: Sequence[str],
        now: datetime,
    ) -> CartPayload:
        with self._lock:
            draft = _Cart(id="", created_at=now, updated_at=now)
            errors = self._add(draft, lines, ["lines"])
            errors += self._set_codes(draft, discount_codes)
            if buyer_identity is not None:
                errors += self._set_buyer(draft, buyer_identity, ["buyerIdentity"])
            if errors:
                return CartPayload(cart=None, user_errors=errors, warnings=[])
            self._serial += 1
            draft.id = self.merchant.checkout.ids.mint(f"cart_{self.merchant.id}_", self._serial)
            self._carts[draft.id] = draft
            return self._payload(draft, now, [])

    def cart_lines_add(
        self, cart_id: str, lines: Sequence[CartLineInput], now: datetime
    ) -> CartPayload:
        return self._mutate(cart_id, now, lambda c: self._add(c, lines, ["lines"]))

    def cart_lines_update(
        self, cart_id: str, lines: Sequence[CartLineUpdateInput], now: datetime
    ) -> CartPayload:
        return self._mutate(cart_id, now, lambda c: self._update(c, lines))

    def cart_lines_remove(
        self, cart_id: str, line_ids: Sequence[str], now: datetime
    ) -> CartPayload:
        return self._mutate(cart_id, now, lambda c: self._remove(c, line_ids))

    def cart_discount_codes_update(
        self, cart_id: str, discount_codes: Sequence[str], now: datetime
    ) -> CartPayload:
        return self._mutate(cart_id, now, lambda c: self._set_codes(c, discount_codes))

    def cart_buyer_identity_update(
        self, cart_id: str, buyer_identity: CartBuyerIdentityInput, now: datetime
    ) -> CartPayload:
        return self._mutate(
            cart_id, now, lambda c: self._set_buyer(c, buyer_identity, ["buyerIdentity"])
        )

    # -- mutations: each edits a copy and reports userErrors; _mutate keeps it only if clean ----

    def _mutate(
        self, cart_id: str, now: datetime, change: Callable[[_Cart], list[CartUserError]]
    ) -> CartPayload:
        with self._lock:
            cart = self._live(cart_id, now)
            if cart is None:
                raise UnknownCart(cart_id)
            draft = _Cart(
                cart.id,
                cart.created_at,
                now,
                [_Line(li.id, li.variant_id, li.quantity) for li in cart.lines],
                list(cart.codes),
                cart.buyer,
                cart.line_serial,
            )
            errors = change(draft)
            if errors:
                return self._payload(cart, now, errors)
            self._carts[cart.id] = draft
            return self._payload(draft, now, [])

    def _add(
        self, cart: _Cart, lines: Sequence[CartLineInput], path: list[str]
    ) -> list[CartUserError]:
        errors = []
        for index, line in enumerate(lines):
            at = [*path, index]
            if line.quantity < 1:
                errors.append(
                    _error(
                        "INVALID",
                        [*at, "quantity"],
                        f"Quantity must be at least 1, got {line.quantity}.",
                    )
                )
                continue
            held = next(
                (li.quantity for li in cart.lines if li.variant_id == line.merchandise_id), 0
            )
            problem = self._availability(line.merchandise_id, held + line.quantity, at)
            if problem is not None:
                errors.append(problem)
            else:
                cart.put(line.merchandise_id, held + line.quantity)
        return errors

    def _update(self, cart: _Cart, lines: Sequence[CartLineUpdateInput]) -> list[CartUserError]:
        errors, removed = [], set()
        for index, update in enumerate(lines):
            at = ["lines", index]
            line = next((li for li in cart.lines if li.id == update.id), None)
            if line is None:
                errors.append(
                    _error(
                        "INVALID_MERCHANDISE_LINE",
                        [*at, "id"],
                        f"The merchandise line with id {update.id} does not exist.",
                    )
                )
            elif update.quantity < 0:
                errors.append(
                    _error(
                        "INVALID",
                        [*at, "quantity"],
                        f"Quantity must be 0 or more, got {update.quantity}.",
                    )
                )
            elif update.quantity == 0:
                removed.add(line.id)  # Shopify removes a line updated to zero
            elif (problem := self._availability(line.variant_id, update.quantity, at)) is not None:
                errors.append(problem)
            else:
                line.quantity = update.quantity
        cart.lines = [li for li in cart.lines if li.id not in removed]
        return errors

    def _remove(self, cart: _Cart, line_ids: Sequence[str]) -> list[CartUserError]:
        known = {li.id for li in cart.lines}
        errors = [
            _error(
                "INVALID_MERCHANDISE_LINE",
                ["lineIds", index],
                f"The merchandise line with id {line_id} does not exist.",
            )
            for index, line_id in enumerate(line_ids)
            if line_id not in known
        ]
        cart.lines = [li for li in cart.lines if li.id not in set(line_ids)]
        return errors

    def _set_codes(self, cart: _Cart, codes: Sequence[str]) -> list[CartUserError]:
        errors, kept = [], {}
        for index, code in enumerate(codes):
            if not code.strip():
                errors.append(
                    _error(
                        "MISSING_DISCOUNT_CODE",
                        ["discountCodes", index],
                        "Discount code must not be blank.",
                    )
                )
            else:
                kept.setdefault(code.strip().upper(), code.strip())
        cart.codes = list(kept.values())
        return errors

    def _set_buyer(
        self, cart: _Cart, buyer: CartBuyerIdentityInput, path: list[str]
    ) -> list[CartUserError]:
        errors = []
        checks = (
            ("email", buyer.email, _EMAIL),
            ("phone", buyer.phone, _PHONE),
            ("countryCode", buyer.country_code, _COUNTRY),
        )
        for name, value, pattern in checks:
            if value is not None and not pattern.match(value):
                errors.append(_error("INVALID", [*path, name], f"{name} is invalid: {value!r}."))
        cart.buyer = CartBuyerIdentity(
            email=buyer.email if buyer.email is not None else cart.buyer.email,
            phone=buyer.phone if buyer.phone is not None else cart.buyer.phone,
            country_code=(
                buyer.country_code if buyer.country_code is not None else cart.buyer.country_code
            ),
        )
        return errors

    def _availability(self, variant_id: str, quantity: int, at: list) -> CartUserError | None:
        """Whether a line may hold ``quantity`` of ``variant_id`` right now."""
        product = self.catalog.get(variant_id)
        if product is None:
            return _error(
                "INVALID_MERCHANDISE_LINE",
                [*at, "merchandiseId"],
                f"The merchandise with id {variant_id} does not exist.",
            )
        if quantity > self.max_line_quantity:
            return _error(
                "MAXIMUM_EXCEEDED",
                [*at, "quantity"],
                f"A line may hold at most {self.max_line_quantity} of {product.title}.",
            )
        if not product.available:
            return _error(
                "MERCHANDISE_NOT_APPLICABLE",
                [*at, "merchandiseId"],
                f"{product.title} is not available for sale.",
            )
        if not product.allow_backorder and quantity > product.stock:
            return _error(
                "MAXIMUM_EXCEEDED",
                [*at, "quantity"],
                f"Only {product.stock} of {product.title} available, {quantity} requested.",
            )
        return None

    # -- reading -----------------------------------------------------------------------------

    def _live(self, cart_id: str, now: datetime) -> _Cart | None:
        cart = self._carts.get(cart_id)
        if cart is not None and now - cart.updated_at >= self.cart_ttl:
            del self._carts[cart_id]
            return None
        return cart

    def _payload(self, cart: _Cart, now: datetime, errors: list[CartUserError]) -> CartPayload:
        rendered, warnings = self._render(cart, now)
        return CartPayload(cart=rendered, user_errors=errors, warnings=warnings)

    def _money(self, minor: int) -> MoneyV2:
        return MoneyV2.of(minor, self.currency)

    def _render(self, cart: _Cart, now: datetime) -> tuple[Cart, list[CartWarning]]:
        """Price the cart as it stands: the one place its totals are computed."""
        products = [self.catalog.get(li.variant_id) for li in cart.lines]
        subtotals = [p.price * li.quantity for p, li in zip(products, cart.lines, strict=True)]
        subtotal = sum(subtotals)
        found = (
            self._promotions(cart, products, now)
            if self.merchant.checkout.promotions
            else self._codes(cart, subtotals, now)
        )
        warnings = found.warnings
        discount = found.total
        lines, tax = [], 0
        for line, product, line_subtotal, share, allocations in zip(
            cart.lines, products, subtotals, found.shares, found.line_allocations, strict=True
        ):
            line_total = line_subtotal - share
            tax += apply_bps(line_total, self.tax_rate_bps)
            compare_at = self.products_view.compare_at(product.id)
            lines.append(
                CartLine(
                    id=line.id,
                    quantity=line.quantity,
                    merchandise=self.products_view.variant(product.id),
                    cost=CartLineCost(
                        amount_per_quantity=self._money(product.price),
                        compare_at_amount_per_quantity=(
                            None if compare_at is None else self._money(compare_at)
                        ),
                        subtotal_amount=self._money(line_subtotal),
                        total_amount=self._money(line_total),
                    ),
                    discount_allocations=allocations,
                )
            )
            if not product.allow_backorder and line.quantity > product.stock:
                out = product.stock <= 0
                warnings.append(
                    CartWarning(
                        code="MERCHANDISE_OUT_OF_STOCK" if out else "MERCHANDISE_NOT_ENOUGH_STOCK",
                        target=line.id,
                        message=f"{product.title}: {max(product.stock, 0)} in stock, "
                        f"{line.quantity} in cart.",
                    )
                )
        rendered = Cart(
            id=cart.id,
            created_at=timestamp(cart.created_at),
            updated_at=timestamp(cart.updated_at),
            checkout_url=f"{self.site_url}/cart/c/{cart.id}",
            total_quantity=sum(li.quantity for li in cart.lines),
            buyer_identity=cart.buyer,
            lines=lines,
            cost=CartCost(
                subtotal_amount=self._money(subtotal),
                total_tax_amount=self._money(tax),
                total_amount=self._money(subtotal - discount + tax),
            ),
            discount_codes=found.codes,
            discount_allocations=found.allocations,
        )
        return rendered, warnings

    def _codes(self, cart: _Cart, subtotals: list[int], now: datetime) -> _CartDiscounts:
        """The storefront's own codes: the first applicable one, spread over the lines."""
        subtotal = sum(subtotals)
        warnings: list[CartWarning] = []
        codes, applied = [], None
        for code in cart.codes:
            reason = self.discounts.check(code, subtotal, now)
            if reason is None and applied is not None:
                reason = "DISCOUNT_CODE_NOT_HONOURED"
            if reason is None:
                applied = code
            codes.append(CartDiscountCode(code=code, applicable=reason is None))
            if reason is not None:
                warnings.append(
                    CartWarning(
                        code=reason, target=code, message=f"Discount code {code}: {_WHY[reason]}."
                    )
                )
        discount = self.discounts.get(applied).amount(subtotal) if applied else 0
        shares = allocate(discount, subtotals)
        return _CartDiscounts(
            shares=shares,
            line_allocations=[
                [CartDiscountAllocation(code=applied, discounted_amount=self._money(share))]
                if share
                else []
                for share in shares
            ],
            allocations=[
                CartDiscountAllocation(code=applied, discounted_amount=self._money(discount))
            ]
            if applied
            else [],
            codes=codes,
            warnings=warnings,
        )

    def _promotions(self, cart: _Cart, products: list, now: datetime) -> _CartDiscounts:
        """The merchant's promotions, priced by the checkout's engine."""
        found = store_discounts(
            self.merchant.checkout.promotions,
            self.merchant.id,
            [
                BasketLine(self.merchant.id, p.id, li.quantity, p.price)
                for p, li in zip(products, cart.lines, strict=True)
            ],
            now,
            codes=cart.codes,
        )
        refused = {r.code: r for r in found.rejected}
        applied_codes = {d.code.strip().upper() for d in found.applied if d.code}
        return _CartDiscounts(
            shares=list(found.line_discounts),
            line_allocations=[
                [
                    CartDiscountAllocation(
                        code=d.code or d.promotion_id, discounted_amount=self._money(d.shares[i])
                    )
                    for d in found.applied
                    if d.shares[i]
                ]
                for i in range(len(cart.lines))
            ],
            allocations=[
                CartDiscountAllocation(
                    code=d.code or d.promotion_id, discounted_amount=self._money(d.amount)
                )
                for d in found.applied
            ],
            codes=[
                CartDiscountCode(code=c, applicable=c.strip().upper() in applied_codes)
                for c in cart.codes
            ],
            warnings=[
                CartWarning(code=_SHOPIFY_REASON[r.reason], target=code, message=r.message)
                for code, r in refused.items()
            ],
        )
