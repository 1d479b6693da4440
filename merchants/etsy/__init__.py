"""The Etsy-like face of mock merchants: shops, listings, search, receipts (Open API v3 shapes).

An :class:`EtsyShop` is a view over a :class:`merchants.Merchant` whose profile says
``platform: etsy``; :class:`EtsyReceipts` turns its placed orders into receipts. Like the rest of
``merchants``, it knows nothing of agents, simulation or AI fees, and every operation takes
``now``. Amounts are integer minor units inside and Etsy's ``{amount, divisor, currency_code}``
on the wire; rate limits are :class:`merchants.ratelimit.EtsyLimits`.
"""

from merchants.etsy.errors import EtsyError
from merchants.etsy.ids import listing_id_of, shop_id_of
from merchants.etsy.listings import (
    LISTING_STATES,
    InventoryProduct,
    Listing,
    ListingInventory,
    Offering,
)
from merchants.etsy.money import EtsyMoney
from merchants.etsy.receipts import (
    RECEIPT_STATUSES,
    EtsyReceipts,
    Receipt,
    ReceiptPage,
    Refund,
    Transaction,
)
from merchants.etsy.search import SORT_ON, SORT_ORDERS, ListingPage, ListingQuery, listing_query
from merchants.etsy.shop import EtsyShop, Shop
from merchants.etsy.taxonomy import TAXONOMY_IDS, taxonomy_id_of

__all__ = [
    "LISTING_STATES",
    "RECEIPT_STATUSES",
    "SORT_ON",
    "SORT_ORDERS",
    "TAXONOMY_IDS",
    "EtsyError",
    "EtsyMoney",
    "EtsyReceipts",
    "EtsyShop",
    "InventoryProduct",
    "Listing",
    "ListingInventory",
    "ListingPage",
    "ListingQuery",
    "Offering",
    "Receipt",
    "ReceiptPage",
    "Refund",
    "Shop",
    "Transaction",
    "listing_id_of",
    "listing_query",
    "shop_id_of",
    "taxonomy_id_of",
]
