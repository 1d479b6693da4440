"""``findAllListingsActive``'s parameters, checked once, and the page it answers with.

Etsy's rules, as the mock keeps them: only ``active`` listings; ``sort_on`` is one of created,
price, updated or score (default created); ``sort_order`` defaults to descending and is ignored
for score, which is always best first; ``limit`` is 1 to 100 (default 25); ``offset`` at least
0; prices are inclusive bounds on the unit price. ``count`` is every match, before paging.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from merchants.etsy.errors import integer_parameter, invalid_parameter
from merchants.etsy.listings import Listing

SORT_ON: tuple[str, ...] = ("created", "price", "updated", "score")
#: Etsy accepts these spellings; True means descending.
SORT_ORDERS: dict[str, bool] = {
    "asc": False,
    "ascending": False,
    "up": False,
    "desc": True,
    "descending": True,
    "down": True,
}
DEFAULT_LIMIT, MAX_LIMIT = 25, 100


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """A checked search: prices in minor units, ``descending`` already resolved for score."""

    keywords: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    taxonomy_id: int | None = None
    sort_on: str = "created"
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def listing_query(
    *,
    keywords: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    taxonomy_id: int | None = None,
    sort_on: str = "created",
    sort_order: str = "desc",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> ListingQuery:
    """Check every parameter and name the first bad one (an :class:`EtsyError`, status 400)."""
    if keywords is not None and not isinstance(keywords, str):
        raise invalid_parameter("keywords", f"expected text, got {keywords!r}")
    keywords = keywords.strip() if keywords else None
    if min_price is not None:
        integer_parameter("min_price", min_price, 0)
    if max_price is not None:
        integer_parameter("max_price", max_price, 0)
    if min_price is not None and max_price is not None and min_price > max_price:
        raise invalid_parameter("min_price", f"{min_price} is above max_price {max_price}")
    if taxonomy_id is not None:
        integer_parameter("taxonomy_id", taxonomy_id, 1)
    if sort_on not in SORT_ON:
        raise invalid_parameter("sort_on", f"must be one of {', '.join(SORT_ON)}, got {sort_on!r}")
    if sort_order not in SORT_ORDERS:
        raise invalid_parameter(
            "sort_order", f"must be one of {', '.join(SORT_ORDERS)}, got {sort_order!r}"
        )
    return ListingQuery(
        keywords=keywords or None,
        min_price=min_price,
        max_price=max_price,
        taxonomy_id=taxonomy_id,
        sort_on=sort_on,
        descending=True if sort_on == "score" else SORT_ORDERS[sort_order],
        limit=integer_parameter("limit", limit, 1, MAX_LIMIT),
        offset=integer_parameter("offset", offset, 0),
    )


class ListingPage(BaseModel):
    """Etsy's list envelope: ``count`` matches in all, ``results`` the requested page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    results: list[Listing]

    def wire(self) -> dict:
        return self.model_dump(mode="json")
