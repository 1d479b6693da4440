"""Etsy ``taxonomy_id`` for each of our catalog categories.

The numbers are pinned in a table rather than computed, so they never move when a category is
added; they are shaped like Etsy's seller-taxonomy node ids but are not claimed to be Etsy's
own. A category missing from the table (a catalog of its own) still gets a stable id, by hash.
"""

from __future__ import annotations

from merchants.etsy.ids import stable_int

TAXONOMY_IDS: dict[str, int] = {
    "apparel": 374,
    "electronics": 825,
    "home_decor": 891,
    "kitchen": 1002,
    "jewelry": 1179,
    "footwear": 1429,
    "toys": 1552,
    "outdoor": 2078,
}


def taxonomy_id_of(category: str) -> int:
    """The taxonomy id of one of our category ids; unknown ones hash into 100000-999999."""
    pinned = TAXONOMY_IDS.get(category)
    return (
        pinned
        if pinned is not None
        else stable_int("etsy-taxonomy", category, low=100_000, high=1_000_000)
    )
