"""Wire shapes of the Storefront cart: inputs, the cart itself, user errors and warnings.

Field names are the Storefront API's (camelCase on the wire, snake_case in Python). Two
simplifications: ``Cart.lines`` is a plain list, not a connection, and mutation payloads are one
shape, :class:`CartPayload` ``{cart, userErrors, warnings}``, whichever mutation answered.
Inputs forbid unknown fields, so a typo is a 400 over HTTP rather than silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from merchants.shopify.moneyv2 import MoneyV2, StorefrontShape
from merchants.shopify.products import ProductVariant

CartErrorCode = Literal[
    "INVALID",  # a bad quantity, email or country code
    "INVALID_MERCHANDISE_LINE",  # unknown variant id, or unknown cart line id
    "MERCHANDISE_NOT_APPLICABLE",  # variant not for sale (out of stock under DENY)
    "MAXIMUM_EXCEEDED",  # more than available under DENY, or over the per-line maximum
    "MISSING_DISCOUNT_CODE",  # a blank discount code
]
CartWarningCode = Literal[
    "MERCHANDISE_NOT_ENOUGH_STOCK",
    "MERCHANDISE_OUT_OF_STOCK",
    "DISCOUNT_NOT_FOUND",
    "DISCOUNT_CURRENTLY_INACTIVE",
    "DISCOUNT_PURCHASE_NOT_IN_RANGE",
    "DISCOUNT_USAGE_LIMIT_REACHED",
    "DISCOUNT_NO_ENTITLED_LINE_ITEMS",
    "DISCOUNT_CODE_NOT_HONOURED",
]


class _Input(StorefrontShape):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CartLineInput(_Input):
    merchandise_id: str
    quantity: int = 1


class CartLineUpdateInput(_Input):
    id: str
    quantity: int


class CartBuyerIdentityInput(_Input):
    email: str | None = None
    phone: str | None = None
    country_code: str | None = None


class CartInput(_Input):
    """``POST carts``: what ``cartCreate`` takes."""

    lines: list[CartLineInput] = []
    discount_codes: list[str] = []
    buyer_identity: CartBuyerIdentityInput | None = None


class CartLinesAddInput(_Input):
    lines: list[CartLineInput]


class CartLinesUpdateInput(_Input):
    lines: list[CartLineUpdateInput]


class CartDiscountCodesInput(_Input):
    discount_codes: list[str]


class CartUserError(StorefrontShape):
    code: CartErrorCode
    field: list[str]
    message: str


class CartWarning(StorefrontShape):
    code: CartWarningCode
    target: str  # the cart line id or the discount code concerned
    message: str


class CartDiscountCode(StorefrontShape):
    code: str
    applicable: bool


class CartDiscountAllocation(StorefrontShape):
    code: str
    discounted_amount: MoneyV2


class CartLineCost(StorefrontShape):
    amount_per_quantity: MoneyV2
    compare_at_amount_per_quantity: MoneyV2 | None
    subtotal_amount: MoneyV2  # price x quantity
    total_amount: MoneyV2  # subtotal minus this line's share of the code discount


class CartLine(StorefrontShape):
    id: str
    quantity: int
    merchandise: ProductVariant
    cost: CartLineCost
    discount_allocations: list[CartDiscountAllocation]


class CartCost(StorefrontShape):
    subtotal_amount: MoneyV2  # lines before discounts and tax
    total_tax_amount: MoneyV2  # tax on each discounted line, rounded per line
    total_amount: MoneyV2  # subtotal - discount + tax


class CartBuyerIdentity(StorefrontShape):
    email: str | None = None
    phone: str | None = None
    country_code: str | None = None


class Cart(StorefrontShape):
    id: str
    created_at: str
    updated_at: str
    checkout_url: str
    total_quantity: int
    buyer_identity: CartBuyerIdentity
    lines: list[CartLine]
    cost: CartCost
    discount_codes: list[CartDiscountCode]
    discount_allocations: list[CartDiscountAllocation]


class CartPayload(StorefrontShape):
    """What every cart mutation answers; ``cart`` is None only when ``cartCreate`` is refused."""

    cart: Cart | None
    user_errors: list[CartUserError]
    warnings: list[CartWarning]


class CartBuyerIdentityUpdateInput(_Input):
    buyer_identity: CartBuyerIdentityInput
