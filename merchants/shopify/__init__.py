"""The Shopify-like flavour of a mock merchant: products with variants, discount codes, carts.

A view over a :class:`~merchants.Merchant` whose ``profile.platform == "shopify"``: the same
catalog and stock the ACP checkout sells from, shown with the Storefront API's shapes and field
names. Knows nothing of agents, SimPy or AI fees; every operation takes ``now``.
"""

from merchants.shopify.cart_shapes import (
    Cart,
    CartBuyerIdentityInput,
    CartInput,
    CartLine,
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
from merchants.shopify.products import (
    Product,
    ProductCatalog,
    ProductVariant,
    SalePolicy,
    SelectedOption,
)
from merchants.shopify.storefront import ShopifyStorefront, UnknownCart

__all__ = [
    "Cart",
    "CartBuyerIdentityInput",
    "CartInput",
    "CartLine",
    "CartLineInput",
    "CartLineUpdateInput",
    "CartPayload",
    "CartUserError",
    "CartWarning",
    "DiscountBook",
    "DiscountCode",
    "MoneyV2",
    "Product",
    "ProductCatalog",
    "ProductVariant",
    "SalePolicy",
    "SelectedOption",
    "ShopifyStorefront",
    "UnknownCart",
    "allocate",
    "default_discount_codes",
]
