"""findAllListingsActive: only active listings, filters, each sort, paging bounds, errors."""

from __future__ import annotations

import pytest

from merchants.etsy import EtsyError, EtsyShop

from .shop_fixtures import NOW, buy, crafts

# Active listings of the fixture (p2 sold out; p18, p22, p318 parked), with
# created:  p5 < p0 < p3 < p1 < p4      updated: p0 < p5 < p3 < p1 < p4
# price:    p3 15.00 < p5 19.99 < p0 24.99 < p4 45.00 < p1 89.00


@pytest.fixture
def shop() -> EtsyShop:
    return EtsyShop(crafts())


def skus(page) -> list[str]:
    return [listing.skus[0] for listing in page.results]


def test_defaults_are_every_active_listing_newest_first(shop):
    page = shop.find_all_listings_active(now=NOW)
    assert page.count == 5
    assert skus(page) == ["p4", "p1", "p3", "p0", "p5"]
    assert set(page.wire()) == {"count", "results"}
    assert all(listing.state == "active" for listing in page.results)


@pytest.mark.parametrize(
    ("sort_on", "sort_order", "expected"),
    [
        ("created", "asc", ["p5", "p0", "p3", "p1", "p4"]),
        ("created", "descending", ["p4", "p1", "p3", "p0", "p5"]),
        ("price", "asc", ["p3", "p5", "p0", "p4", "p1"]),
        ("price", "down", ["p1", "p4", "p0", "p5", "p3"]),
        ("updated", "up", ["p0", "p5", "p3", "p1", "p4"]),
        ("updated", "desc", ["p4", "p1", "p3", "p5", "p0"]),
    ],
)
def test_each_sort_in_each_direction(shop, sort_on, sort_order, expected):
    page = shop.find_all_listings_active(now=NOW, sort_on=sort_on, sort_order=sort_order)
    assert skus(page) == expected


def test_score_ranks_keyword_matches_best_first_whatever_the_order(shop):
    for order in ("asc", "desc"):
        page = shop.find_all_listings_active(
            now=NOW, keywords="mug kitchen", sort_on="score", sort_order=order
        )
        # p0 matches both words; p4 only "kitchen"; p18 (a mug too) is inactive
        assert (page.count, skus(page)) == (2, ["p0", "p4"])


def test_keywords_filter_for_the_other_sorts(shop):
    page = shop.find_all_listings_active(
        now=NOW, keywords="mug kitchen", sort_on="price", sort_order="desc"
    )
    assert skus(page) == ["p4", "p0"]
    assert shop.find_all_listings_active(now=NOW, keywords="zeppelin").count == 0
    assert shop.find_all_listings_active(now=NOW, keywords="   ").count == 5  # blank: no filter


def test_price_and_taxonomy_filters_are_inclusive_and_combine(shop):
    page = shop.find_all_listings_active(
        now=NOW, min_price=1999, max_price=4500, sort_on="price", sort_order="asc"
    )
    assert skus(page) == ["p5", "p0", "p4"]
    page = shop.find_all_listings_active(now=NOW, taxonomy_id=891, sort_on="price")
    assert skus(page) == ["p1", "p3"]  # home decor: p22 is expired
    page = shop.find_all_listings_active(now=NOW, taxonomy_id=891, max_price=2000)
    assert skus(page) == ["p3"]
    assert shop.find_all_listings_active(now=NOW, taxonomy_id=999).count == 0


def test_limit_and_offset_page_without_overlap(shop):
    first = shop.find_all_listings_active(now=NOW, sort_on="price", sort_order="asc", limit=2)
    second = shop.find_all_listings_active(
        now=NOW, sort_on="price", sort_order="asc", limit=2, offset=2
    )
    last = shop.find_all_listings_active(
        now=NOW, sort_on="price", sort_order="asc", limit=2, offset=4
    )
    assert [skus(p) for p in (first, second, last)] == [["p3", "p5"], ["p0", "p4"], ["p1"]]
    assert {first.count, second.count, last.count} == {5}
    beyond = shop.find_all_listings_active(now=NOW, offset=100)
    assert (beyond.count, beyond.results) == (5, [])
    assert shop.find_all_listings_active(now=NOW, limit=1).count == 5
    assert len(shop.find_all_listings_active(now=NOW, limit=100).results) == 5


def test_a_sold_out_listing_leaves_the_search_and_a_sale_moves_updated(shop):
    buy(shop.merchant, "p0", 5)  # the last five mugs
    assert "p0" not in skus(shop.find_all_listings_active(now=NOW))
    buy(shop.merchant, "p5", 1)
    assert skus(shop.find_all_listings_active(now=NOW, sort_on="updated"))[0] == "p5"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "Invalid parameter limit: must be between 1 and 100, got 0"),
        ({"limit": 101}, "Invalid parameter limit: must be between 1 and 100, got 101"),
        ({"limit": True}, "Invalid parameter limit: expected an integer, got True"),
        ({"offset": -1}, "Invalid parameter offset: must be at least 0, got -1"),
        (
            {"sort_on": "relevance"},
            "Invalid parameter sort_on: must be one of created, price, updated, score, "
            "got 'relevance'",
        ),
        (
            {"sort_order": "sideways"},
            "Invalid parameter sort_order: must be one of asc, ascending, up, desc, descending, "
            "down, got 'sideways'",
        ),
        ({"min_price": -1}, "Invalid parameter min_price: must be at least 0, got -1"),
        ({"max_price": 12.5}, "Invalid parameter max_price: expected an integer, got 12.5"),
        (
            {"min_price": 500, "max_price": 400},
            "Invalid parameter min_price: 500 is above max_price 400",
        ),
        ({"taxonomy_id": 0}, "Invalid parameter taxonomy_id: must be at least 1, got 0"),
        ({"keywords": 5}, "Invalid parameter keywords: expected text, got 5"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(shop, params, message):
    with pytest.raises(EtsyError) as refused:
        shop.find_all_listings_active(now=NOW, **params)
    assert (refused.value.status, refused.value.body()) == (400, {"error": message})
