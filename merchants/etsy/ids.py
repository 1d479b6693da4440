"""Stable integer ids for Etsy objects, derived from our string ids by hashing.

Etsy names everything with integers; ours are strings. Hashing (BLAKE2b, never Python's salted
``hash``) gives the same integer in every process and run, without a table to keep in step, so
a receipt written today names the same ``listing_id`` a listing view computes tomorrow.
"""

from __future__ import annotations

import hashlib

#: Listing ids are 10 to 16 digits and stay within JSON's exact integer range (2**53).
LISTING_IDS = (1_000_000_000, 2**53)
#: Shop ids are 8 digits, as real Etsy shop ids are.
SHOP_IDS = (10_000_000, 100_000_000)


def _digest(parts: tuple[str, ...]) -> int:
    data = "\x1f".join(parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def stable_int(*parts: str, low: int, high: int) -> int:
    """An integer in ``[low, high)`` fixed by ``parts``: same parts, same integer, everywhere."""
    return low + _digest(parts) % (high - low)


def unit_draw(*parts: str) -> float:
    """A number in ``[0, 1)`` fixed by ``parts``: a seeded draw that needs no RNG state."""
    return _digest(parts) / 2**64


def shop_id_of(merchant_id: str) -> int:
    return stable_int("etsy-shop", merchant_id, low=SHOP_IDS[0], high=SHOP_IDS[1])


def listing_id_of(merchant_id: str, product_id: str) -> int:
    """The listing of catalog product ``product_id``; the shop is part of it, as on Etsy."""
    return stable_int(
        "etsy-listing", merchant_id, product_id, low=LISTING_IDS[0], high=LISTING_IDS[1]
    )


def inventory_product_id_of(listing_id: int) -> int:
    """The one inventory product of a listing (our listings have no variations)."""
    return stable_int("etsy-product", str(listing_id), low=LISTING_IDS[0], high=LISTING_IDS[1])


def offering_id_of(listing_id: int) -> int:
    return stable_int("etsy-offering", str(listing_id), low=LISTING_IDS[0], high=LISTING_IDS[1])
