"""Mock merchant platforms speaking the Agentic Commerce Protocol.

Knows nothing of agents, SimPy or AI fees: every operation takes the current time as an
argument, so a simulation's virtual clock or an HTTP server's real clock can drive it.
"""

from merchants.acp import API_VERSION, CheckoutSession
from merchants.catalog import Catalog, CatalogSpec, OutOfStock, Product
from merchants.checkout import CheckoutService, ShippingRate
from merchants.errors import ProtocolError
from merchants.feed import FeedProduct
from merchants.merchant import Merchant, MerchantInfo, build_merchants
from merchants.orders import OrderLine, PlacedOrder
from merchants.payments import PaymentProcessor
from merchants.profile import MerchantProfile, load_profile

__all__ = [
    "API_VERSION",
    "Catalog",
    "CatalogSpec",
    "CheckoutService",
    "CheckoutSession",
    "FeedProduct",
    "Merchant",
    "MerchantInfo",
    "MerchantProfile",
    "OrderLine",
    "OutOfStock",
    "PaymentProcessor",
    "PlacedOrder",
    "Product",
    "ProtocolError",
    "ShippingRate",
    "build_merchants",
    "load_profile",
]
