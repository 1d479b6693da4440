"""Mock merchant platforms speaking the Agentic Commerce Protocol.

Knows nothing of agents, SimPy or AI fees: every operation takes the current time as an
argument, so a simulation's virtual clock or an HTTP server's real clock can drive it.
"""

from merchants.acp import API_VERSION, CheckoutSession
from merchants.catalog import Catalog, CatalogSpec, OutOfStock, Product
from merchants.checkout import CheckoutService, ShippingRate
from merchants.discounts import EffectivePrice, effective_price
from merchants.errors import ProtocolError
from merchants.feed import FeedProduct
from merchants.merchant import Merchant, MerchantInfo, build_merchants
from merchants.orders import OrderDiscount, OrderLine, PlacedOrder
from merchants.payments import PaymentProcessor
from merchants.profile import MerchantProfile, load_profile
from merchants.promotions import BasketLine, Promotion, PromotionBook

__all__ = [
    "API_VERSION",
    "BasketLine",
    "Catalog",
    "CatalogSpec",
    "CheckoutService",
    "CheckoutSession",
    "EffectivePrice",
    "FeedProduct",
    "Merchant",
    "MerchantInfo",
    "MerchantProfile",
    "OrderDiscount",
    "OrderLine",
    "OutOfStock",
    "PaymentProcessor",
    "PlacedOrder",
    "Product",
    "Promotion",
    "PromotionBook",
    "ProtocolError",
    "ShippingRate",
    "build_merchants",
    "effective_price",
    "load_profile",
]
